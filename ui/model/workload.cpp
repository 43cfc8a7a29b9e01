#include "ui/model/workload.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "ui/model/session.h"

namespace nvmelab::ui {

namespace {

bool power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}

// Host memory page size the controller uses: CC.MPS (NVMe 1.3 §3.1.5), 2^(12 + MPS).
uint32_t host_page_size(const Controller &c) {
    const spec::CcReg cc{c.read32(static_cast<uint32_t>(spec::Reg::Cc))};
    return uint32_t{4096} << cc.mps();
}

template <typename T> T get_field(const nlohmann::json &j, const char *key, T fallback) {
    if (!j.contains(key)) return fallback;
    const auto &v = j.at(key);
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean())
            throw WorkloadError(fmt::format("workload: '{}' must be true or false", key));
        return v.get<bool>();
    } else {
        if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
            throw WorkloadError(fmt::format("workload: '{}' must be a non-negative integer, not {}",
                                            key, v.dump()));
        const uint64_t n = v.get<uint64_t>();
        if (n > std::numeric_limits<T>::max())
            throw WorkloadError(fmt::format("workload: '{}' = {} is too large", key, n));
        return static_cast<T>(n);
    }
}

} // namespace

nlohmann::json WorkloadParams::to_json() const {
    return {{"queues", queues},
            {"entries", entries},
            {"depth", depth},
            {"read_percent", read_percent},
            {"min_bytes", min_bytes},
            {"max_bytes", max_bytes},
            {"sequential", sequential},
            {"events_per_tick", events_per_tick},
            {"seed", seed}};
}

WorkloadParams WorkloadParams::from_json(const nlohmann::json &j) {
    if (!j.is_object()) throw WorkloadError("workload: the parameters must be a JSON object");
    static const std::array<const char *, 9> known{"queues",       "entries",         "depth",
                                                   "read_percent", "min_bytes",       "max_bytes",
                                                   "sequential",   "events_per_tick", "seed"};
    for (const auto &item : j.items()) {
        const std::string &key = item.key();
        if (std::find_if(known.begin(), known.end(), [&](const char *k) { return key == k; }) ==
            known.end())
            throw WorkloadError(fmt::format(
                "workload: unknown parameter '{}' (known: queues, entries, depth, read_percent, "
                "min_bytes, max_bytes, sequential, events_per_tick, seed)",
                key));
    }
    WorkloadParams p;
    p.queues = get_field(j, "queues", p.queues);
    p.entries = get_field(j, "entries", p.entries);
    p.depth = get_field(j, "depth", p.depth);
    p.read_percent = get_field(j, "read_percent", p.read_percent);
    p.min_bytes = get_field(j, "min_bytes", p.min_bytes);
    p.max_bytes = get_field(j, "max_bytes", p.max_bytes);
    p.sequential = get_field(j, "sequential", p.sequential);
    p.events_per_tick = get_field(j, "events_per_tick", p.events_per_tick);
    p.seed = get_field(j, "seed", p.seed);
    return p;
}

