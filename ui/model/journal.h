#pragma once
// The Session's journal: everything that changed the device and the host since the device was
// created, in order. The controller is deterministic, so the device configuration plus this
// list rebuilds the whole device + host state exactly: that is what "save state" writes and
// "load state" replays (state_file.h).
//
// Entries (JSON objects):
//   {"exec": LINE, "remember": BOOL}   a console line run through Session::exec
//   {"script": TEXT, "name": NAME}     a script run through Session::exec_script
//   {"steps": N}                        N controller events run by the run mode
//   {"power": "clean" | "unclean"}      a power cycle
//   {"wl": ...}                         a workload generator step (workload.h)
// Consecutive "steps" entries, and consecutive workload ticks, are merged into one.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/controller/device_config.h"

namespace nvmelab::ui {

// The longest console line, alone or in a script, the Session runs and journals (the console
// window's input holds 1023): a state file refuses longer ones (state_file.h), so a session
// never records what its own state file could not load back.
inline constexpr size_t kMaxJournalLineBytes = 4096;
// "" when every line of `text` fits kMaxJournalLineBytes, or the message naming the first that
// does not ("NAME:LINE: a line of N bytes ...", NAME:LINE left out for a single line).
std::string journal_line_error(std::string_view text, std::string_view source_name = {});

class Journal {
public:
    // Starts over for a brand-new device with this configuration.
    void restart(const DeviceConfig &config);
    void add(nlohmann::json entry);
    // While a Pause lives, add() records nothing: for steps that are part of an entry already
    // recorded (the shutdown inside a clean power cycle).
    struct Pause {
        explicit Pause(Journal &j) : j_(j) { ++j_.paused_; }
        ~Pause() { --j_.paused_; }
        Pause(const Pause &) = delete;
        Pause &operator=(const Pause &) = delete;

    private:
        Journal &j_;
    };

    const nlohmann::json &config() const { return config_; }
    const nlohmann::json &entries() const { return entries_; }
    // Bumps on every change, so an autosave can tell whether anything happened.
    uint64_t version() const { return version_; }

private:
    nlohmann::json config_ = nlohmann::json::object();
    nlohmann::json entries_ = nlohmann::json::array();
    uint64_t version_ = 0;
    int paused_ = 0;
};

} // namespace nvmelab::ui
