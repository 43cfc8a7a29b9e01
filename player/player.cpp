#include "player/player.h"

#include <stdexcept>

#include <fmt/format.h>

namespace nvmelab::lesson {

std::string StepRun::transcript() const {
    std::string out;
    for (const LineRun &l : lines) {
        out += fmt::format("> {}\n", l.text);
        out += l.output;
        if (!l.ok) out += fmt::format("error: {}\n", l.error);
    }
    return out;
}

Player::Player(Lesson lesson)
    : lesson_(std::move(lesson)), own_(std::make_unique<LessonDevice>(lesson_.device)),
      host_(own_.get()) {}

Player::Player(Lesson lesson, LessonHost &host) : lesson_(std::move(lesson)), host_(&host) {
    // The same error as the owning constructor gives, before anything touches the host.
    DeviceConfig c = lesson_.device;
    c.validate();
}

LessonDevice &Player::device() {
    if (!own_) throw std::logic_error("this lesson player plays on a device it does not own");
    return *own_;
}

const Step *Player::current_step() const {
    return current_ < step_count() ? &lesson_.steps[current_] : nullptr;
}

LineRun Player::exec(std::string_view line) {
    LineRun r;
    r.text = std::string(line);
    const ConsoleResult c = host_->exec_lesson_line(line);
    r.ok = c.ok;
    r.output = c.output;
    r.error = c.error;
    return r;
}

StepRun Player::run_script(const Script &s, StepRun into) {
    if (!into.ok) return into;
    for (const ScriptLine &l : s.lines) {
        LineRun r = exec(l.text);
        r.line = l.line;
        const bool ok = r.ok;
        if (!ok) {
            into.ok = false;
            into.error = fmt::format("{}:{}: {}", lesson_.file, l.line, r.error);
        }
        into.lines.push_back(std::move(r));
        if (!ok) break;
    }
    return into;
}

StepRun Player::run_actions(size_t n, StepRun into) {
    for (const Script &s : lesson_.steps[n].actions)
        into = run_script(s, std::move(into));
    return into;
}

StepRun Player::go_to(size_t n) {
    StepRun r;
    if (n >= step_count()) {
        r.ok = false;
        r.error = fmt::format("{}: no step {} (the lesson has {} steps)", lesson_.file, n + 1,
                              step_count());
        return r;
    }
    host_->reset_device(lesson_.device);
    for (size_t i = 0; i < n && r.ok; ++i) {
        r = run_actions(i, std::move(r));
        const Step &st = lesson_.steps[i];
        if (st.your_turn()) r = run_script(st.solution, std::move(r));
        if (!r.ok) {
            current_ = i;
            r.error = fmt::format("replaying step {} ('{}'): {}", i + 1, st.title, r.error);
            return r;
        }
    }
    // The replay's output is not what the learner asked to see: only step n's lines.
    r.lines.clear();
    current_ = n;
    return run_actions(n, std::move(r));
}

StepRun Player::back() {
    return go_to(current_ == npos || current_ == 0 ? 0 : current_ - 1);
}

StepRun Player::next() {
    StepRun r;
    if (current_ == npos) return go_to(0);
    if (at_end()) {
        r.ok = false;
        r.error = "this is the last step";
        return r;
    }
    const TurnStatus t = turn_status();
    if (t.your_turn && !t.done) {
        r.ok = false;
        r.error = "your turn first: the task of this step is not done yet" +
                  (t.failures.empty() ? std::string() : " (" + t.failures.front() + ")");
        return r;
    }
    ++current_;
    return run_actions(current_, std::move(r));
}

TurnStatus Player::turn_status() {
    TurnStatus t;
    const Step *st = current_step();
    if (st == nullptr || !st->your_turn()) return t;
    t.your_turn = true;
    for (const ScriptLine &l : st->checks.lines) {
        const ConsoleResult c = host_->check_lesson_line(l.text);
        if (!c.ok) t.failures.push_back(fmt::format("{}:{}: {}", lesson_.file, l.line, c.error));
    }
    t.done = t.failures.empty();
    return t;
}

StepRun Player::solve() {
    const Step *st = current_step();
    if (st == nullptr || !st->your_turn()) {
        StepRun r;
        r.ok = false;
        r.error = "this step has no task to solve";
        return r;
    }
    return run_script(st->solution);
}

// ---- headless ------------------------------------------------------------------------------

std::vector<StepReport> play_headless(const Lesson &lesson) {
    std::vector<StepReport> out;
    Player p(lesson);
    bool failed = false;
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
        StepReport rep;
        rep.number = i + 1;
        rep.title = lesson.steps[i].title;
        if (failed) {
            out.push_back(rep);
            continue;
        }
        rep.ran = true;
        StepRun r = i == 0 ? p.go_to(0) : p.next();
        if (!r.ok) {
            rep.reason = r.error;
        } else if (lesson.steps[i].your_turn()) {
            if (p.turn_status().done) {
                rep.reason = fmt::format("{}:{}: the your-turn checks already pass before the "
                                         "learner acts, so the task would be skipped",
                                         lesson.file, lesson.steps[i].checks.fence_line);
            } else if (const StepRun s = p.solve(); !s.ok) {
                rep.reason = "reference solution: " + s.error;
            } else if (const TurnStatus t = p.turn_status(); !t.done) {
                rep.reason = "after the reference solution: " + t.failures.front();
            }
        }
        rep.ok = rep.reason.empty();
        failed = !rep.ok;
        out.push_back(rep);
    }
    return out;
}

std::string format_report(const std::vector<StepReport> &reports) {
    std::string out;
    const size_t n = reports.size();
    for (const StepReport &r : reports) {
        std::string title = r.title;
        if (title.size() > 56) title = title.substr(0, 53) + "...";
        const std::string verdict = !r.ran ? "not run"
                                    : r.ok ? "ok"
                                           : fmt::format("FAILED: {}", r.reason);
        out += fmt::format("{:>3}/{:<3} {:<56} {}\n", r.number, n, title, verdict);
    }
    return out;
}

} // namespace nvmelab::lesson