void WorkloadGenerator::validate(const WorkloadParams &p, const Session &s) {
    const DeviceConfig &cfg = s.config();
    const auto fail = [](std::string text) { throw WorkloadError("workload: " + text); };
    if (p.queues < 1 || p.queues > cfg.max_ioqpairs)
        fail(fmt::format("queues = {} must be 1..{} (the device's max_ioqpairs)", p.queues,
                         cfg.max_ioqpairs));
    if (p.entries < 2 || p.entries > uint32_t{cfg.mqes} + 1)
        fail(fmt::format("entries = {} must be 2..{} (CAP.MQES + 1, NVMe 1.3 §3.1.1)", p.entries,
                         uint32_t{cfg.mqes} + 1));
    if (p.depth < 1 || p.depth > p.entries - 1)
        fail(fmt::format("depth = {} must be 1..{}: a queue of {} entries is full with {} "
                         "(NVMe 1.3 §4.1.1)",
                         p.depth, p.entries - 1, p.entries, p.entries - 1));
    if (p.read_percent > 100) fail(fmt::format("read_percent = {} must be 0..100", p.read_percent));
    if (!power_of_two(p.min_bytes) || !power_of_two(p.max_bytes))
        fail(fmt::format("min_bytes = {} and max_bytes = {} must be powers of two", p.min_bytes,
                         p.max_bytes));
    if (p.min_bytes > p.max_bytes)
        fail(fmt::format("min_bytes = {} is larger than max_bytes = {}", p.min_bytes, p.max_bytes));
    if (p.min_bytes < cfg.lba_size())
        fail(fmt::format("min_bytes = {} is smaller than the LBA size ({} bytes)", p.min_bytes,
                         cfg.lba_size()));
    // MDTS is in units of the minimum memory page size (NVMe 1.3 §5.15.2.1, Identify byte 77).
    const uint64_t mdts_bytes = cfg.mdts == 0 ? 0 : (uint64_t{4096} << cfg.mpsmin) << cfg.mdts;
    if (mdts_bytes != 0 && p.max_bytes > mdts_bytes)
        fail(fmt::format("max_bytes = {} exceeds the device's MDTS ({} bytes)", p.max_bytes,
                         mdts_bytes));
    if (p.max_bytes > (1u << 20)) fail(fmt::format("max_bytes = {} exceeds 1 MiB", p.max_bytes));
    if (cfg.nsze() < uint64_t{p.max_bytes / cfg.lba_size()} * p.queues)
        fail("the namespace is too small for these transfer sizes and queues");
    if (p.events_per_tick < 1 || p.events_per_tick > 1'000'000)
        fail(fmt::format("events_per_tick = {} must be 1..1000000", p.events_per_tick));
}

void WorkloadGenerator::clear() {
    params_ = {};
    stats_ = {};
    qids_.clear();
    lanes_.clear();
    sizes_.clear();
    running_ = false;
    active_ = false;
    generation_ = UINT64_MAX;
    rng_ = 0;
}

bool WorkloadGenerator::attached(const Session &s) const {
    return generation_ == s.generation();
}

void WorkloadGenerator::sync(const Session &s) {
    // reset() and power cycles replace the device and the host: this run is over.
    if (generation_ != UINT64_MAX && !attached(s)) clear();
}

void WorkloadGenerator::start(Session &s, const WorkloadParams &p) {
    sync(s);
    validate(p, s);
    const auto run = [&](const std::string &line) {
        const ConsoleResult r = s.exec(line, false);
        if (!r.ok) throw WorkloadError(fmt::format("workload: '{}' failed: {}", line, r.error));
    };
    const spec::CstsReg csts{s.ctrl().read32(static_cast<uint32_t>(spec::Reg::Csts))};
    if (!csts.rdy() || !s.driver().has_queue(0)) run("enable");
    // The queues of a previous run go first (the device has a limited number).
    for (uint16_t qid : qids_)
        if (s.driver().has_queue(qid)) run(fmt::format("queue delete {}", qid));
    clear();
    std::vector<uint16_t> qids;
    for (uint16_t qid = 1; qids.size() < p.queues; ++qid) {
        if (qid > s.config().max_ioqpairs)
            throw WorkloadError(fmt::format(
                "workload: only {} queue IDs are free on the device, {} asked for (delete some "
                "with 'queue delete')",
                qids.size(), p.queues));
        if (s.driver().has_queue(qid)) continue;
        // Each queue its own interrupt vector where the device has enough (vector 0 is the
        // admin CQ's).
        const uint16_t iv = qid < s.config().msix_vectors ? qid : 1;
        run(fmt::format("queue create {} entries={} iv={}", qid, p.entries, iv));
        qids.push_back(qid);
    }
    begin(s, p, qids);
}

