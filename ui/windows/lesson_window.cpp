// The lesson window (course index and lesson player) and the highlight frames of other windows.
#include "ui/windows/lesson_window.h"

#include <algorithm>

#include <fmt/format.h>

#include "imgui_internal.h" // FindWindowByName: where a highlighted window is
#include "ui/model/session.h"
#include "ui/windows/layout_probe.h"

namespace nvmelab::ui {

namespace {

const ImVec4 kHeading{0.55f, 0.80f, 1.00f, 1.0f};
const ImVec4 kCode{1.00f, 0.78f, 0.45f, 1.0f};
const ImVec4 kStrong{1.00f, 1.00f, 1.00f, 1.0f};
const ImVec4 kEm{0.80f, 0.90f, 0.75f, 1.0f};
const ImVec4 kLink{0.45f, 0.70f, 1.00f, 1.0f};
const ImVec4 kDone{0.40f, 0.85f, 0.45f, 1.0f};
const ImVec4 kWait{1.00f, 0.80f, 0.30f, 1.0f};
const ImVec4 kError{1.00f, 0.45f, 0.40f, 1.0f};
constexpr ImU32 kFrame = IM_COL32(255, 200, 40, 255);

// Coloured text that wraps at the window's edge (TextColored does not wrap).
void wrapped(const ImVec4 &colour, const std::string &text) {
    ImGui::PushStyleColor(ImGuiCol_Text, colour);
    ImGui::TextWrapped("%s", text.c_str());
    ImGui::PopStyleColor();
}

// Writes text word by word so runs of different styles wrap as one paragraph (ImGui wraps a
// single TextWrapped call only). Returns the link clicked, if any.
class Flow {
public:
    explicit Flow(float indent) : left_(ImGui::GetCursorPosX() + indent) {
        ImGui::SetCursorPosX(left_);
    }
    std::string clicked;

