// Lesson files: front matter by hand (front_matter.cpp), everything else through md4c's
// callbacks. md4c reports no positions, but its text pointers point into our buffer, so lines
// are found from them: a fence's info string gives the fence line, heading text the heading line.
#include "player/lesson_parser.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <md4c.h>

#include "console/console.h"
#include "player/front_matter.h"
#include "player/lesson_device.h"
#include "player/lesson_text.h"

namespace nvmelab::lesson {

std::string Diagnostic::text() const {
    return line ? fmt::format("{}:{}: {}", file, line, message)
                : fmt::format("{}: {}", file, message);
}

const std::vector<std::string> &known_windows() {
    static const std::vector<std::string> names = {"registers", "queues",   "timeline",
                                                   "inspector", "console",  "composer",
                                                   "memory",    "controls", "lesson"};
    return names;
}

namespace {

using namespace text; // trim, split_words, code_of, comment_of, lower, valid_id

enum class BlockKind { Prose, Nvme, YourTurn, Solution, Hint, DeadEnd, Highlight };

struct Special {
    BlockKind kind = BlockKind::Prose;
    uint32_t fence_line = 0;
    std::string text;
};

constexpr std::string_view kBlockKinds = "nvme, your-turn, solution, hint, dead-end, highlight";
constexpr std::string_view kProseKinds = "text, c, sh, json, or none";

struct State {
    const char *base = nullptr; // the whole file
    size_t size = 0;
    std::vector<size_t> line_starts;
    std::string file;
    std::vector<Diagnostic> &errors;
    Lesson &lesson;
    uint32_t body_line = 1;

    Step *step = nullptr; // null: the introduction
    uint32_t last_line = 1;

    // prose being built
    ProseBlock cur;
    bool has_cur = false;
    int quote_depth = 0;
    struct List {
        bool ordered = false;
        uint32_t next = 1;
    };
    std::vector<List> lists;
    int strong = 0, em = 0, code_span = 0;
    std::string link;

    // heading being read
    bool in_heading = false;
    unsigned heading_level = 0;
    uint32_t heading_line = 0;
    std::string heading_text;
    bool seen_h1 = false;

    // fenced block being read
    bool in_code = false;
    Special special;

    // per step: line ranges of interpreted blocks, removed from the step's Markdown
    std::vector<std::pair<uint32_t, uint32_t>> hidden;
    std::set<std::string> step_titles;
    std::vector<std::pair<std::string, uint32_t>> titles_seen;

    State(std::vector<Diagnostic> &e, Lesson &l) : errors(e), lesson(l) {}

    void error(uint32_t line, std::string msg) { errors.push_back({file, line, std::move(msg)}); }

    uint32_t line_of(const char *p) const {
        if (p < base || p > base + size) return 0;
        const size_t off = static_cast<size_t>(p - base);
        const auto it = std::upper_bound(line_starts.begin(), line_starts.end(), off);
        return static_cast<uint32_t>(it - line_starts.begin());
    }
    void note(const char *p) {
        if (const uint32_t l = line_of(p)) last_line = l;
    }
    std::string_view source_line(uint32_t line) const {
        if (line == 0 || line > line_starts.size()) return {};
        const size_t start = line_starts[line - 1];
        const size_t end = line < line_starts.size() ? line_starts[line] : size;
        std::string_view s(base + start, end - start);
        if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
        return s;
    }

    std::vector<ProseBlock> &prose() { return step ? step->prose : lesson.intro; }

