// nvmelab-bench: how fast the emulator moves data, next to what the machine itself can do.
//
// Every figure comes from this one process, so the physical reference (memcpy) and the emulator
// run on the same CPU, compiler and runtime (native or WebAssembly under node):
//   - 4 KiB random reads and 128 KiB random writes through the whole path: the host driver
//     model builds SQEs and rings doorbells; the controller fetches, decodes, walks PRPs, DMAs,
//     touches the media, posts CQEs and raises interrupts, one event at a time (trace on); the
//     host reaps CQEs, rings the CQ doorbell and resubmits, keeping 32 commands outstanding on
//     each of 4 I/O queue pairs;
//   - memcpy of 4 KiB and 128 KiB blocks over a 64 MiB working set;
//   - 4 KiB random writes with PRACT on a PI type 1 namespace against plain 4 KiB writes;
//   - 128 KiB random reads through a one-descriptor SGL against the same reads through PRPs;
//   - peak memory of a 1 TiB namespace with 64 MiB written (measured first: it is a peak).
// See docs/benchmark.md for what the figures mean and the targets.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#ifndef __EMSCRIPTEN__
#include <sys/resource.h>
#endif

#include <fmt/format.h>

#include "driver/host_driver.h"

namespace {

using namespace nvmelab;
using Clock = std::chrono::steady_clock;

constexpr uint64_t KiB = 1024;
constexpr uint64_t MiB = 1024 * KiB;
constexpr uint64_t GiB = 1024 * MiB;
constexpr uint64_t TiB = 1024 * GiB;

constexpr uint32_t kQueues = 4;
constexpr uint32_t kDepth = 32;
constexpr uint32_t kQueueEntries = 64; // > depth: one SQ slot always stays empty (§4.1)

// Targets (docs/benchmark.md).
constexpr double kReadTarget = 0.60;  // reads >= 60% of the memcpy 4 KiB rate
constexpr double kWriteTarget = 0.50; // writes >= 50% of the memcpy bandwidth
constexpr uint64_t kRssTarget = 100 * MiB;
constexpr double kPractTarget = 0.50; // PRACT writes >= 50% of plain 4 KiB writes
constexpr double kSglTarget = 0.90;   // SGL reads >= 90% of PRP 128 KiB reads

#ifdef __EMSCRIPTEN__
constexpr const char *kBuild = "wasm";
#else
constexpr const char *kBuild = "native";
#endif

struct Options {
    bool json = false;
    bool quick = false;
    double seconds = 2.0;
};

[[noreturn]] void usage_error(const std::string &message) {
    std::fprintf(stderr,
                 "nvmelab-bench: %s\n"
                 "usage: nvmelab-bench [--json] [--seconds S] [--quick]\n",
                 message.c_str());
    std::exit(2);
}

Options parse_options(int argc, char **argv) {
    Options o;
    bool seconds_given = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::string value;
        if (arg == "--json") {
            o.json = true;
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "-h" || arg == "--help") {
            std::printf("usage: nvmelab-bench [--json] [--seconds S] [--quick]\n"
                        "  --json       print one JSON object instead of text\n"
                        "  --seconds S  wall-clock seconds per measurement (default 2)\n"
                        "  --quick      a tiny run for smoke tests (under a second)\n");
            std::exit(0);
        } else if (arg == "--seconds" || arg.starts_with("--seconds=")) {
            if (arg == "--seconds") {
                if (i + 1 >= argc) usage_error("--seconds needs a value");
                value = argv[++i];
            } else {
                value = std::string(arg.substr(10));
            }
            char *end = nullptr;
            const double s = std::strtod(value.c_str(), &end);
            if (value.empty() || end != value.c_str() + value.size() || !std::isfinite(s) ||
                s <= 0 || s > 3600)
                usage_error(fmt::format("--seconds wants a number of seconds in (0, 3600], not "
                                        "'{}'",
                                        value));
            o.seconds = s;
            seconds_given = true;
        } else {
            usage_error(fmt::format("unknown option '{}'", arg));
        }
    }
    if (o.quick && !seconds_given) o.seconds = 0.05;
    return o;
}

