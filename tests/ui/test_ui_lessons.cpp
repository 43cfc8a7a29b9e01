// Unit tests of the UI's lesson model (no GL): progress store, deep-link arguments, the
// highlight set, and lessons played on the UI's own Session.
#include "doctest/doctest.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/spec/nvme_spec.h"
#include "ui/model/highlight_set.h"
#include "ui/model/lesson_progress.h"
#include "ui/model/lesson_state.h"
#include "ui/model/session.h"
#include "ui/model/url_args.h"

using namespace nvmelab;
using namespace nvmelab::ui;

namespace {

uint32_t reg(const Session &s, spec::Reg r) {
    return s.ctrl().read32(static_cast<uint32_t>(r));
}

// Everything a learner could see of the device, for "the same state" comparisons.
std::string fingerprint(const Session &s) {
    std::string out = s.state_summary();
    for (spec::Reg r : {spec::Reg::Cc, spec::Reg::Csts, spec::Reg::Aqa})
        out += std::to_string(reg(s, r)) + " ";
    out += std::to_string(s.ctrl().read64(static_cast<uint32_t>(spec::Reg::Asq))) + " ";
    out += std::to_string(s.ctrl().read64(static_cast<uint32_t>(spec::Reg::Acq)));
    return out;
}

} // namespace

TEST_CASE("lesson progress: round trip, never shrinks, completion") {
    ProgressStore p;
    CHECK(p.get("bring-up") == LessonProgress{});
    CHECK(p.step_done("bring-up", 2, 7));
    CHECK(p.get("bring-up").steps_done == 3);
    CHECK_FALSE(p.step_done("bring-up", 0, 7)); // Back does not undo progress
    CHECK(p.get("bring-up").steps_done == 3);
    CHECK(p.step_done("identify", 9, 4)); // clamped to the step count
    CHECK(p.get("identify").steps_done == 4);
    CHECK(p.complete("bring-up", 7));
    CHECK_FALSE(p.complete("bring-up", 7));

    const ProgressStore q = ProgressStore::from_text(p.to_text());
    CHECK(q.lessons() == p.lessons());
    CHECK(q.get("bring-up") == LessonProgress{7, 7, true});
    CHECK(q.get("identify") == LessonProgress{4, 4, false});
}

TEST_CASE("lesson progress: malformed text is an error naming the problem") {
    CHECK_THROWS_WITH_AS(ProgressStore::from_text("{"), doctest::Contains("not JSON"),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(ProgressStore::from_text(R"({"version":2,"lessons":{}})"),
                         doctest::Contains("version"), std::runtime_error);
    CHECK_THROWS_WITH_AS(
        ProgressStore::from_text(
            R"({"version":1,"lessons":{"x":{"steps_done":5,"steps":3,"completed":false}}})"),
        doctest::Contains("5 steps done of 3"), std::runtime_error);
    CHECK_THROWS_WITH_AS(
        ProgressStore::from_text(
            R"({"version":1,"lessons":{"x":{"steps_done":-1,"steps":3,"completed":false}}})"),
        doctest::Contains("'steps_done'"), std::runtime_error);
    CHECK_THROWS_WITH_AS(
        ProgressStore::from_text(
            R"({"version":1,"lessons":{"x":{"steps_done":1,"steps":3,"completed":"yes"}}})"),
        doctest::Contains("'completed'"), std::runtime_error);
}

TEST_CASE("lesson progress: the native file, and where it lives") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("nvmelab-progress-" + std::to_string(std::rand()));
    const std::string path = (dir / "sub" / "progress.json").string();
    CHECK(load_progress_file(path).lessons().empty()); // no file yet: nothing done
    ProgressStore p;
    p.step_done("prps", 1, 5);
    CHECK(save_progress_file(path, p).empty());
    CHECK(load_progress_file(path).get("prps") == LessonProgress{2, 5, false});
    { std::ofstream(path) << "garbage"; }
    CHECK_THROWS_WITH_AS(load_progress_file(path), doctest::Contains(path.c_str()),
                         std::runtime_error);
    std::filesystem::remove_all(dir);

    const char *xdg = std::getenv("XDG_CONFIG_HOME");
    const std::string old_xdg = xdg ? xdg : "";
    const char *home = std::getenv("HOME");
    const std::string old_home = home ? home : "";
    setenv("XDG_CONFIG_HOME", "/tmp/xdg-test", 1);
    CHECK(default_progress_path() == "/tmp/xdg-test/nvmelab/progress.json");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/learner", 1);
    CHECK(default_progress_path() == "/home/learner/.config/nvmelab/progress.json");
    if (xdg) setenv("XDG_CONFIG_HOME", old_xdg.c_str(), 1);
    if (home) setenv("HOME", old_home.c_str(), 1);
}

