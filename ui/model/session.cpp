#include "ui/model/session.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "player/lesson_device.h"

namespace nvmelab::ui {

namespace {

constexpr size_t kMaxLogLines = 20000;
constexpr size_t kMaxHistory = 500;

uint32_t reg32(const Controller &c, spec::Reg r) {
    return c.read32(static_cast<uint32_t>(r));
}

} // namespace

Session::Session(DeviceConfig config) : config_(std::move(config)), rig_(config_, rig_options()) {
    journal_.restart(config_);
}

Session::~Session() = default;

RigOptions Session::rig_options() {
    RigOptions o;
    // The Namespace window's map follows every trace event of every controller from its start.
    o.on_power_on = [this](Controller &c) {
        c.trace().set_listener([this](const TraceEvent &ev) { namespace_usage_.observe(ev); });
    };
    return o;
}

void Session::forget_selection() {
    selected_completion.reset();
    selected_command.reset();
    followed.clear();
    running_ = false;
}

void Session::reset() {
    last_power_cut_ = false;
    lost_in_power_cut_.clear();
    journal_.restart(config_);
    namespace_usage_.clear();
    rig_.renew(config_);
    forget_selection();
    log_info("--- new device: empty media, CC.EN = 0 ('enable' brings it up) ---");
}

void Session::reset_with(DeviceConfig config) {
    config.validate();
    config_ = std::move(config);
    reset();
}

void Session::power_cycle(PowerOff kind) {
    journal_.add({{"power", kind == PowerOff::Clean ? "clean" : "unclean"}});
    const Journal::Pause pause(journal_);
    // A clean power off is what an OS does: the normal shutdown sequence first (§7.6.2).
    if (rig_.shutdown_first(kind)) exec("shutdown", false);
    const PowerOffReport off = rig_.power_off(kind);
    lost_in_power_cut_ = off.lost_lbas_ns1; // empty unless cut while powered
    if (off.was_powered) {
        const uint64_t lost = off.lost_blocks;
        if (kind == PowerOff::Unclean)
            log_info(fmt::format(
                "--- power cut: {} ---",
                lost == 0 ? "the volatile write cache was empty"
                          : fmt::format("{} cached block{} lost", lost, lost == 1 ? "" : "s")));
        else
            log_info("--- clean power off: the write cache was written back ---");
    }
    last_power_cut_ = kind == PowerOff::Unclean;
    namespace_usage_.power_cycled(lost_in_power_cut_);
    rig_.power_on();
    forget_selection();
    log_info("--- power on: media and saved state kept; host memory and queues start over ---");
}

// ---- virtual time ------------------------------------------------------------------------

void Session::step_event() {
    exec("step", false);
}

void Session::step_command() {
    exec("step command", false);
}

void Session::run_until_idle() {
    exec("run", false);
}

void Session::set_running(bool on) {
    running_ = on;
}

void Session::set_events_per_frame(uint32_t n) {
    events_per_frame_ = std::clamp<uint32_t>(n, 1, 1'000'000);
}

uint64_t Session::tick() {
    if (!running_ || !ctrl().powered()) return 0;
    return run_events(events_per_frame_);
}

uint64_t Session::run_events(uint64_t n) {
    if (!ctrl().powered()) return 0;
    uint64_t ran = 0;
    while (ran < n && ctrl().step())
        ++ran;
    if (ran > 0) journal_.add({{"steps", ran}});
    return ran;
}

// ---- console -----------------------------------------------------------------------------

void Session::append_output(LogLine::Kind kind, std::string_view text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        log_.push_back(LogLine{kind, std::string(text.substr(start, end - start))});
        start = end + 1;
    }
    // Trimmed a tenth at a time: erasing the oldest line on every append moved all 20000
    // lines each time, and replaying a saved journal of 200000 lines spent minutes on it.
    if (log_.size() > kMaxLogLines + kMaxLogLines / 10)
        log_.erase(log_.begin(), log_.begin() + static_cast<long>(log_.size() - kMaxLogLines));
}

ConsoleResult Session::exec(std::string_view line, bool remember) {
    if (std::string bad = Console::text_error(line); !bad.empty()) return refuse(std::move(bad));
    if (std::string bad = journal_line_error(line); !bad.empty()) return refuse(std::move(bad));
    if (remember && !line.empty() && (history_.empty() || history_.back() != line)) {
        history_.emplace_back(line);
        if (history_.size() > kMaxHistory) history_.erase(history_.begin());
    }
    journal_.add({{"exec", std::string(line)}, {"remember", remember}});
    append_output(LogLine::Kind::Input, fmt::format("> {}", line));
    ConsoleResult r = console().exec_line(line);
    append_output(LogLine::Kind::Output, r.output);
    if (!r.ok) append_output(LogLine::Kind::Error, r.error);
    return r;
}

ConsoleResult Session::exec_script(std::string_view text, std::string_view source_name) {
    if (std::string bad = Console::script_text_error(text, source_name); !bad.empty())
        return refuse(std::move(bad)); // the whole script, before any line runs
    if (std::string bad = journal_line_error(text, source_name); !bad.empty())
        return refuse(std::move(bad));
    journal_.add({{"script", std::string(text)}, {"name", std::string(source_name)}});
    append_output(LogLine::Kind::Info, fmt::format("--- running {} ---", source_name));
    ConsoleResult r = console().exec_script(text, source_name);
    append_output(LogLine::Kind::Output, r.output);
    if (!r.ok) append_output(LogLine::Kind::Error, r.error);
    return r;
}

