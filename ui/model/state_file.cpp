#include "ui/model/state_file.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "core/util/bounded_json.h"
#include "ui/model/session.h"
#include "ui/model/workload.h"

namespace nvmelab::ui {

namespace {

constexpr const char *kFormat = "nvmelab-state";
constexpr int kVersion = 1;

// The controller events replaying a journal runs at most: "steps" entries run that many, a
// workload tick its run's events_per_tick. Saturates just past `max`; entries that are
// malformed count nothing here (their replay names them).
uint64_t replay_cost(const nlohmann::json &journal, uint64_t max) {
    uint64_t cost = 0;
    uint64_t per_tick = 0;
    const auto add = [&cost, max](uint64_t n, uint64_t times) {
        const uint64_t room = max + 1 - cost;
        cost = times != 0 && n > room / times ? max + 1 : cost + n * times;
    };
    for (const auto &e : journal) {
        if (!e.is_object()) continue;
        if (const auto steps = e.find("steps"); steps != e.end() && steps->is_number_unsigned()) {
            add(steps->get<uint64_t>(), 1);
        } else if (const auto wl = e.find("wl"); wl != e.end() && wl->is_string()) {
            if (*wl == "start" && e.contains("params") && e.at("params").is_object()) {
                const auto &p = e.at("params");
                const auto ept = p.find("events_per_tick");
                per_tick = ept != p.end() && ept->is_number_unsigned() ? ept->get<uint64_t>() : 0;
            } else if (*wl == "tick" && e.contains("n") && e.at("n").is_number_unsigned()) {
                add(per_tick, e.at("n").get<uint64_t>());
            }
        }
        if (cost > max) break;
    }
    return cost;
}

// "4194304 bytes (4.0 MiB)"
std::string mib(size_t bytes) {
    return fmt::format("{} bytes ({:.1f} MiB)", bytes, static_cast<double>(bytes) / (1 << 20));
}

// The bounds that need no replay: entries, each console line, the events asked for. A state
// this app saves passes them (save_state checks), so only a foreign or edited file fails here.
void check_journal_bounds(const nlohmann::json &journal, const StateLimits &limits) {
    if (journal.size() > limits.max_entries)
        throw StateError(fmt::format("the journal has {} entries, more than the {} a state file "
                                     "may hold (save a shorter session)",
                                     journal.size(), limits.max_entries));
    size_t index = 0;
    for (const auto &e : journal) {
        if (e.is_object()) {
            std::string bad;
            if (const auto line = e.find("exec"); line != e.end() && line->is_string())
                bad = journal_line_error(line->get_ref<const std::string &>());
            else if (const auto text = e.find("script"); text != e.end() && text->is_string())
                bad = journal_line_error(text->get_ref<const std::string &>(),
                                         e.value("name", std::string("script")).substr(0, 80));
            if (!bad.empty()) throw StateError(fmt::format("journal entry {}: {}", index, bad));
        }
        ++index;
    }
    if (replay_cost(journal, limits.max_events) > limits.max_events)
        throw StateError(fmt::format(
            "replaying this state would run more than {} M controller events (its run steps and "
            "workload ticks), more than this app replays: save a shorter session",
            limits.max_events / 1'000'000));
}

std::string hex(uint64_t v) {
    return fmt::format("0x{:x}", v);
}

uint32_t reg32(const Controller &c, spec::Reg r) {
    return c.read32(static_cast<uint32_t>(r));
}

// FNV-1a over every mapped host memory byte and region base: equal only if host memory is.
uint64_t memory_digest(const SparseHostMemory &mem) {
    uint64_t h = 0xcbf29ce484222325ULL;
    const auto mix = [&h](uint8_t b) {
        h ^= b;
        h *= 0x100000001b3ULL;
    };
    for (const auto &[base, region] : mem.regions()) {
        for (int i = 0; i < 8; ++i)
            mix(static_cast<uint8_t>(base >> (8 * i)));
        for (uint8_t b : region.bytes)
            mix(b);
    }
    return h;
}

// The first place two JSON values differ, as "path: saved X, now Y".
std::string first_difference(const nlohmann::json &a, const nlohmann::json &b,
                             const std::string &path) {
    if (a.type() != b.type() || (!a.is_object() && !a.is_array()) ||
        (a.is_array() && a.size() != b.size())) {
        if (a == b) return {};
        return fmt::format("{}: saved {}, now {}", path, a.dump(), b.dump());
    }
    if (a.is_array()) {
        for (size_t i = 0; i < a.size(); ++i)
            if (auto d = first_difference(a[i], b[i], fmt::format("{}[{}]", path, i)); !d.empty())
                return d;
        return {};
    }
    for (const auto &[key, value] : a.items()) {
        if (!b.contains(key)) return fmt::format("{}.{}: missing after the replay", path, key);
        if (auto d = first_difference(value, b.at(key), path + "." + key); !d.empty()) return d;
    }
    for (const auto &[key, value] : b.items())
        if (!a.contains(key)) return fmt::format("{}.{}: not in the saved state", path, key);
    return {};
}

// An entry's field of the type it must have, or a StateError naming it (nlohmann's own
// type_error names neither the field nor what it should be).
const std::string &text_field(const nlohmann::json &e, const char *key) {
    const auto it = e.find(key);
    if (it == e.end() || !it->is_string())
        throw StateError(fmt::format("\"{}\" must be a string", key));
    return it->get_ref<const std::string &>();
}

void replay_entry(Session &s, WorkloadGenerator &workload, const nlohmann::json &e) {
    if (!e.is_object()) throw StateError("an entry is not a JSON object");
    if (e.contains("remember") && !e.at("remember").is_boolean())
        throw StateError("\"remember\" must be true or false");
    if (e.contains("exec")) {
        s.exec(text_field(e, "exec"), e.value("remember", true));
    } else if (e.contains("script")) {
        s.exec_script(text_field(e, "script"),
                      e.contains("name") ? text_field(e, "name") : std::string("script"));
    } else if (e.contains("steps")) {
        if (!e.at("steps").is_number_unsigned())
            throw StateError("\"steps\" must be a number of controller events");
        const uint64_t n = e.at("steps").get<uint64_t>();
        if (n > kMaxReplaySteps)
            throw StateError(fmt::format("steps = {} is over {}", n, kMaxReplaySteps));
        const uint64_t ran = s.run_events(n);
        if (ran != n)
            throw StateError(fmt::format("{} controller events were saved, only {} ran", n, ran));
    } else if (e.contains("power")) {
        const std::string kind = text_field(e, "power");
        if (kind != "clean" && kind != "unclean")
            throw StateError(fmt::format("power = '{}' is neither 'clean' nor 'unclean'", kind));
        s.power_cycle(kind == "clean" ? PowerOff::Clean : PowerOff::Unclean);
    } else if (e.contains("wl")) {
        if (text_field(e, "wl") == "tick" && !(e.contains("n") && e.at("n").is_number_unsigned()))
            throw StateError("a workload tick's \"n\" must be a number of ticks");
        if (text_field(e, "wl") == "tick" && e.at("n").get<uint64_t>() > kMaxReplayTicks)
            throw StateError(
                fmt::format("a workload entry ticks more than {} times", kMaxReplayTicks));
        workload.replay(s, e);
    } else {
        throw StateError(fmt::format("unknown entry {}", e.dump().substr(0, 80)));
    }
    // A power cycle replaced the device: the workload notices it here as it does on a frame.
    workload.sync(s);
}

void replay(Session &s, WorkloadGenerator &workload, const nlohmann::json &doc,
            const StateLimits &limits) {
    if (!doc.is_object()) throw StateError("the state is not a JSON object");
    if (doc.value("format", "") != kFormat)
        throw StateError(fmt::format("not an nvmelab state (\"format\" must be \"{}\")", kFormat));
    if (doc.value("version", 0) != kVersion)
        throw StateError(fmt::format("state version {} is not supported (this build reads {})",
                                     doc.value("version", 0), kVersion));
    for (const char *key : {"config", "journal", "state"})
        if (!doc.contains(key)) throw StateError(fmt::format("the state has no \"{}\"", key));
    if (!doc.at("journal").is_array()) throw StateError("\"journal\" must be an array");
    check_journal_bounds(doc.at("journal"), limits);
    DeviceConfig config;
    try {
        config = DeviceConfig::from_json(doc.at("config"));
        config.validate();
    } catch (const std::exception &e) {
        throw StateError(fmt::format("bad device configuration: {}", e.what()));
    }
    workload.clear();
    s.reset_with(config);
    const auto started = std::chrono::steady_clock::now();
    const size_t entries = doc.at("journal").size();
    size_t index = 0;
    for (const auto &entry : doc.at("journal")) {
        const std::chrono::duration<double> spent = std::chrono::steady_clock::now() - started;
        if (spent.count() > limits.max_seconds)
            throw StateError(fmt::format("replaying this state took more than {} s (stopped at "
                                         "journal entry {} of {}), more than this app replays",
                                         limits.max_seconds, index, entries));
        try {
            replay_entry(s, workload, entry);
        } catch (const std::exception &e) {
            throw StateError(fmt::format(
                "journal entry {} ({}) does not replay: {}", index,
                entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80),
                e.what()));
        }
        ++index;
    }
    if (doc.contains("ui")) {
        const auto &ui = doc.at("ui");
        s.set_events_per_frame(ui.value("events_per_frame", 1u));
        s.set_running(ui.value("running", false));
    }
    const nlohmann::json now = state_json(s, workload);
    if (const std::string d = first_difference(doc.at("state"), now, "state"); !d.empty())
        throw StateError("the replayed device differs from the saved one at " + d);
}

} // namespace

