// Console window: the console language of docs/console.md. An input line (Up/Down walk the
// history, Tab completes a command name) runs Console::exec_line through the Session; the
// scroll-back shows each command and its output.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>

#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

// First words of the console commands (docs/console.md), for Tab completion.
constexpr std::string_view kCommands[] = {
    "admin",    "disable", "doorbell", "echo",   "enable", "expect", "flush", "get-feature",
    "get-log",  "help",    "identify", "io",     "mark",   "mem",    "prp",   "queue",
    "queues",   "read",    "reap",     "reg",    "ring",   "run",    "set",   "set-feature",
    "shutdown", "sqe",     "step",     "submit", "trace",  "write",
};

ImVec4 line_colour(LogLine::Kind kind) {
    switch (kind) {
    case LogLine::Kind::Input:
        return {0.55f, 0.8f, 1.0f, 1};
    case LogLine::Kind::Output:
        return {0.88f, 0.88f, 0.88f, 1};
    case LogLine::Kind::Error:
        return {1.0f, 0.45f, 0.45f, 1};
    case LogLine::Kind::Info:
        return {0.95f, 0.85f, 0.45f, 1};
    }
    return {1, 1, 1, 1};
}

} // namespace

int ConsoleWindow::on_input_event(ImGuiInputTextCallbackData *data) {
    auto *self = static_cast<ConsoleWindow *>(data->UserData);
    const auto &history = self->session_->history();
    if (data->EventFlag == ImGuiInputTextFlags_CallbackHistory && !history.empty()) {
        const int prev = self->history_pos_;
        const int last = static_cast<int>(history.size()) - 1;
        if (data->EventKey == ImGuiKey_UpArrow)
            self->history_pos_ = prev == -1 ? last : std::max(0, prev - 1);
        else if (data->EventKey == ImGuiKey_DownArrow && prev != -1)
            self->history_pos_ = prev >= last ? -1 : prev + 1;
        if (prev != self->history_pos_) {
            data->DeleteChars(0, data->BufTextLen);
            if (self->history_pos_ >= 0)
                data->InsertChars(0, history[static_cast<size_t>(self->history_pos_)].c_str());
        }
    } else if (data->EventFlag == ImGuiInputTextFlags_CallbackCompletion) {
        // Complete the first word only.
        const std::string_view text(data->Buf, static_cast<size_t>(data->BufTextLen));
        if (text.find(' ') != std::string_view::npos) return 0;
        std::vector<std::string_view> matches;
        for (std::string_view c : kCommands)
            if (c.substr(0, text.size()) == text) matches.push_back(c);
        if (matches.empty()) return 0;
        // The longest common prefix of the matches.
        std::string_view common = matches[0];
        for (std::string_view m : matches) {
            size_t n = 0;
            while (n < common.size() && n < m.size() && common[n] == m[n])
                ++n;
            common = common.substr(0, n);
        }
        std::string completed(common);
        if (matches.size() == 1) completed += ' ';
        data->DeleteChars(0, data->BufTextLen);
        data->InsertChars(0, completed.c_str());
        if (matches.size() > 1) {
            std::string list = "completions:";
            for (std::string_view m : matches)
                list.append(" ").append(m);
            self->session_->log_info(list);
        }
    }
    return 0;
}

void ConsoleWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) {
        regain_frames_ = 0;
        return;
    }
    session_ = &s;
    const auto &log = s.log();
    const float input_h = ImGui::GetFrameHeightWithSpacing();
    // A whole number of lines, so the top line is never cut in half.
    const float line_h = ImGui::GetTextLineHeight() + 1;
    const float avail = ImGui::GetContentRegionAvail().y - input_h;
    const float back_h = std::max(line_h, std::floor(avail / line_h) * line_h);
    ImGui::BeginChild("scrollback", {0, back_h}, false);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, {4, 1});
    const bool at_bottom = ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f;
    // Long lines wrap at the window's edge (a usage line, a note): the log is cut into rows of
    // the built-in monospaced font's width, rebuilt when the log or the width changes.
    const float char_w = ImGui::CalcTextSize("M").x;
    const size_t per_row =
        static_cast<size_t>(std::max(16.0f, std::floor(ImGui::GetContentRegionAvail().x / char_w)));
    const uint64_t key = (static_cast<uint64_t>(log.size()) << 20) ^ (per_row << 4) ^
                         (log.empty() ? 0 : log.front().text.size());
    if (key != rows_key_) {
        rows_key_ = key;
        rows_.clear();
        for (size_t i = 0; i < log.size(); ++i) {
            const std::string &t = log[i].text;
            size_t at = 0;
            do {
                size_t len = std::min(per_row, t.size() - at);
                // Break after a space when there is one in the row's second half.
                if (at + len < t.size()) {
                    const size_t sp = t.rfind(' ', at + len - 1);
                    if (sp != std::string::npos && sp > at + len / 2) len = sp + 1 - at;
                }
                rows_.push_back({i, static_cast<uint32_t>(at), static_cast<uint32_t>(len)});
                at += len;
            } while (at < t.size());
        }
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(rows_.size()));
    while (clipper.Step()) {
        for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
            const Row &row = rows_[static_cast<size_t>(r)];
            const LogLine &line = log[row.line];
            const char *text = line.text.c_str() + row.begin;
            ImGui::PushStyleColor(ImGuiCol_Text, line_colour(line.kind));
            if (row.begin > 0) ImGui::Indent(char_w * 2);
            ImGui::TextUnformatted(text, text + row.length);
            if (row.begin > 0) ImGui::Unindent(char_w * 2);
            ImGui::PopStyleColor();
        }
    }
    // New output scrolls into view unless the user scrolled up to read something.
    if (log.size() != last_log_size_ && (at_bottom || last_log_size_ == 0))
        ImGui::SetScrollHereY(1.0f);
    last_log_size_ = log.size();
    ImGui::PopStyleVar();
    ImGui::EndChild();

    ImGui::TextUnformatted(">");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 7.5f);
    const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue |
                                      ImGuiInputTextFlags_CallbackHistory |
                                      ImGuiInputTextFlags_CallbackCompletion;
    if (focus_input_) {
        ImGui::SetKeyboardFocusHere();
        focus_input_ = false;
    }
    if (ImGui::InputTextWithHint("##input", "console command, e.g. enable / help / queues", input_,
                                 sizeof input_, flags, &ConsoleWindow::on_input_event, this)) {
        const std::string line(input_);
        input_[0] = '\0';
        history_pos_ = -1;
        if (!line.empty()) {
            s.exec(line);
            last_log_size_ = 0; // jump to the end for the command just typed
        }
        focus_input_ = true;
        regain_frames_ = 3;
    } else if (ImGui::IsItemActive()) {
        regain_frames_ = 0;
    } else if (regain_frames_ > 0) {
        --regain_frames_;
    }
    ImGui::SameLine();
    if (ImGui::Button("help")) s.exec("help");
    // On the button, not the input line: a tooltip there covered the newest lines.
    tooltip_above("Enter runs the line. Up/Down: history. Tab: complete a command name. "
                  "'help' lists every command, 'help NAME' one.");
    ImGui::SameLine();
    if (ImGui::Button("clear")) s.clear_log();
    session_ = nullptr;
    ImGui::End();
}

} // namespace nvmelab::ui
