#pragma once
// The lesson file model: what a lesson in lessons/*.md says, after parsing (lesson_parser.h).
// A lesson is a Markdown file: a front-matter block (id, title, summary, prerequisites, device
// properties), an introduction, then one `##` section per step. A step's fenced blocks say what
// the player does (see lessons/README.md for the format):
//   ```nvme       console lines the player runs when the step starts; `expect` lines are checks
//   ```your-turn  `expect` lines on the device state that tell when the learner's task is done
//   ```solution   the reference solution of the your-turn (hidden from the learner)
//   ```hint       one hint, shown on request (several: each leads closer to the answer)
//   ```dead-end   an expect line that spots a known dead end, then the nudge out of it
//   ```highlight  windows and fields the front end should highlight, one window a line
#include <cstdint>
#include <string>
#include <vector>

#include "core/controller/device_config.h"

namespace nvmelab::lesson {

// One problem in a lesson file, located by line (1-based; 0 when it concerns the whole file).
struct Diagnostic {
    std::string file;
    uint32_t line = 0;
    std::string message;
    // "FILE:LINE: message" (or "FILE: message" without a line).
    std::string text() const;
};

// A line of a fenced block, with its line number in the lesson file.
struct ScriptLine {
    uint32_t line = 0;
    std::string text;
    // The line's trailing comment ("# ..."), which the console ignores. In a your-turn block it
    // is the check in the learner's words; in an nvme block "# pause" or "# pause: text" makes
    // line-by-line play stop after this line (and show the text).
    std::string note;
    bool pause = false;
};

// A fenced block's lines (its first content line is the line after the opening fence).
struct Script {
    uint32_t fence_line = 0;
    std::vector<ScriptLine> lines;
    bool empty() const { return lines.empty(); }
};

// Something for the front end to highlight: a window and, optionally, fields in it
// (e.g. window "registers", fields {"CC.EN", "CSTS.RDY"}).
struct Highlight {
    uint32_t line = 0;
    std::string window;
    std::vector<std::string> fields;
};

// Prose for a front end to render without a Markdown library: blocks of runs of text.
// A known dead end of a your-turn: when `check` (an expect line) passes while the task is not
// done, the front end shows `nudge`, the way out (e.g. CSTS.CFS = 1: clear CC.EN first).
struct DeadEnd {
    uint32_t line = 0;
    std::string check;
    std::string nudge;
};

struct TextRun {
    std::string text;
    bool code = false;   // `inline code`
    bool strong = false; // **strong**
    bool em = false;     // *emphasis*
    std::string link;    // target of a [link](...), empty if none
};

struct ProseBlock {
    enum class Kind : uint8_t { Paragraph, Heading, ListItem, Code, Quote, Rule, TableRow };
    Kind kind = Kind::Paragraph;
    uint8_t level = 0;         // Heading: 1..6; ListItem: nesting depth (1 = top level)
    bool ordered = false;      // ListItem: part of a numbered list
    uint32_t number = 0;       // ListItem of an ordered list: its number
    std::string info;          // Code: the info string ("nvme" for the step's console lines)
    std::vector<TextRun> runs; // Code: one run with the code; TableRow: one run per cell
};

struct Step {
    uint32_t line = 0; // line of the step's `##` heading
    std::string title; // heading text
    // The step's prose as Markdown (the source lines of the section minus the heading and the
    // blocks the player interprets itself: your-turn, solution, hint, highlight; the nvme action
    // blocks stay, so the learner sees the commands that run) and as blocks.
    std::string markdown;
    std::vector<ProseBlock> prose;
    std::vector<Script> actions;    // ```nvme blocks, in order
    Script checks;                  // ```your-turn block (expect lines); empty if none
    Script solution;                // ```solution block
    std::vector<std::string> hints; // graduated: each says a little more than the one before
    std::vector<DeadEnd> dead_ends; // ```dead-end blocks
    std::vector<Highlight> highlights;

    bool your_turn() const { return !checks.empty(); }
};

struct Lesson {
    std::string file; // as given to the parser, for messages
    std::string id;
    std::string title;
    std::string summary;
    std::vector<std::string> prerequisites; // lesson ids
    DeviceConfig device;                    // defaults + the front matter's `device:` properties
    std::vector<std::pair<std::string, std::string>> device_properties; // as written
    std::string intro_markdown; // prose before the first step
    std::vector<ProseBlock> intro;
    std::vector<Step> steps;
};

} // namespace nvmelab::lesson
