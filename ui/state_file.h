#pragma once
// The whole device + host state as data: a JSON view of registers, queues and namespaces (what
// the web app's window.nvmelab.state() returns), and save / load of everything.
//
// A saved state is the device configuration plus the Session's journal (journal.h) and the
// JSON view at save time. Loading builds a new device from the configuration and replays the
// journal; the controller is deterministic, so the result is the same device, host memory,
// queues, console variables and workload run. The saved view is compared with the replayed one
// and any difference is an error, so a load either restores exactly or says what differs.
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

// Registers (hex strings, 64-bit ones too: JSON numbers lose bits above 2^53), decoded CC and
// CSTS, the controller's queues with the host's view of them, namespaces, commands in flight,
// the last completion, interrupts, virtual time and the workload run.
nlohmann::json state_json(const Session &s, const WorkloadGenerator &workload);

// The saved document: {"format": "nvmelab-state", "version": 1, "config", "journal", "ui",
// "state"}.
std::string save_state(const Session &s, const WorkloadGenerator &workload);
// Replaces the Session's device with the saved one. Throws StateError naming the problem (not
// JSON, wrong format, a bad configuration, a journal entry that does not replay, or a replayed
// state that differs from the saved one); the previous state is then restored.
void load_state(Session &s, WorkloadGenerator &workload, std::string_view text);

} // namespace nvmelab::ui
