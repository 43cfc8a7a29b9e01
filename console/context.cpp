// What every console command works on (see context.h).
#include "console/context.h"

#include <algorithm>

#include <fmt/format.h>

#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

std::optional<Completion> Context::last_completion() const {
    if (last) return last;
    if (const auto &r = ctrl.last_completion()) return Completion{r->cqe, r->why};
    return std::nullopt;
}

uint64_t number(const Context &c, const Token &t, std::string_view what, uint64_t max) {
    return evaluate_number(c.vars, t, what, max);
}

uint16_t qid_arg(const Context &c, const Token &t) {
    return static_cast<uint16_t>(number(c, t, "QID", 0xFFFF));
}

bool cc_enabled(const Context &c) {
    return spec::CcReg{c.ctrl.read32(static_cast<uint32_t>(spec::Reg::Cc))}.en();
}

void report_problems(const Context &c, uint64_t seq, std::string &out) {
    const Trace &tr = c.ctrl.trace();
    for (const TraceEvent &ev : tr.events()) {
        if (ev.seq < seq) continue;
        if (ev.kind == EventKind::DoorbellInvalid || ev.kind == EventKind::ControllerFatal)
            put(out, "! {}", tr.format(ev));
    }
}

void need_mapped(const Context &c, uint64_t addr, uint64_t len) {
    if (!c.mem.is_mapped(addr, std::max<uint64_t>(len, 1)))
        fail(fmt::format("0x{:x}..0x{:x} is not mapped host memory (see 'mem map')", addr,
                         addr + std::max<uint64_t>(len, 1) - 1));
}

void take_controller_completion(Context &c) {
    if (const auto &r = c.ctrl.last_completion()) c.last = Completion{r->cqe, r->why};
}

const QueueView *find_view(const std::vector<QueueView> &views, bool sq, uint16_t qid) {
    for (const QueueView &v : views)
        if (v.is_sq == sq && v.qid == qid) return &v;
    return nullptr;
}

} // namespace nvmelab::console
