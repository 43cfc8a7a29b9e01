#pragma once
// The UI's windows. Each one is drawn once per frame from the Session (see session.h) and keeps
// only its own view state (filters, input buffers, caches); everything about the device is read
// again every frame through Controller's public API, host memory or the Console.
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "imgui.h"
#include "ui/model/session.h"
#include "ui/model/sqe_composer.h"
#include "ui/model/trace_plots.h"
#include "ui/render/live_refresh.h"

namespace nvmelab::ui {

// Where a window goes; cond is ImGuiCond_FirstUseEver normally, ImGuiCond_Always after
// "reset layout" or a resize of the main window.
struct Placement {
    ImVec2 pos{0, 0};
    ImVec2 size{0, 0};
    ImGuiCond cond = ImGuiCond_FirstUseEver;
    // ImGui::Begin for a window placed here. A window that lay over no other window in the
    // last frame also skips its background: the frame is cleared to the same colour
    // (window_background_colour), and a browser without a GPU then fills about half as many
    // pixels per frame (docs/web.md, "Frame rate"). Returns false, with the window already
    // ended, when it is collapsed or hidden; otherwise the caller ends it with ImGui::End.
    bool begin(const char *title, bool *open, ImGuiWindowFlags flags = 0) const;
};

// The colour a window's background leaves over the cleared frame; the app clears to it.
ImVec4 window_background_colour();

// The windows that drive the device (a lesson, the workload generator) share a strip on the
// right when shown; the device's windows share the rest.
struct SideStrip {
    bool lesson = false;
    bool workload = false;
    // A lesson step highlights registers: Registers takes most of the left column.
    bool registers_focus = false;
    // A lesson step highlights queues: Queues takes most of the middle column, so an SQ and
    // its CQ fit one above the other.
    bool queues_focus = false;
};

// The default arrangement for a display size: nothing overlaps, everything is visible at
// 1280x800 and scales with the window.
struct Layout {
    Placement controls, registers, queues, inspector, timeline, console;
    Placement datapath, memory, nspace, identify; // explorer_windows.h
    Placement lesson, workload;                   // sizes 0x0 when not in the strip
    static Layout for_display(ImVec2 display, float menu_height, ImGuiCond cond,
                              SideStrip side = {});
};

// A tooltip placed above the hovered item instead of under the mouse, for items with text
// below them that must stay readable (lesson_window.cpp).
void tooltip_above(const std::string &text);

// Records the last item as the highlighted `name` of lesson window `window` in layout_probe(),
// with the visible area of the current window (registers_window.cpp).
void record_highlight(const char *window, std::string name);

// Run / step buttons, speed and the status line (the toolbar under the menu bar).
class ControlsWindow {
public:
    void draw(Session &s, const Placement &where);
    static constexpr const char *kTitle = "Controls";
};

// Every controller register decoded into fields, editable as a host writes it, and the
// doorbells of the queues that exist.
class RegistersWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Registers";

private:
    uint64_t highlights_seen_ = 0; // a lesson step's highlights open their registers once
    int scroll_frames_ = 0;        // frames left to scroll the highlighted registers into view
};

// Each SQ and CQ as a ring of slots: head, tail, phase tags, commands in flight by phase.
class QueuesWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Queues";

private:
    bool show_admin_ = true;
    uint64_t highlights_seen_ = 0; // a step's highlighted queues scroll into view once
    int scroll_frames_ = 0;
};

// The trace, filterable by event kind, queue and text.
class TimelineWindow {
public:
    TimelineWindow();
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Timeline";

private:
    // With `append` (or after a filter change, or with no rows): drops the rows whose events
    // left the trace and adds those of the new events.
    void refresh(const Session &s, bool append);
    const TracePlots &plots(const Session &s);
    bool kind_on(uint8_t kind) const { return (kinds_ >> kind) & 1u; }

    uint64_t kinds_ = ~uint64_t{0}; // bit per EventKind
    int queue_ = -1;                // -1: all queues; else SQ or CQ id
    ImGuiTextFilter text_;
    bool auto_scroll_ = true;
    uint64_t selected_seq_ = UINT64_MAX;

    // Sequence numbers of the events that pass the filter, built incrementally. A deque: the
    // oldest leave the front as the trace ring drops them, thousands a frame under a workload,
    // and a vector moved all the others (up to 256 Ki) each time.
    std::deque<uint64_t> rows_;
    uint64_t scanned_to_ = 0; // next sequence number to look at
    uint64_t generation_ = UINT64_MAX;
    uint64_t filter_key_ = 0;
    size_t last_row_count_ = 0;
    bool plots_ = true;
    TracePlots plot_cache_;
    // The plots follow the trace's event count and the virtual clock.
    LiveRefresh<std::pair<uint64_t, uint64_t>> plots_refresh_{0.1};
    // Of the rows while following: the newest event's sequence number, at most 4 times a
    // second (ui/model/followed_completion.h has the same rate).
    LiveRefresh<uint64_t> rows_refresh_{0.25};
};

// The SQE composer (the inspector's Compose tab): fields -> console lines -> submit, ring.
class SqeComposer {
public:
    void draw(Session &s);

private:
    ComposedSqe c_{};
    int qid_ = 0;
    int data_kib_ = 4;
    std::string last_;
    unsigned counter_ = 0;
};

// The selected (or latest) command: its SQE and CQE decoded field by field, status name and
// meaning, the controller's explanation; recent completions to pick from; the SQE composer.
class InspectorWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Command inspector";

private:
    SqeComposer composer_;
};

// The console language: input line with history, scroll-back of commands and output.
class ConsoleWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    static constexpr const char *kTitle = "Console";
    // Puts the keyboard focus on the input line next frame.
    void focus() { focus_input_ = true; }
    // True for the few frames after Enter until the input line has the keyboard focus again;
    // the app holds input events back meanwhile so no keystroke typed after Enter is lost.
    bool holding_input() const { return regain_frames_ > 0; }

private:
    static int on_input_event(ImGuiInputTextCallbackData *data);

    char input_[1024] = {};
    int history_pos_ = -1; // -1: a new line, else index into Session::history()
    bool focus_input_ = true;
    int regain_frames_ = 0;
    size_t last_log_size_ = 0;
    Session *session_ = nullptr; // valid only while draw() runs (for the input callback)
    // The log cut into rows that fit the window (wrapped), rebuilt when rows_key_ changes.
    struct Row {
        size_t line;
        uint32_t begin, length;
    };
    std::vector<Row> rows_;
    uint64_t rows_key_ = UINT64_MAX;
};

// ---- shared helpers (style.cpp) ------------------------------------------------------------

// Colours for command phases, trace events and statuses.
ImU32 phase_colour(CommandPhase phase);
const char *phase_label(CommandPhase phase);
ImVec4 event_colour(uint8_t kind, uint64_t value);
ImVec4 status_colour(bool ok);
// Command name for an opcode on a queue for a namespace, in the command set the controller
// decodes it by ("Write", "Identify", or "opcode 0x7f").
std::string opcode_text(const Controller &ctrl, uint16_t sqid, uint32_t nsid, uint8_t opc);
// A tooltip with wrapped text when the last item is hovered.
void tooltip(const char *text);
void tooltip(const std::string &text);
// A "(?)" marker with a tooltip.
void help_marker(const char *text);

} // namespace nvmelab::ui
