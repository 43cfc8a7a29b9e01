// Data path window: the PRP walk of the selected command drawn over host memory pages. Each row
// is one PRP entry: where it comes from (PRP1 / PRP2 in the SQE, or an entry of a PRP list
// page), an arrow, and the memory page it points to as a bar with the bytes used filled in at
// their offset. Errors (a rule of NVMe 1.3 §4.3, or an unmapped page) are red. A command with
// PSDT 01b/10b shows its SGL walk instead: segments, Data Blocks, Bit Buckets (§4.4).
#include <fmt/format.h>

#include "ui/model/prp_map.h"
#include "ui/model/sgl_map.h"
#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

const ImU32 kOk = IM_COL32(60, 190, 230, 255);
const ImU32 kList = IM_COL32(230, 200, 60, 255);
const ImU32 kBad = IM_COL32(230, 70, 70, 255);
const ImU32 kPage = IM_COL32(70, 70, 80, 255);

std::string source_text(const PrpEntryView &e) {
    switch (e.source) {
    case PrpEntryView::Source::Prp1:
        return "PRP1";
    case PrpEntryView::Source::Prp2:
        return "PRP2";
    case PrpEntryView::Source::ListEntry:
        return fmt::format("list{}[{}]", e.list, e.index);
    }
    return "?";
}

// One row: a source box, an arrow and the page bar with the used bytes.
void page_row(const std::string &source, const std::string &where, uint64_t addr, uint64_t offset,
              uint64_t len, uint64_t page, ImU32 colour, const std::string &tip) {
    ImDrawList *dl = ImGui::GetWindowDrawList();
    const float h = ImGui::GetTextLineHeight() + 2;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float src_w = ImGui::CalcTextSize("list00[000]").x + 8;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float bar_w = std::max(50.0f, avail * 0.22f);
    const float text_x = p.x + src_w + 26 + bar_w + 6;
    dl->AddRectFilled(p, {p.x + src_w, p.y + h}, IM_COL32(45, 45, 55, 255), 2);
    dl->AddRect(p, {p.x + src_w, p.y + h}, colour, 2);
    dl->AddText({p.x + 4, p.y + 1}, IM_COL32(230, 230, 230, 255), source.c_str());
    const float ay = p.y + h / 2;
    dl->AddLine({p.x + src_w + 2, ay}, {p.x + src_w + 22, ay}, colour, 1.5f);
    dl->AddTriangleFilled({p.x + src_w + 24, ay}, {p.x + src_w + 18, ay - 4},
                          {p.x + src_w + 18, ay + 4}, colour);
    const float bx = p.x + src_w + 26;
    dl->AddRectFilled({bx, p.y}, {bx + bar_w, p.y + h}, kPage, 2);
    if (page > 0) {
        const float a = bar_w * static_cast<float>(offset) / static_cast<float>(page);
        const float b =
            bar_w * static_cast<float>(std::min(offset + len, page)) / static_cast<float>(page);
        dl->AddRectFilled({bx + a, p.y + 2}, {bx + std::max(b, a + 2), p.y + h - 2}, colour, 1);
    }
    const std::string text = fmt::format("0x{:x} +0x{:x} {}B {}", addr, offset, len, where);
    dl->AddText({text_x, p.y + 1}, IM_COL32(220, 220, 220, 255), text.c_str());
    ImGui::Dummy({avail, h});
    if (!tip.empty()) tooltip(tip);
}

const ImU32 kBucket = IM_COL32(150, 150, 160, 255);

std::string sgl_source(uint32_t segment, uint64_t index) {
    return segment == 0 ? std::string("SGL1") : fmt::format("seg{}[{}]", segment, index);
}

// An SGL (PSDT 01b/10b, NVMe 1.3 §4.4): each segment read, then a row per descriptor that moves
// or discards bytes; the descriptor that broke a rule is the last row, in red.
void draw_sgl_walk(const SglWalkView &w, uint64_t page) {
    ImGui::TextDisabled("%llu bytes through an SGL: %zu steps",
                        static_cast<unsigned long long>(w.length), w.steps.size());
    if (w.error) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4{1.0f, 0.45f, 0.45f, 1});
        ImGui::TextWrapped("%s = 0x%llx: %s (%s)", w.error->field.c_str(),
                           static_cast<unsigned long long>(w.error->value), w.error->rule.c_str(),
                           w.error->section.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::BeginChild("sgl walk", {0, 0}, false, ImGuiWindowFlags_HorizontalScrollbar);
    for (const SglStepView &r : w.steps) {
        const std::string at = r.descriptor_addr == 0
                                   ? std::string("from the SQE")
                                   : fmt::format("descriptor stored at 0x{:x}", r.descriptor_addr);
        switch (r.kind) {
        case SglStepView::Kind::SegmentRead:
            page_row(fmt::format("seg{}", r.segment),
                     fmt::format("SGL segment {}: {} descriptors [{}]", r.segment, r.len,
                                 r.mapped ? r.region : std::string("UNMAPPED")),
                     r.addr, r.addr & (page - 1), r.len * 16, page, r.mapped ? kList : kBad,
                     "An SGL segment: 16-byte descriptors; only its last may point to the next "
                     "segment (§4.4).");
            break;
        case SglStepView::Kind::Data:
            page_row(
                sgl_source(r.segment, r.index),
                fmt::format("@{} {}", r.position, r.mapped ? r.region : std::string("UNMAPPED")),
                r.addr, r.addr & (page - 1), r.len, page, r.mapped ? kOk : kBad,
                "Data Block: " + at);
            break;
        case SglStepView::Kind::Bucket:
            page_row(sgl_source(r.segment, r.index),
                     fmt::format("@{} Bit Bucket: {} bytes discarded", r.position, r.len), 0, 0, 0,
                     page, kBucket, "Bit Bucket: " + at);
            break;
        }
    }
    if (w.error)
        page_row(sgl_source(w.error_segment, w.error_index), "broke a rule",
                 w.error_descriptor_addr, w.error_descriptor_addr & (page - 1), 16, page, kBad,
                 w.error->rule);
    ImGui::EndChild();
}

} // namespace

void DataPathWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    const SelectedCommand sel = selected_command(s);
    if (!sel.valid) {
        ImGui::TextWrapped("No command yet. Select one in the Timeline or the Command inspector "
                           "(or run e.g. 'read 1 0 7' in the console).");
        ImGui::End();
        return;
    }
    const uint64_t page = host_page_size(s);
    ImGui::Text("%s  SQ %u CID %u  %s",
                opcode_text(s.ctrl(), sel.sqid, sel.sqe.nsid, sel.sqe.opc).c_str(), sel.sqid,
                sel.cid, sel.in_flight ? phase_label(sel.view.phase) : "completed");
    help_marker("The command selected in the Timeline or the Command inspector (else the newest "
                "completion). Rows: each PRP entry and the host memory page it points to; the "
                "filled part of the bar is the bytes this command moves there, at their offset.");
    if (sel.data_length == 0) {
        ImGui::TextDisabled("This command moves no data through PRPs (or its length is not "
                            "known for this opcode).");
        ImGui::End();
        return;
    }
    if (sel.sqe.psdt() == 1 || sel.sqe.psdt() == 2) {
        draw_sgl_walk(walk_sgl(sel.sqe, sel.data_length, s.mem()), page);
        ImGui::End();
        return;
    }
    const PrpWalkView w = walk_prps(sel.sqe.prp1, sel.sqe.prp2, sel.data_length, page, s.mem());
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%llu bytes, page %llu B: %s",
                       static_cast<unsigned long long>(sel.data_length),
                       static_cast<unsigned long long>(page),
                       !w.prp2_used     ? "fits in PRP1's page (PRP2 unused)"
                       : w.prp2_is_list ? "PRP2 points to a PRP list"
                                        : "PRP2 points to the second page");
    ImGui::PopStyleColor();
    if (w.error) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4{1.0f, 0.45f, 0.45f, 1});
        ImGui::TextWrapped("%s = 0x%llx: %s (%s)", w.error->field.c_str(),
                           static_cast<unsigned long long>(w.error->value), w.error->rule.c_str(),
                           w.error->section.c_str());
        ImGui::PopStyleColor();
    }
    // Rows wider than a narrow window scroll sideways rather than being cut off.
    ImGui::BeginChild("walk", {0, 0}, false, ImGuiWindowFlags_HorizontalScrollbar);
    size_t list_shown = 0;
    for (const PrpEntryView &e : w.entries) {
        // A list page heads the entries read from it; PRP2 points to the first one.
        if (e.source == PrpEntryView::Source::ListEntry && e.list + 1 > list_shown) {
            const PrpListView &l = w.lists[e.list];
            const std::string src = e.list == 0 ? "PRP2" : fmt::format("list{}[last]", e.list - 1);
            page_row(src,
                     fmt::format("PRP list {}: {} entries{}  [{}]", e.list, l.entries,
                                 l.chained ? " + chain" : "", l.region),
                     l.addr, l.addr & (page - 1), uint64_t{l.entries} * 8, page, kList,
                     "A PRP list page: 8-byte entries, each the address of one data page. A full "
                     "page's last entry points to the next list page (§4.3).");
            list_shown = e.list + 1;
        }
        page_row(source_text(e),
                 fmt::format("@{} {}", e.position, e.mapped ? e.region : std::string("UNMAPPED")),
                 e.data_addr, e.offset, e.len, page, e.mapped ? kOk : kBad,
                 e.source == PrpEntryView::Source::ListEntry
                     ? fmt::format("entry stored at 0x{:x}", e.entry_addr)
                     : std::string("from the SQE"));
    }
    for (size_t i = list_shown; i < w.lists.size(); ++i)
        page_row(i == 0 ? "PRP2" : "chain", "PRP list (no entries used)", w.lists[i].addr,
                 w.lists[i].addr & (page - 1), uint64_t{w.lists[i].entries} * 8, page, kList, "");
    if (w.error && w.entries.empty())
        page_row(w.error->field, "rejected", w.error->value, w.error->value & (page - 1), 0, page,
                 kBad, w.error->rule);
    ImGui::EndChild();
    ImGui::End();
}

} // namespace nvmelab::ui
