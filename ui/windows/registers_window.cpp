// Registers window: every register of NVMe 1.3 §3.1 decoded into named fields with tooltips.
// Edits are host writes, sent through the console (`reg write NAME[.FIELD] VALUE`) so the log
// shows the command that does the same and the host-side bookkeeping matches.
#include <algorithm>

#include <fmt/format.h>

#include "core/spec/register_table.h"
#include "imgui_internal.h" // the window's inner clip rectangle
#include "ui/windows/layout_probe.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

using spec::Access;
using spec::FieldInfo;
using spec::RegisterInfo;

bool starts_open(std::string_view name) {
    return name == "CC" || name == "CSTS" || name == "AQA";
}

std::string field_tooltip(const RegisterInfo &reg, const FieldInfo &f) {
    const std::string bits =
        f.hi == f.lo ? fmt::format("bit {}", f.lo) : fmt::format("bits {}:{}", f.hi, f.lo);
    return fmt::format("{}.{} - {}\n{}, {}\n\n{}", reg.name, f.name, f.title, bits,
                       spec::access_name(f.access), f.help);
}

// Writes one field as the host would: through the console when it knows the field,
// otherwise as a read-modify-write of the whole register.
void write_field(Session &s, const RegisterInfo &reg, const FieldInfo &f, uint64_t raw,
                 uint64_t value) {
    if (reg.console_fields) {
        s.write_register(fmt::format("{}.{}", reg.name, f.name), value);
        return;
    }
    s.write_register(reg.name, f.set(raw, value));
}

void value_cell(Session &s, const RegisterInfo &reg, const FieldInfo &f, uint64_t raw) {
    const uint64_t v = f.get(raw);
    const bool editable = reg.console && f.access != Access::ReadOnly;
    ImGui::PushID(f.name.data(), f.name.data() + f.name.size());
    if (!editable) {
        if (f.width() > 16)
            ImGui::Text("0x%llx", static_cast<unsigned long long>(v));
        else
            ImGui::Text("%llu", static_cast<unsigned long long>(v));
        tooltip("Read-only: the controller ignores host writes to this field.");
    } else if (f.access == Access::Write1Clear && f.width() == 1) {
        ImGui::Text("%llu", static_cast<unsigned long long>(v));
        ImGui::SameLine();
        ImGui::BeginDisabled(v == 0);
        if (ImGui::SmallButton("clear")) write_field(s, reg, f, raw, 1);
        ImGui::EndDisabled();
        tooltip("Write 1 to clear (RW1C).");
    } else if (f.width() == 1) {
        bool on = v != 0;
        if (ImGui::Checkbox("##v", &on)) write_field(s, reg, f, raw, on ? 1 : 0);
        tooltip("Click to write the other value (a host register write).");
    } else {
        uint64_t edit = v;
        ImGui::SetNextItemWidth(-FLT_MIN);
        const bool hex = f.width() > 16;
        if (ImGui::InputScalar("##v", ImGuiDataType_U64, &edit, nullptr, nullptr,
                               hex ? "%llx" : "%llu",
                               ImGuiInputTextFlags_EnterReturnsTrue |
                                   (hex ? ImGuiInputTextFlags_CharsHexadecimal : 0)))
            write_field(s, reg, f, raw, std::min(edit, f.max()));
        tooltip("Type a value and press Enter to write it (a host register write).");
    }
    ImGui::PopID();
}

