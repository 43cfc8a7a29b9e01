#include "player/player.h"

#include <cctype>
#include <regex>
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

StepRun Player::enter(size_t n, Playback mode, StepRun into) {
    current_ = n;
    pending_.clear();
    next_pending_ = 0;
    if (mode == Playback::Whole) return run_actions(n, std::move(into));
    for (const Script &s : lesson_.steps[n].actions)
        pending_.insert(pending_.end(), s.lines.begin(), s.lines.end());
    return into;
}

const ScriptLine *Player::next_line() const {
    return next_pending_ < pending_.size() ? &pending_[next_pending_] : nullptr;
}

StepRun Player::play_line() {
    StepRun r;
    if (next_pending_ >= pending_.size()) {
        r.ok = false;
        r.error = "no line of this step is left to play";
        return r;
    }
    const ScriptLine l = pending_[next_pending_++];
    r = run_script(Script{0, {l}});
    if (!r.ok) next_pending_ = pending_.size();
    return r;
}

StepRun Player::play_rest() {
    StepRun r;
    while (r.ok && next_pending_ < pending_.size()) {
        StepRun one = play_line();
        r.ok = one.ok;
        r.error = one.error;
        for (LineRun &l : one.lines)
            r.lines.push_back(std::move(l));
    }
    return r;
}

StepRun Player::go_to(size_t n, Playback mode) {
    StepRun r;
    if (n >= step_count()) {
        r.ok = false;
        r.error = fmt::format("{}: no step {} (the lesson has {} steps)", lesson_.file, n + 1,
                              step_count());
        return r;
    }
    host_->reset_device(lesson_.device);
    pending_.clear();
    next_pending_ = 0;
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
    return enter(n, mode, std::move(r));
}

StepRun Player::back() {
    return go_to(current_ == npos || current_ == 0 ? 0 : current_ - 1);
}

StepRun Player::next(Playback mode) {
    StepRun r;
    if (current_ == npos) return go_to(0, mode);
    if (pending_lines() > 0) {
        r = play_rest();
        if (!r.ok) return r;
    }
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
    r.lines.clear();
    return enter(current_ + 1, mode, std::move(r));
}

TurnStatus Player::turn_status() {
    TurnStatus t;
    const Step *st = current_step();
    if (st == nullptr || !st->your_turn()) return t;
    t.your_turn = true;
    if (pending_lines() > 0) {
        // The step's own lines come first; the task is judged once they have run.
        t.playing = true;
        return t;
    }
    for (const ScriptLine &l : st->checks.lines) {
        const ConsoleResult c = host_->check_lesson_line(l.text);
        if (c.ok) continue;
        t.failures.push_back(fmt::format("{}:{}: {}", lesson_.file, l.line, c.error));
        t.plain.push_back(plain_failure(c.error, l.note));
    }
    t.done = t.failures.empty();
    for (const DeadEnd &d : st->dead_ends) {
        if (t.done || !t.nudge.empty()) break;
        if (host_->check_lesson_line(d.check).ok) t.nudge = d.nudge;
    }
    return t;
}

StepRun Player::solve() {
    if (pending_lines() > 0) {
        StepRun r = play_rest();
        if (!r.ok) return r;
    }
    const Step *st = current_step();
    if (st == nullptr || !st->your_turn()) {
        StepRun r;
        r.ok = false;
        r.error = "this step has no task to solve";
        return r;
    }
    return run_script(st->solution);
}

std::string plain_failure(const std::string &message, const std::string &note) {
    // "expect failed: WHAT: expected OP X, actual Y" (console/commands/expect.cpp).
    static const std::regex check(
        R"(^expect failed: (.+): expected (==|!=|<=|>=|<|>) (\S+), actual (.+)$)");
    std::string m = message;
    const std::string prefix = "expect failed: ";
    std::smatch g;
    if (std::regex_match(m, g, check)) {
        const std::string op = g[2].str();
        const std::string rel = op == "=="   ? "it should be"
                                : op == "!=" ? "it should not be"
                                : op == "<"  ? "it should be less than"
                                : op == "<=" ? "it should be at most"
                                : op == ">"  ? "it should be more than"
                                             : "it should be at least";
        // Registers print in hex; single digits read better as they are written in prose.
        auto digit = [](std::string v) {
            return v.size() == 3 && v.rfind("0x", 0) == 0 && std::isdigit(v[2]) ? v.substr(2) : v;
        };
        const std::string words =
            fmt::format("{} is {}; {} {}.", g[1].str(), digit(g[4].str()), rel, digit(g[3].str()));
        return note.empty() ? words : fmt::format("Not yet: {}. Now {}", note, words);
    }
    if (m.rfind(prefix, 0) == 0) m.erase(0, prefix.size());
    if (!note.empty()) return fmt::format("Not yet: {} ({}).", note, m);
    if (!m.empty()) m[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(m[0])));
    return m;
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