TEST_CASE("deep links: ?lesson=ID&step=N") {
    UrlArgs a = parse_url_args("?lesson=bring-up&step=3");
    CHECK(a.errors.empty());
    CHECK(a.lesson == "bring-up");
    CHECK(a.step == 3);
    CHECK(a.describes_state()); // the state kept in the browser is not restored over it

    a = parse_url_args("lesson=prps");
    CHECK(a.errors.empty());
    CHECK(a.step == 0);

    for (const char *bad :
         {"lesson=x&step=0", "lesson=x&step=abc", "lesson=x&step=-2", "lesson=x&step=3x"}) {
        CAPTURE(bad);
        a = parse_url_args(bad);
        REQUIRE(a.errors.size() == 1);
        CHECK(a.errors[0].find("step=") != std::string::npos);
        CHECK(a.step == 0);
    }
    a = parse_url_args("step=2");
    REQUIRE(a.errors.size() == 1);
    CHECK(a.errors[0].find("needs lesson=ID") != std::string::npos);
    a = parse_url_args("lesson=");
    REQUIRE(a.errors.size() == 1);
    CHECK(a.lesson.empty());
}

TEST_CASE("highlight set: windows, fields, registers, titles") {
    HighlightSet h;
    CHECK(h.empty());
    const uint64_t v0 = h.version();
    h.set({{1, "registers", {"CC.EN", "AQA"}}, {2, "Timeline", {}}});
    CHECK(h.version() != v0);
    CHECK(h.window("registers"));
    CHECK(h.window("timeline"));
    CHECK_FALSE(h.window("queues"));
    CHECK(h.field("registers", "CC.EN"));
    CHECK(h.field("registers", "cc.en"));
    CHECK_FALSE(h.field("registers", "CC.MPS"));
    CHECK(h.field("registers", "AQA.ASQS")); // a named register: all its fields
    CHECK(h.field("registers", "CC"));       // the register of a named field
    CHECK_FALSE(h.field("registers", "CSTS"));
    CHECK_FALSE(h.field("queues", "CC.EN"));
    CHECK(std::string(HighlightSet::window_title("registers")) == "Registers");
    CHECK(std::string(HighlightSet::window_title("composer")) == "Command inspector");
    CHECK(HighlightSet::window_title("nonsense") == nullptr);
    h.clear();
    CHECK(h.empty());
    CHECK_FALSE(h.window("registers"));
}

