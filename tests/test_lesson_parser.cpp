// Lesson files: the parser's model of a good lesson, and one malformed case per rule, each with
// the file:line the error must point at.
#include <string>
#include <string_view>

#include "doctest/doctest.h"
#include "player/lesson_parser.h"

using namespace nvmelab;
using namespace nvmelab::lesson;

namespace {

const char *const kGood = R"(---
id: demo
title: A demo lesson
summary: Enough of everything to check the parser.
prerequisites: bring-up, identify
device: size=64M mdts=4
---

# A demo lesson

Intro with `code` and **strong** text.

## First step

Some prose.

- item one
- item two

```nvme
enable
expect reg CSTS.RDY == 1   # a comment
```

```highlight
registers CC.EN CSTS.RDY
timeline
```

## Second step

```nvme
mem alloc buf 4K
```

```your-turn
expect mem $buf u8 == 0x5a
```

```hint
Fill it.
```

```solution
mem fill $buf 0x5a 4096
```
)";

// Parses text that must fail with exactly one error at `line` containing `needle`.
void one_error(const std::string &text, uint32_t line, std::string_view needle) {
    const ParseResult r = parse_lesson(text, "bad.md");
    INFO("text:\n", text);
    REQUIRE(r.errors.size() >= 1);
    std::string all;
    for (const Diagnostic &d : r.errors)
        all += d.text() + "\n";
    INFO("errors:\n", all);
    CHECK(r.errors.size() == 1);
    CHECK(r.errors[0].line == line);
    CHECK(r.errors[0].file == "bad.md");
    CHECK(r.errors[0].message.find(needle) != std::string::npos);
    CHECK(r.errors[0].text().rfind("bad.md:" + std::to_string(line) + ": ", 0) == 0);
}

// A valid lesson with `body` as its only step's content (the heading is on line 6).
std::string with_step(const std::string &body) {
    return "---\nid: x\ntitle: X\nsummary: S\n---\n## Step\n" + body;
}

} // namespace

