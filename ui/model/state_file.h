#pragma once
// The whole device + host state as data: a JSON view of registers, queues and namespaces (what
// the web app's window.nvmelab.state() returns), and save / load of everything.
//
// A saved state is the device configuration plus the Session's journal (journal.h) and the
// JSON view at save time. Loading builds a new device from the configuration and replays the
// journal; the controller is deterministic, so the result is the same device, host memory,
// queues, console variables and workload run. The saved view is compared with the replayed one
// and any difference is an error, so a load either restores exactly or says what differs.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nvmelab::ui {

class Session;
class WorkloadGenerator;

struct StateError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A state file is untrusted input: a download, an upload, the browser's storage at start-up.
// Past any of these bounds it is refused with a StateError naming the bound, before anything
// is replayed, and the app goes on with the state it had (docs/web.md, "Save and load").
// The whole document, in bytes: a journal this size replays in about a second natively.
inline constexpr size_t kMaxStateBytes = size_t{4} << 20;
// Journal entries (console lines, scripts, power cycles, workload steps; run-mode steps merge).
inline constexpr size_t kMaxJournalEntries = 100'000;
// Controller events the whole journal may ask for (run steps and workload ticks), one "steps"
// entry, and one workload entry's ticks: a small hostile file cannot ask for hours of work.
inline constexpr uint64_t kMaxReplayEvents = 100'000'000;
inline constexpr uint64_t kMaxReplaySteps = kMaxReplayEvents;
inline constexpr uint64_t kMaxReplayTicks = 10'000'000;
// Wall-clock time a replay may take, checked between entries: a backstop for the work the
// counts above do not see (100000 console lines that each move 16 MiB). A file this app saved
// replays far within it.
inline constexpr double kMaxReplaySeconds = 60;

// The bounds load_state applies; tests make them smaller.
struct StateLimits {
    size_t max_bytes = kMaxStateBytes;
    size_t max_entries = kMaxJournalEntries;
    uint64_t max_events = kMaxReplayEvents;
    double max_seconds = kMaxReplaySeconds;
};

// Registers (hex strings, 64-bit ones too: JSON numbers lose bits above 2^53), decoded CC and
// CSTS, the controller's queues with the host's view of them, namespaces, commands in flight,
// the last completion, interrupts, virtual time and the workload run.
nlohmann::json state_json(const Session &s, const WorkloadGenerator &workload);

// The saved document: {"format": "nvmelab-state", "version": 1, "config", "journal", "ui",
// "state"}. Throws StateError when the session has grown past the bounds above, since
// load_state would refuse the file.
std::string save_state(const Session &s, const WorkloadGenerator &workload);
// Replaces the Session's device with the saved one. Throws StateError naming the problem (past
// a bound, not JSON, wrong format, a bad configuration, a journal entry that does not replay,
// or a replayed state that differs from the saved one); the previous state is then restored.
void load_state(Session &s, WorkloadGenerator &workload, std::string_view text,
                const StateLimits &limits = {});
// The text of a state file on disk, for State -> Load: at most limits.max_bytes are read (a
// FIFO or /dev/zero is refused, not read forever). Throws StateError naming the file and the
// OS error or the bound.
std::string read_state_file(const std::string &path, const StateLimits &limits = {});

} // namespace nvmelab::ui