void register_body(Session &s, const RegisterInfo &reg, uint64_t raw) {
    if (reg.console && reg.writable) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("write");
        ImGui::SameLine();
        uint64_t edit = raw;
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * (reg.wide ? 11.0f : 7.0f));
        if (ImGui::InputScalar("##raw", ImGuiDataType_U64, &edit, nullptr, nullptr,
                               reg.wide ? "%016llx" : "%08llx",
                               ImGuiInputTextFlags_EnterReturnsTrue |
                                   ImGuiInputTextFlags_CharsHexadecimal))
            s.write_register(reg.name, reg.wide ? edit : (edit & 0xFFFFFFFFu));
        tooltip(fmt::format("Whole-register write at offset 0x{:02x} (hex, Enter to write); "
                            "the console log shows the equivalent 'reg write'.",
                            reg.offset));
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("fields", 4, flags)) return;
    ImGui::TableSetupColumn("field");
    ImGui::TableSetupColumn("bits");
    // Narrow windows (the left column beside a lesson) give the meaning the room.
    const bool narrow = ImGui::GetContentRegionAvail().x < ImGui::GetFontSize() * 30;
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthFixed,
                            ImGui::GetFontSize() * (narrow ? 4.5f : 6.5f));
    ImGui::TableSetupColumn("meaning", ImGuiTableColumnFlags_WidthStretch);
    for (const FieldInfo &f : reg.fields) {
        ImGui::TableNextRow();
        const std::string full = fmt::format("{}.{}", reg.name, f.name);
        const bool lit = s.highlights.field("registers", full);
        if (lit) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1, IM_COL32(255, 200, 40, 80));
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(f.name.data(), f.name.data() + f.name.size());
        if (lit) record_highlight("registers", full);
        if (ImGui::IsItemHovered()) tooltip(field_tooltip(reg, f)); // built only when shown
        ImGui::TableNextColumn();
        if (f.hi == f.lo)
            ImGui::TextDisabled("%u", f.lo);
        else
            ImGui::TextDisabled("%u:%u", f.hi, f.lo);
        if (ImGui::IsItemHovered()) tooltip(field_tooltip(reg, f)); // built only when shown
        ImGui::TableNextColumn();
        value_cell(s, reg, f, raw);
        ImGui::TableNextColumn();
        const std::string meaning = spec::field_meaning(reg, f, raw);
        ImGui::TextWrapped("%s", meaning.c_str()); // a narrow window wraps, never cuts
        if (ImGui::IsItemHovered()) tooltip(field_tooltip(reg, f)); // built only when shown
    }
    ImGui::EndTable();
}

void doorbells(Session &s) {
    const auto queues = s.ctrl().queues();
    if (queues.empty()) {
        ImGui::TextDisabled("No queues yet: doorbells appear once the admin queue exists.");
        return;
    }
    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("doorbells", 3, flags)) return;
    ImGui::TableSetupColumn("doorbell");
    ImGui::TableSetupColumn("offset");
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    // Only the rows in view are built: with 64 queue pairs most of the 130 are scrolled away,
    // and building them all cost the browser's frame ~0.4 ms.
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(queues.size()));
    while (clipper.Step())
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const QueueView &q = queues[static_cast<size_t>(row)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            ImGui::Text("%s%uT%sDBL", q.is_sq ? "SQ" : "CQ", q.qid, q.is_sq ? "" : "H");
            const uint32_t off =
                q.is_sq ? s.ctrl().sq_doorbell_offset(q.qid) : s.ctrl().cq_doorbell_offset(q.qid);
            if (ImGui::IsItemHovered())
                tooltip(
                    q.is_sq
                        ? fmt::format("SQ {} Tail Doorbell: {}", q.qid, spec::doorbells().sq_help)
                        : fmt::format("CQ {} Head Doorbell: {}", q.qid, spec::doorbells().cq_help));
            ImGui::TableNextColumn();
            ImGui::TextDisabled("0x%x", off);
            ImGui::TableNextColumn();
            ImGui::PushID(static_cast<int>(off));
            uint32_t value = q.is_sq ? q.tail : q.head;
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.0f);
            if (ImGui::InputScalar("##db", ImGuiDataType_U32, &value, nullptr, nullptr, "%u",
                                   ImGuiInputTextFlags_EnterReturnsTrue))
                s.exec(fmt::format("doorbell {} {} {}", q.is_sq ? "sq" : "cq", q.qid, value));
            tooltip("Doorbells are write-only; shown is the controller's current SQ tail / CQ "
                    "head. Enter writes a raw doorbell value (the host's own queue state does "
                    "not change).");
            ImGui::PopID();
        }
    ImGui::EndTable();
}

} // namespace

void record_highlight(const char *window, std::string name) {
    // The last item, against the part of the current window that shows content.
    const ImGuiWindow *w = ImGui::GetCurrentWindowRead();
    const ImRect &clip = w->InnerClipRect;
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    layout_probe().items.push_back({window,
                                    std::move(name),
                                    {a.x, a.y, b.x, b.y},
                                    {clip.Min.x, clip.Min.y, clip.Max.x, clip.Max.y}});
}

void RegistersWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    ImGui::TextDisabled("BAR0 controller registers, NVMe 1.3 §3.1");
    help_marker("Hover a field for its meaning. Checkboxes and value boxes write the register "
                "as a host does (press Enter in a value box); the console shows the "
                "equivalent 'reg write' command and what the controller made of it.");
    const bool new_highlights = s.highlights.version() != highlights_seen_;
    highlights_seen_ = s.highlights.version();
    const bool lesson_registers = s.highlights.window("registers");
    // A step that names registers scrolls them into view: this frame and the next (ImGui
    // applies a scroll in the frame after it is asked for, and rows open in this one).
    if (new_highlights && lesson_registers) scroll_frames_ = 3;
    float first_lit = -1; // a highlighted register was drawn
    for (const RegisterInfo &reg : spec::registers()) {
        const uint64_t raw = spec::read_register(s.ctrl(), reg);
        const bool highlighted = s.highlights.field("registers", reg.name);
        const float row_top = ImGui::GetCursorPosY();
        const std::string label =
            reg.wide ? fmt::format("{:<6} {:016x}  {}###{}", reg.name, raw, reg.title, reg.name)
                     : fmt::format("{:<6} {:08x}  {}###{}", reg.name, raw, reg.title, reg.name);
        ImGui::PushID(reg.name.data(), reg.name.data() + reg.name.size());
        // A lesson step that names fields opens their registers and closes the others (once:
        // the learner may open and close them), so what it is about fits in the window.
        // A register named whole (AQA) shows its value on its tinted header and stays closed.
        if (new_highlights && lesson_registers) {
            bool field_named = false;
            for (const FieldInfo &f : reg.fields)
                field_named =
                    field_named ||
                    s.highlights.names("registers", fmt::format("{}.{}", reg.name, f.name));
            ImGui::SetNextItemOpen(field_named);
        }
        if (highlighted) ImGui::PushStyleColor(ImGuiCol_Header, IM_COL32(160, 120, 20, 200));
        const bool expanded = ImGui::CollapsingHeader(
            label.c_str(), starts_open(reg.name) ? ImGuiTreeNodeFlags_DefaultOpen : 0);
        if (highlighted) ImGui::PopStyleColor();
        if (ImGui::IsItemHovered())
            tooltip(fmt::format("{} - {} (offset 0x{:02x}, {} bits)\n\n{}", reg.name, reg.title,
                                reg.offset, reg.wide ? 64 : 32, reg.help));
        if (highlighted && s.highlights.names("registers", reg.name))
            record_highlight("registers", std::string(reg.name));
        if (expanded) register_body(s, reg, raw);
        if (highlighted) {
            if (first_lit < 0) first_lit = row_top;
        }
        ImGui::PopID();
    }
    if (scroll_frames_ > 0 && first_lit >= 0) {
        --scroll_frames_;
        // Scroll so that the highlighted rows (recorded above, in screen coordinates) are all
        // in view: the last one at the bottom, unless the first would leave the top.
        const ImGuiWindow *w = ImGui::GetCurrentWindowRead();
        float lo = FLT_MAX, hi = -FLT_MAX;
        for (const LayoutProbe::Item &i : layout_probe().items)
            if (i.window == "registers") {
                lo = std::min(lo, i.rect.y0 - w->Pos.y + w->Scroll.y);
                hi = std::max(hi, i.rect.y1 - w->Pos.y + w->Scroll.y);
            }
        if (lo <= hi) {
            const float top = w->InnerClipRect.Min.y - w->Pos.y;
            const float view = w->InnerClipRect.GetHeight();
            const float margin = ImGui::GetTextLineHeight();
            float scroll = std::max(0.0f, hi + margin - top - view);
            scroll = std::min(scroll, std::max(0.0f, lo - top - margin));
            ImGui::SetScrollY(scroll);
        }
    }
    if (ImGui::CollapsingHeader("Doorbells (1000h + 2y * stride)", ImGuiTreeNodeFlags_DefaultOpen))
        doorbells(s);
    ImGui::End();
}

} // namespace nvmelab::ui