    void flush() {
        if (has_cur && (!cur.runs.empty() || cur.kind == ProseBlock::Kind::Rule ||
                        cur.kind == ProseBlock::Kind::Code))
            prose().push_back(std::move(cur));
        cur = ProseBlock{};
        has_cur = false;
    }
    void begin(ProseBlock::Kind kind) {
        flush();
        cur.kind = kind;
        has_cur = true;
    }
    void add_text(std::string_view t) {
        if (in_heading) heading_text += t;
        if (in_heading && heading_level == 2) return; // a step title, not prose
        if (!has_cur) begin(quote_depth ? ProseBlock::Kind::Quote : ProseBlock::Kind::Paragraph);
        if (cur.kind == ProseBlock::Kind::TableRow) {
            if (cur.runs.empty()) cur.runs.emplace_back();
            cur.runs.back().text += t;
            return;
        }
        const bool c = code_span > 0 || cur.kind == ProseBlock::Kind::Code;
        if (!cur.runs.empty()) {
            TextRun &r = cur.runs.back();
            if (r.code == c && r.strong == (strong > 0) && r.em == (em > 0) && r.link == link) {
                r.text += t;
                return;
            }
        }
        cur.runs.push_back(TextRun{std::string(t), c, strong > 0, em > 0, link});
    }

    // ---- steps ----------------------------------------------------------------------------

    void finish_step_markdown(uint32_t end_line) {
        // Lines after the heading up to end_line (exclusive), minus the interpreted blocks.
        if (!step) return;
        std::string md;
        for (uint32_t l = step->line + 1; l < end_line; ++l) {
            bool hide = false;
            for (const auto &[a, b] : hidden)
                hide = hide || (l >= a && l <= b);
            if (hide) continue;
            md += source_line(l);
            md += '\n';
        }
        // No blank lines at the ends.
        while (!md.empty() && (md.front() == '\n'))
            md.erase(0, 1);
        while (md.size() >= 2 && md[md.size() - 1] == '\n' && md[md.size() - 2] == '\n')
            md.pop_back();
        step->markdown = std::move(md);
        hidden.clear();
    }

    void check_step(const Step &s) {
        if (s.your_turn() && s.solution.empty())
            error(s.checks.fence_line,
                  fmt::format("step '{}': a your-turn block needs a ```solution block (the "
                              "reference solution the headless player runs)",
                              s.title));
        if (!s.solution.empty() && !s.your_turn())
            error(s.solution.fence_line,
                  fmt::format("step '{}': a ```solution block without a ```your-turn block "
                              "(the checks that say when the learner is done)",
                              s.title));
        if (!s.hints.empty() && !s.your_turn() && s.actions.empty())
            error(s.line,
                  fmt::format("step '{}': hints need something to do (a your-turn)", s.title));
        if (!s.dead_ends.empty() && !s.your_turn())
            error(
                s.dead_ends.front().line - 1,
                fmt::format("step '{}': a ```dead-end block belongs to a your-turn step", s.title));
    }

    void start_step(uint32_t line, std::string title) {
        finish_step_markdown(line);
        if (step) check_step(*step);
        title = std::string(trim(title));
        if (title.empty()) error(line, "a step heading ('## ...') needs a title");
        for (const auto &[t, l] : titles_seen)
            if (!title.empty() && t == title)
                error(line, fmt::format("duplicate step '{}' (also on line {})", title, l));
        titles_seen.emplace_back(title, line);
        lesson.steps.push_back(Step{});
        step = &lesson.steps.back();
        step->line = line;
        step->title = std::move(title);
    }

    // ---- interpreted blocks ---------------------------------------------------------------

    Script script_of(const Special &sp) {
        Script s;
        s.fence_line = sp.fence_line;
        uint32_t l = sp.fence_line + 1;
        size_t pos = 0;
        const std::string &t = sp.text;
        while (pos < t.size()) {
            size_t nl = t.find('\n', pos);
            if (nl == std::string::npos) nl = t.size();
            const std::string_view line(t.data() + pos, nl - pos);
            if (!code_of(line).empty()) {
                ScriptLine sl{l, std::string(trim(line)), std::string(comment_of(line)), false};
                // "# pause" or "# pause: what to look at" (a pause mark, not prose).
                const std::string head = lower(sl.note.substr(0, 5));
                if (head == "pause" && (sl.note.size() == 5 || sl.note[5] == ':')) {
                    sl.pause = true;
                    sl.note = std::string(trim(
                        std::string_view(sl.note).substr(std::min(sl.note.size(), size_t{6}))));
                }
                s.lines.push_back(std::move(sl));
            }
            ++l;
            pos = nl + 1;
        }
        return s;
    }