    void run(const lesson::TextRun &r) {
        const ImVec4 colour = !r.link.empty() ? kLink
                              : r.code        ? kCode
                              : r.strong      ? kStrong
                              : r.em          ? kEm
                                              : ImGui::GetStyleColorVec4(ImGuiCol_Text);
        size_t i = 0;
        const std::string &t = r.text;
        while (i < t.size()) {
            size_t j = i;
            while (j < t.size() && t[j] != ' ' && t[j] != '\n')
                ++j;
            if (j > i) word(t.substr(i, j - i), colour, r);
            pending_space_ = pending_space_ || (j < t.size());
            i = j + 1;
        }
    }
    // The last word's item already moved the cursor to the next line.
    void end() const {}

private:
    void word(const std::string &w, const ImVec4 &colour, const lesson::TextRun &r) {
        const float width = ImGui::CalcTextSize(w.c_str()).x;
        const float space = ImGui::CalcTextSize(" ").x;
        const float right = ImGui::GetWindowContentRegionMax().x;
        if (started_) {
            ImGui::SameLine(0, pending_space_ ? space : 0);
            if (ImGui::GetCursorPosX() + width > right) {
                ImGui::NewLine();
                ImGui::SetCursorPosX(left_);
            }
        }
        // Inline code sits on a faint chip drawn behind it; consecutive code words on one line
        // share one chip (a frame around each word made a lone "=" look like a missing glyph).
        if (r.code) {
            ImVec2 a = ImGui::GetCursorScreenPos();
            const bool joins = prev_code_ && a.y == prev_code_y_;
            if (joins) a.x = prev_code_end_;
            const ImVec2 b{ImGui::GetCursorScreenPos().x + width, a.y + ImGui::GetTextLineHeight()};
            ImGui::GetWindowDrawList()->AddRectFilled(a, b, IM_COL32(255, 200, 120, 28));
            prev_code_end_ = b.x;
            prev_code_y_ = a.y;
        }
        prev_code_ = r.code;
        started_ = true;
        pending_space_ = false;
        // A section reference (§3.1.5) reads as a link to the specification.
        const bool section = w.find("\xc2\xa7") != std::string::npos;
        ImGui::TextColored(section && r.link.empty() ? kLink : colour, "%s", w.c_str());
        if (!r.link.empty()) {
            const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
            ImGui::GetWindowDrawList()->AddLine({a.x, b.y}, b, ImGui::GetColorU32(kLink));
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", r.link.c_str());
            if (ImGui::IsItemClicked()) clicked = r.link;
        } else if (section && ImGui::IsItemHovered()) {
            ImGui::SetTooltip("NVMe 1.3 specification, section %s", w.c_str() + 2);
        }
    }
    float left_;
    bool started_ = false;
    bool pending_space_ = false;
    bool prev_code_ = false; // the previous word was inline code, its chip ends at prev_code_end_
    float prev_code_end_ = 0;
    float prev_code_y_ = 0;
};

// Where line-by-line play is: the step's nvme lines already run, and the next one.
struct PlayMarks {
    size_t played = 0;   // lines of the step's nvme blocks that ran (line-by-line play)
    bool active = false; // the step is being played line by line
};

// A code block, line by line, wrapped at the panel's edge (continuation lines indented), so no
// line is cut. In a step's nvme blocks the lines already played are dimmed and the next one is
// marked. Every line is recorded in the layout probe.
void code_block(const std::string &code, bool nvme, const PlayMarks &marks, size_t &nvme_line) {
    const float panel_right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    ImGui::Indent();
    size_t pos = 0;
    while (pos <= code.size()) {
        size_t nl = code.find('\n', pos);
        if (nl == std::string::npos) nl = code.size();
        const std::string line = code.substr(pos, nl - pos);
        pos = nl + 1;
        // A console line (not blank, not only a comment) is one the player runs.
        const size_t first = line.find_first_not_of(" \t");
        const bool runs = nvme && first != std::string::npos && line[first] != '#';
        ImVec4 colour = kCode;
        bool next = false;
        if (runs && marks.active) {
            if (nvme_line < marks.played) colour = ImVec4{0.62f, 0.55f, 0.45f, 1.0f};
            next = nvme_line == marks.played;
        }
        if (runs) ++nvme_line;
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float width = ImGui::CalcTextSize(line.c_str()).x;
        ImGui::PushStyleColor(ImGuiCol_Text, colour);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(line.empty() ? " " : line.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
        const ImVec2 end = ImGui::GetItemRectMax();
        if (next) {
            ImGui::GetWindowDrawList()->AddRectFilled(
                {at.x - ImGui::GetFontSize() * 0.9f, at.y + 2},
                {at.x - ImGui::GetFontSize() * 0.3f, end.y - 2}, kFrame);
            ImGui::SetScrollHereY(0.5f); // keep the next line in view while playing
        }
        layout_probe().code_lines.push_back(
            {line, width, std::min(end.x, at.x + width), panel_right, width > end.x - at.x + 0.5f});
        if (nl >= code.size()) break;
    }
    ImGui::Unindent();
}

// Renders prose blocks; returns a clicked link target, or "".
std::string prose(const std::vector<lesson::ProseBlock> &blocks, const PlayMarks &marks = {}) {
    std::string clicked;
    size_t nvme_line = 0;
    for (const lesson::ProseBlock &b : blocks) {
        using K = lesson::ProseBlock::Kind;
        switch (b.kind) {
        case K::Heading: {
            ImGui::Spacing();
            std::string text;
            for (const auto &r : b.runs)
                text += r.text;
            ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
            ImGui::TextWrapped("%s", text.c_str());
            ImGui::PopStyleColor();
            if (b.level <= 2) ImGui::Separator();
            break;
        }
        case K::Code: {
            const std::string code = b.runs.empty() ? "" : b.runs.front().text;
            code_block(code, b.info == "nvme", marks, nvme_line);
            break;
        }
        case K::Rule:
            ImGui::Separator();
            break;
        case K::ListItem: {
            const float indent = ImGui::GetFontSize() * static_cast<float>(b.level);
            ImGui::SetCursorPosX(ImGui::GetCursorPosX() + indent - ImGui::GetFontSize() * 0.8f);
            if (b.ordered)
                ImGui::Text("%u.", b.number);
            else
                ImGui::Bullet();
            ImGui::SameLine();
            Flow f(0);
            for (const auto &r : b.runs)
                f.run(r);
            f.end();
            if (!f.clicked.empty()) clicked = f.clicked;
            break;
        }
        case K::TableRow: {
            Flow f(0);
            for (size_t i = 0; i < b.runs.size(); ++i) {
                if (i) {
                    lesson::TextRun separator;
                    separator.text = " | ";
                    f.run(separator);
                }
                f.run(b.runs[i]);
            }
            f.end();
            break;
        }
        case K::Paragraph:
        case K::Quote: {
            Flow f(b.kind == K::Quote ? ImGui::GetFontSize() : 0);
            for (const auto &r : b.runs)
                f.run(r);
            f.end();
            if (!f.clicked.empty()) clicked = f.clicked;
            ImGui::Spacing();
            break;
        }
        }
    }
    return clicked;
}

// "03-queues.md" -> the id of the lesson in that file, if it is one of the course's.
const lesson::Lesson *lesson_for_link(const lesson::Course &c, const std::string &target) {
    for (size_t i = 0; i < c.files.size() && i < c.lessons.size(); ++i)
        if (c.lessons[i].file.size() >= target.size() &&
            c.lessons[i].file.compare(c.lessons[i].file.size() - target.size(), target.size(),
                                      target) == 0)
            return &c.lessons[i];
    return nullptr;
}

} // namespace

void tooltip_above(const std::string &text) {
    if (!ImGui::IsItemHovered()) return;
    // Above the item, so it never covers what lies under it (the step's title and prose, the
    // console's newest lines).
    const ImVec2 a = ImGui::GetItemRectMin();
    ImGui::SetNextWindowPos({a.x, a.y - 4}, ImGuiCond_Always, {0.0f, 1.0f});
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void LessonWindow::draw(Session &s, LessonState &lessons, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    if (lessons.is_open())
        lesson_view(s, lessons);
    else
        course_index(s, lessons);
    ImGui::End();
}

void LessonWindow::course_index(Session &s, LessonState &lessons) {
    const lesson::Course &c = lessons.course();
    ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
    ImGui::TextUnformatted("Course: the NVMe host interface, hands on");
    ImGui::PopStyleColor();
    ImGui::TextWrapped("Each lesson plays on the device every other window shows: watch the "
                       "registers, queues and timeline as a step runs, then do the \"your "
                       "turn\" tasks yourself in the console, the composer or the Registers "
                       "window.");
    if (!lessons.error.empty()) wrapped(kError, lessons.error);
    for (const lesson::Diagnostic &d : c.errors)
        wrapped(kError, d.text());
    if (c.lessons.empty()) ImGui::TextColored(kError, "No lessons found.");
    ImGui::Separator();
    for (size_t i = 0; i < c.lessons.size(); ++i) {
        const lesson::Lesson &l = c.lessons[i];
        const LessonProgress p = lessons.progress().get(l.id);
        ImGui::PushID(static_cast<int>(i));
        ImGui::PushStyleColor(ImGuiCol_Text, kStrong);
        ImGui::TextWrapped("%zu. %s", i + 1, l.title.c_str());
        ImGui::PopStyleColor();
        ImGui::TextWrapped("%s", l.summary.c_str());
        std::string pre;
        for (const std::string &x : l.prerequisites) {
            const lesson::Lesson *pl = c.find(x);
            pre += (pre.empty() ? "" : ", ") + (pl ? pl->title : x);
        }
        if (!pre.empty())
            wrapped(ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled), "Before this: " + pre);
        const size_t n = l.steps.size();
        if (p.completed)
            ImGui::TextColored(kDone, "Completed (%zu steps)", n);
        else if (p.steps_done > 0)
            ImGui::TextColored(kWait, "%u of %zu steps done", p.steps_done, n);
        else
            ImGui::TextDisabled("%zu steps, not started", n);
        const size_t resume = p.completed || p.steps_done >= n ? 0 : p.steps_done;
        if (ImGui::Button(resume > 0 ? "Continue" : p.completed ? "Again" : "Start")) {
            lessons.error = lessons.open(s, l.id, resume);
            scroll_step_ = SIZE_MAX;
        }
        ImGui::PopID();
        ImGui::Separator();
    }
}

void LessonWindow::lesson_view(Session &s, LessonState &lessons) {
    lesson::Player &p = *lessons.player();
    const lesson::Lesson &l = p.lesson();
    const lesson::Step *st = p.current_step();
    const size_t cur = p.current();
    const size_t n = p.step_count();
    if (ImGui::SmallButton("< Course")) {
        lessons.close(s);
        return;
    }
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
    ImGui::TextWrapped("%s", l.title.c_str());
    ImGui::PopStyleColor();
    // A blue bar: the default yellow left its white label unreadable where it was filled.
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, IM_COL32(50, 105, 170, 255));
    ImGui::ProgressBar(n ? static_cast<float>(cur + 1) / static_cast<float>(n) : 0.0f, {-1, 0},
                       fmt::format("step {} of {}", cur + 1, n).c_str());
    ImGui::PopStyleColor();

