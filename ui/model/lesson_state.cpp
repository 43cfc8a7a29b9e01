#include "ui/model/lesson_state.h"

#include <exception>

#include <fmt/format.h>

#include "ui/model/session.h"

namespace nvmelab::ui {

void LessonState::load_course(const std::string &dir) {
    course_ = lesson::load_course(dir);
}

std::string LessonState::open(Session &s, const std::string &id, size_t step) {
    const lesson::Lesson *l = course_.find(id);
    if (l == nullptr) {
        std::string known;
        for (const lesson::Lesson &x : course_.lessons)
            known += (known.empty() ? "" : ", ") + x.id;
        std::string msg = fmt::format("no lesson '{}' (the course has: {})", id,
                                      known.empty() ? "no lessons" : known);
        // A lesson file that did not load is left out of the course: say why, since the
        // lesson asked for may be that file.
        if (!course_.errors.empty()) {
            constexpr size_t kShown = 5;
            msg += fmt::format("; {} problem{} in the course's files, so a lesson may be missing:",
                               course_.errors.size(), course_.errors.size() == 1 ? "" : "s");
            for (size_t i = 0; i < course_.errors.size() && i < kShown; ++i)
                msg += "\n  " + course_.errors[i].text();
            if (course_.errors.size() > kShown)
                msg += fmt::format("\n  ... and {} more", course_.errors.size() - kShown);
        }
        return msg;
    }
    if (step >= l->steps.size())
        return fmt::format("lesson '{}' has no step {}: its steps are 1 to {}", id, step + 1,
                           l->steps.size());
    try {
        player_ = std::make_unique<lesson::Player>(*l, s);
    } catch (const std::exception &e) {
        player_.reset();
        return fmt::format("lesson '{}' cannot start: {}", id, e.what());
    }
    error.clear();
    s.log_info(fmt::format("--- lesson '{}': {} ---", l->id, l->title));
    last_run_ = player_->go_to(step, playback);
    entered_step(s);
    return {};
}

void LessonState::close(Session &s) {
    player_.reset();
    s.highlights.clear();
    last_run_ = {};
    error.clear();
}

void LessonState::entered_step(Session &s) {
    hints_shown_ = 0;
    pause_note_.clear();
    playing_ = pending_lines() > 0;
    next_line_due_ = 0;
    status_key_ = UINT64_MAX;
    error = last_run_.ok ? std::string() : last_run_.error;
    const lesson::Step *st = player_ ? player_->current_step() : nullptr;
    if (st)
        s.highlights.set(st->highlights);
    else
        s.highlights.clear();
}

void LessonState::next(Session &s) {
    if (!player_) return;
    const size_t from = player_->current();
    lesson::StepRun r = player_->next(playback);
    if (!r.ok && player_->current() == from) {
        // Refused (task not done, or the last step): nothing ran, the step stays.
        error = r.error;
        return;
    }
    if (from != lesson::Player::npos &&
        progress_.step_done(player_->lesson().id, static_cast<uint32_t>(from),
                            static_cast<uint32_t>(player_->step_count())))
        progress_dirty_ = true;
    last_run_ = std::move(r);
    entered_step(s);
}

void LessonState::back(Session &s) {
    if (!player_) return;
    last_run_ = player_->go_to(player_->current() == lesson::Player::npos || player_->current() == 0
                                   ? 0
                                   : player_->current() - 1,
                               playback);
    entered_step(s);
}

void LessonState::go_to(Session &s, size_t step) {
    if (!player_) return;
    if (step >= player_->step_count()) {
        error = fmt::format("no step {}: the lesson's steps are 1 to {}", step + 1,
                            player_->step_count());
        return;
    }
    last_run_ = player_->go_to(step, playback);
    entered_step(s);
}

void LessonState::play_line(Session &s) {
    if (!player_ || player_->pending_lines() == 0) return;
    const lesson::ScriptLine line = *player_->next_line();
    lesson::StepRun r = player_->play_line();
    for (lesson::LineRun &l : r.lines)
        last_run_.lines.push_back(std::move(l));
    pause_note_.clear();
    if (!r.ok) {
        last_run_.ok = false;
        last_run_.error = r.error;
        error = r.error;
        playing_ = false;
    } else if (line.pause) {
        // A line the lesson marks: stop so the learner can look (the note says where).
        playing_ = false;
        pause_note_ = line.note.empty() ? "Paused here: look at the windows." : line.note;
    }
    if (player_->pending_lines() == 0) playing_ = false;
    status_key_ = UINT64_MAX;
    (void)s;
}

void LessonState::play_rest(Session &s) {
    playing_ = false;
    while (player_ && player_->pending_lines() > 0 && last_run_.ok)
        play_line(s);
    pause_note_.clear();
}

void LessonState::tick(Session &s, double now) {
    if (!playing_ || !player_) return;
    if (next_line_due_ == 0) next_line_due_ = now + line_interval * 0.5;
    if (now < next_line_due_) return;
    next_line_due_ = now + line_interval;
    play_line(s);
}

void LessonState::solve(Session &s) {
    if (!player_) return;
    const lesson::StepRun r = player_->solve();
    if (!r.ok) error = r.error;
    status_key_ = UINT64_MAX;
    (void)s;
}

const lesson::TurnStatus &LessonState::status(Session &s) {
    if (!player_) {
        status_ = {};
        return status_;
    }
    // Checks are expect lines: cheap, but only worth re-running when the device changed.
    const uint64_t key = s.journal().version() * 1000003u + s.generation();
    if (key == status_key_) return status_;
    status_key_ = key;
    status_ = player_->turn_status();
    const uint32_t cur = static_cast<uint32_t>(player_->current());
    const uint32_t count = static_cast<uint32_t>(player_->step_count());
    const std::string &id = player_->lesson().id;
    const bool step_ok = last_run_.ok && (!status_.your_turn || status_.done);
    if (step_ok && status_.your_turn && progress_.step_done(id, cur, count)) progress_dirty_ = true;
    if (step_ok && player_->at_end() && progress_.complete(id, count)) progress_dirty_ = true;
    return status_;
}

void LessonState::show_hint() {
    const lesson::Step *st = player_ ? player_->current_step() : nullptr;
    if (st && hints_shown_ < st->hints.size()) ++hints_shown_;
}

bool LessonState::take_progress_dirty() {
    const bool d = progress_dirty_;
    progress_dirty_ = false;
    return d;
}

} // namespace nvmelab::ui
