// The lesson player: steps run their actions, Back and go-to give exactly the same device state,
// your-turn tasks are judged by state (any correct solution passes, a wrong one does not), and
// the headless run reports each step.
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "doctest/doctest.h"
#include "player/lesson_parser.h"
#include "player/player.h"

using namespace nvmelab;
using namespace nvmelab::lesson;

namespace {

const char *const kLesson = R"(---
id: rig
title: Player test
summary: Bring-up by registers, a write, a task.
device: size=16M
---

## Admin queue registers

```nvme
mem alloc asq 4K
mem alloc acq 4K
reg write AQA 0x000f000f
reg write ASQ $asq
reg write ACQ $acq
```

## Enable

```nvme
reg write CC 0x00460001
run
expect reg CSTS.RDY == 1
```

## Write something

```nvme
queue create
write 1 7 0 data=str:"step three"
mem alloc buf 4K
read 1 7 0 buf=$buf
expect mem $buf bytes str:"step three"
```

## Reset and bring up with 4-entry admin queues

```nvme
reg write CC.EN 0
```

```your-turn
expect reg AQA.ASQS == 3
expect reg AQA.ACQS == 3
expect reg CSTS.RDY == 1
```

```solution
reg write AQA 0x00030003
reg write CC 0x00460001
run
```

## After the task

```nvme
expect reg CSTS.RDY == 1
echo done
```
)";

Lesson parsed(const std::string &text) {
    ParseResult r = parse_lesson(text, "rig.md");
    for (const Diagnostic &d : r.errors)
        INFO(d.text());
    REQUIRE(r.ok());
    return r.lesson;
}

// Everything a learner could observe about the device, as text.
std::string fingerprint(LessonDevice &d) {
    Controller &c = d.ctrl();
    std::string s = fmt::format("t={} events={} ", c.now_ns(), c.trace().total_recorded());
    for (spec::Reg r : {spec::Reg::Cc, spec::Reg::Csts, spec::Reg::Aqa})
        s += fmt::format("{:08x} ", c.read32(static_cast<uint32_t>(r)));
    s += fmt::format("asq={:x} acq={:x} ", c.read64(static_cast<uint32_t>(spec::Reg::Asq)),
                     c.read64(static_cast<uint32_t>(spec::Reg::Acq)));
    for (const QueueView &q : c.queues())
        s += fmt::format("[{}{} {} {} {} {}] ", q.is_sq ? "sq" : "cq", q.qid, q.size, q.head,
                         q.tail, q.phase);
    for (const auto &[name, addr] : d.console().variables()) {
        std::vector<uint8_t> bytes(64);
        d.mem().read(addr, bytes);
        s += fmt::format("${}={:x}:", name, addr);
        for (uint8_t b : bytes)
            s += fmt::format("{:02x}", b);
        s += ' ';
    }
    s += fmt::format("cached={}", c.namespace_blocks_cached(1));
    return s;
}

} // namespace