    void check_console_lines(const Script &s, bool checks_only) {
        for (const ScriptLine &l : s.lines) {
            const std::string_view code = code_of(l.text);
            if (checks_only) {
                const auto w = split_words(code);
                std::string first(w.empty() ? std::string_view() : w[0]);
                first = lower(first);
                if (first != "expect") {
                    error(l.line, fmt::format("a your-turn block holds only 'expect' lines (checks "
                                              "on the device state); '{}' changes or shows "
                                              "state, put it in the step's ```nvme block",
                                              code));
                    continue;
                }
            }
            bool is_player = false;
            std::string e = LessonDevice::player_line_error(code, is_player);
            if (!is_player) e = Console::syntax_error(code);
            if (!e.empty()) error(l.line, e);
        }
    }

    void end_special() {
        const Special sp = std::move(special);
        special = Special{};
        const Script s = script_of(sp);
        const uint32_t content_lines =
            static_cast<uint32_t>(std::count(sp.text.begin(), sp.text.end(), '\n'));
        const uint32_t close = sp.fence_line + content_lines + 1;
        // An unclosed fence runs to the end of the file (CommonMark): say so.
        // Container prefixes ('>' of a quote, a list item's indent) come before the fence.
        std::string_view closing = trim(source_line(close));
        while (!closing.empty() && (closing.front() == '>' || closing.front() == ' '))
            closing.remove_prefix(1);
        if (closing.size() < 3 || (closing.find_first_not_of('`') != std::string_view::npos &&
                                   closing.find_first_not_of('~') != std::string_view::npos))
            error(sp.fence_line, "this fenced block is never closed (a line of ``` ends it)");
        if (sp.kind != BlockKind::Nvme) hidden.emplace_back(sp.fence_line, close);
        if (!step) {
            error(sp.fence_line, "lesson blocks belong to steps: start a step ('## Title') "
                                 "before this block; the introduction is prose only");
            return;
        }
        Step &st = *step;
        switch (sp.kind) {
        case BlockKind::Nvme:
            if (st.your_turn())
                error(sp.fence_line,
                      fmt::format("step '{}': a ```nvme block after the your-turn block; a "
                                  "step's actions run before the learner's turn (move it to the "
                                  "next step)",
                                  st.title));
            if (s.empty()) error(sp.fence_line, "an empty ```nvme block");
            check_console_lines(s, false);
            st.actions.push_back(s);
            break;
        case BlockKind::YourTurn:
            if (st.your_turn()) {
                error(sp.fence_line,
                      fmt::format("step '{}' has a second your-turn block (first on line {}); "
                                  "one task per step",
                                  st.title, st.checks.fence_line));
                break;
            }
            if (s.empty())
                error(sp.fence_line, "an empty ```your-turn block: it needs the "
                                     "'expect' lines that tell when the task is done");
            check_console_lines(s, true);
            st.checks = s;
            if (st.checks.empty()) st.checks.fence_line = sp.fence_line;
            break;
        case BlockKind::Solution:
            if (!st.solution.empty()) {
                error(sp.fence_line,
                      fmt::format("step '{}' has a second ```solution block (first on line {})",
                                  st.title, st.solution.fence_line));
                break;
            }
            if (s.empty()) error(sp.fence_line, "an empty ```solution block");
            check_console_lines(s, false);
            st.solution = s;
            break;
        case BlockKind::Hint: {
            std::string text(trim(sp.text));
            while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
                text.pop_back();
            if (text.empty())
                error(sp.fence_line, "an empty ```hint block");
            else
                st.hints.push_back(std::move(text));
            break;
        }
        case BlockKind::DeadEnd: {
            // First line: the expect line that spots the dead end; the rest: the nudge.
            const std::string_view text = trim(sp.text);
            const size_t nl = text.find('\n');
            DeadEnd d;
            d.line = sp.fence_line + 1;
            d.check = std::string(code_of(text.substr(0, nl)));
            if (nl != std::string_view::npos) d.nudge = std::string(trim(text.substr(nl + 1)));
            while (!d.nudge.empty() && (d.nudge.back() == '\n' || d.nudge.back() == ' '))
                d.nudge.pop_back();
            if (d.check.rfind("expect ", 0) != 0 || d.nudge.empty()) {
                error(sp.fence_line, "a ```dead-end block is an 'expect' line that spots the "
                                     "dead end, then the nudge out of it on the next lines");
                break;
            }
            check_console_lines(Script{sp.fence_line, {{d.line, d.check, {}, false}}}, true);
            st.dead_ends.push_back(std::move(d));
            break;
        }
        case BlockKind::Highlight:
            if (s.empty()) error(sp.fence_line, "an empty ```highlight block");
            for (const ScriptLine &l : s.lines) {
                const auto w = split_words(code_of(l.text));
                Highlight h;
                h.line = l.line;
                h.window = std::string(w[0]);
                h.window = lower(h.window);
                const auto &names = known_windows();
                if (std::find(names.begin(), names.end(), h.window) == names.end()) {
                    std::string list;
                    for (const auto &n : names)
                        list += (list.empty() ? "" : " ") + n;
                    error(l.line,
                          fmt::format("highlight: unknown window '{}' (windows: {})", w[0], list));
                    continue;
                }
                for (size_t i = 1; i < w.size(); ++i) {
                    if (h.window == "registers" && !Console::is_register(w[i]))
                        error(l.line, fmt::format("highlight: '{}' is not a register or field "
                                                  "(e.g. CC.EN, CSTS.RDY, AQA)",
                                                  w[i]));
                    h.fields.emplace_back(w[i]);
                }
                st.highlights.push_back(std::move(h));
            }
            break;
        case BlockKind::Prose:
            break;
        }
    }
};

// ---- md4c callbacks ---------------------------------------------------------------------

int enter_block(MD_BLOCKTYPE type, void *detail, void *user) {
    State &s = *static_cast<State *>(user);
    switch (type) {
    case MD_BLOCK_QUOTE:
        s.flush();
        ++s.quote_depth;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL: {
        s.flush();
        State::List l;
        l.ordered = type == MD_BLOCK_OL;
        if (l.ordered) l.next = static_cast<MD_BLOCK_OL_DETAIL *>(detail)->start;
        s.lists.push_back(l);
        break;
    }
    case MD_BLOCK_LI: {
        s.begin(ProseBlock::Kind::ListItem);
        State::List &l = s.lists.back();
        s.cur.level = static_cast<uint8_t>(std::min<size_t>(s.lists.size(), 255));
        s.cur.ordered = l.ordered;
        s.cur.number = l.ordered ? l.next++ : 0;
        break;
    }
    case MD_BLOCK_HR:
        s.begin(ProseBlock::Kind::Rule);
        s.flush();
        break;
    case MD_BLOCK_H: {
        const unsigned level = static_cast<MD_BLOCK_H_DETAIL *>(detail)->level;
        s.in_heading = true;
        s.heading_level = level;
        s.heading_line = 0;
        s.heading_text.clear();
        if (level == 2) {
            s.flush(); // the heading is the step's title, not prose
        } else {
            s.begin(ProseBlock::Kind::Heading);
            s.cur.level = static_cast<uint8_t>(level);
        }
        break;
    }
    case MD_BLOCK_CODE: {
        s.flush();
        const auto *d = static_cast<MD_BLOCK_CODE_DETAIL *>(detail);
        const std::string info(d->info.text ? std::string_view(d->info.text, d->info.size)
                                            : std::string_view());
        const uint32_t fence = d->info.size ? s.line_of(d->info.text) : s.last_line + 1;
        const auto words = split_words(info);
        const std::string kind = words.empty() ? std::string() : std::string(words[0]);
        BlockKind k = BlockKind::Prose;
        if (kind == "nvme")
            k = BlockKind::Nvme;
        else if (kind == "your-turn")
            k = BlockKind::YourTurn;
        else if (kind == "solution")
            k = BlockKind::Solution;
        else if (kind == "hint")
            k = BlockKind::Hint;
        else if (kind == "dead-end")
            k = BlockKind::DeadEnd;
        else if (kind == "highlight")
            k = BlockKind::Highlight;
        else if (!(kind.empty() || kind == "text" || kind == "c" || kind == "sh" || kind == "json"))
            s.error(fence,
                    fmt::format("unknown block kind '{}' after the fence (lesson blocks: {}; "
                                "prose code: {})",
                                kind, kBlockKinds, kProseKinds));
        if (k != BlockKind::Prose && words.size() > 1)
            s.error(fence, fmt::format("unexpected '{}' after '```{}'", words[1], kind));
        if (k != BlockKind::Prose && d->fence_char == 0)
            s.error(fence, "lesson blocks must be fenced (```), not indented");
        s.in_code = true;
        s.special = Special{k, fence, {}};
        if (k == BlockKind::Prose || k == BlockKind::Nvme) {
            s.begin(ProseBlock::Kind::Code);
            s.cur.info = kind;
        }
        break;
    }
    case MD_BLOCK_P:
        if (s.has_cur && s.cur.kind == ProseBlock::Kind::ListItem && s.cur.runs.empty()) break;
        s.begin(s.quote_depth ? ProseBlock::Kind::Quote : ProseBlock::Kind::Paragraph);
        break;
    case MD_BLOCK_TABLE:
    case MD_BLOCK_THEAD:
    case MD_BLOCK_TBODY:
        s.flush();
        break;
    case MD_BLOCK_TR:
        s.begin(ProseBlock::Kind::TableRow);
        break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
        s.cur.runs.emplace_back();
        s.cur.runs.back().strong = type == MD_BLOCK_TH;
        break;
    default:
        break;
    }
    return 0;
}

int leave_block(MD_BLOCKTYPE type, void *detail, void *user) {
    State &s = *static_cast<State *>(user);
    switch (type) {
    case MD_BLOCK_QUOTE:
        s.flush();
        --s.quote_depth;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        s.flush();
        s.lists.pop_back();
        break;
    case MD_BLOCK_H: {
        s.in_heading = false;
        const unsigned level = static_cast<MD_BLOCK_H_DETAIL *>(detail)->level;
        const uint32_t line = s.heading_line ? s.heading_line : s.last_line;
        if (level == 2) {
            s.start_step(line, s.heading_text);
        } else if (level == 1) {
            if (s.step || s.seen_h1)
                s.error(line, "only one '# title' heading, before the first step; steps are "
                              "'## Title' headings and sections inside them '###'");
            s.seen_h1 = true;
            s.cur = ProseBlock{}; // the front end shows the lesson's title itself
            s.has_cur = false;
        } else {
            s.flush();
        }
        break;
    }
    case MD_BLOCK_CODE:
        s.in_code = false;
        if (s.special.kind == BlockKind::Prose || s.special.kind == BlockKind::Nvme) {
            // Code blocks keep their text without the final newline.
            if (!s.cur.runs.empty() && !s.cur.runs.back().text.empty() &&
                s.cur.runs.back().text.back() == '\n')
                s.cur.runs.back().text.pop_back();
            s.flush();
        } else {
            s.has_cur = false;
            s.cur = ProseBlock{};
        }
        if (s.special.kind != BlockKind::Prose) s.end_special();
        s.special = Special{};
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_LI:
    case MD_BLOCK_TR:
        s.flush();
        break;
    default:
        break;
    }
    return 0;
}

int enter_span(MD_SPANTYPE type, void *detail, void *user) {
    State &s = *static_cast<State *>(user);
    if (type == MD_SPAN_STRONG) ++s.strong;
    if (type == MD_SPAN_EM) ++s.em;
    if (type == MD_SPAN_CODE) ++s.code_span;
    if (type == MD_SPAN_A) {
        const auto *d = static_cast<MD_SPAN_A_DETAIL *>(detail);
        s.link.assign(d->href.text ? d->href.text : "", d->href.size);
    }
    return 0;
}

int leave_span(MD_SPANTYPE type, void *, void *user) {
    State &s = *static_cast<State *>(user);
    if (type == MD_SPAN_STRONG) --s.strong;
    if (type == MD_SPAN_EM) --s.em;
    if (type == MD_SPAN_CODE) --s.code_span;
    if (type == MD_SPAN_A) s.link.clear();
    return 0;
}

std::string entity(std::string_view e) {
    if (e == "&amp;") return "&";
    if (e == "&lt;") return "<";
    if (e == "&gt;") return ">";
    if (e == "&quot;") return "\"";
    if (e == "&apos;") return "'";
    if (e == "&nbsp;") return " ";
    if (e == "&sect;") return "\u00a7";
    return std::string(e);
}

int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user) {
    State &s = *static_cast<State *>(user);
    s.note(text);
    if (s.in_heading && !s.heading_line) s.heading_line = s.line_of(text);
    const std::string_view t(text, size);
    if (s.in_code) {
        s.special.text += t;
        if (s.has_cur) s.add_text(t);
        return 0;
    }
    switch (type) {
    case MD_TEXT_SOFTBR:
        s.add_text(" ");
        break;
    case MD_TEXT_BR:
        s.add_text("\n");
        break;
    case MD_TEXT_NULLCHAR:
        s.add_text("\uFFFD");
        break;
    case MD_TEXT_ENTITY:
        s.add_text(entity(t));
        break;
    default:
        s.add_text(t);
        break;
    }
    return 0;
}

void read_front(State &st, const FrontMatter &fm) {
    Lesson &l = st.lesson;
    bool have_id = false, have_title = false, have_summary = false;
    for (const FrontMatterEntry &e : fm.entries) {
        if (e.key == "id") {
            have_id = true;
            if (!valid_id(e.value))
                st.error(e.line, fmt::format("id '{}': use lower-case letters, digits and '-' "
                                             "(it appears in links: ?lesson=ID)",
                                             e.value));
            l.id = e.value;
        } else if (e.key == "title") {
            have_title = !e.value.empty();
            if (!have_title) st.error(e.line, "title is empty");
            l.title = e.value;
        } else if (e.key == "summary") {
            have_summary = !e.value.empty();
            if (!have_summary) st.error(e.line, "summary is empty");
            l.summary = e.value;
        } else if (e.key == "prerequisites") {
            for (std::string_view w : split_words(e.value)) {
                if (!w.empty() && w.back() == ',') w.remove_suffix(1);
                if (w.empty()) continue;
                if (!valid_id(w))
                    st.error(e.line, fmt::format("prerequisites: '{}' is not a lesson id", w));
                l.prerequisites.emplace_back(w);
            }
        } else if (e.key == "device") {
            DevicePropertySetter properties(l.device);
            for (std::string_view w : split_words(e.value)) {
                const size_t eq = w.find('=');
                if (eq == std::string_view::npos || eq == 0) {
                    st.error(e.line, fmt::format("device: expected NAME=VALUE, got '{}' (names "
                                                 "as in 'nvmelab create --property')",
                                                 w));
                    continue;
                }
                const std::string name(w.substr(0, eq)), value(w.substr(eq + 1));
                try {
                    properties.set(name, value);
                    l.device_properties.emplace_back(name, value);
                } catch (const ConfigError &err) {
                    st.error(e.line, fmt::format("device: {}", err.what()));
                }
            }
            try {
                l.device.validate();
            } catch (const ConfigError &err) {
                st.error(e.line, fmt::format("device: {}", err.what()));
            }
        } else {
            st.error(e.line, fmt::format("unknown front-matter key '{}' (keys: id, title, "
                                         "summary, prerequisites, device)",
                                         e.key));
        }
    }
    if (fm.closed) {
        if (!have_id) st.error(1, "front matter: 'id' is missing");
        if (!have_title) st.error(1, "front matter: 'title' is missing");
        if (!have_summary) st.error(1, "front matter: 'summary' is missing");
    }
}

} // namespace