nlohmann::json state_json(const Session &s, const WorkloadGenerator &workload) {
    const Controller &c = s.ctrl();
    const spec::CcReg cc{reg32(c, spec::Reg::Cc)};
    const spec::CstsReg csts{reg32(c, spec::Reg::Csts)};
    nlohmann::json j;
    j["time_ns"] = c.now_ns();
    j["powered"] = c.powered();
    j["idle"] = c.idle();
    j["registers"] = {{"CAP", hex(c.read64(static_cast<uint32_t>(spec::Reg::Cap)))},
                      {"VS", hex(reg32(c, spec::Reg::Vs))},
                      {"INTMS", hex(reg32(c, spec::Reg::Intms))},
                      {"CC", hex(reg32(c, spec::Reg::Cc))},
                      {"CSTS", hex(reg32(c, spec::Reg::Csts))},
                      {"AQA", hex(reg32(c, spec::Reg::Aqa))},
                      {"ASQ", hex(c.read64(static_cast<uint32_t>(spec::Reg::Asq)))},
                      {"ACQ", hex(c.read64(static_cast<uint32_t>(spec::Reg::Acq)))}};
    j["cc"] = {{"en", cc.en() ? 1 : 0}, {"mps", cc.mps()}, {"ams", cc.ams()}, {"shn", cc.shn()}};
    j["csts"] = {{"rdy", csts.rdy() ? 1 : 0}, {"cfs", csts.cfs() ? 1 : 0}, {"shst", csts.shst()}};

    nlohmann::json queues = nlohmann::json::array();
    const HostDriver &drv = const_cast<Session &>(s).driver();
    for (const QueueView &q : c.queues()) {
        nlohmann::json e = {{"type", q.is_sq ? "sq" : "cq"},
                            {"qid", q.qid},
                            {"size", q.size},
                            {"head", q.head},
                            {"tail", q.tail},
                            {"base", hex(q.base)}};
        if (q.is_sq) {
            e["cqid"] = q.cqid;
            e["qprio"] = q.qprio;
        } else {
            e["phase"] = q.phase ? 1 : 0;
            e["iv"] = q.iv;
            e["ien"] = q.ien;
            e["waiting"] = q.waiting;
        }
        if (drv.has_queue(q.qid)) {
            const HostQueuePair &h = drv.queue(q.qid);
            e["host"] = q.is_sq ? nlohmann::json{{"tail", h.sq_tail}, {"head", h.sq_head}}
                                : nlohmann::json{{"head", h.cq_head}, {"phase", h.phase ? 1 : 0}};
        }
        queues.push_back(std::move(e));
    }
    j["queues"] = std::move(queues);

    const DeviceConfig &cfg = s.config();
    j["namespaces"] = nlohmann::json::array(
        {{{"nsid", 1},
          {"lba_size", c.lba_size(1)},
          {"blocks", cfg.nsze()},
          {"bytes", cfg.size},
          {"cached_blocks", c.powered() ? c.namespace_blocks_cached(1) : 0}}});

    nlohmann::json cmds = nlohmann::json::array();
    for (const CommandView &v : c.commands())
        cmds.push_back({{"sqid", v.sqid},
                        {"cid", v.cid},
                        {"opcode", v.opcode},
                        {"phase", static_cast<int>(v.phase)},
                        {"transferred", v.transferred}});
    j["inflight"] = std::move(cmds);
    j["completions"] = c.completions().size();
    if (const auto &last = c.last_completion()) {
        const spec::Status st = last->cqe.decoded_status();
        j["last_completion"] = {{"sqid", last->sqid},
                                {"cid", last->cqe.cid},
                                {"opcode", last->opcode},
                                {"status", hex(st.field())},
                                {"name", std::string(spec::status_name(st))},
                                {"ok", st.ok()}};
    } else {
        j["last_completion"] = nullptr;
    }
    j["interrupts"] = s.total_interrupts();
    j["trace_events"] = c.trace().total_recorded();
    j["host_memory"] = {{"regions", s.mem().regions().size()},
                        {"bytes", s.mem().mapped_bytes()},
                        {"digest", hex(memory_digest(s.mem()))}};
    nlohmann::json vars = nlohmann::json::object();
    for (const auto &[name, value] : const_cast<Session &>(s).console().variables())
        vars[name] = hex(value);
    j["variables"] = std::move(vars);
    // A run the device replaced is over, even before the generator's next tick notices.
    j["workload"] = workload.current(s) ? workload.to_json() : WorkloadGenerator{}.to_json();
    return j;
}

