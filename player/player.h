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
// With Playback::LineByLine, go_to() and next() leave the step's lines pending and
// play_line() runs them one at a time (the UI's "play step"), so the windows show the states
// in between; play_rest() runs what is left ("run step").
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
    bool playing = false;              // the step's own lines are still being played
    std::vector<std::string> failures; // "FILE:LINE: expect failed: ..." of the checks not met
    // The same checks in the learner's words ("AQA.ASQS is 15; it should be 3"), led by the
    // check's own note when the lesson gives one.
    std::vector<std::string> plain;
    // The nudge of the first known dead end the device is in (```dead-end), or "".
    std::string nudge;
};

// "expect failed: AQA.ASQS: expected == 3, actual 15" (a console check's message) in the
// learner's words, after `note` (the check's comment in the lesson) when there is one.
std::string plain_failure(const std::string &message, const std::string &note);

enum class Playback : uint8_t {
    Whole,      // a step's lines all run at once
    LineByLine, // they wait for play_line()
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
    StepRun go_to(size_t n, Playback mode = Playback::Whole);
    // Back: go_to(current - 1) (or the start of step 0).
    StepRun back();
    // The next step's actions on the current state. Refused (ok = false, nothing runs) when the
    // current step's your-turn is not done yet, or at the last step.
    // With lines of the current step still pending, they run first.
    StepRun next(Playback mode = Playback::Whole);
    bool at_end() const { return current_ != npos && current_ + 1 >= step_count(); }

    // Whether the current step's your-turn is done, judged only by the device state (the
    // checks are `expect` lines; they do not change state).
    TurnStatus turn_status();
    // Runs the current step's reference solution on the current state.
    StepRun solve();

    // Line-by-line play: the current step's lines not run yet, the next of them (null when
    // none), one more of them, and all the rest. A failing line ends the play (the step stops
    // there, as a whole step would).
    size_t pending_lines() const { return pending_.size() - next_pending_; }
    const ScriptLine *next_line() const;
    // How many of the current step's lines have run (line-by-line play), for front ends that
    // mark them in the step's code.
    size_t lines_played() const { return next_pending_; }
    StepRun play_line();
    StepRun play_rest();

    // Runs one line as the learner's console does (for front ends whose console belongs to the
    // lesson's device).
    LineRun exec(std::string_view line);

private:
    StepRun run_script(const Script &s, StepRun into = {});
    StepRun run_actions(size_t n, StepRun into = {});
    StepRun enter(size_t n, Playback mode, StepRun into);

    Lesson lesson_;
    std::unique_ptr<LessonDevice> own_; // null when playing on someone else's host
    LessonHost *host_ = nullptr;
    size_t current_ = npos;
    std::vector<ScriptLine> pending_; // the current step's lines in line-by-line play
    size_t next_pending_ = 0;
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
