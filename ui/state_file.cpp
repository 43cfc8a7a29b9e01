#include "ui/state_file.h"

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "core/util/bounded_json.h"
#include "ui/session.h"
#include "ui/workload.h"

namespace nvmelab::ui {

namespace {

constexpr const char *kFormat = "nvmelab-state";
constexpr int kVersion = 1;
// Bounds on one journal entry, and on the controller events the whole journal may ask for
// (about a minute and a half natively, a few minutes in the browser), so a small corrupt or
// hostile file cannot keep the app busy for hours.
constexpr uint64_t kMaxSteps = 200'000'000;
constexpr uint64_t kMaxTicks = 10'000'000;
constexpr uint64_t kMaxReplayEvents = 100'000'000;

// The controller events replaying a journal runs at most: "steps" entries run that many, a
// workload tick its run's events_per_tick. Saturates just past kMaxReplayEvents; entries that
// are malformed count nothing here (their replay names them).
uint64_t replay_cost(const nlohmann::json &journal) {
    uint64_t cost = 0;
    uint64_t per_tick = 0;
    const auto add = [&cost](uint64_t n, uint64_t times) {
        const uint64_t room = kMaxReplayEvents + 1 - cost;
        cost = times != 0 && n > room / times ? kMaxReplayEvents + 1 : cost + n * times;
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
        if (cost > kMaxReplayEvents) break;
    }
    return cost;
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

void replay_entry(Session &s, WorkloadGenerator &workload, const nlohmann::json &e) {
    if (!e.is_object()) throw StateError("an entry is not a JSON object");
    if (e.contains("exec")) {
        s.exec(e.at("exec").get<std::string>(), e.value("remember", true));
    } else if (e.contains("script")) {
        s.exec_script(e.at("script").get<std::string>(), e.value("name", std::string("script")));
    } else if (e.contains("steps")) {
        const uint64_t n = e.at("steps").get<uint64_t>();
        if (n > kMaxSteps) throw StateError(fmt::format("steps = {} is over {}", n, kMaxSteps));
        const uint64_t ran = s.run_events(n);
        if (ran != n)
            throw StateError(fmt::format("{} controller events were saved, only {} ran", n, ran));
    } else if (e.contains("power")) {
        const std::string kind = e.at("power").get<std::string>();
        if (kind != "clean" && kind != "unclean")
            throw StateError(fmt::format("power = '{}' is neither 'clean' nor 'unclean'", kind));
        s.power_cycle(kind == "clean" ? PowerOff::Clean : PowerOff::Unclean);
    } else if (e.contains("wl")) {
        if (e.value("wl", "") == "tick" && e.at("n").get<uint64_t>() > kMaxTicks)
            throw StateError(fmt::format("a workload entry ticks more than {} times", kMaxTicks));
        workload.replay(s, e);
    } else {
        throw StateError(fmt::format("unknown entry {}", e.dump().substr(0, 80)));
    }
    // A power cycle replaced the device: the workload notices it here as it does on a frame.
    workload.sync(s);
}

void replay(Session &s, WorkloadGenerator &workload, const nlohmann::json &doc) {
    if (!doc.is_object()) throw StateError("the state is not a JSON object");
    if (doc.value("format", "") != kFormat)
        throw StateError(fmt::format("not an nvmelab state (\"format\" must be \"{}\")", kFormat));
    if (doc.value("version", 0) != kVersion)
        throw StateError(fmt::format("state version {} is not supported (this build reads {})",
                                     doc.value("version", 0), kVersion));
    for (const char *key : {"config", "journal", "state"})
        if (!doc.contains(key)) throw StateError(fmt::format("the state has no \"{}\"", key));
    if (!doc.at("journal").is_array()) throw StateError("\"journal\" must be an array");
    if (replay_cost(doc.at("journal")) > kMaxReplayEvents)
        throw StateError(fmt::format(
            "replaying this state would run more than {} M controller events (its run steps and "
            "workload ticks), more than this app replays: save a shorter session",
            kMaxReplayEvents / 1'000'000));
    DeviceConfig config;
    try {
        config = DeviceConfig::from_json(doc.at("config"));
        config.validate();
    } catch (const std::exception &e) {
        throw StateError(fmt::format("bad device configuration: {}", e.what()));
    }
    workload.clear();
    s.reset_with(config);
    size_t index = 0;
    for (const auto &entry : doc.at("journal")) {
        try {
            replay_entry(s, workload, entry);
        } catch (const std::exception &e) {
            throw StateError(fmt::format("journal entry {} ({}) does not replay: {}", index,
                                         entry.dump().substr(0, 80), e.what()));
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

std::string save_state(const Session &s, const WorkloadGenerator &workload) {
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

void load_state(Session &s, WorkloadGenerator &workload, std::string_view text) {
    nlohmann::json doc;
    try {
        doc = parse_bounded_json(text);
    } catch (const std::exception &e) {
        throw StateError(fmt::format("the state is not valid JSON: {}", e.what()));
    }
    const std::string backup = save_state(s, workload);
    try {
        replay(s, workload, doc);
        s.log_info(fmt::format("--- state loaded: {} journal entries replayed ---",
                               doc.at("journal").size()));
    } catch (const std::exception &e) {
        const std::string why = e.what();
        // Put back what was there; a state this build saved itself always replays.
        try {
            replay(s, workload, nlohmann::json::parse(backup));
        } catch (const std::exception &again) {
            throw StateError(fmt::format("{} (and the previous state could not be restored: {})",
                                         why, again.what()));
        }
        s.log_info("--- loading the state failed; the previous state is back ---");
        throw StateError(why);
    }
}

} // namespace nvmelab::ui
