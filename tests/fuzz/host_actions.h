#pragma once
// The host-actions fuzz input: bytes decoded into a stream of host actions (register writes,
// doorbells, raw SQEs, bring-up, queue create/delete, resets, shutdowns, power cuts, virtual
// time) run against a live Controller, with the invariants of docs/fuzzing.md checked after
// every action. Shared by fuzz_host_actions (libFuzzer) and nvmelab_fuzz_replay, which turns an
// input into the console script that does the same (each action is done the way the console
// command it is written as does it).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/controller/device_config.h"

namespace nvmelab::fuzz {

struct HostActionsOptions {
    bool check_invariants = true; // abort() with a message on the first violation
    bool record_script = false;   // fill HostActionsResult::script
};

// A completion as the trace shows it.
struct PostedCqe {
    uint64_t time_ns = 0;
    uint16_t sqid = 0;
    uint16_t cqid = 0;
    uint16_t cid = 0;
    uint16_t status = 0; // status field (phase stripped)
    bool operator==(const PostedCqe &) const = default;
};

struct HostActionsResult {
    DeviceConfig config;     // the device the input runs on (its first byte picks variants)
    std::string trace;       // every controller life's formatted trace, in order
    std::string script;      // console lines (with record_script)
    size_t actions = 0;      // actions run
    uint64_t events = 0;     // controller events recorded over all lives
    size_t power_cycles = 0; // new Controllers made (power cuts and clean power-offs)
    // CQEs posted before the first power cycle: what a console replay must reproduce.
    std::vector<PostedCqe> first_life_cqes;
    // How many of them came before the first action the console cannot do (a power cycle, a
    // BAR0 write no console command makes): a replay is compared up to there.
    size_t replayable_cqes = static_cast<size_t>(-1);
};

// Bounds that keep one input well under 100 ms (docs/fuzzing.md).
inline constexpr size_t kMaxActions = 192;
inline constexpr uint64_t kMaxEvents = 60'000;
inline constexpr uint64_t kDriverMaxWaitEvents = 20'000;

HostActionsResult run_host_actions(const uint8_t *data, size_t size,
                                   const HostActionsOptions &options = {});

} // namespace nvmelab::fuzz