// A small deterministic PRNG (SplitMix64), the same sequence on every platform.
struct Rng {
    uint64_t s;
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

uint64_t peak_memory_bytes() {
#ifdef __EMSCRIPTEN__
    // WebAssembly memory only grows, so its current size is the peak heap size.
    return uint64_t{__builtin_wasm_memory_size(0)} * 65536;
#else
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
#ifdef __APPLE__
    return static_cast<uint64_t>(ru.ru_maxrss); // bytes
#else
    return static_cast<uint64_t>(ru.ru_maxrss) * 1024; // KiB
#endif
#endif
}

// One emulated device with its host, powered on and enabled.
struct Rig {
    DeviceConfig config;
    SparseHostMemory memory;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver host;

    explicit Rig(const DeviceConfig &c)
        : config(c), store(c.media_bytes()), ctrl(config, memory, store), host(ctrl, memory) {
        host.enable();
    }
};

// A command slot the host owns: its CID, data buffer and the PRPs built for it once.
struct Slot {
    uint16_t cid = 0;
    uint64_t buffer = 0;
    uint64_t prp1 = 0;
    uint64_t prp2 = 0; // with SGLs: SGL1's two quadwords
    uint64_t slba = 0;
    uint8_t *data = nullptr; // the buffer as the host CPU sees it
};

struct HostQueue {
    uint16_t qid = 0;
    std::vector<Slot> slots;
};

struct RunResult {
    uint64_t commands = 0; // completed within the measured time
    double seconds = 0;
};

// Keeps `depth` commands of `bytes` each outstanding on every queue, the way an
// interrupt-driven host does: when a completion is posted it reaps that CQ, rings the CQ head
// doorbell once, refills the SQ and rings its tail doorbell once.
class Pipeline {
public:
    // `prinfo`: PRINFO of every command (§8.3.1); with PRCHK reference tag or PRACT on a type 1
    // namespace, (E)ILBRT is the SLBA's low 32 bits.
    // `sgl`: each buffer is one SGL Data Block (PSDT 01b) instead of PRPs.
    Pipeline(Rig &rig, uint32_t queues, uint32_t depth, uint64_t bytes, uint8_t prinfo = 0,
             bool sgl = false)
        : rig_(rig), nlb0_(static_cast<uint32_t>(bytes / rig.config.lba_size() - 1)),
          prinfo_(prinfo), psdt_(sgl ? 1 : 0) {
        for (uint32_t q = 0; q < queues; ++q) {
            HostQueue hq;
            hq.qid = rig.host.create_io_queue_pair(kQueueEntries, 2, static_cast<uint16_t>(q + 1));
            const uint64_t region =
                rig.memory.alloc(depth * bytes, fmt::format("bench data q{}", hq.qid));
            uint8_t *base = const_cast<uint8_t *>(rig.memory.region_at(region)->bytes.data());
            for (uint32_t s = 0; s < depth; ++s) {
                Slot slot;
                slot.cid = static_cast<uint16_t>(s);
                slot.buffer = region + s * bytes;
                slot.data = base + s * bytes;
                spec::Sqe sqe{};
                if (sgl)
                    rig.host.build_sgl(sqe, slot.buffer, bytes);
                else
                    rig.host.build_prps(sqe, slot.buffer, bytes); // PRP lists stay with the slot
                slot.prp1 = sqe.prp1;
                slot.prp2 = sqe.prp2;
                hq.slots.push_back(slot);
            }
            if (index_.size() <= hq.qid) index_.resize(hq.qid + 1, UINT32_MAX);
            index_[hq.qid] = static_cast<uint32_t>(queues_.size());
            queues_.push_back(std::move(hq));
        }
    }

    std::vector<HostQueue> &queues() { return queues_; }