    lessons.tick(s, ImGui::GetTime());
    const lesson::TurnStatus &t = lessons.status(s);
    const bool can_back = cur > 0;
    const bool can_next = !p.at_end() && (!t.your_turn || t.done || t.playing);
    ImGui::BeginDisabled(!can_back);
    if (ImGui::Button("< Back")) lessons.back(s);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!can_next);
    if (ImGui::Button("Next >")) lessons.next(s);
    ImGui::EndDisabled();
    if (!can_next && t.your_turn && !t.done) tooltip_above("Do this step's task first.");
    ImGui::SameLine();
    if (ImGui::Button("Restart step")) lessons.go_to(s, cur);
    tooltip_above("The exact state this step starts with: a fresh device, the earlier steps "
                  "replayed.");
    ImGui::SameLine();
    bool by_line = lessons.playback == lesson::Playback::LineByLine;
    if (ImGui::Checkbox("line by line", &by_line))
        lessons.playback = by_line ? lesson::Playback::LineByLine : lesson::Playback::Whole;
    tooltip_above("Next and Restart play the step's console lines one at a time, so the windows "
                  "show every state in between; off: a step runs all its lines at once.");

    // Line-by-line play: where it is, and its controls.
    const size_t pending = lessons.pending_lines();
    if (pending > 0 || !lessons.pause_note().empty()) {
        if (pending > 0) {
            if (ImGui::SmallButton(lessons.playing() ? "Pause" : "Play"))
                lessons.set_playing(!lessons.playing());
            tooltip_above("Plays one line per tick; stops where the lesson marks a line.");
            ImGui::SameLine();
            if (ImGui::SmallButton("Line")) lessons.play_line(s);
            tooltip_above("Runs the next line of the step.");
            ImGui::SameLine();
            if (ImGui::SmallButton("Run step")) lessons.play_rest(s);
            tooltip_above("Runs the rest of the step at once.");
            ImGui::SameLine();
            ImGui::TextDisabled("%zu line%s to go", pending, pending == 1 ? "" : "s");
        }
        if (!lessons.pause_note().empty()) wrapped(kWait, lessons.pause_note());
    }

