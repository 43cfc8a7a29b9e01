// Virtual time: step, run, trace, mark. The controller only moves when the host lets it.
#include <limits>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

namespace {

void step(Context &c, Toks t, std::string &out) {
    const uint64_t seq = c.ctrl.trace().total_recorded();
    if (!t.empty() && lower(t[0].text) == "command") {
        no_more(split_form("step", t), 1);
        const bool posted = c.ctrl.step_command();
        out += c.ctrl.trace().format_since(seq);
        if (!posted) put(out, "controller idle: no completion was posted");
        return;
    }
    const Args a = split_form("step", t);
    const uint64_t n = a.pos.empty() ? 1 : number(c, a.pos[0], "N", 1'000'000);
    no_more(a, 1);
    uint64_t ran = 0;
    while (ran < n && c.ctrl.step())
        ++ran;
    out += c.ctrl.trace().format_since(seq);
    if (ran < n) put(out, "controller idle after {} event{}", ran, ran == 1 ? "" : "s");
}

void run(Context &c, Toks t, std::string &out) {
    const uint64_t t0 = c.ctrl.now_ns();
    if (t.empty()) {
        const uint64_t n = c.ctrl.run_until_idle();
        put(out, "ran {} event{} in {}; now {}; controller idle", n, n == 1 ? "" : "s",
            us(c.ctrl.now_ns() - t0), us(c.ctrl.now_ns()));
        return;
    }
    const Args a = split_form("run", t);
    const std::string mode = lower(a.pos[0].text);
    if (mode != "until" && mode != "for")
        usage_error("run", fmt::format("unexpected argument '{}'", a.pos[0].text));
    const uint64_t v =
        number(c, arg(a, 1, "TIME_US"), "TIME_US", std::numeric_limits<uint64_t>::max() / 1000);
    no_more(a, 2);
    if (mode == "for" && v * 1000 > std::numeric_limits<uint64_t>::max() - t0)
        fail(fmt::format("run for {} us would pass the end of virtual time (2^64 ns); it is "
                         "now {}",
                         v, us(t0)));
    const uint64_t target = mode == "until" ? v * 1000 : t0 + v * 1000;
    if (target < t0)
        fail(fmt::format("virtual time is already {}; 'run until' cannot go back", us(t0)));
    uint64_t n = 0;
    while (!c.ctrl.idle() && c.ctrl.next_event_time() <= target)
        if (c.ctrl.step()) ++n;
    c.ctrl.run_until(target);
    put(out, "ran {} event{}; now {}{}", n, n == 1 ? "" : "s", us(c.ctrl.now_ns()),
        c.ctrl.idle() ? "; controller idle" : "");
}

void trace(Context &c, Toks t, std::string &out) {
    const Trace &tr = c.ctrl.trace();
    if (!t.empty() && lower(t[0].text) == "since-mark") {
        no_more(split_form("trace", t), 1);
        out += tr.format_since(c.mark);
        return;
    }
    const Args a = split_form("trace", t);
    const uint64_t n = a.pos.empty() ? 20 : number(c, a.pos[0], "N");
    no_more(a, 1);
    const auto &events = tr.events();
    const size_t first = events.size() > n ? events.size() - static_cast<size_t>(n) : 0;
    for (size_t i = first; i < events.size(); ++i)
        put(out, "{}", tr.format(events[i]));
    if (events.empty()) put(out, "the trace is empty");
}

void mark(Context &c, Toks t, std::string &out) {
    no_more(split_form("mark", t), 0);
    c.mark = c.ctrl.trace().total_recorded();
    put(out, "mark at trace event {}", c.mark);
}
constexpr CommandForm kForms[] = {
    {"step", "step [N] | step command",
     "Run N controller events (default 1), or until the next CQE is posted; print their trace.",
     step},
    {"run", "run | run until TIME_US | run for US",
     "Run until idle, or until a virtual time (idle time passes too, e.g. waiting for RDY).", run},
    {"trace", "trace [N] | trace since-mark",
     "The last N trace lines (default 20), or every line since 'mark'.", trace},
    {"mark", "mark", "Remember the current trace position.", mark},
};

} // namespace

constinit const CommandFamily kTimeCommands{"Virtual time", kForms};

} // namespace nvmelab::console
