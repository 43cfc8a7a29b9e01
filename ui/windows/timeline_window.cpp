// Timeline window: the controller's trace, one row per event, filterable by event kind, queue
// and text. The filtered row list is built incrementally as events arrive.
#include <fmt/format.h>

#include "core/controller/trace.h"
#include "ui/model/trace_plots.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

// Groups for the kind filter popup.
struct KindGroup {
    const char *name;
    std::initializer_list<EventKind> kinds;
};
const KindGroup kGroups[] = {
    {"Controller",
     {EventKind::RegisterWrite, EventKind::ControllerEnable, EventKind::ControllerReady,
      EventKind::ControllerFatal, EventKind::ControllerReset, EventKind::ShutdownStart,
      EventKind::ShutdownComplete, EventKind::SubsystemReset, EventKind::PowerOn,
      EventKind::PowerOff}},
    {"Doorbells", {EventKind::DoorbellSq, EventKind::DoorbellCq, EventKind::DoorbellInvalid}},
    {"Commands",
     {EventKind::SqeFetch, EventKind::CommandDecode, EventKind::AdminExecute,
      EventKind::CommandAborted, EventKind::QueueCreated, EventKind::QueueDeleted}},
    {"Data",
     {EventKind::PrpListRead, EventKind::SglSegmentRead, EventKind::SglBitBucket,
      EventKind::DmaToDevice, EventKind::DmaToHost}},
    {"Media",
     {EventKind::MediaRead, EventKind::CacheRead, EventKind::MediaWrite, EventKind::CacheWrite,
      EventKind::CacheFlush, EventKind::CacheDestage, EventKind::DurabilityFailure}},
    {"Completion",
     {EventKind::CqePost, EventKind::CqFull, EventKind::Interrupt, EventKind::InterruptMasked,
      EventKind::InterruptCoalesced}},
};

// The part of Trace::format after the time stamp and kind name.
std::string details(const Trace &trace, const TraceEvent &ev) {
    const std::string line = trace.format(ev);
    size_t pos = line.find("] ");
    pos = pos == std::string::npos ? 0 : pos + 2;
    const std::string_view kind = event_kind_name(ev.kind);
    if (line.compare(pos, kind.size(), kind) == 0) pos += kind.size();
    while (pos < line.size() && line[pos] == ' ')
        ++pos;
    return line.substr(pos);
}

// Every event kind the trace knows (names are "?" past the last one).
std::vector<EventKind> all_kinds() {
    std::vector<EventKind> out;
    for (int k = 0; k < 64; ++k) {
        const auto kind = static_cast<EventKind>(k);
        if (std::string_view(event_kind_name(kind)) == "?") break;
        out.push_back(kind);
    }
    return out;
}

bool grouped(EventKind k) {
    for (const KindGroup &g : kGroups)
        for (EventKind x : g.kinds)
            if (x == k) return true;
    return false;
}

// Queue depth and completion rate over virtual time, side by side, one line high each.
void draw_plots(const TracePlots &p) {
    const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) / 2;
    const float h = ImGui::GetTextLineHeight() * 2.6f;
    const std::string depth = fmt::format("queue depth (max {:.0f})", p.max_depth);
    ImGui::PlotLines("##depth", p.depth.data(), static_cast<int>(p.depth.size()), 0, depth.c_str(),
                     0.0f, std::max(1.0f, p.max_depth * 1.1f), {w, h});
    tooltip("Commands submitted (SQ tail doorbells) and not yet completed, over the trace's "
            "virtual time.");
    ImGui::SameLine();
    const std::string rate = fmt::format("completions/s (max {:.0f})", p.max_rate);
    ImGui::PlotHistogram("##rate", p.completions_ps.data(),
                         static_cast<int>(p.completions_ps.size()), 0, rate.c_str(), 0.0f,
                         std::max(1.0f, p.max_rate * 1.1f), {w, h});
    tooltip(fmt::format("Completions per virtual second, {:.1f} us per bar.",
                        static_cast<double>(p.bucket_ns) / 1000.0));
}

} // namespace

TimelineWindow::TimelineWindow() = default;