namespace {

// The saved document with no bound checked.
std::string state_document(const Session &s, const WorkloadGenerator &workload) {
    const nlohmann::json doc = {
        {"format", kFormat},
        {"version", kVersion},
        {"config", s.journal().config()},
        {"journal", s.journal().entries()},
        {"ui", {{"running", s.running()}, {"events_per_frame", s.events_per_frame()}}},
        {"state", state_json(s, workload)}};
    // Console input is checked to be UTF-8 before it is journaled; should anything else slip
    // through, a replacement character beats a save that throws (and the load names the
    // difference).
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

std::string save_state(const Session &s, const WorkloadGenerator &workload) {
    // What load_state would refuse is not saved: the user hears it now, not at the next load.
    const size_t entries = s.journal().entries().size();
    if (entries > kMaxJournalEntries)
        throw StateError(fmt::format("this session's journal has {} entries, more than the {} a "
                                     "state file may hold: it cannot be saved (Device -> New "
                                     "device starts a new journal)",
                                     entries, kMaxJournalEntries));
    std::string text = state_document(s, workload);
    if (text.size() > kMaxStateBytes)
        throw StateError(fmt::format("this session's state is {}, more than the {} a state file "
                                     "may hold: it cannot be saved (Device -> New device starts "
                                     "a new journal)",
                                     mib(text.size()), mib(kMaxStateBytes)));
    return text;
}

void load_state(Session &s, WorkloadGenerator &workload, std::string_view text,
                const StateLimits &limits) {
    // Checked before parsing: a parsed journal takes about ten times its text's memory.
    if (text.size() > limits.max_bytes)
        throw StateError(fmt::format("the state is {}, more than the {} a state file may hold",
                                     mib(text.size()), mib(limits.max_bytes)));
    nlohmann::json doc;
    try {
        doc = parse_bounded_json(text);
    } catch (const std::exception &e) {
        throw StateError(fmt::format("the state is not valid JSON: {}", e.what()));
    }
    // The state to put back if the load fails. It was built by this session, so it replays
    // with no time bound: a long session must not be lost because a bad file took its place.
    const std::string backup = state_document(s, workload);
    try {
        replay(s, workload, doc, limits);
        s.log_info(fmt::format("--- state loaded: {} journal entries replayed ---",
                               doc.at("journal").size()));
    } catch (const std::exception &e) {
        const std::string why = e.what();
        // Put back what was there; a state this build saved itself always replays.
        try {
            StateLimits unlimited;
            unlimited.max_bytes = SIZE_MAX;
            unlimited.max_entries = SIZE_MAX;
            unlimited.max_events = UINT64_MAX - 1;
            unlimited.max_seconds = std::numeric_limits<double>::infinity();
            replay(s, workload, nlohmann::json::parse(backup), unlimited);
        } catch (const std::exception &again) {
            throw StateError(fmt::format("{} (and the previous state could not be restored: {})",
                                         why, again.what()));
        }
        s.log_info("--- loading the state failed; the previous state is back ---");
        throw StateError(why);
    }
}

std::string read_state_file(const std::string &path, const StateLimits &limits) {
    std::unique_ptr<std::FILE, int (*)(std::FILE *)> file(std::fopen(path.c_str(), "rb"),
                                                          &std::fclose);
    if (!file) throw StateError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    std::string text;
    char buffer[1 << 16];
    // One byte past the bound is enough to know the file is too large.
    while (text.size() <= limits.max_bytes) {
        const size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        text.append(buffer, n);
        if (n < sizeof buffer) break;
    }
    if (std::ferror(file.get()))
        throw StateError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
    if (text.size() > limits.max_bytes)
        throw StateError(fmt::format("'{}' is more than the {} a state file may hold", path,
                                     mib(limits.max_bytes)));
    return text;
}

} // namespace nvmelab::ui
