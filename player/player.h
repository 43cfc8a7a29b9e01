#pragma once
// The lesson player: plays a parsed Lesson on a device: a LessonDevice it owns (headless), or
// any LessonHost it is given (the UI's Session, so every window shows the lesson's device).
// Front ends (the CLI's
// `lesson run`, the UI's lesson window) drive it step by step:
//   go_to(n)      the exact device state at the start of step n (after its actions), rebuilt
//                 from a fresh device by replaying steps 0..n-1 with reference solutions; the
//                 core is deterministic, so Back and deep links always give the same state
//   next()        the next step's actions on the current state (refused while a your-turn is
//                 not done)
//   turn_status() whether the learner's task is done: the your-turn checks against the state
//   solve()       the reference solution (a "show me" button, and what the headless run uses)
// Every console line's output is returned so a front end can echo it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "player/lesson.h"
#include "player/lesson_device.h"
#include "player/lesson_host.h"

namespace nvmelab::lesson {

// One lesson line that ran.
struct LineRun {
    uint32_t line = 0; // in the lesson file
    std::string text;
    bool ok = true;
    std::string output;
    std::string error;
};

// What running some lines did: stops at the first failing line.
struct StepRun {
    bool ok = true;
    std::vector<LineRun> lines;
    std::string error; // "FILE:LINE: message" of the failing line
    // All lines as a transcript: "> line" then its output (and the error).
    std::string transcript() const;
};

struct TurnStatus {
    bool your_turn = false;            // the current step has a task at all
    bool done = false;                 // every check passes
    std::vector<std::string> failures; // "FILE:LINE: expect failed: ..." of the checks not met
};

class Player {
public:
    static constexpr size_t npos = static_cast<size_t>(-1);

    // Throws ConfigError if the lesson's device properties are invalid (parse_lesson reports
    // that as a diagnostic first).
    explicit Player(Lesson lesson);
    // Plays on `host`, which must outlive the player. go_to() resets it to the lesson's device.
    Player(Lesson lesson, LessonHost &host);

    const Lesson &lesson() const { return lesson_; }
    size_t step_count() const { return lesson_.steps.size(); }
    // The step being played (0-based), or npos before go_to / next was called.
    size_t current() const { return current_; }
    const Step *current_step() const;
    // The device of a player that owns one (the first constructor); throws std::logic_error
    // for a player on someone else's host.
    LessonDevice &device();

    // Start step n: fresh device, steps 0..n-1 replayed (your-turn steps with their reference
    // solutions), then step n's actions. On failure the state is where the failing line left it.
    StepRun go_to(size_t n);
    // Back: go_to(current - 1) (or the start of step 0).
    StepRun back();
    // The next step's actions on the current state. Refused (ok = false, nothing runs) when the
    // current step's your-turn is not done yet, or at the last step.
    StepRun next();
    bool at_end() const { return current_ != npos && current_ + 1 >= step_count(); }

    // Whether the current step's your-turn is done, judged only by the device state (the
    // checks are `expect` lines; they do not change state).
    TurnStatus turn_status();
    // Runs the current step's reference solution on the current state.
    StepRun solve();

    // Runs one line as the learner's console does (for front ends whose console belongs to the
    // lesson's device).
    LineRun exec(std::string_view line);

private:
    StepRun run_script(const Script &s, StepRun into = {});
    StepRun run_actions(size_t n, StepRun into = {});

    Lesson lesson_;
    std::unique_ptr<LessonDevice> own_; // null when playing on someone else's host
    LessonHost *host_ = nullptr;
    size_t current_ = npos;
};

// ---- headless ------------------------------------------------------------------------------

struct StepReport {
    size_t number = 0; // 1-based
    std::string title;
    bool ok = false;
    bool ran = false;   // false: not reached because an earlier step failed
    std::string reason; // why it failed
};

// Plays every step: actions with their checks; for a your-turn, its checks must fail before
// the reference solution runs (else the task would be done before the learner acts) and pass
// after it. Stops at the first failing step; later steps are reported as not run.
std::vector<StepReport> play_headless(const Lesson &lesson);
// "  3/7  Title ........ ok" lines, one per step.
std::string format_report(const std::vector<StepReport> &reports);

} // namespace nvmelab::lesson