void WorkloadGenerator::begin(Session &s, const WorkloadParams &p,
                              const std::vector<uint16_t> &qids) {
    nlohmann::json ids = nlohmann::json::array();
    for (uint16_t q : qids)
        ids.push_back(q);
    s.journal().add({{"wl", "start"}, {"params", p.to_json()}, {"qids", ids}});

    clear();
    params_ = p;
    qids_ = qids;
    generation_ = s.generation();
    rng_ = p.seed;
    stats_.start_ns = s.ctrl().now_ns();
    const uint64_t region = s.config().nsze() / qids.size();
    for (size_t i = 0; i < qids.size(); ++i) {
        Lane lane;
        lane.qid = qids[i];
        lane.next_lba = region * i;
        lanes_.push_back(std::move(lane));
    }
    // One data buffer per transfer size, with its PRP entries built once (NVMe 1.3 §4.3):
    // PRP1 the first page, PRP2 the second page or a PRP list of the rest.
    SparseHostMemory &mem = s.mem();
    const uint32_t page = host_page_size(s.ctrl());
    for (uint32_t bytes = p.min_bytes; bytes <= p.max_bytes && bytes != 0; bytes *= 2) {
        SizeClass sc;
        sc.bytes = bytes;
        sc.prp1 = mem.alloc(bytes, fmt::format("workload {} KiB buffer", bytes / 1024), page);
        const uint32_t pages = (bytes + page - 1) / page;
        if (pages == 2) {
            sc.prp2 = sc.prp1 + page;
        } else if (pages > 2) {
            sc.prp2 = mem.alloc(page, "workload PRP list", page);
            for (uint32_t i = 1; i < pages; ++i) {
                const uint64_t entry = sc.prp1 + uint64_t{i} * page;
                std::array<uint8_t, 8> raw{};
                std::memcpy(raw.data(), &entry, 8);
                mem.write(sc.prp2 + uint64_t{i - 1} * 8, raw);
            }
        }
        sizes_.push_back(sc);
    }
    running_ = true;
    active_ = true;
    ++runs_;
}

void WorkloadGenerator::stop(Session &s) {
    sync(s);
    if (!running_) return;
    s.journal().add({{"wl", "stop"}});
    running_ = false;
}

uint64_t WorkloadGenerator::outstanding() const {
    uint64_t n = 0;
    for (const Lane &l : lanes_)
        n += l.outstanding;
    return n;
}

// xorshift64*: small, fast, and the same sequence on every platform.
uint64_t WorkloadGenerator::next_random() {
    rng_ ^= rng_ >> 12;
    rng_ ^= rng_ << 25;
    rng_ ^= rng_ >> 27;
    return rng_ * 0x2545F4914F6CDD1DULL;
}

void WorkloadGenerator::tick(Session &s) {
    sync(s);
    if (!active_) return;
    s.journal().add({{"wl", "tick"}, {"n", 1}});
    tick_once(s);
}