TEST_SUITE("lesson-player") {

    TEST_CASE("steps run their actions on the device; next() continues from the current state") {
        Player p(parsed(kLesson));
        CHECK(p.current() == Player::npos);
        StepRun r = p.go_to(0);
        REQUIRE(r.ok);
        CHECK(p.current() == 0);
        CHECK(r.lines.size() == 5);
        CHECK(r.lines[2].line == 13);
        CHECK(r.transcript().find("> reg write AQA 0x000f000f\nAQA   = 0x000f000f") !=
              std::string::npos);
        r = p.next();
        REQUIRE(r.ok);
        const spec::CstsReg csts{p.device().ctrl().read32(static_cast<uint32_t>(spec::Reg::Csts))};
        CHECK(csts.rdy());
        CHECK(p.turn_status().your_turn == false);
    }

    TEST_CASE("go_to and back restore exactly the same state") {
        const Lesson l = parsed(kLesson);
        Player a(l);
        REQUIRE(a.go_to(2).ok);
        const std::string at_step3 = fingerprint(a.device());

        // Step by step with next() gives the same state as a jump.
        Player b(l);
        REQUIRE(b.go_to(0).ok);
        REQUIRE(b.next().ok);
        REQUIRE(b.next().ok);
        CHECK(fingerprint(b.device()) == at_step3);

        // The learner changes things, goes on, then comes back: the state is restored exactly.
        REQUIRE(b.exec("write 1 7 0 data=str:\"overwritten\"").ok);
        REQUIRE(b.exec("mem alloc extra 8K").ok);
        REQUIRE(b.next().ok);
        REQUIRE(b.current() == 3);
        REQUIRE(b.back().ok);
        CHECK(b.current() == 2);
        CHECK(fingerprint(b.device()) == at_step3);
        // Twice in a row, too.
        REQUIRE(b.go_to(2).ok);
        CHECK(fingerprint(b.device()) == at_step3);
        // And step 0 from anywhere.
        Player c(l);
        REQUIRE(c.go_to(0).ok);
        const std::string at_step1 = fingerprint(c.device());
        REQUIRE(b.go_to(0).ok);
        CHECK(fingerprint(b.device()) == at_step1);
    }

    TEST_CASE(
        "a your-turn is judged by the state: other correct solutions pass, wrong ones do not") {
        const Lesson l = parsed(kLesson);
        Player p(l);
        REQUIRE(p.go_to(3).ok);
        TurnStatus t = p.turn_status();
        CHECK(t.your_turn);
        CHECK_FALSE(t.done);
        REQUIRE_FALSE(t.failures.empty());
        CHECK(t.failures[0].find("rig.md:") == 0);
        // Next is refused until the task is done.
        const StepRun refused = p.next();
        CHECK_FALSE(refused.ok);
        CHECK(refused.error.find("your turn first") != std::string::npos);
        CHECK(p.current() == 3);

        SUBCASE("a wrong solution: enabled, but with the old 16-entry queues") {
            REQUIRE(p.exec("reg write CC.EN 1").ok);
            REQUIRE(p.exec("run").ok);
            t = p.turn_status();
            CHECK_FALSE(t.done);
            REQUIRE(t.failures.size() == 2);
            CHECK(t.failures[0].find("AQA.ASQS") != std::string::npos);
            // Checking twice changes nothing.
            const std::string before = fingerprint(p.device());
            p.turn_status();
            CHECK(fingerprint(p.device()) == before);
        }
        SUBCASE("the reference solution") {
            REQUIRE(p.solve().ok);
            CHECK(p.turn_status().done);
            const StepRun r = p.next();
            REQUIRE(r.ok);
            CHECK(r.transcript().find("done") != std::string::npos);
            CHECK(p.at_end());
        }
        SUBCASE("a different correct solution: the host driver's enable") {
            REQUIRE(p.exec("enable entries=4").ok);
            t = p.turn_status();
            for (const std::string &f : t.failures)
                INFO(f);
            CHECK(t.done);
            CHECK(p.next().ok);
        }
        SUBCASE("a different correct solution: field by field") {
            REQUIRE(p.exec("reg write AQA.ASQS 3").ok);
            REQUIRE(p.exec("reg write AQA.ACQS 3").ok);
            REQUIRE(p.exec("reg write CC.EN 1").ok);
            CHECK_FALSE(p.turn_status().done); // not ready before time passes
            REQUIRE(p.exec("run for 5000").ok);
            CHECK(p.turn_status().done);
        }
    }

    TEST_CASE("headless play reports every step") {
        const std::vector<StepReport> ok = play_headless(parsed(kLesson));
        REQUIRE(ok.size() == 5);
        for (const StepReport &r : ok) {
            INFO(r.number, " ", r.reason);
            CHECK(r.ok);
            CHECK(r.ran);
        }
        CHECK(format_report(ok).find("  4/5   Reset and bring up with 4-entry admin queues") !=
              std::string::npos);

        SUBCASE("a failing expect names its line; later steps do not run") {
            std::string text = kLesson;
            const std::string from = "expect mem $buf bytes str:\"step three\"";
            text.replace(text.find(from), from.size(), "expect mem $buf bytes str:\"step four\"");
            const std::vector<StepReport> r = play_headless(parsed(text));
            CHECK(r[1].ok);
            CHECK_FALSE(r[2].ok);
            CHECK(r[2].reason.find("rig.md:33: expect failed") == 0);
            CHECK_FALSE(r[3].ran);
            CHECK(format_report(r).find("FAILED: rig.md:33:") != std::string::npos);
            CHECK(format_report(r).find("not run") != std::string::npos);
        }
        SUBCASE("a task that is already done before the learner acts is a lesson bug") {
            std::string text = kLesson;
            const std::string from = "reg write CC.EN 0\n";
            text.replace(text.find(from), from.size(), "reg write CC.EN 0\nenable entries=4\n");
            const std::vector<StepReport> r = play_headless(parsed(text));
            CHECK_FALSE(r[3].ok);
            CHECK(r[3].reason.find("already pass before the learner acts") != std::string::npos);
        }
        SUBCASE("a reference solution that does not solve the task") {
            std::string text = kLesson;
            const std::string from = "reg write AQA 0x00030003";
            text.replace(text.find(from), from.size(), "reg write AQA 0x00070007");
            const std::vector<StepReport> r = play_headless(parsed(text));
            CHECK_FALSE(r[3].ok);
            CHECK(r[3].reason.find("after the reference solution: rig.md:") == 0);
        }
    }

    TEST_CASE("power-cycle: a cut loses the write cache, a clean cycle keeps it") {
        Lesson l = parsed(kLesson);
        Player p(l);
        REQUIRE(p.go_to(2).ok); // LBA 7 written, in the cache
        CHECK(p.device().ctrl().namespace_blocks_cached(1) == 1);
        const uint64_t gen = p.device().generation();

        SUBCASE("cut") {
            const LineRun r = p.exec("power-cycle cut");
            REQUIRE(r.ok);
            CHECK(r.output.find("1 block in the volatile write cache lost") != std::string::npos);
            CHECK(p.device().generation() > gen);
            CHECK(p.device().console().variables().empty());
            REQUIRE(p.exec("enable").ok);
            REQUIRE(p.exec("queue create").ok);
            REQUIRE(p.exec("mem alloc b 4K").ok);
            REQUIRE(p.exec("read 1 7 0 buf=$b").ok);
            CHECK(p.exec("expect mem $b u64 == 0").ok);
        }
        SUBCASE("clean") {
            const LineRun r = p.exec("power-cycle clean");
            REQUIRE(r.ok);
            CHECK(r.output.find("written back") != std::string::npos);
            REQUIRE(p.exec("enable").ok);
            REQUIRE(p.exec("queue create").ok);
            REQUIRE(p.exec("mem alloc b 4K").ok);
            REQUIRE(p.exec("read 1 7 0 buf=$b").ok);
            CHECK(p.exec("expect mem $b bytes str:\"step three\"").ok);
        }
        SUBCASE("bad form") {
            const LineRun r = p.exec("power-cycle maybe");
            CHECK_FALSE(r.ok);
            CHECK(r.error.find("usage: power-cycle clean|cut") != std::string::npos);
        }
    }

    TEST_CASE("line-by-line play: the states in between show, the end state is the same") {
        const Lesson l = parsed(R"(---
id: play
title: Play
summary: Line by line.
device: size=16M
---

## Enabling too early

```nvme
reg write CC.EN 1
run for 1000 # pause: CSTS.CFS is 1 now
reg write CC.EN 0
```

## Your turn

```nvme
mem alloc asq 4K
mem alloc acq 4K
```

```your-turn
expect reg AQA.ASQS == 3 # the admin SQ has 4 entries
expect reg CSTS.RDY == 1
```

```solution
reg write AQA 0x00030003
reg write ASQ $asq
reg write ACQ $acq
reg write CC 0x00460001
run
```

```dead-end
expect reg CSTS.CFS == 1
The controller is in fatal status: clear CC.EN first.
```
)");
        Player whole(l);
        REQUIRE(whole.go_to(0).ok);
        Player p(l);
        StepRun r = p.go_to(0, Playback::LineByLine);
        REQUIRE(r.ok);
        CHECK(r.lines.empty());
        CHECK(p.pending_lines() == 3);
        auto csts = [&] {
            return spec::CstsReg{p.device().ctrl().read32(static_cast<uint32_t>(spec::Reg::Csts))};
        };
        REQUIRE(p.next_line() != nullptr);
        CHECK(p.next_line()->text == "reg write CC.EN 1");
        REQUIRE(p.play_line().ok);
        REQUIRE(p.next_line()->pause);
        CHECK(p.next_line()->note == "CSTS.CFS is 1 now");
        r = p.play_line();
        REQUIRE(r.ok);
        REQUIRE(r.lines.size() == 1);
        CHECK(r.lines[0].line == 12);
        CHECK(csts().cfs()); // the in-between state a whole step never shows
        CHECK(p.lines_played() == 2);
        r = p.play_rest();
        REQUIRE(r.ok);
        CHECK(r.lines.size() == 1);
        CHECK_FALSE(csts().cfs());
        CHECK(p.pending_lines() == 0);
        CHECK_FALSE(p.play_line().ok);
        CHECK(fingerprint(p.device()) == fingerprint(whole.device()));

        // The next step line by line: the task is not judged while its lines play.
        REQUIRE(p.next(Playback::LineByLine).ok);
        CHECK(p.current() == 1);
        CHECK(p.pending_lines() == 2);
        TurnStatus t = p.turn_status();
        CHECK(t.your_turn);
        CHECK(t.playing);
        CHECK_FALSE(t.done);
        // Next with lines pending plays them first; then the task refuses it.
        CHECK_FALSE(p.next().ok);
        CHECK(p.pending_lines() == 0);
        REQUIRE(whole.next().ok);
        CHECK(fingerprint(p.device()) == fingerprint(whole.device()));

        // The failing checks in the learner's words, and the dead end's nudge.
        t = p.turn_status();
        CHECK_FALSE(t.playing);
        REQUIRE(t.plain.size() == 2);
        CHECK(t.plain[0] ==
              "Not yet: the admin SQ has 4 entries. Now AQA.ASQS is 0; it should be 3.");
        CHECK(t.plain[1] == "CSTS.RDY is 0; it should be 1.");
        CHECK(t.nudge.empty());
        REQUIRE(p.exec("reg write CC.EN 1").ok);
        REQUIRE(p.exec("run for 1000").ok);
        t = p.turn_status();
        CHECK(t.nudge == "The controller is in fatal status: clear CC.EN first.");
        REQUIRE(p.exec("reg write CC.EN 0").ok);
        CHECK(p.turn_status().nudge.empty());
        REQUIRE(p.solve().ok);
        t = p.turn_status();
        CHECK(t.done);
        CHECK(t.nudge.empty());
    }

    TEST_CASE("plain_failure: the check in the learner's words") {
        CHECK(plain_failure("expect failed: CQ 1 head: expected >= 2, actual 0", "") ==
              "CQ 1 head is 0; it should be at least 2.");
        CHECK(plain_failure("expect failed: there is no completion yet (nothing was reaped or run)",
                            "") == "There is no completion yet (nothing was reaped or run)");
        CHECK(plain_failure("expect failed: there is no completion yet", "a completion came") ==
              "Not yet: a completion came (there is no completion yet).");
    }

    TEST_CASE("going to a step that does not exist") {
        Player p(parsed(kLesson));
        const StepRun r = p.go_to(9);
        CHECK_FALSE(r.ok);
        CHECK(r.error == "rig.md: no step 10 (the lesson has 5 steps)");
    }

} // TEST_SUITE
