// Host memory window: the mapped regions (left) and a hex + ASCII view of one (right). Bytes are
// tinted by what they belong to: a queue, the selected command's data pages or its PRP list;
// the label column names the most specific range at the start of each line.
#include <cstdlib>

#include <fmt/format.h>

#include "ui/model/memory_labels.h"
#include "ui/model/prp_map.h"
#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

ImVec4 kind_colour(LabelledRange::Kind k) {
    switch (k) {
    case LabelledRange::Kind::Queue:
        return {0.55f, 0.8f, 1.0f, 1};
    case LabelledRange::Kind::Data:
        return {0.45f, 0.9f, 0.5f, 1};
    case LabelledRange::Kind::PrpList:
        return {0.95f, 0.8f, 0.35f, 1};
    case LabelledRange::Kind::Region:
        break;
    }
    return {0.85f, 0.85f, 0.85f, 1};
}

} // namespace

void MemoryWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    if (generation_ != s.generation()) {
        region_ = 0;
        generation_ = s.generation();
    }
    const SparseHostMemory &mem = s.mem();
    const SelectedCommand sel = selected_command(s);
    std::optional<PrpWalkView> walk;
    if (sel.valid && sel.data_length > 0)
        walk = walk_prps(sel.sqe.prp1, sel.sqe.prp2, sel.data_length, host_page_size(s), mem);
    const std::vector<LabelledRange> labels =
        memory_labels(mem, s.ctrl().queues(), walk ? &*walk : nullptr);

    // A newly selected command: show its first data page.
    const uint64_t key = sel.valid ? (uint64_t{sel.sqid} << 32 | sel.cid) ^ sel.sqe.prp1 : 0;
    if (key != selected_key_) {
        selected_key_ = key;
        if (walk && !walk->entries.empty() && walk->entries.front().mapped)
            goto_ = walk->entries.front().data_addr;
    }
    if (goto_) {
        if (const auto *r = mem.region_at(*goto_)) region_ = r->base;
    }
    if (region_ == 0 || mem.region_at(region_) == nullptr) {
        // Default: the selected command's first data page, else the first region.
        if (walk && !walk->entries.empty() && mem.region_at(walk->entries.front().data_addr))
            region_ = mem.region_at(walk->entries.front().data_addr)->base;
        else if (!mem.regions().empty())
            region_ = mem.regions().begin()->first;
    }

    // ---- region list ---------------------------------------------------------------------
    const float list_w = ImGui::GetFontSize() * 6.5f;
    // Long labels scroll sideways in the narrow list instead of being cut off.
    ImGui::BeginChild("regions", {list_w, 0}, true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextDisabled("%zu regions", mem.regions().size());
    for (const auto &[base, r] : mem.regions()) {
        const std::string label =
            fmt::format("{}##{:x}", r.label.empty() ? fmt::format("0x{:x}", base) : r.label, base);
        if (ImGui::Selectable(label.c_str(), base == region_)) region_ = base;
        tooltip(fmt::format("0x{:x} .. 0x{:x} ({} bytes)", base, base + r.size - 1, r.size));
    }
    ImGui::EndChild();
    ImGui::SameLine();

    // ---- hex view ------------------------------------------------------------------------
    ImGui::BeginGroup();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (ImGui::InputTextWithHint("##goto", "go to 0x...", goto_text_, sizeof goto_text_,
                                 ImGuiInputTextFlags_EnterReturnsTrue)) {
        char *end = nullptr;
        const unsigned long long a = std::strtoull(goto_text_, &end, 0);
        if (end != goto_text_ && mem.region_at(a)) goto_ = a;
    }
    tooltip("An address inside a mapped region; Enter jumps there.");
    if (walk && !walk->entries.empty()) {
        ImGui::SameLine();
        if (ImGui::SmallButton("selected command's data")) goto_ = walk->entries.front().data_addr;
    }
    const SparseHostMemory::Region *r = mem.region_at(region_);
    if (!r) {
        ImGui::TextDisabled("No host memory mapped yet ('enable' or 'mem alloc').");
        ImGui::EndGroup();
        ImGui::End();
        return;
    }
    ImGui::SameLine();
    ImGui::TextDisabled("%s", r->label.c_str());
    ImGui::BeginChild("hex", {0, 0}, false, ImGuiWindowFlags_HorizontalScrollbar);
    const float line_h = ImGui::GetTextLineHeightWithSpacing();
    const float char_w = ImGui::CalcTextSize("0").x;
    // 16 bytes a line when they fit (address, hex, ASCII), else 8.
    const int per = ImGui::GetContentRegionAvail().x >= char_w * 76 ? 16 : 8;
    const auto lines = static_cast<int>((r->size + per - 1) / per);
    if (goto_) {
        const auto line = static_cast<float>((*goto_ - r->base) / static_cast<uint64_t>(per));
        ImGui::SetScrollY(line * line_h);
        goto_.reset();
    }
    ImGuiListClipper clipper;
    clipper.Begin(lines, line_h);
    while (clipper.Step()) {
        for (int line = clipper.DisplayStart; line < clipper.DisplayEnd; ++line) {
            const uint64_t addr =
                r->base + static_cast<uint64_t>(line) * static_cast<uint64_t>(per);
            const auto off = static_cast<size_t>(addr - r->base);
            ImGui::TextDisabled("%08llx", static_cast<unsigned long long>(addr));
            ImGui::SameLine();
            const float x0 = ImGui::GetCursorPosX();
            std::string ascii;
            for (int i = 0; i < per; ++i) {
                const uint8_t b = r->bytes[off + static_cast<size_t>(i)];
                const LabelledRange *l = label_at(labels, addr + static_cast<uint64_t>(i));
                ImGui::SetCursorPosX(x0 + char_w * static_cast<float>(i * 3 + (i >= 8 ? 1 : 0)));
                const ImVec4 c = b == 0 ? ImVec4{0.45f, 0.45f, 0.5f, 1}
                                        : kind_colour(l ? l->kind : LabelledRange::Kind::Region);
                ImGui::TextColored(c, "%02x", b);
                ImGui::SameLine(0, 0);
                ascii += b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
            }
            ImGui::SetCursorPosX(x0 + char_w * static_cast<float>(per * 3 + 2));
            ImGui::TextUnformatted(ascii.c_str());
            const LabelledRange *l = label_at(labels, addr);
            const LabelledRange *prev =
                line == 0 ? nullptr : label_at(labels, addr - static_cast<uint64_t>(per));
            if (l && l != prev) {
                ImGui::SameLine();
                ImGui::TextColored(kind_colour(l->kind), "< %s", l->label.c_str());
            }
        }
    }
    ImGui::EndChild();
    ImGui::EndGroup();
    ImGui::End();
}

} // namespace nvmelab::ui