TEST_CASE("lessons on the UI's session: deep link state, your turn by device state, Back") {
    LessonState ls;
    ls.load_course(NVMELAB_LESSONS_DIR);
    REQUIRE(ls.course().ok());
    const lesson::Lesson *l = ls.course().find("bring-up");
    REQUIRE(l != nullptr);
    const size_t last = l->steps.size() - 1;
    REQUIRE(l->steps[last].your_turn());

    Session s;
    SUBCASE("bad id and step are errors, nothing opens") {
        CHECK(ls.open(s, "no-such", 0).find("no lesson 'no-such'") != std::string::npos);
        CHECK(ls.open(s, "bring-up", 99).find("no step 100") != std::string::npos);
        CHECK_FALSE(ls.is_open());
    }
    SUBCASE("the last step: the session's device is where the lesson says") {
        REQUIRE(ls.open(s, "bring-up", last).empty());
        CHECK(ls.current() == last);
        CHECK(s.config().size == l->device.size);
        // Replayed: the bring-up happened, then this step's reset.
        CHECK(spec::CstsReg{reg(s, spec::Reg::Csts)}.rdy() == false);
        CHECK(s.ctrl().read64(static_cast<uint32_t>(spec::Reg::Asq)) != 0);
        CHECK(s.highlights.window("registers") == !l->steps[last].highlights.empty());
        const lesson::TurnStatus &t = ls.status(s);
        CHECK(t.your_turn);
        CHECK_FALSE(t.done);
        CHECK_FALSE(ls.progress().get("bring-up").completed);
        // The learner acts through the session, as the console window does.
        CHECK(s.exec("reg write AQA 0x00030003").ok);
        CHECK_FALSE(ls.status(s).done);
        CHECK(s.write_register("CC", 0x00460001).ok);
        CHECK(s.exec("run").ok);
        CHECK(ls.status(s).done);
        CHECK(ls.progress().get("bring-up").completed);
        CHECK(ls.take_progress_dirty());
        CHECK_FALSE(ls.take_progress_dirty());
    }
    SUBCASE("Next refuses an unfinished task; Back gives the exact earlier state") {
        REQUIRE(ls.open(s, "bring-up", 2).empty());
        const std::string at2 = fingerprint(s);
        ls.next(s);
        CHECK(ls.current() == 3);
        CHECK(ls.progress().get("bring-up").steps_done == 3);
        s.exec("reg write CC.EN 1"); // the learner plays around
        ls.back(s);
        CHECK(ls.current() == 2);
        CHECK(fingerprint(s) == at2);
        ls.go_to(s, last);
        ls.next(s);
        CHECK(ls.current() == last); // the last step: nothing after it
        CHECK_FALSE(ls.error.empty());
    }
}

TEST_CASE("lessons on the UI's session: a step played line by line, with its pause marks") {
    LessonState ls;
    ls.load_course(NVMELAB_LESSONS_DIR);
    REQUIRE(ls.course().ok());
    Session s;
    // Lesson 1, step 3: CC.EN = 1 with AQA = 0; its `run for 1000` line is marked to pause on.
    REQUIRE(ls.open(s, "bring-up", 1).empty());
    ls.playback = lesson::Playback::LineByLine;
    ls.next(s);
    REQUIRE(ls.current() == 2);
    CHECK(ls.playing());
    const size_t lines = ls.pending_lines();
    CHECK(lines >= 4);
    // Nothing ran yet; a tick before the interval runs nothing.
    ls.tick(s, 10.0);
    CHECK(ls.pending_lines() == lines);
    ls.tick(s, 10.0 + 1.1 * ls.line_interval); // reg write CC.EN 1
    CHECK(ls.pending_lines() == lines - 1);
    CHECK(ls.playing());
    ls.tick(s, 10.0 + 2.2 * ls.line_interval); // run for 1000: marked, play stops there
    CHECK(ls.pending_lines() == lines - 2);
    CHECK_FALSE(ls.playing());
    CHECK(ls.pause_note().find("CSTS.CFS") != std::string::npos);
    // The in-between state the whole step never shows.
    CHECK(spec::CstsReg{reg(s, spec::Reg::Csts)}.cfs());
    ls.tick(s, 100.0); // paused: time alone does not go on
    CHECK(ls.pending_lines() == lines - 2);
    ls.play_line(s); // the learner clicks "Line"
    CHECK(ls.pending_lines() == lines - 3);
    ls.play_rest(s); // "Run step"
    CHECK(ls.pending_lines() == 0);
    CHECK_FALSE(spec::CstsReg{reg(s, spec::Reg::Csts)}.cfs());
    CHECK(ls.last_run().ok);
    CHECK(ls.last_run().lines.size() == lines);
    // The same state as the whole step.
    Session whole;
    LessonState lw;
    lw.load_course(NVMELAB_LESSONS_DIR);
    REQUIRE(lw.open(whole, "bring-up", 2).empty());
    CHECK(fingerprint(s) == fingerprint(whole));
}