const TracePlots &TimelineWindow::plots(const Session &s) {
    // The plots scan the whole trace (up to 256 Ki events, ~1.5 ms in a browser), so they follow
    // a busy controller at most 10 times a (wall-clock) second.
    if (plots_refresh_.due({s.ctrl().trace().total_recorded(), s.ctrl().now_ns()},
                           ImGui::GetTime())) {
        const auto queues = s.ctrl().queues();
        auto sq_size = [&queues](uint16_t sqid) -> uint32_t {
            for (const QueueView &q : queues)
                if (q.is_sq && q.qid == sqid) return q.size;
            return 0;
        };
        plot_cache_ = build_trace_plots(s.ctrl().trace(), 120, s.ctrl().now_ns(), 0, sq_size);
    }
    return plot_cache_;
}

void TimelineWindow::refresh(const Session &s, bool append) {
    const Trace &trace = s.ctrl().trace();
    const auto &events = trace.events();
    // A key that changes whenever the filter does.
    uint64_t key = kinds_ * 1000003u ^ static_cast<uint64_t>(queue_ + 1) * 7919u;
    for (const char *p = text_.InputBuf; *p; ++p)
        key = key * 131u + static_cast<uint8_t>(*p);
    if (generation_ != s.generation() || key != filter_key_) {
        rows_.clear();
        scanned_to_ = 0;
        generation_ = s.generation();
        filter_key_ = key;
    }
    if (events.empty()) {
        rows_.clear();
        scanned_to_ = 0;
        return;
    }
    // Between appends the rows stay as they are, dropped ones too (the draw skips those): a
    // list that shrank every frame would move the rows in view and outrun the scroll to the end.
    if (!append && !rows_.empty()) return;
    const uint64_t front = events.front().seq;
    // Drop rows whose events fell out of the trace.
    size_t drop = 0;
    while (drop < rows_.size() && rows_[drop] < front)
        ++drop;
    if (drop) rows_.erase(rows_.begin(), rows_.begin() + static_cast<long>(drop));
    if (scanned_to_ < front) scanned_to_ = front;
    if (scanned_to_ > events.back().seq + 1) { // the trace was cleared and refilled
        rows_.clear();
        scanned_to_ = front;
    }
    for (size_t i = static_cast<size_t>(scanned_to_ - front); i < events.size(); ++i) {
        const TraceEvent &ev = events[i];
        if (!kind_on(static_cast<uint8_t>(ev.kind))) continue;
        if (queue_ >= 0 && ev.sqid != queue_ && ev.cqid != queue_) continue;
        if (text_.IsActive() && !text_.PassFilter(trace.format(ev).c_str())) continue;
        rows_.push_back(ev.seq);
    }
    scanned_to_ = events.back().seq + 1;
}

void TimelineWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    // ---- filters -------------------------------------------------------------------------
    if (ImGui::Button("Kinds..")) ImGui::OpenPopup("kinds");
    tooltip("Choose which event kinds to show.");
    if (ImGui::BeginPopup("kinds")) {
        if (ImGui::SmallButton("all")) kinds_ = ~uint64_t{0};
        ImGui::SameLine();
        if (ImGui::SmallButton("none")) kinds_ = 0;
        ImGui::SameLine();
        if (ImGui::SmallButton("commands only"))
            kinds_ = (uint64_t{1} << static_cast<int>(EventKind::SqeFetch)) |
                     (uint64_t{1} << static_cast<int>(EventKind::CqePost)) |
                     (uint64_t{1} << static_cast<int>(EventKind::DoorbellSq)) |
                     (uint64_t{1} << static_cast<int>(EventKind::DoorbellCq));
        if (ImGui::BeginTable("groups", 3)) {
            auto checkbox = [this](EventKind k) {
                const auto bit = uint64_t{1} << static_cast<int>(k);
                bool on = (kinds_ & bit) != 0;
                if (ImGui::Checkbox(event_kind_name(k), &on))
                    kinds_ = on ? kinds_ | bit : kinds_ & ~bit;
            };
            for (const KindGroup &g : kGroups) {
                ImGui::TableNextColumn();
                ImGui::TextDisabled("%s", g.name);
                for (EventKind k : g.kinds)
                    checkbox(k);
            }
            bool other_header = false;
            for (EventKind k : all_kinds()) {
                if (grouped(k)) continue;
                if (!other_header) {
                    ImGui::TableNextColumn();
                    ImGui::TextDisabled("Other");
                    other_header = true;
                }
                checkbox(k);
            }
            ImGui::EndTable();
        }
        ImGui::EndPopup();
    }
    ImGui::SameLine();
    {
        const auto queues = s.ctrl().queues();
        const std::string current = queue_ < 0 ? "all queues" : fmt::format("queue {}", queue_);
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
        if (ImGui::BeginCombo("##queue", current.c_str())) {
            if (ImGui::Selectable("all queues", queue_ < 0)) queue_ = -1;
            for (const QueueView &q : queues) {
                if (!q.is_sq) continue;
                const std::string label = fmt::format("queue {}", q.qid);
                if (ImGui::Selectable(label.c_str(), queue_ == q.qid)) queue_ = q.qid;
            }
            ImGui::EndCombo();
        }
        tooltip("Show only events of one SQ/CQ id (events not tied to a queue are hidden).");
    }
    ImGui::SameLine();
    text_.Draw("##text", ImGui::GetFontSize() * 12);
    tooltip("Text filter on the event line: 'cqe,dma' matches either, '-doorbell' excludes.");
    ImGui::SameLine();
    ImGui::Checkbox("follow", &auto_scroll_);
    tooltip("Keep the newest event in view.");
    ImGui::SameLine();
    ImGui::Checkbox("plots", &plots_);
    tooltip("Queue depth and completions per virtual second over the trace.");

    const Trace &trace = s.ctrl().trace();
    const auto &events = trace.events();
    // Following a busy controller, the rows change at a readable rate, so the rows in view stay
    // still long enough to read (and are not redrawn every frame).
    const uint64_t newest = events.empty() ? 0 : events.back().seq;
    refresh(s, !auto_scroll_ || rows_refresh_.due(newest, ImGui::GetTime()));
    ImGui::SameLine();
    ImGui::TextDisabled("%zu of %zu events", rows_.size(), events.size());

    // ---- plots ---------------------------------------------------------------------------
    // The command whose events are highlighted (none while following the newest), copied: a
    // click below selects another.
    const bool highlight = !s.follow_latest && s.selected_command.has_value();
    const Session::CommandRef sel = highlight ? *s.selected_command : Session::CommandRef{};
    if (plots_) draw_plots(plots(s));

    // ---- rows ----------------------------------------------------------------------------
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("events", 3, flags)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("time (us)", ImGuiTableColumnFlags_WidthFixed,
                                ImGui::GetFontSize() * 6.5f);
        ImGui::TableSetupColumn("event", ImGuiTableColumnFlags_WidthFixed,
                                ImGui::GetFontSize() * 8.5f);
        ImGui::TableSetupColumn("details", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        const uint64_t front = events.empty() ? 0 : events.front().seq;
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(rows_.size()));
        while (clipper.Step()) {
            for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
                const uint64_t seq = rows_[static_cast<size_t>(r)];
                // Its event left the trace (or the trace was cleared) since the last append.
                if (seq < front || seq - front >= events.size()) {
                    ImGui::TableNextRow();
                    continue;
                }
                const TraceEvent &ev = events[static_cast<size_t>(seq - front)];
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                const std::string time =
                    fmt::format("{:.3f}", static_cast<double>(ev.time_ns) / 1000.0);
                ImGui::PushID(static_cast<int>(seq));
                const bool of_selected = highlight && ev.sqid == sel.sqid && ev.cid == sel.cid;
                if (ImGui::Selectable(time.c_str(), selected_seq_ == seq || of_selected,
                                      ImGuiSelectableFlags_SpanAllColumns)) {
                    selected_seq_ = seq;
                    // Any event of a command selects that command in every window.
                    if (ev.sqid != 0xFFFF && ev.cid != 0xFFFF) s.select_command(ev.sqid, ev.cid);
                }
                ImGui::PopID();
                ImGui::TableNextColumn();
                ImGui::PushStyleColor(ImGuiCol_Text,
                                      event_colour(static_cast<uint8_t>(ev.kind), ev.value));
                ImGui::TextUnformatted(event_kind_name(ev.kind));
                ImGui::PopStyleColor();
                ImGui::TableNextColumn();
                const std::string d = details(trace, ev);
                ImGui::TextUnformatted(d.c_str());
                if (ImGui::IsItemHovered()) {
                    ImGui::BeginTooltip();
                    ImGui::TextUnformatted(trace.format(ev).c_str());
                    if (ev.cid != 0xFFFF)
                        ImGui::TextDisabled("click: select this command in every window");
                    ImGui::EndTooltip();
                }
            }
        }
        if (auto_scroll_ && rows_.size() != last_row_count_) ImGui::SetScrollHereY(1.0f);
        last_row_count_ = rows_.size();
        ImGui::EndTable();
    }
    ImGui::End();
}

} // namespace nvmelab::ui
