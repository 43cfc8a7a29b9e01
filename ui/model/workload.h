#pragma once
// The workload generator: keeps reads and writes outstanding on several I/O queue pairs, as a
// benchmark tool does on a real drive, so the UI shows live traffic (queue rings filling and
// draining, arbitration, interrupts) and its throughput and latency over virtual time.
//
// It drives the device as a host does: queues are created with console lines (so the log shows
// them), commands are written with HostDriver::submit / ring and reaped with HostDriver::reap.
// Every step it takes is recorded in the Session's journal (see journal.h), and it draws its
// random numbers from its own seeded generator, so replaying a journal repeats it exactly.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "console/console.h"

namespace nvmelab::ui {

class Session;

struct WorkloadError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct WorkloadParams {
    uint16_t queues = 4;        // I/O queue pairs (1 .. the device's max_ioqpairs)
    uint32_t entries = 256;     // entries of each SQ and CQ (2 .. CAP.MQES + 1)
    uint32_t depth = 16;        // commands each queue keeps outstanding (1 .. entries - 1)
    uint32_t read_percent = 70; // share of reads, 0 .. 100; the rest are writes
    uint32_t min_bytes = 4096;  // transfer sizes: powers of two in [min, max], each a multiple
    uint32_t max_bytes = 16384; // of the LBA size and within MDTS
    bool sequential = false;    // each queue walks its own LBA range in order, else random LBAs
    uint32_t events_per_tick = 2000; // controller events run per tick (one tick per frame)
    uint64_t seed = 1;

    nlohmann::json to_json() const;
    // Missing keys keep their defaults; unknown keys and wrong types throw WorkloadError.
    static WorkloadParams from_json(const nlohmann::json &j);
};

struct WorkloadStats {
    uint64_t submitted = 0;
    uint64_t completed = 0;
    uint64_t reads = 0;
    uint64_t writes = 0;
    uint64_t errors = 0;
    uint64_t bytes = 0; // data of the completed commands
    uint64_t latency_sum_ns = 0;
    uint64_t latency_max_ns = 0;
    uint16_t last_error_status = 0;
    uint64_t start_ns = 0; // virtual time of the start
    // One sample per tick that advanced virtual time (newest last, at most kHistory).
    static constexpr size_t kHistory = 240;
    std::vector<float> kiops;      // thousand completions per virtual second
    std::vector<float> mib_per_s;  // MiB per virtual second
    std::vector<float> latency_us; // mean latency of the completions in the tick
};

class WorkloadGenerator {
public:
    // Checks the parameters against the device (throws WorkloadError naming the field and the
    // rule), brings the controller up if it is not ready, deletes the queues of a previous run,
    // creates `queues` I/O queue pairs through the console and starts submitting.
    void start(Session &s, const WorkloadParams &p);
    // Stops submitting; commands already submitted still complete and are reaped.
    void stop(Session &s);
    // One step: reap completions, top every queue up to its depth, ring the doorbells, run up
    // to events_per_tick controller events. Called once per frame.
    void tick(Session &s);

    bool running() const { return running_; }
    // Runs begun so far (start() or a replayed start), so a window can notice a new one.
    uint64_t runs() const { return runs_; }
    // Commands submitted and not yet reaped.
    uint64_t outstanding() const;
    const WorkloadParams &params() const { return params_; }
    const WorkloadStats &stats() const { return stats_; }
    const std::vector<uint16_t> &queue_ids() const { return qids_; }
    nlohmann::json to_json() const; // parameters, queues and statistics, for the JS API

    // Replays one journal entry this class recorded ({"wl": ...}); throws WorkloadError if
    // it does not fit the device.
    void replay(Session &s, const nlohmann::json &entry);
    // Forgets everything (a new device, or before a replay).
    void clear();
    // Forgets the run if the Session replaced the device (reset, power cycle) since it began.
    void sync(const Session &s);
    // False when the Session replaced the device since the run began (sync() then forgets it).
    bool current(const Session &s) const { return generation_ == UINT64_MAX || attached(s); }

    static void validate(const WorkloadParams &p, const Session &s);

private:
    void begin(Session &s, const WorkloadParams &p, const std::vector<uint16_t> &qids);
    void tick_once(Session &s);
    uint64_t next_random();
    bool attached(const Session &s) const;

    struct Lane {
        uint16_t qid = 0;
        uint32_t outstanding = 0;
        uint64_t next_lba = 0; // sequential mode
        struct Pending {
            uint64_t submit_ns = 0; // virtual time the host wrote the SQE
            uint32_t bytes = 0;
        };
        std::map<uint16_t, Pending> pending; // by CID
    };
    // Pre-built data pointers, one buffer per transfer size (all commands of a size share it:
    // the data is synthetic).
    struct SizeClass {
        uint32_t bytes = 0;
        uint64_t prp1 = 0, prp2 = 0;
    };

    WorkloadParams params_;
    WorkloadStats stats_;
    std::vector<uint16_t> qids_;
    std::vector<Lane> lanes_;
    std::vector<SizeClass> sizes_;
    bool running_ = false;
    bool active_ = false; // queues exist (running, or draining after stop)
    uint64_t generation_ = UINT64_MAX;
    uint64_t rng_ = 0;
    uint64_t runs_ = 0;
};

} // namespace nvmelab::ui