TEST_CASE("lessons on the UI's session: a your-turn blocks Next until the device gets there") {
    const auto dir =
        std::filesystem::temp_directory_path() / ("nvmelab-course-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "01-tiny.md") << R"(---
id: tiny
title: Tiny
summary: two tasks
prerequisites:
device: size=64M
---

# Tiny

Intro.

## Set EN

Set `CC.EN`.

```your-turn
expect reg CC.EN == 1
```

```hint
Write 1 to CC.EN.
```

```solution
reg write CC.EN 1
```

## Clear it

```your-turn
expect reg CC.EN == 0
```

```solution
reg write CC.EN 0
```
)";
    LessonState ls;
    ls.load_course(dir.string());
    REQUIRE(ls.course().find("tiny") != nullptr);
    Session s;
    REQUIRE(ls.open(s, "tiny", 0).empty());
    ls.next(s);
    CHECK(ls.current() == 0);
    CHECK(ls.error.find("your turn first") != std::string::npos);
    CHECK(ls.progress().get("tiny").steps_done == 0);
    ls.show_hint();
    CHECK(ls.hints_shown() == 1);
    ls.show_hint(); // only one hint
    CHECK(ls.hints_shown() == 1);
    CHECK(s.write_register("CC.EN", 1).ok); // as the Registers window writes it
    CHECK(ls.status(s).done);
    CHECK(ls.progress().get("tiny").steps_done == 1);
    ls.next(s);
    CHECK(ls.current() == 1);
    CHECK(ls.hints_shown() == 0);
    CHECK_FALSE(ls.status(s).done);
    ls.solve(s);
    CHECK(ls.status(s).done);
    CHECK(ls.progress().get("tiny") == LessonProgress{2, 2, true});
    // Back: the state step 1 starts with (a fresh device), so its task is open again, but the
    // progress stays.
    ls.back(s);
    CHECK(ls.current() == 0);
    CHECK_FALSE(ls.status(s).done);
    CHECK(spec::CcReg{reg(s, spec::Reg::Cc)}.en() == false);
    CHECK(ls.progress().get("tiny").completed);
    // Forward again, the task done by a console line this time.
    CHECK(s.exec("reg write CC.EN 1").ok);
    ls.next(s);
    CHECK(ls.current() == 1);
    CHECK(spec::CcReg{reg(s, spec::Reg::Cc)}.en());
    // Deep link to step 2: step 1 replayed with its reference solution.
    REQUIRE(ls.open(s, "tiny", 1).empty());
    CHECK(spec::CcReg{reg(s, spec::Reg::Cc)}.en());
    CHECK_FALSE(ls.status(s).done);
    std::filesystem::remove_all(dir);
}

TEST_CASE("lessons on the UI's session: opening a lesson whose file did not load names why") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("nvmelab-broken-course-" + std::to_string(std::rand()));
    std::filesystem::create_directories(dir);
    // A front matter without its closing line: the file does not load, so 'broken' is not
    // in the course.
    std::ofstream(dir / "01-broken.md") << "---\nid: broken\ntitle: Broken\n";
    LessonState ls;
    ls.load_course(dir.string());
    REQUIRE_FALSE(ls.course().ok());
    REQUIRE(ls.course().find("broken") == nullptr);
    Session s;
    const std::string e = ls.open(s, "broken", 0);
    CHECK(e.find("no lesson 'broken'") != std::string::npos);
    CHECK(e.find("01-broken.md") != std::string::npos); // the file that did not load
    CHECK(e.find(ls.course().errors.front().message) != std::string::npos);
    CHECK_FALSE(ls.is_open());
    std::filesystem::remove_all(dir);
}