void WorkloadGenerator::tick_once(Session &s) {
    HostDriver &drv = s.driver();
    Controller &ctrl = s.ctrl();
    // The host forgot its queues (controller reset, 'queue delete' in the console): stop.
    for (const Lane &l : lanes_)
        if (!drv.has_queue(l.qid)) {
            clear();
            return;
        }
    const uint64_t t0 = ctrl.now_ns();
    const uint64_t completed0 = stats_.completed;
    const uint64_t bytes0 = stats_.bytes;
    const uint64_t latency0 = stats_.latency_sum_ns;

    // Reap what completed since the last tick.
    for (Lane &l : lanes_) {
        while (const auto c = drv.reap(l.qid)) {
            ++stats_.completed;
            const auto it = l.pending.find(c->cqe.cid);
            if (it != l.pending.end()) {
                const uint64_t latency = ctrl.now_ns() - it->second.submit_ns;
                stats_.latency_sum_ns += latency;
                stats_.latency_max_ns = std::max(stats_.latency_max_ns, latency);
                stats_.bytes += it->second.bytes;
                l.pending.erase(it);
                if (l.outstanding > 0) --l.outstanding;
            }
            if (!c->ok()) {
                ++stats_.errors;
                stats_.last_error_status = c->cqe.decoded_status().field();
            }
        }
    }
    // Top every queue up to its depth and ring its doorbell once.
    if (running_) {
        const uint32_t lba = s.config().lba_size();
        const uint64_t region = s.config().nsze() / lanes_.size();
        for (size_t i = 0; i < lanes_.size(); ++i) {
            Lane &l = lanes_[i];
            bool rang = false;
            while (l.outstanding < params_.depth) {
                const bool read = next_random() % 100 < params_.read_percent;
                const SizeClass &sc = sizes_[next_random() % sizes_.size()];
                const uint32_t nlb = sc.bytes / lba;
                uint64_t slba = 0;
                if (params_.sequential) {
                    if (l.next_lba + nlb > region * (i + 1)) l.next_lba = region * i;
                    slba = l.next_lba;
                    l.next_lba += nlb;
                } else {
                    slba = (next_random() % (s.config().nsze() / nlb)) * nlb;
                }
                spec::Sqe sqe{};
                sqe.opc =
                    static_cast<uint8_t>(read ? spec::NvmOpcode::Read : spec::NvmOpcode::Write);
                sqe.nsid = 1;
                sqe.prp1 = sc.prp1;
                sqe.prp2 = sc.prp2;
                sqe.cdw10 = static_cast<uint32_t>(slba);
                sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
                sqe.cdw12 = nlb - 1; // NLB is 0's based (NVMe 1.3 §6.9, §6.15)
                uint16_t cid = 0;
                try {
                    cid = drv.submit(l.qid, sqe);
                } catch (const DriverError &) {
                    break; // the SQ is full from the host's view: wait for completions
                }
                l.pending[cid] = {ctrl.now_ns(), sc.bytes};
                ++l.outstanding;
                ++stats_.submitted;
                ++(read ? stats_.reads : stats_.writes);
                rang = true;
            }
            if (rang) drv.ring(l.qid);
        }
    } else if (outstanding() == 0) {
        active_ = false; // drained after stop
    }
    for (uint32_t n = 0; n < params_.events_per_tick && ctrl.step(); ++n) {
    }

    const uint64_t dt = ctrl.now_ns() - t0;
    if (dt > 0) {
        const auto push = [](std::vector<float> &v, float x) {
            if (v.size() >= WorkloadStats::kHistory) v.erase(v.begin());
            v.push_back(x);
        };
        const double done = static_cast<double>(stats_.completed - completed0);
        push(stats_.kiops, static_cast<float>(done / static_cast<double>(dt) * 1e6));
        push(stats_.mib_per_s, static_cast<float>(static_cast<double>(stats_.bytes - bytes0) /
                                                  static_cast<double>(dt) * 1e9 / 1048576.0));
        push(stats_.latency_us,
             done > 0 ? static_cast<float>(static_cast<double>(stats_.latency_sum_ns - latency0) /
                                           done / 1000.0)
                      : 0.0f);
    }
}

void WorkloadGenerator::replay(Session &s, const nlohmann::json &entry) {
    sync(s);
    const std::string what = entry.at("wl").get<std::string>();
    if (what == "start") {
        const WorkloadParams p = WorkloadParams::from_json(entry.at("params"));
        validate(p, s);
        std::vector<uint16_t> qids;
        for (const auto &q : entry.at("qids")) {
            const auto qid = q.get<uint16_t>();
            if (!s.driver().has_queue(qid))
                throw WorkloadError(
                    fmt::format("workload: queue {} of the saved run does not exist", qid));
            qids.push_back(qid);
        }
        if (qids.size() != p.queues)
            throw WorkloadError("workload: the saved run lists the wrong number of queues");
        begin(s, p, qids);
    } else if (what == "stop") {
        stop(s);
    } else if (what == "tick") {
        const uint64_t n = entry.at("n").get<uint64_t>();
        for (uint64_t i = 0; i < n; ++i) {
            if (!active_)
                throw WorkloadError("workload: the saved run ticks a workload that is not running");
            tick(s);
        }
    } else {
        throw WorkloadError(fmt::format("workload: unknown journal entry '{}'", what));
    }
}

nlohmann::json WorkloadGenerator::to_json() const {
    nlohmann::json ids = nlohmann::json::array();
    for (uint16_t q : qids_)
        ids.push_back(q);
    const double mean_us = stats_.completed == 0
                               ? 0.0
                               : static_cast<double>(stats_.latency_sum_ns) /
                                     static_cast<double>(stats_.completed) / 1000.0;
    return {{"running", running_},
            {"active", active_},
            {"outstanding", outstanding()},
            {"queue_ids", ids},
            {"params", params_.to_json()},
            {"submitted", stats_.submitted},
            {"completed", stats_.completed},
            {"reads", stats_.reads},
            {"writes", stats_.writes},
            {"errors", stats_.errors},
            {"bytes", stats_.bytes},
            {"mean_latency_us", mean_us},
            {"max_latency_us", static_cast<double>(stats_.latency_max_ns) / 1000.0}};
}

} // namespace nvmelab::ui
