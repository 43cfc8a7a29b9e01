#pragma once
// The UI's lesson model (no GL): the course of lessons/, the lesson being played on the
// Session's device (lesson::Player over Session as its LessonHost), the learner's progress and
// the step's highlights. The lesson window (lesson_window.cpp), deep links and the JS test API
// all drive it.
//
// Steps are 0-based here and 1-based everywhere a person sees them (window, URL, --step).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "player/course.h"
#include "player/player.h"
#include "ui/model/lesson_progress.h"

namespace nvmelab::ui {

class Session;

class LessonState {
public:
    // Loads every lesson of `dir`; problems are kept in course().errors (and shown), the
    // lessons that parsed stay playable.
    void load_course(const std::string &dir);
    const lesson::Course &course() const { return course_; }

    // Opens lesson `id` at step `step` (0-based) on the session's device: a fresh device with
    // the lesson's properties, earlier steps replayed. Returns "" or an error naming the bad id
    // or step (nothing changes then).
    std::string open(Session &s, const std::string &id, size_t step);
    // Closes the lesson; the device stays as it is.
    void close(Session &s);
    bool is_open() const { return player_ != nullptr; }
    lesson::Player *player() { return player_.get(); }
    const lesson::Player *player() const { return player_.get(); }
    size_t current() const { return player_ ? player_->current() : 0; }

    // Step navigation; the result is kept in last_run(). With playback() LineByLine, Next and
    // Restart leave the step's lines pending and start playing them (tick()).
    void next(Session &s);
    void back(Session &s);
    void go_to(Session &s, size_t step);
    // Runs the reference solution of the current your-turn ("show me").
    void solve(Session &s);
    const lesson::StepRun &last_run() const { return last_run_; }

    // ---- line-by-line play ("play step") -----------------------------------------------------
    lesson::Playback playback = lesson::Playback::Whole;
    // Seconds between two lines while playing.
    double line_interval = 0.8;
    bool playing() const { return playing_; }
    void set_playing(bool on) { playing_ = on && pending_lines() > 0; }
    size_t pending_lines() const { return player_ ? player_->pending_lines() : 0; }
    // Runs the next line of the step (a click on "Line"), or all of them ("Run step").
    void play_line(Session &s);
    void play_rest(Session &s);
    // Called every frame with a clock in seconds: while playing, runs one line per interval,
    // and stops after a line marked "# pause" (its note is then pause_note()).
    void tick(Session &s, double now);
    const std::string &pause_note() const { return pause_note_; }

    // The your-turn status, re-checked only when the device changed (journal version or
    // generation). Records progress when a task is done.
    const lesson::TurnStatus &status(Session &s);
    // Hints shown so far on this step (they come one at a time on request).
    size_t hints_shown() const { return hints_shown_; }
    void show_hint();

    ProgressStore &progress() { return progress_; }
    const ProgressStore &progress() const { return progress_; }
    // True once progress changed since the last call (the app then persists it).
    bool take_progress_dirty();

    // The last error for the learner (bad deep link, failed step), shown in the lesson window.
    std::string error;

private:
    void entered_step(Session &s);

    lesson::Course course_;
    std::unique_ptr<lesson::Player> player_;
    lesson::StepRun last_run_;
    lesson::TurnStatus status_;
    uint64_t status_key_ = UINT64_MAX;
    bool playing_ = false;
    double next_line_due_ = 0;
    std::string pause_note_;
    size_t hints_shown_ = 0;
    ProgressStore progress_;
    bool progress_dirty_ = false;
};

} // namespace nvmelab::ui
