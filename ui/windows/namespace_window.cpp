// Namespace window: namespace 1's LBAs as a grid of cells, each cell a run of blocks coloured by
// the most telling state among them (cached > lost > written > unwritten). Click a cell to zoom
// into it, down to one block per cell; right-click or "whole namespace" to zoom out.
#include <algorithm>

#include <fmt/format.h>

#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

ImU32 state_colour(BlockState st) {
    switch (st) {
    case BlockState::Unwritten:
        return IM_COL32(55, 55, 62, 255);
    case BlockState::Written:
        return IM_COL32(80, 180, 90, 255);
    case BlockState::Cached:
        return IM_COL32(240, 170, 50, 255);
    case BlockState::Lost:
        return IM_COL32(220, 60, 60, 255);
    }
    return IM_COL32(255, 0, 255, 255);
}

const char *state_name(BlockState st) {
    switch (st) {
    case BlockState::Unwritten:
        return "unwritten";
    case BlockState::Written:
        return "written (on media)";
    case BlockState::Cached:
        return "in the volatile cache, not on media yet";
    case BlockState::Lost:
        return "lost in a power cut (was only in the cache)";
    }
    return "?";
}

void legend(BlockState st, const char *text) {
    ImDrawList *dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = ImGui::GetTextLineHeight();
    dl->AddRectFilled({p.x, p.y + 2}, {p.x + h - 4, p.y + h - 2}, state_colour(st));
    ImGui::Dummy({h - 2, h});
    ImGui::SameLine(0, 2);
    ImGui::TextUnformatted(text);
    ImGui::SameLine();
}

} // namespace

void NamespaceWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    NamespaceUsage &usage = s.namespace_usage();
    if (s.generation() != generation_) {
        // A new device or a power cycle: the old map and cache sample are stale.
        generation_ = s.generation();
        refresh_.force();
    }
    const uint64_t nsze = s.config().nsze();
    if (count_ == 0 || first_ + count_ > nsze) {
        first_ = 0;
        count_ = nsze;
    }
    legend(BlockState::Unwritten, "unwritten");
    legend(BlockState::Written, "written");
    legend(BlockState::Cached, "cached");
    legend(BlockState::Lost, "lost");
    ImGui::NewLine();
    ImGui::Text("LBA %llu..%llu of %llu", static_cast<unsigned long long>(first_),
                static_cast<unsigned long long>(first_ + count_ - 1),
                static_cast<unsigned long long>(nsze));
    ImGui::SameLine();
    if (ImGui::SmallButton("whole namespace")) {
        first_ = 0;
        count_ = nsze;
    }
    // The space below the counts' line.
    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float below = avail.y - ImGui::GetTextLineHeightWithSpacing();
    const float cell = 9.0f;
    const int cols = std::max(8, static_cast<int>(avail.x / cell));
    const int rows = std::max(2, static_cast<int>(below / cell));
    // The map and its counts follow the trace and the cache at most 10 times a second (sorting
    // the cache's LBAs for every frame was a tenth of the page's work under a busy workload);
    // a new zoom or size shows at once.
    const MapKey key{first_, count_, static_cast<size_t>(cols) * static_cast<size_t>(rows)};
    if (key != map_key_) refresh_.force();
    if (refresh_.due(s.ctrl().trace().total_recorded(), ImGui::GetTime())) {
        usage.sample_cache(s.ctrl());
        map_ = usage.map(first_, count_, key.cells);
        map_key_ = key;
        // The LBA format in use (Identify Namespace FLBAS, DPS) and the ones Format NVM offers.
        formats_.clear();
        std::string in_use;
        if (const auto view = s.ctrl().namespace_view(1)) {
            for (size_t i = 0; i < view->lba_formats.size(); ++i) {
                const LbaFormatInfo &f = view->lba_formats[i];
                formats_ += fmt::format("{}{:2}: {:>5} B data + {:>2} B metadata\n",
                                        i == view->format_in_use ? "> " : "  ", i, f.data_size,
                                        f.metadata_size);
            }
            in_use =
                fmt::format("format {}: {} B{}{}", view->format_in_use, view->lba_size(),
                            view->metadata_size() == 0
                                ? ""
                                : fmt::format(" + {} B metadata {}", view->metadata_size(),
                                              view->extended_lba ? "(extended)" : "(separate)"),
                            (view->dps & 7) != 0 ? fmt::format(", PI type {}", view->dps & 7) : "");
        }
        counts_ = fmt::format("{} written, {} cached, {} lost; {}", usage.written().blocks(),
                              usage.cached().size(), usage.lost().blocks(), in_use);
    }
    ImGui::TextDisabled("%s", counts_.c_str());
    if (ImGui::IsItemHovered() && !formats_.empty())
        ImGui::SetTooltip("LBA formats (Identify Namespace; Format NVM switches):\n%s",
                          formats_.c_str());
    const NamespaceMap &m = map_;
    ImDrawList *dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    for (size_t i = 0; i < m.cells.size(); ++i) {
        const float x = p.x + static_cast<float>(i % static_cast<size_t>(cols)) * cell;
        const float y = p.y + static_cast<float>(i / static_cast<size_t>(cols)) * cell;
        dl->AddRectFilled({x, y}, {x + cell - 1, y + cell - 1}, state_colour(m.cells[i]));
    }
    const auto used_rows =
        (m.cells.size() + static_cast<size_t>(cols) - 1) / static_cast<size_t>(cols);
    ImGui::InvisibleButton("map", {static_cast<float>(cols) * cell,
                                   std::max(cell, static_cast<float>(used_rows) * cell)});
    if (ImGui::IsItemHovered()) {
        const ImVec2 mp = ImGui::GetMousePos();
        const auto cx = static_cast<size_t>((mp.x - p.x) / cell);
        const auto cy = static_cast<size_t>((mp.y - p.y) / cell);
        const size_t i = cy * static_cast<size_t>(cols) + cx;
        if (i < m.cells.size()) {
            const uint64_t a = m.first + i * m.blocks_per_cell;
            const uint64_t b = std::min(a + m.blocks_per_cell, first_ + count_) - 1;
            ImGui::BeginTooltip();
            if (a == b)
                ImGui::Text("LBA %llu: %s", static_cast<unsigned long long>(a),
                            state_name(usage.state(a)));
            else
                ImGui::Text("LBA %llu..%llu (%llu blocks): %s", static_cast<unsigned long long>(a),
                            static_cast<unsigned long long>(b),
                            static_cast<unsigned long long>(b - a + 1), state_name(m.cells[i]));
            ImGui::TextDisabled("click: zoom in   right-click: zoom out");
            ImGui::EndTooltip();
            if (ImGui::IsItemClicked(ImGuiMouseButton_Left) && m.blocks_per_cell > 1) {
                // Zoom so the clicked cell's blocks fill about a sixteenth of the map.
                const uint64_t want = std::max<uint64_t>(m.cells.size(), m.blocks_per_cell * 16);
                count_ = std::min(want, nsze);
                first_ = a > count_ / 2 ? std::min(a - count_ / 2, nsze - count_) : 0;
            }
        }
        if (ImGui::IsItemClicked(ImGuiMouseButton_Right)) {
            const uint64_t centre = first_ + count_ / 2;
            count_ = std::min(nsze, count_ * 16);
            first_ = centre > count_ / 2 ? std::min(centre - count_ / 2, nsze - count_) : 0;
        }
    }
    ImGui::End();
}

} // namespace nvmelab::ui