    // Workload: void prepare(Slot&) picks the LBA (and fills write data) before a submission;
    // void completed(const Slot&) checks a completed command. Submits at most `max_commands`;
    // once `seconds` have passed it stops submitting, and the commands still outstanding are
    // drained outside the measured time.
    template <typename Workload>
    [[gnu::noinline]] RunResult run(uint8_t opcode, Workload &w, uint64_t max_commands,
                                    double seconds) {
        auto submit = [&](HostQueue &q, Slot &s) {
            w.prepare(s);
            spec::Sqe sqe{};
            sqe.opc = opcode;
            sqe.cid = s.cid;
            sqe.nsid = 1;
            sqe.prp1 = s.prp1;
            sqe.prp2 = s.prp2;
            sqe.set_psdt(psdt_);
            sqe.cdw10 = static_cast<uint32_t>(s.slba);
            sqe.cdw11 = static_cast<uint32_t>(s.slba >> 32);
            sqe.cdw12 = nlb0_ | uint32_t{prinfo_} << 26;
            sqe.cdw14 = prinfo_ != 0 ? static_cast<uint32_t>(s.slba) : 0;
            rig_.host.submit(q.qid, sqe, true);
        };

        const Clock::time_point start = Clock::now();
        uint64_t outstanding = 0;
        uint64_t submitted = 0;
        bool stopping = false;
        for (auto &q : queues_) {
            for (auto &s : q.slots) {
                if (submitted == max_commands) break;
                submit(q, s);
                ++submitted;
                ++outstanding;
            }
            rig_.host.ring(q.qid);
        }
        RunResult result;
        uint64_t completed = 0;
        uint64_t next_check = 64;
        Controller &ctrl = rig_.ctrl;
        while (outstanding > 0) {
            if (!ctrl.step_command())
                throw std::runtime_error("the controller went idle with commands outstanding");
            const uint16_t qid = ctrl.last_completion()->sqid;
            if (qid >= index_.size() || index_[qid] == UINT32_MAX)
                throw std::runtime_error(fmt::format("completion on unexpected queue {}", qid));
            HostQueue &q = queues_[index_[qid]];
            uint32_t resubmitted = 0;
            for (;;) {
                uint16_t cid = 0;
                {
                    // The completion goes out of scope before anything else is called (in the
                    // WASM build a call made while it is alive goes through an exception
                    // trampoline).
                    const std::optional<Completion> c = rig_.host.reap(qid, false);
                    if (!c) break;
                    if (!c->ok()) throw std::runtime_error("command failed: " + c->describe());
                    cid = c->cqe.cid;
                }
                if (cid >= q.slots.size())
                    throw std::runtime_error(fmt::format("unexpected CID {}", cid));
                Slot &s = q.slots[cid];
                w.completed(s);
                --outstanding;
                ++completed;
                if (!stopping && submitted < max_commands) {
                    submit(q, s);
                    ++submitted;
                    ++outstanding;
                    ++resubmitted;
                }
            }
            ctrl.write32(ctrl.cq_doorbell_offset(qid), rig_.host.queue(qid).cq_head);
            if (resubmitted > 0) rig_.host.ring(qid);
            if (!stopping && completed >= next_check) {
                next_check = completed + 64;
                const double t = seconds_since(start);
                if (t >= seconds) {
                    stopping = true;
                    result = RunResult{completed, t};
                }
            }
        }
        if (!stopping) result = RunResult{completed, seconds_since(start)};
        return result;
    }

private:
    Rig &rig_;
    uint32_t nlb0_;
    uint8_t prinfo_;
    uint8_t psdt_;
    std::vector<HostQueue> queues_;
    std::vector<uint32_t> index_; // qid -> queues_ index
};

// Every 4 KiB block written by the benchmark starts with its LBA, so reads can be checked.
void stamp_blocks(Slot &s, uint64_t bytes, uint32_t lba_size) {
    for (uint64_t off = 0; off < bytes; off += lba_size) {
        const uint64_t lba = s.slba + off / lba_size;
        std::memcpy(s.data + off, &lba, sizeof lba);
    }
}

// Sequential 128 KiB writes that fill [0, blocks) with stamped blocks.
struct FillWorkload {
    uint64_t next_lba = 0;
    uint64_t limit = 0;
    uint32_t blocks_per_cmd = 0;
    uint32_t lba_size = 0;
    void prepare(Slot &s) {
        s.slba = next_lba;
        next_lba = (next_lba + blocks_per_cmd) % limit;
        stamp_blocks(s, uint64_t{blocks_per_cmd} * lba_size, lba_size);
    }
    void completed(const Slot &) {}
};

// 4 KiB reads at random LBAs of the pre-written region; each block's stamp is checked.
struct ReadWorkload {
    Rng rng{42};
    uint64_t region_blocks = 0;
    uint64_t mismatches = 0;
    void prepare(Slot &s) { s.slba = rng.below(region_blocks); }
    void completed(const Slot &s) {
        uint64_t stamp = 0;
        std::memcpy(&stamp, s.data, sizeof stamp);
        mismatches += stamp != s.slba;
    }
};

// 128 KiB writes at random 128 KiB-aligned positions of a region; the data in the buffers is
// written once up front (a host that writes from pre-filled buffers).
struct WriteWorkload {
    Rng rng{7};
    uint64_t positions = 0;
    uint32_t blocks_per_cmd = 0;
    void prepare(Slot &s) { s.slba = rng.below(positions) * blocks_per_cmd; }
    void completed(const Slot &) {}
};

// Writes 128 KiB at distinct positions spread over the whole namespace.
struct SpreadWorkload {
    uint64_t k = 0;
    uint64_t positions = 0; // a power of two
    uint32_t blocks_per_cmd = 0;
    uint32_t lba_size = 0;
    void prepare(Slot &s) {
        // An odd stride is a bijection modulo a power of two: every position at most once.
        s.slba = ((k++ * 0x9E3779B1ull) & (positions - 1)) * blocks_per_cmd;
        stamp_blocks(s, uint64_t{blocks_per_cmd} * lba_size, lba_size);
    }
    void completed(const Slot &) {}
};

struct Figures {
    double read4k_cmds_per_s = 0;
    double write128k_bytes_per_s = 0;
    double memcpy4k_per_s = 0;
    double memcpy_bytes_per_s = 0;
    uint64_t peak_rss_bytes = 0;
    uint64_t rss_store_bytes = 0; // media memory held by the 1 TiB namespace
    uint64_t read_commands = 0;
    uint64_t write_commands = 0;
    // Median of the per-round ratios emulator / memcpy (see measure_paired).
    double read_ratio = 0;
    double write_ratio = 0;
    int rounds = 0;
    // 4 KiB writes with PRACT on a type 1 namespace against plain 4 KiB writes (same run).
    double plain4k_write_cmds_per_s = 0;
    double pract4k_write_cmds_per_s = 0;
    double pract_ratio = 0;
    // 128 KiB reads through one SGL Data Block against PRP reads (same run, same rig).
    double prp128k_read_cmds_per_s = 0;
    double sgl128k_read_cmds_per_s = 0;
    double sgl_ratio = 0;
};

// The physical reference's buffers: 64 MiB each, as large as the media region the emulator
// reads and writes, every page touched before timing.
struct Reference {
    std::vector<uint8_t> src = std::vector<uint8_t>(64 * MiB, 0x5A);
    std::vector<uint8_t> dst = std::vector<uint8_t>(64 * MiB, 0);
};

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Peak memory with a 1 TiB namespace and 64 MiB written to it through the driver (one queue
// pair, 32 x 128 KiB buffers), then flushed from the write cache to the media.
void measure_rss(Figures &f) {
    DeviceConfig c;
    c.size = TiB;
    Rig rig(c);
    const uint64_t bytes = 128 * KiB;
    const uint32_t blocks = static_cast<uint32_t>(bytes / c.lba_size());
    Pipeline p(rig, 1, kDepth, bytes);
    SpreadWorkload w{0, c.size / bytes, blocks, c.lba_size()};
    const uint64_t commands = 64 * MiB / bytes;
    const RunResult r = p.run(static_cast<uint8_t>(spec::NvmOpcode::Write), w, commands, 1e9);
    if (r.commands < commands)
        throw std::runtime_error("the 64 MiB write for the memory figure did not complete");
    const Completion fc = rig.host.flush(p.queues().front().qid, 1);
    if (!fc.ok()) throw std::runtime_error("Flush failed: " + fc.describe());
    f.rss_store_bytes = rig.store.resident_bytes();
    f.peak_rss_bytes = peak_memory_bytes();
}

volatile uint64_t g_memcpy_sink = 0;

// The physical reference: memcpy of `block`-byte blocks from random block-aligned offsets of
// one 64 MiB buffer to random ones of another. Returns blocks per second.
double measure_memcpy(std::vector<uint8_t> &src, std::vector<uint8_t> &dst, uint64_t block,
                      double seconds) {
    const uint64_t blocks = src.size() / block;
    Rng rng{99};
    uint64_t sum = 0;
    uint64_t done = 0;
    const Clock::time_point start = Clock::now();
    double t = 0;
    do {
        for (int i = 0; i < 256; ++i) {
            const uint64_t from = rng.below(blocks) * block;
            const uint64_t to = rng.below(blocks) * block;
            std::memcpy(dst.data() + to, src.data() + from, block);
            sum += dst[to + (done + static_cast<uint64_t>(i)) * 61 % block];
        }
        done += 256;
        t = seconds_since(start);
    } while (t < seconds);
    g_memcpy_sink = sum; // the copies are observable, so they cannot be optimised away
    return static_cast<double>(done) / t;
}

// The machine's speed drifts while other processes share it, so the emulator and its memcpy
// reference are timed in alternating slices: `rounds` pairs of (memcpy, emulator), each half a
// slice of seconds / rounds. The rates are the totals over all slices; the ratio the targets
// are about is the median of the per-pair ratios, so one disturbed slice cannot decide it.
template <typename Emulator>
void measure_paired(const Options &o, Reference &ref, uint64_t block, Emulator &&emulator,
                    double &emulator_rate, double &memcpy_rate, double &ratio, uint64_t &units) {
    const int rounds = o.quick ? 1 : 5;
    const double slice = o.seconds / rounds;
    std::vector<double> ratios;
    double memcpy_blocks = 0, memcpy_seconds = 0, emu_units = 0, emu_seconds = 0;
    for (int r = 0; r < rounds; ++r) {
        const double m = measure_memcpy(ref.src, ref.dst, block, slice);
        const RunResult e = emulator(slice);
        memcpy_blocks += m * slice;
        memcpy_seconds += slice;
        emu_units += static_cast<double>(e.commands);
        emu_seconds += e.seconds;
        ratios.push_back((static_cast<double>(e.commands) / e.seconds) / m);
    }
    emulator_rate = emu_units / emu_seconds;
    memcpy_rate = memcpy_blocks / memcpy_seconds;
    ratio = median(ratios);
    units = static_cast<uint64_t>(emu_units);
}

void measure_reads(Figures &f, const Options &o, Reference &ref, uint64_t region_bytes) {
    Rig rig(DeviceConfig{});
    const uint32_t lba = rig.config.lba_size();
    // Pre-write the region with stamped blocks (128 KiB writes), then flush it to the media.
    {
        Pipeline fill(rig, 1, kDepth, 128 * KiB);
        FillWorkload w{0, region_bytes / lba, static_cast<uint32_t>(128 * KiB / lba), lba};
        const uint64_t commands = region_bytes / (128 * KiB);
        if (fill.run(static_cast<uint8_t>(spec::NvmOpcode::Write), w, commands, 1e9).commands <
            commands)
            throw std::runtime_error("pre-writing the read region did not complete");
        const Completion fc = rig.host.flush(fill.queues().front().qid, 1);
        if (!fc.ok()) throw std::runtime_error("Flush failed: " + fc.describe());
    }
    Pipeline p(rig, kQueues, kDepth, 4 * KiB);
    ReadWorkload w;
    w.region_blocks = region_bytes / lba;
    measure_paired(
        o, ref, 4 * KiB,
        [&](double seconds) {
            return p.run(static_cast<uint8_t>(spec::NvmOpcode::Read), w, UINT64_MAX, seconds);
        },
        f.read4k_cmds_per_s, f.memcpy4k_per_s, f.read_ratio, f.read_commands);
    if (w.mismatches != 0)
        throw std::runtime_error(fmt::format("{} reads returned the wrong data", w.mismatches));
}

void measure_writes(Figures &f, const Options &o, Reference &ref, uint64_t region_bytes) {
    Rig rig(DeviceConfig{});
    const uint64_t bytes = 128 * KiB;
    const uint32_t lba = rig.config.lba_size();
    Pipeline p(rig, kQueues, kDepth, bytes);
    // Precondition: write the region once (not measured), so the timed run overwrites media
    // the store already holds, as the read benchmark reads it.
    FillWorkload fill{0, region_bytes / lba, static_cast<uint32_t>(bytes / lba), lba};
    const uint64_t fill_commands = region_bytes / bytes;
    if (p.run(static_cast<uint8_t>(spec::NvmOpcode::Write), fill, fill_commands, 1e9).commands <
        fill_commands)
        throw std::runtime_error("preconditioning the write region did not complete");
    for (auto &q : p.queues())
        for (auto &s : q.slots)
            for (uint64_t i = 0; i < bytes; ++i)
                s.data[i] = static_cast<uint8_t>(i * 131 + s.cid * 7 + q.qid);
    WriteWorkload w{Rng{7}, region_bytes / bytes, static_cast<uint32_t>(bytes / lba)};
    double commands_per_s = 0, memcpy_blocks_per_s = 0;
    measure_paired(
        o, ref, bytes,
        [&](double seconds) {
            return p.run(static_cast<uint8_t>(spec::NvmOpcode::Write), w, UINT64_MAX, seconds);
        },
        commands_per_s, memcpy_blocks_per_s, f.write_ratio, f.write_commands);
    f.write128k_bytes_per_s = commands_per_s * static_cast<double>(bytes);
    f.memcpy_bytes_per_s = memcpy_blocks_per_s * static_cast<double>(bytes);
}

// 4 KiB writes with PRACT on a PI type 1 namespace (4 KiB + 8 bytes of metadata: the host sends
// data only; the controller computes each block's CRC-16 guard and stores the tuple beside it)
// against plain 4 KiB writes on a namespace without metadata, timed in alternating slices of the
// same run; the ratio is the median of the per-pair ratios, as in measure_paired.
// Two pipelines on one rig timed in alternating half slices, so both see the same drift of a
// shared host: each one's rate over all its slices, and the median of the per-pair ratios b / a.
struct PairedRates {
    double a_per_s = 0;
    double b_per_s = 0;
    double ratio = 0;
};
template <typename WorkloadA, typename WorkloadB>
PairedRates run_pairs(const Options &o, uint8_t opcode, Pipeline &a, WorkloadA &wa, Pipeline &b,
                      WorkloadB &wb) {
    const int rounds = o.quick ? 1 : 5;
    const double slice = o.seconds / rounds;
    std::vector<double> ratios;
    double a_cmds = 0, a_s = 0, b_cmds = 0, b_s = 0;
    for (int r = 0; r < rounds; ++r) {
        const RunResult ra = a.run(opcode, wa, UINT64_MAX, slice / 2);
        const RunResult rb = b.run(opcode, wb, UINT64_MAX, slice / 2);
        a_cmds += static_cast<double>(ra.commands);
        a_s += ra.seconds;
        b_cmds += static_cast<double>(rb.commands);
        b_s += rb.seconds;
        ratios.push_back((static_cast<double>(rb.commands) / rb.seconds) /
                         (static_cast<double>(ra.commands) / ra.seconds));
    }
    return {a_cmds / a_s, b_cmds / b_s, median(ratios)};
}

void measure_pract_writes(Figures &f, const Options &o, uint64_t region_bytes) {
    DeviceConfig protected_config;
    protected_config.ms = 8;
    protected_config.pi = 1;
    protected_config.pil = 1;
    Rig plain_rig{DeviceConfig{}}, pi_rig{protected_config};
    const uint64_t bytes = 4 * KiB;
    Pipeline plain(plain_rig, kQueues, kDepth, bytes);
    Pipeline pract(pi_rig, kQueues, kDepth, bytes, spec::kPrinfoPract);
    for (Pipeline *p : {&plain, &pract})
        for (auto &q : p->queues())
            for (auto &s : q.slots)
                for (uint64_t i = 0; i < bytes; ++i)
                    s.data[i] = static_cast<uint8_t>(i * 131 + s.cid * 7 + q.qid);
    WriteWorkload plain_w{Rng{11}, region_bytes / bytes, 1};
    WriteWorkload pract_w{Rng{11}, region_bytes / bytes, 1};
    const PairedRates r =
        run_pairs(o, static_cast<uint8_t>(spec::NvmOpcode::Write), plain, plain_w, pract, pract_w);
    f.plain4k_write_cmds_per_s = r.a_per_s;
    f.pract4k_write_cmds_per_s = r.b_per_s;
    f.pract_ratio = r.ratio;
}

// 128 KiB random reads (128 KiB-aligned, stamped blocks checked) described by one SGL Data
// Block each against the same reads described by PRPs (PRP1 + a 31-entry PRP list), timed in
// alternating slices on one rig; the ratio is the median of the per-pair ratios.
void measure_sgl_reads(Figures &f, const Options &o, uint64_t region_bytes) {
    Rig rig(DeviceConfig{});
    const uint64_t bytes = 128 * KiB;
    const uint32_t lba = rig.config.lba_size();
    {
        Pipeline fill(rig, 1, kDepth, bytes);
        FillWorkload w{0, region_bytes / lba, static_cast<uint32_t>(bytes / lba), lba};
        const uint64_t commands = region_bytes / bytes;
        if (fill.run(static_cast<uint8_t>(spec::NvmOpcode::Write), w, commands, 1e9).commands <
            commands)
            throw std::runtime_error("pre-writing the SGL read region did not complete");
        const Completion fc = rig.host.flush(fill.queues().front().qid, 1);
        if (!fc.ok()) throw std::runtime_error("Flush failed: " + fc.describe());
    }
    Pipeline prp(rig, kQueues, kDepth, bytes);
    Pipeline sgl(rig, kQueues, kDepth, bytes, 0, true);
    const uint32_t blocks = static_cast<uint32_t>(bytes / lba);
    struct AlignedReads {
        Rng rng;
        uint64_t positions = 0;
        uint32_t blocks_per_cmd = 0;
        uint64_t mismatches = 0;
        void prepare(Slot &s) { s.slba = rng.below(positions) * blocks_per_cmd; }
        void completed(const Slot &s) {
            uint64_t stamp = 0;
            std::memcpy(&stamp, s.data, sizeof stamp);
            mismatches += stamp != s.slba;
        }
    };
    AlignedReads prp_w{Rng{13}, region_bytes / bytes, blocks};
    AlignedReads sgl_w{Rng{13}, region_bytes / bytes, blocks};
    const PairedRates r =
        run_pairs(o, static_cast<uint8_t>(spec::NvmOpcode::Read), prp, prp_w, sgl, sgl_w);
    if (prp_w.mismatches + sgl_w.mismatches != 0)
        throw std::runtime_error(fmt::format("{} 128 KiB reads returned the wrong data",
                                             prp_w.mismatches + sgl_w.mismatches));
    f.prp128k_read_cmds_per_s = r.a_per_s;
    f.sgl128k_read_cmds_per_s = r.b_per_s;
    f.sgl_ratio = r.ratio;
}

std::string verdict(bool met) {
    return met ? "met" : "NOT met";
}

void line(const std::string &label, double value, const std::string &rest) {
    fmt::print("  {:<44}{:>14.1f} {}\n", label, value, rest);
}

void print_text(const Figures &f, const Options &o) {
    const double rr = f.read_ratio;
    const double wr = f.write_ratio;
    fmt::print("nvmelab-bench: {} build, {:g} s per measurement{}\n", kBuild, o.seconds,
               o.quick ? " (quick run: figures are rough)" : "");
    line(fmt::format("4 KiB random reads, QD {} x {} queues", kDepth, kQueues), f.read4k_cmds_per_s,
         fmt::format("commands/s ({:.0f} MiB/s, {} commands)", f.read4k_cmds_per_s * 4 * KiB / MiB,
                     f.read_commands));
    line("memcpy 4 KiB blocks, 64 MiB buffers", f.memcpy4k_per_s, "blocks/s");
    line("reads / memcpy 4 KiB (median of paired slices)", rr * 100,
         fmt::format("%          target >= {:.0f} %: {}", kReadTarget * 100,
                     verdict(rr >= kReadTarget)));
    line(fmt::format("128 KiB random writes, QD {} x {} queues", kDepth, kQueues),
         f.write128k_bytes_per_s / MiB, fmt::format("MiB/s      ({} commands)", f.write_commands));
    line("memcpy 128 KiB blocks, 64 MiB buffers", f.memcpy_bytes_per_s / MiB, "MiB/s");
    line("writes / memcpy (median of paired slices)", wr * 100,
         fmt::format("%          target >= {:.0f} %: {}", kWriteTarget * 100,
                     verdict(wr >= kWriteTarget)));
    line("4 KiB writes, no metadata", f.plain4k_write_cmds_per_s, "commands/s");
    line("4 KiB writes, PRACT on PI type 1", f.pract4k_write_cmds_per_s, "commands/s");
    line("PRACT / plain 4 KiB writes (median of pairs)", f.pract_ratio * 100,
         fmt::format("%          target >= {:.0f} %: {}", kPractTarget * 100,
                     verdict(f.pract_ratio >= kPractTarget)));
    line("128 KiB random reads, PRPs", f.prp128k_read_cmds_per_s * 128 * KiB / MiB, "MiB/s");
    line("128 KiB random reads, one SGL Data Block", f.sgl128k_read_cmds_per_s * 128 * KiB / MiB,
         "MiB/s");
    line("SGL / PRP 128 KiB reads (median of pairs)", f.sgl_ratio * 100,
         fmt::format("%          target >= {:.0f} %: {}", kSglTarget * 100,
                     verdict(f.sgl_ratio >= kSglTarget)));
    const double mem = static_cast<double>(f.peak_rss_bytes) / MiB;
#ifdef __EMSCRIPTEN__
    line("WASM heap size, 1 TiB namespace + 64 MiB", mem,
         fmt::format("MiB        (linear memory with growth slack, not RSS; the <= {} MiB "
                     "target is checked on the native peak RSS)",
                     kRssTarget / MiB));
#else
    line("peak RSS, 1 TiB namespace + 64 MiB", mem,
         fmt::format("MiB        target <= {} MiB: {}", kRssTarget / MiB,
                     verdict(f.peak_rss_bytes <= kRssTarget)));
#endif
    fmt::print("  (media held by the 1 TiB namespace: {} MiB. WASM >= 40 % of native: compare "
               "the\n   figures of a native and a WASM run on the same machine.)\n",
               f.rss_store_bytes / MiB);
}

void print_json(const Figures &f) {
    fmt::print("{{\"build\": \"{}\", \"read4k_cmds_per_s\": {:.1f}, \"write128k_bytes_per_s\": "
               "{:.1f}, \"memcpy4k_per_s\": {:.1f}, \"memcpy_bytes_per_s\": {:.1f}, "
               "\"peak_rss_bytes\": {}, \"read4k_vs_memcpy4k\": {:.4f}, "
               "\"write128k_vs_memcpy\": {:.4f}, \"pract4k_write_cmds_per_s\": {:.1f}, "
               "\"plain4k_write_cmds_per_s\": {:.1f}, \"pract4k_vs_plain4k\": {:.4f}, "
               "\"prp128k_read_cmds_per_s\": {:.1f}, \"sgl128k_read_cmds_per_s\": {:.1f}, "
               "\"sgl128k_vs_prp128k\": {:.4f}}}\n",
               kBuild, f.read4k_cmds_per_s, f.write128k_bytes_per_s, f.memcpy4k_per_s,
               f.memcpy_bytes_per_s, f.peak_rss_bytes, f.read_ratio, f.write_ratio,
               f.pract4k_write_cmds_per_s, f.plain4k_write_cmds_per_s, f.pract_ratio,
               f.prp128k_read_cmds_per_s, f.sgl128k_read_cmds_per_s, f.sgl_ratio);
}

} // namespace

int main(int argc, char **argv) {
    const Options o = parse_options(argc, argv);
    try {
        Figures f;
        // Memory first: the figure is a process-wide peak, so nothing larger may run before it.
        measure_rss(f);
        Reference ref;
        const uint64_t region = o.quick ? 8 * MiB : 64 * MiB;
        measure_reads(f, o, ref, region);
        measure_writes(f, o, ref, region);
        measure_pract_writes(f, o, region);
        measure_sgl_reads(f, o, region);
        if (o.json)
            print_json(f);
        else
            print_text(f, o);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "nvmelab-bench: error: %s\n", e.what());
        return 1;
    }
    return 0;
}
