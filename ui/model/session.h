#pragma once
// ui::Session: the emulated SSD and its host as the UI owns them: a DeviceRig (rig/device_rig.h:
// in-memory media, the host's memory, the controller, the host driver model and a console).
// Windows receive the Session every frame and read the device only through Controller's public
// API, host memory and the Console; none of them keeps a reference across frames, because
// reset() and power_cycle() replace the objects.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "player/lesson_host.h"
#include "rig/device_rig.h"
#include "ui/model/followed_completion.h"
#include "ui/model/highlight_set.h"
#include "ui/model/journal.h"
#include "ui/model/namespace_usage.h"

namespace nvmelab::ui {

// One line of the console window's scroll-back.
struct LogLine {
    enum class Kind : uint8_t { Input, Output, Error, Info };
    Kind kind = Kind::Output;
    std::string text;
};

// A lesson::LessonHost too: the lesson player (ui/model/lesson_state.h) plays on this device, so
// every window shows what a lesson step does and the learner's own actions count.
class Session final : public lesson::LessonHost {
public:
    explicit Session(DeviceConfig config = {});
    ~Session() override;
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // A brand-new device: empty media, fresh host memory, console variables forgotten.
    void reset();
    // Power cycle: the controller loses power (cleanly after a shutdown, or abruptly, losing
    // its volatile write cache) and powers on again. Media and persistent state survive; the
    // host side (memory, driver, console) starts over, as after a host reboot.
    void power_cycle(PowerOff kind);
    // A brand-new device with another configuration (validated first; throws ConfigError).
    void reset_with(DeviceConfig config);

    Controller &ctrl() { return rig_.ctrl(); }
    const Controller &ctrl() const { return rig_.ctrl(); }
    SparseHostMemory &mem() { return rig_.mem(); }
    const SparseHostMemory &mem() const { return rig_.mem(); }
    HostDriver &driver() { return rig_.driver(); }
    Console &console() { return rig_.console(); }
    const DeviceConfig &config() const { return config_; }
    const MemoryBackingStore &store() const { return *rig_.memory_media(); }
    // Bumps whenever reset() or power_cycle() replaced the device objects, so windows can drop
    // what they cached about the old ones.
    uint64_t generation() const { return rig_.generation(); }

    // ---- virtual time ----------------------------------------------------------------------
    // Step buttons go through the console so its log shows the command that does the same.
    void step_event();
    void step_command();
    void run_until_idle();
    bool running() const { return running_; }
    void set_running(bool on);
    void toggle_running() { set_running(!running_); }
    // Events the run mode executes per frame (1 .. 1'000'000).
    uint32_t events_per_frame() const { return events_per_frame_; }
    void set_events_per_frame(uint32_t n);
    // Called once per frame: in run mode, advances the controller. Returns events run.
    uint64_t tick();
    // Runs up to n controller events (journaled as {"steps": n}); returns how many ran.
    uint64_t run_events(uint64_t n);

    // Everything that changed the device since it was created, for save / load (journal.h).
    Journal &journal() { return journal_; }
    const Journal &journal() const { return journal_; }

    // ---- console ---------------------------------------------------------------------------
    // Runs one console line, echoing it and its output into the log and remembering it in the
    // history (when `remember`).
    ConsoleResult exec(std::string_view line, bool remember = true);
    // Runs a script (stops at the first failing line), logging its output.
    ConsoleResult exec_script(std::string_view text, std::string_view source_name);
    void log_info(std::string text);
    const std::vector<LogLine> &log() const { return log_; }
    void clear_log() { log_.clear(); }
    const std::vector<std::string> &history() const { return history_; }

    // Writes a register (NAME or NAME.FIELD, console names) as the host does, through the
    // console so its host-side bookkeeping (e.g. forgetting queues when CC.EN goes to 0) is the
    // same as for a typed `reg write`.
    ConsoleResult write_register(std::string_view name, uint64_t value);

    // ---- selection shared by windows -------------------------------------------------------
    // The completion the inspector shows; follow_latest shows the newest one instead.
    std::optional<CompletionRecord> selected_completion;
    bool follow_latest = true;
    // The newest completion as the windows follow it: at a readable rate under a busy
    // controller. The app updates it once per frame (FollowedCompletion::update); a Session
    // nobody updates it for (headless, tests) follows the controller's newest completion.
    FollowedCompletion followed;
    void select_completion(const CompletionRecord &record);
    // The record the inspector should show, if any.
    const CompletionRecord *inspected_completion() const;
    // The newest completion of (sqid, cid), if the controller still remembers it.
    const CompletionRecord *find_completion(uint16_t sqid, uint16_t cid) const;
    // The command selected anywhere (Timeline, Command inspector, Data path): SQ id and CID.
    // It may still be in flight; select_completion() also selects that completion's command.
    struct CommandRef {
        uint16_t sqid = 0;
        uint16_t cid = 0;
    };
    std::optional<CommandRef> selected_command;
    void select_command(uint16_t sqid, uint16_t cid);
    // True when the device objects were last rebuilt after a power cut (cached data lost).
    bool last_power_cut() const { return last_power_cut_; }
    // The LBAs of namespace 1 that were only in the volatile cache when that power was cut
    // (ascending; empty after a clean power cycle or a new device). namespace_usage() marks
    // them lost: it samples the cache only now and then, so it cannot know them itself.
    const std::vector<uint64_t> &lost_in_power_cut() const { return lost_in_power_cut_; }
    // Which blocks of namespace 1 were written, are cached or were lost: followed from every
    // trace event since the device was created, whether or not a window shows it. The
    // Namespace window samples the cache through it.
    const NamespaceUsage &namespace_usage() const { return namespace_usage_; }
    NamespaceUsage &namespace_usage() { return namespace_usage_; }

    // What the current lesson step points at (windows and register fields); windows consult it.
    HighlightSet highlights;

    // ---- lesson::LessonHost ----------------------------------------------------------------
    // reset_with(config); lesson lines are echoed into the console log (not its history);
    // `power-cycle clean|cut` is power_cycle(); checks run quietly (they change nothing).
    void reset_device(const DeviceConfig &config) override;
    ConsoleResult exec_lesson_line(std::string_view line) override;
    ConsoleResult check_lesson_line(std::string_view line) override;

    // Interrupts raised so far, summed over all vectors.
    uint64_t total_interrupts() const;

    // A one-line summary of the device state ("CSTS.RDY=1 ..."), and the multi-line summary
    // the headless mode prints.
    std::string status_line() const;
    std::string state_summary() const;

private:
    RigOptions rig_options();
    // After a new device or a power-on: what windows selected is gone, run mode stops.
    void forget_selection();
    void append_output(LogLine::Kind kind, std::string_view text);
    // Input refused before it ran (not UTF-8 text, or a line past kMaxJournalLineBytes):
    // logged, not journaled.
    ConsoleResult refuse(std::string error);

    DeviceConfig config_;
    NamespaceUsage namespace_usage_; // before rig_: the controller's trace calls it until the end
    DeviceRig rig_;
    bool last_power_cut_ = false;
    std::vector<uint64_t> lost_in_power_cut_;

    bool running_ = false;
    uint32_t events_per_frame_ = 1;

    std::vector<LogLine> log_;
    std::vector<std::string> history_;
    Journal journal_;
};

} // namespace nvmelab::ui