ParseResult parse_lesson(std::string_view text, const std::string &file) {
    ParseResult r;
    r.lesson.file = file;
    State st(r.errors, r.lesson);
    st.file = file;
    st.base = text.data();
    st.size = text.size();
    st.line_starts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n' && i + 1 < text.size()) st.line_starts.push_back(i + 1);

    if (text.find('\0') != std::string_view::npos) {
        st.error(0, "the file contains NUL bytes: a lesson is a UTF-8 Markdown text file");
        return r;
    }
    for (size_t i = 0; i < st.line_starts.size(); ++i) {
        const size_t start = st.line_starts[i];
        const size_t end = i + 1 < st.line_starts.size() ? st.line_starts[i + 1] : text.size();
        if (const std::string e = Console::utf8_error(text.substr(start, end - start));
            !e.empty()) {
            st.error(static_cast<uint32_t>(i + 1), e + ": a lesson is a UTF-8 Markdown text file");
            return r;
        }
    }
    const FrontMatter fm = read_front_matter(text, file, r.errors);
    // Without its closing line, the rest of the file was read as front matter: nothing more
    // can be said about it.
    if (!fm.closed && fm.body_offset > 0) return r;
    read_front(st, fm);
    st.body_line = fm.body_line;
    st.last_line = fm.body_line;

    MD_PARSER parser{};
    parser.abi_version = 0;
    // Tables as on code hosts; no raw HTML (it would be shown as text by every front end).
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = enter_span;
    parser.leave_span = leave_span;
    parser.text = text_cb;
    const std::string_view body = text.substr(std::min(fm.body_offset, text.size()));
    if (md_parse(body.data(), static_cast<MD_SIZE>(body.size()), &parser, &st) != 0)
        st.error(0, "the Markdown parser (md4c) gave up on this file");
    st.flush();
    st.finish_step_markdown(static_cast<uint32_t>(st.line_starts.size()) + 1);
    if (st.step) st.check_step(*st.step);
    if (r.lesson.steps.empty())
        st.error(st.body_line, "no steps: each step is a '## Title' section");
    // The introduction's Markdown: the body up to the first step.
    const uint32_t intro_end = r.lesson.steps.empty()
                                   ? static_cast<uint32_t>(st.line_starts.size()) + 1
                                   : r.lesson.steps.front().line;
    for (uint32_t l = fm.body_line; l < intro_end; ++l) {
        const std::string_view line = st.source_line(l);
        if (trim(line).rfind("# ", 0) == 0) continue; // the H1 title
        r.lesson.intro_markdown += line;
        r.lesson.intro_markdown += '\n';
    }
    std::stable_sort(r.errors.begin(), r.errors.end(),
                     [](const Diagnostic &a, const Diagnostic &b) { return a.line < b.line; });
    return r;
}

namespace {
// A lesson file that cannot be parsed at all: one error naming the file.
ParseResult file_error(const std::string &path, std::string message) {
    ParseResult r;
    r.lesson.file = path;
    r.errors.push_back({path, 0, std::move(message)});
    return r;
}
} // namespace

ParseResult load_lesson(const std::string &path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        return file_error(path, "is a folder, not a lesson file ('lesson check' takes folders)");
    std::ifstream in(path, std::ios::binary);
    if (!in) return file_error(path, "cannot open the lesson file");
    // Bounded before parsing: a lesson is a few pages of prose (those in lessons/ are under
    // 10 KiB), and `lesson run /dev/zero` must not read without end.
    constexpr size_t kMaxLessonBytes = size_t{4} << 20;
    std::string text;
    char chunk[65536];
    while (text.size() <= kMaxLessonBytes && in.read(chunk, sizeof chunk).gcount() > 0)
        text.append(chunk, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxLessonBytes)
        return file_error(path, fmt::format("the lesson file is larger than {} MiB, the most a "
                                            "lesson may be; it was not parsed",
                                            kMaxLessonBytes >> 20));
    return parse_lesson(text, path);
}

} // namespace nvmelab::lesson