TEST_SUITE("lesson-parser") {

    TEST_CASE("a good lesson: front matter, steps, blocks and their lines") {
        const ParseResult r = parse_lesson(kGood, "demo.md");
        for (const Diagnostic &d : r.errors)
            INFO(d.text());
        REQUIRE(r.ok());
        const Lesson &l = r.lesson;
        CHECK(l.id == "demo");
        CHECK(l.title == "A demo lesson");
        CHECK(l.prerequisites == std::vector<std::string>{"bring-up", "identify"});
        CHECK(l.device.size == (64u << 20));
        CHECK(l.device.mdts == 4);
        REQUIRE(l.steps.size() == 2);

        const Step &s1 = l.steps[0];
        CHECK(s1.title == "First step");
        CHECK(s1.line == 13);
        CHECK_FALSE(s1.your_turn());
        REQUIRE(s1.actions.size() == 1);
        REQUIRE(s1.actions[0].lines.size() == 2);
        CHECK(s1.actions[0].fence_line == 20);
        CHECK(s1.actions[0].lines[0].line == 21);
        CHECK(s1.actions[0].lines[0].text == "enable");
        CHECK(s1.actions[0].lines[1].line == 22);
        REQUIRE(s1.highlights.size() == 2);
        CHECK(s1.highlights[0].window == "registers");
        CHECK(s1.highlights[0].fields == std::vector<std::string>{"CC.EN", "CSTS.RDY"});
        CHECK(s1.highlights[1].window == "timeline");
        CHECK(s1.highlights[1].line == 27);
        // Prose blocks: a paragraph, two list items, the nvme code block.
        REQUIRE(s1.prose.size() == 4);
        CHECK(s1.prose[0].kind == ProseBlock::Kind::Paragraph);
        CHECK(s1.prose[1].kind == ProseBlock::Kind::ListItem);
        CHECK(s1.prose[1].runs[0].text == "item one");
        CHECK(s1.prose[3].kind == ProseBlock::Kind::Code);
        CHECK(s1.prose[3].info == "nvme");
        CHECK(s1.prose[3].runs[0].text == "enable\nexpect reg CSTS.RDY == 1   # a comment");
        // The step's Markdown keeps the nvme block, drops the highlight block.
        CHECK(s1.markdown.find("```nvme") != std::string::npos);
        CHECK(s1.markdown.find("highlight") == std::string::npos);
        CHECK(s1.markdown.find("timeline") == std::string::npos);

        const Step &s2 = l.steps[1];
        CHECK(s2.your_turn());
        CHECK(s2.checks.lines[0].text == "expect mem $buf u8 == 0x5a");
        CHECK(s2.checks.lines[0].line == 37);
        CHECK(s2.solution.lines[0].text == "mem fill $buf 0x5a 4096");
        CHECK(s2.hints == std::vector<std::string>{"Fill it."});
        // The solution and the checks are hidden from the learner's Markdown.
        CHECK(s2.markdown.find("0x5a") == std::string::npos);
        CHECK(s2.markdown.find("Fill it") == std::string::npos);

        // The introduction: prose before the first step, without the H1.
        REQUIRE_FALSE(l.intro.empty());
        const ProseBlock &intro = l.intro[0];
        REQUIRE(intro.runs.size() >= 3);
        CHECK(intro.runs[0].text == "Intro with ");
        CHECK(intro.runs[1].code);
        CHECK(intro.runs[1].text == "code");
        CHECK(intro.runs[3].strong);
        CHECK(l.intro_markdown.find("# A demo lesson") == std::string::npos);
        CHECK(l.intro_markdown.find("Intro with") != std::string::npos);
    }

    TEST_CASE("front matter errors") {
        one_error("# no front matter\n## S\n```nvme\nenable\n```\n", 1, "front matter");
        one_error("---\nid: x\ntitle: X\nsummary: S\nauthor: me\n---\n## S\n", 5,
                  "unknown front-matter key 'author'");
        one_error("---\ntitle: X\nsummary: S\n---\n## S\n", 1, "'id' is missing");
        one_error("---\nid: Bad_Id\ntitle: X\nsummary: S\n---\n## S\n", 2, "lower-case");
        one_error("---\nid: x\ntitle: X\nsummary: S\ndevice: size=64M colour=red\n---\n## S\n", 5,
                  "colour");
        one_error("---\nid: x\ntitle: X\nsummary: S\ndevice: lbads=20\n---\n## S\n", 5, "lbads");
        one_error("---\nid: x\ntitle: X\nsummary: S\ndevice: size\n---\n## S\n", 5, "NAME=VALUE");
        one_error("---\nid: x\ntitle: X\nsummary: S\ndevice: mdts=5 mdts=1\n---\n## S\n", 5,
                  "'mdts' is given more than once");
        // Not UTF-8 (a Latin-1 title): named with its line and column, before any parsing.
        one_error("---\nid: x\ntitle: Caf\xE9\nsummary: S\n---\n## S\n", 3,
                  "byte 0xE9 at column 11 is not UTF-8: a lesson is a UTF-8 Markdown text file");
        one_error("---\nid: x\nid: y\ntitle: X\nsummary: S\n---\n## S\n", 3, "given twice");
        one_error("---\nid: x\ntitle: X\nsummary: S\nnot a key\n---\n## S\n", 5, "key: value");
        one_error("---\nid: x\ntitle: X\nsummary: S\n## S\n", 1, "never closed");
    }

    TEST_CASE("step structure errors") {
        one_error("---\nid: x\ntitle: X\nsummary: S\n---\nJust prose.\n", 6, "no steps");
        one_error(with_step("text\n## Step\n"), 8, "duplicate step 'Step' (also on line 6)");
        one_error("---\nid: x\ntitle: X\nsummary: S\n---\n```nvme\nenable\n```\n## S\n", 6,
                  "belong to steps");
        one_error(with_step("```your-turn\nexpect reg CSTS.RDY == 1\n```\n"), 7,
                  "needs a ```solution");
        one_error(with_step("```solution\nenable\n```\n"), 7, "without a ```your-turn");
        one_error(
            with_step("```your-turn\nexpect reg CSTS.RDY == 1\n```\n```solution\nenable\n```\n"
                      "```nvme\nenable\n```\n"),
            13, "after the your-turn");
        one_error(with_step("```your-turn\nexpect reg CSTS.RDY == 1\nenable\n```\n```solution\n"
                            "enable\n```\n"),
                  9, "only 'expect' lines");
        one_error(with_step("```soluton\nenable\n```\n"), 7, "unknown block kind 'soluton'");
        one_error(with_step("```nvme fast\nenable\n```\n"), 7, "unexpected 'fast'");
        one_error(with_step("text\n\n```nvme\nenable\n"), 9, "never closed");
        one_error(with_step("```nvme\n```\n"), 7, "empty ```nvme");
        one_error(with_step("```hint\n\n```\n"), 7, "empty ```hint");
        one_error(with_step("# Another title\n"), 7, "only one '# title'");
    }

    TEST_CASE("console lines are checked without running them") {
        one_error(with_step("```nvme\nenable\nmem alocate buf 4K\n```\n"), 9,
                  "unknown form 'mem alocate'");
        one_error(with_step("```nvme\nenable\n\nfrobnicate 3\n```\n"), 10,
                  "unknown command 'frobnicate'");
        one_error(with_step("```nvme\nreg read CC.ENABLE\n```\n"), 8, "no field 'ENABLE'");
        one_error(with_step("```nvme\nexpect reg FOO == 1\n```\n"), 8, "unknown register 'FOO'");
        one_error(with_step("```nvme\necho \"open\n```\n"), 8, "unterminated string");
        one_error(with_step("```nvme\npower-cycle now\n```\n"), 8, "power-cycle needs");
        // Values are only known at run time, so a $variable is fine here.
        CHECK(parse_lesson(with_step("```nvme\nmem dump $nowhere 16\npower-cycle cut\n```\n"), "x")
                  .ok());
    }

    TEST_CASE("lesson blocks inside a quote or a list item, and tilde fences") {
        const ParseResult r = parse_lesson(
            with_step("Text\n\n> ```hint\n> quoted hint\n> ```\n\n- item\n\n  ```highlight\n"
                      "  registers CC.EN\n  ```\n\n~~~nvme\nenable\n~~~\n"),
            "x.md");
        for (const Diagnostic &d : r.errors)
            INFO(d.text());
        REQUIRE(r.ok());
        const Step &s = r.lesson.steps.at(0);
        CHECK(s.hints == std::vector<std::string>{"quoted hint"});
        REQUIRE(s.highlights.size() == 1);
        CHECK(s.highlights[0].line == 16);
        REQUIRE(s.actions.size() == 1);
        CHECK(s.actions[0].lines.at(0).line == 20);
    }

    TEST_CASE("highlight errors") {
        one_error(with_step("```highlight\nregisters CC.EN\nwindow-of-doom\n```\n"), 9,
                  "unknown window 'window-of-doom'");
        one_error(with_step("```highlight\nregisters CC.XX\n```\n"), 8,
                  "'CC.XX' is not a register");
    }

    TEST_CASE("pause marks, check notes and dead ends") {
        const ParseResult r = parse_lesson(
            with_step("```nvme\nreg write CC.EN 1  # pause: CSTS.CFS is 1 now\nrun # pause\n"
                      "reg read CC # a note, no pause\n```\n"
                      "```your-turn\nexpect reg CSTS.RDY == 1 # the controller is ready\n```\n"
                      "```solution\nenable\n```\n"
                      "```dead-end\nexpect reg CSTS.CFS == 1\nClear CC.EN first.\n"
                      "Then set it again.\n```\n"),
            "ok.md");
        for (const Diagnostic &d : r.errors)
            INFO(d.text());
        REQUIRE(r.ok());
        const Step &st = r.lesson.steps.at(0);
        const auto &lines = st.actions.at(0).lines;
        REQUIRE(lines.size() == 3);
        CHECK(lines[0].pause);
        CHECK(lines[0].note == "CSTS.CFS is 1 now");
        CHECK(lines[0].text == "reg write CC.EN 1  # pause: CSTS.CFS is 1 now");
        CHECK(lines[1].pause);
        CHECK(lines[1].note.empty());
        CHECK_FALSE(lines[2].pause);
        CHECK(lines[2].note == "a note, no pause");
        CHECK(st.checks.lines.at(0).note == "the controller is ready");
        REQUIRE(st.dead_ends.size() == 1);
        CHECK(st.dead_ends[0].check == "expect reg CSTS.CFS == 1");
        CHECK(st.dead_ends[0].nudge == "Clear CC.EN first.\nThen set it again.");
        CHECK(st.dead_ends[0].line == 19);
        // The dead-end block is hidden from the prose, as hints are.
        CHECK(st.markdown.find("Clear CC.EN") == std::string::npos);
    }

    TEST_CASE("dead-end errors") {
        const std::string task = "```your-turn\nexpect reg CSTS.RDY == 1\n```\n"
                                 "```solution\nenable\n```\n";
        one_error(with_step(task + "```dead-end\nreg write CC.EN 0\nClear it.\n```\n"), 13,
                  "a ```dead-end block is an 'expect' line");
        one_error(with_step(task + "```dead-end\nexpect reg CSTS.CFS == 1\n```\n"), 13,
                  "a ```dead-end block is an 'expect' line");
        one_error(with_step(task + "```dead-end\nexpect reg CSTS.XYZ == 1\nWhy.\n```\n"), 14,
                  "XYZ");
        one_error(with_step("```nvme\nenable\n```\n```dead-end\nexpect reg CSTS.CFS == "
                            "1\nWhy.\n```\n"),
                  10, "belongs to a your-turn step");
    }

    TEST_CASE("unreadable files and binary content") {
        const ParseResult missing = load_lesson("/nonexistent/lesson.md");
        REQUIRE(missing.errors.size() == 1);
        CHECK(missing.errors[0].text() == "/nonexistent/lesson.md: cannot open the lesson file");
        const std::string nul = std::string("---\nid: x\n") + '\0' + "\n---\n";
        const ParseResult r = parse_lesson(nul, "nul.md");
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message.find("NUL") != std::string::npos);
    }

} // TEST_SUITE