ConsoleResult Session::refuse(std::string error) {
    // Refused before it could change anything, so not journaled: a state file is JSON, which
    // holds only UTF-8 text, and refuses lines past kMaxJournalLineBytes.
    append_output(LogLine::Kind::Error, error);
    ConsoleResult r;
    r.ok = false;
    r.error = std::move(error);
    return r;
}

void Session::log_info(std::string text) {
    append_output(LogLine::Kind::Info, text);
}

ConsoleResult Session::write_register(std::string_view name, uint64_t value) {
    return exec(fmt::format("reg write {} 0x{:x}", name, value));
}

// ---- lesson host -------------------------------------------------------------------------

void Session::reset_device(const DeviceConfig &config) {
    reset_with(config);
}

ConsoleResult Session::exec_lesson_line(std::string_view line) {
    bool is_player = false;
    const std::string error = lesson::LessonDevice::player_line_error(line, is_player);
    if (!is_player) return exec(line, false);
    append_output(LogLine::Kind::Input, fmt::format("> {}", line));
    ConsoleResult r;
    if (!error.empty()) {
        r.ok = false;
        r.error = error;
        append_output(LogLine::Kind::Error, error);
        return r;
    }
    const bool cut = line.find("cut") != std::string_view::npos;
    power_cycle(cut ? PowerOff::Unclean : PowerOff::Clean);
    r.output = cut ? "power cut, power on\n" : "clean power off, power on\n";
    return r;
}

ConsoleResult Session::check_lesson_line(std::string_view line) {
    return console().exec_line(line);
}

// ---- selection ---------------------------------------------------------------------------

void Session::select_completion(const CompletionRecord &record) {
    selected_completion = record;
    selected_command = CommandRef{record.sqid, record.cqe.cid};
    follow_latest = false;
}

void Session::select_command(uint16_t sqid, uint16_t cid) {
    selected_command = CommandRef{sqid, cid};
    follow_latest = false;
    // A command still in flight has no completion yet; one that finished shows it.
    for (const CommandView &c : ctrl().commands())
        if (c.sqid == sqid && c.cid == cid) {
            selected_completion.reset();
            return;
        }
    if (const CompletionRecord *r = find_completion(sqid, cid)) selected_completion = *r;
}

const CompletionRecord *Session::inspected_completion() const {
    if (follow_latest || !selected_completion) {
        if (const CompletionRecord *f = followed.get()) return f;
        const auto &last = ctrl().last_completion();
        return last ? &*last : nullptr;
    }
    return &*selected_completion;
}

const CompletionRecord *Session::find_completion(uint16_t sqid, uint16_t cid) const {
    const auto &all = ctrl().completions();
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->sqid == sqid && it->cqe.cid == cid) return &*it;
    return nullptr;
}

uint64_t Session::total_interrupts() const {
    uint64_t n = 0;
    for (uint16_t v = 0; v < config_.msix_vectors; ++v)
        n += ctrl().interrupt_count(v);
    return n;
}

// ---- summaries ---------------------------------------------------------------------------

std::string Session::status_line() const {
    const spec::CstsReg csts{reg32(ctrl(), spec::Reg::Csts)};
    const spec::CcReg cc{reg32(ctrl(), spec::Reg::Cc)};
    return fmt::format("t={:.3f} us  CC.EN={} CSTS.RDY={} CFS={} SHST={}  {}",
                       static_cast<double>(ctrl().now_ns()) / 1000.0, cc.en() ? 1 : 0,
                       csts.rdy() ? 1 : 0, csts.cfs() ? 1 : 0, csts.shst(),
                       !ctrl().powered() ? "powered off"
                       : ctrl().idle()   ? "idle"
                                         : "events pending");
}

std::string Session::state_summary() const {
    const uint32_t csts = reg32(ctrl(), spec::Reg::Csts);
    const spec::CstsReg c{csts};
    const auto queues = ctrl().queues();
    const auto sqs = std::count_if(queues.begin(), queues.end(), [](auto &q) { return q.is_sq; });
    std::string out;
    out += fmt::format("state: CSTS=0x{:08x} CSTS.RDY={} CSTS.CFS={} CSTS.SHST={}\n", csts,
                       c.rdy() ? 1 : 0, c.cfs() ? 1 : 0, c.shst());
    out += fmt::format("state: CC=0x{:08x}\n", reg32(ctrl(), spec::Reg::Cc));
    out += fmt::format("state: queues={} sqs={} cqs={}\n", queues.size(), sqs,
                       static_cast<long>(queues.size()) - sqs);
    out += fmt::format("state: inflight={}\n", ctrl().commands().size());
    out += fmt::format("state: completions={}\n", ctrl().completions().size());
    if (const auto &last = ctrl().last_completion()) {
        const spec::Status s = last->cqe.decoded_status();
        out += fmt::format("state: last_status=0x{:04x} ({}) sq={} cid={}\n", s.field(),
                           spec::status_name(s), last->sqid, last->cqe.cid);
    }
    out += fmt::format("state: interrupts={}\n", total_interrupts());
    out += fmt::format("state: trace_events={} now_ns={}\n", ctrl().trace().total_recorded(),
                       ctrl().now_ns());
    return out;
}

} // namespace nvmelab::ui