    // The footer (your-turn box, errors, output) keeps a fixed share of the window.
    const float footer = ImGui::GetFrameHeightWithSpacing() * 7.5f;
    ImGui::BeginChild("prose", {0, -footer}, true);
    if (scroll_step_ != cur) {
        ImGui::SetScrollY(0);
        scroll_step_ = cur;
    }
    std::string clicked;
    if (cur == 0 && !l.intro.empty()) clicked = prose(l.intro);
    if (st) {
        ImGui::PushStyleColor(ImGuiCol_Text, kHeading);
        ImGui::TextWrapped("Step %zu: %s", cur + 1, st->title.c_str());
        ImGui::PopStyleColor();
        ImGui::Separator();
        const PlayMarks marks{p.lines_played(), pending > 0 || p.lines_played() > 0};
        const std::string c2 = prose(st->prose, marks);
        if (!c2.empty()) clicked = c2;
    }
    ImGui::EndChild();
    if (!clicked.empty()) {
        if (const lesson::Lesson *to = lesson_for_link(lessons.course(), clicked))
            lessons.error = lessons.open(s, to->id, 0);
    }

    ImGui::BeginChild("footer", {0, 0}, false);
    if (t.your_turn && t.playing) {
        ImGui::TextColored(kWait, "Your turn comes once the step's lines have run.");
    } else if (t.your_turn) {
        if (t.done) {
            ImGui::TextColored(kDone, p.at_end() ? "Your turn: done. Lesson complete!"
                                                 : "Your turn: done. Next > goes on.");
        } else {
            ImGui::TextColored(kWait, "Your turn: not done yet.");
            // The first unmet check in the learner's words, inline; the file:line message
            // stays for lesson authors in the tooltip.
            if (!t.plain.empty()) {
                wrapped(ImGui::GetStyleColorVec4(ImGuiCol_Text), t.plain.front());
                if (ImGui::IsItemHovered() && !t.failures.empty())
                    tooltip_above(t.failures.front());
            }
            if (!t.nudge.empty()) wrapped(kError, t.nudge);
            const size_t hints = st ? st->hints.size() : 0;
            ImGui::BeginDisabled(lessons.hints_shown() >= hints);
            if (ImGui::SmallButton(
                    lessons.hints_shown() == 0
                        ? fmt::format("Hint (0/{})", hints).c_str()
                        : fmt::format("Another hint ({}/{})", lessons.hints_shown(), hints)
                              .c_str()))
                lessons.show_hint();
            ImGui::EndDisabled();
            ImGui::SameLine();
            if (ImGui::SmallButton("Show me")) lessons.solve(s);
            tooltip_above("Runs the reference solution in the console.");
        }
        for (size_t i = 0; st && i < lessons.hints_shown() && i < st->hints.size(); ++i)
            ImGui::TextWrapped("Hint %zu: %s", i + 1, st->hints[i].c_str());
    } else if (p.at_end()) {
        ImGui::TextColored(kDone, "Last step: lesson complete.");
    }
    if (p.at_end() && (!t.your_turn || t.done) && pending == 0) next_lesson(s, lessons);
    if (!lessons.error.empty()) wrapped(kError, lessons.error);
    const lesson::StepRun &r = lessons.last_run();
    if (!r.lines.empty() && ImGui::CollapsingHeader("What this step ran")) {
        const std::string text = r.transcript();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(text.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::EndChild();
}

void LessonWindow::next_lesson(Session &s, LessonState &lessons) {
    const lesson::Course &c = lessons.course();
    const std::string &id = lessons.player()->lesson().id;
    for (size_t i = 0; i + 1 < c.lessons.size(); ++i) {
        if (c.lessons[i].id != id) continue;
        const lesson::Lesson &to = c.lessons[i + 1];
        // Copied: opening the next lesson replaces the player that owns `id`.
        const std::string next_id = to.id;
        if (ImGui::Button(fmt::format("Next lesson \xe2\x86\x92 {}", to.title).c_str())) {
            lessons.error = lessons.open(s, next_id, 0);
            scroll_step_ = SIZE_MAX;
        }
        return;
    }
    if (ImGui::Button("Back to the course")) lessons.close(s);
}

void LessonWindow::draw_highlights(const Session &s) {
    if (s.highlights.empty()) return;
    ImDrawList *dl = ImGui::GetForegroundDrawList();
    for (const lesson::Highlight &h : s.highlights.items()) {
        const char *title = HighlightSet::window_title(h.window);
        ImGuiWindow *w = title ? ImGui::FindWindowByName(title) : nullptr;
        if (!w || !w->WasActive) continue;
        // The window itself must lie on the display (its fields record themselves).
        const ImVec2 d = ImGui::GetIO().DisplaySize;
        layout_probe().items.push_back(
            {h.window,
             "",
             {w->Pos.x, w->Pos.y, w->Pos.x + w->Size.x, w->Pos.y + w->Size.y},
             {0, 0, d.x, d.y}});
        dl->AddRect({w->Pos.x - 1, w->Pos.y - 1},
                    {w->Pos.x + w->Size.x + 1, w->Pos.y + w->Size.y + 1}, kFrame, 3.0f, 0, 3.0f);
    }
}

void LessonWindow::raise_highlighted(const Session &s) {
    // To the front of the display without taking the keyboard focus (the learner may be typing
    // in the console).
    for (const lesson::Highlight &h : s.highlights.items())
        if (const char *title = HighlightSet::window_title(h.window))
            if (ImGuiWindow *w = ImGui::FindWindowByName(title))
                ImGui::BringWindowToDisplayFront(w);
}

} // namespace nvmelab::ui
