// Command inspector: the selected completion (or the newest one) decoded field by field, with
// the status name, its meaning and the controller's explanation of a failure, plus the list of
// recent completions to choose from.
#include <fmt/format.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "ui/model/sqe_fields.h"
#include "ui/windows/explorer_windows.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

const char *sct_name(uint8_t sct) {
    switch (sct) {
    case 0:
        return "Generic Command Status";
    case 1:
        return "Command Specific Status";
    case 2:
        return "Media and Data Integrity Errors";
    case 7:
        return "Vendor Specific";
    default:
        return "Reserved";
    }
}

void field_row(const char *name, const std::string &value, const char *help) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    tooltip(help);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(value.c_str());
    tooltip(help);
}

void decoded(const Controller &ctrl, const CompletionRecord &r) {
    const spec::Cqe &e = r.cqe;
    const spec::Status st = e.decoded_status();
    const std::string cmd = opcode_text(ctrl, r.sqid, r.sqe.nsid, r.opcode);
    ImGui::Text("%s", cmd.c_str());
    ImGui::SameLine();
    ImGui::TextDisabled("(opc 0x%02x, %s) on SQ %u -> CQ %u", r.opcode,
                        spec::command_set_name(ctrl.command_set_of(r.sqid, r.sqe.nsid)), r.sqid,
                        r.cqid);

    const std::string_view name = spec::status_name(st);
    ImGui::PushStyleColor(ImGuiCol_Text, status_colour(st.ok()));
    ImGui::Text("%.*s", static_cast<int>(name.size()), name.data());
    ImGui::PopStyleColor();
    ImGui::SameLine();
    ImGui::TextDisabled("status 0x%04x%s%s", st.field(), st.dnr ? "  [DNR]" : "",
                        st.more ? "  [M]" : "");
    if (!st.ok()) {
        const std::string_view meaning = spec::status_description(st);
        if (!meaning.empty())
            ImGui::TextWrapped("%.*s", static_cast<int>(meaning.size()), meaning.data());
        if (r.why) {
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4{1.0f, 0.8f, 0.5f, 1});
            ImGui::TextWrapped("why: %s=0x%llx: %s (%s)", r.why->field.c_str(),
                               static_cast<unsigned long long>(r.why->value), r.why->rule.c_str(),
                               r.why->section.c_str());
            ImGui::PopStyleColor();
        }
    }

    const ImGuiTableFlags flags =
        ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("cqe", 2, flags)) return;
    ImGui::TableSetupColumn("CQE field");
    ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    field_row("DW0", fmt::format("0x{:08x}", e.dw0),
              "Dword 0: command specific result (e.g. Get Features value, Set Features Number of "
              "Queues granted, Abort result).");
    field_row("DW1", fmt::format("0x{:08x}", e.dw1), "Dword 1: reserved for most commands.");
    field_row("DW2.SQHD", fmt::format("{}", e.sqhd),
              "SQ Head Pointer: the SQ head when this completion was posted. Slots before it "
              "have been fetched and may be reused by the host.");
    field_row("DW2.SQID", fmt::format("{}", e.sqid),
              "SQ Identifier: the queue the command came from (one CQ may serve several SQs).");
    field_row("DW3.CID", fmt::format("{}", e.cid),
              "Command Identifier: the CID the host put in the SQE, to match the completion.");
    field_row("DW3.P", fmt::format("{}", e.phase() ? 1 : 0),
              "Phase Tag: flips every time the controller wraps around the CQ, so the host "
              "can tell new entries from old ones without reading a register.");
    field_row("DW3.SF.SCT", fmt::format("{} ({})", st.sct, sct_name(st.sct)),
              "Status Code Type: which table the Status Code belongs to.");
    field_row("DW3.SF.SC", fmt::format("0x{:02x}", st.sc), "Status Code within its type.");
    field_row("DW3.SF.M", st.more ? "1 (more in the Error Information log)" : "0",
              "More: the Error Information log page (Get Log Page 01h) has an entry about this "
              "command.");
    field_row("DW3.SF.DNR", st.dnr ? "1 (a retry fails the same way)" : "0",
              "Do Not Retry: resubmitting the same command is expected to fail again.");
    ImGui::EndTable();
}

// How many of the controller's completions the list shows: those up to the followed one
// (Session::followed), so under a busy controller the list moves on at the rate the inspector
// follows, not every frame, and its rows can be read and clicked. All of them when the followed
// one has left the history (or nothing is followed).
size_t completions_shown(const Session &s) {
    const auto &all = s.ctrl().completions();
    if (const CompletionRecord *f = s.followed.get())
        for (size_t n = all.size(); n > 0; --n)
            if (FollowedCompletion::same(all[n - 1], *f)) return n;
    return all.size();
}

void completion_tab(Session &s, const SelectedCommand &sel) {
    const CompletionRecord *r = sel.valid ? sel.done : s.inspected_completion();
    const auto &all = s.ctrl().completions();
    const size_t shown = completions_shown(s);
    const float list_h = ImGui::GetTextLineHeightWithSpacing() * 5.5f;
    // Field rows wider than the window scroll sideways instead of being cut off.
    ImGui::BeginChild("decoded", {0, -list_h - ImGui::GetStyle().ItemSpacing.y}, false,
                      ImGuiWindowFlags_HorizontalScrollbar);
    if (sel.valid && sel.in_flight)
        ImGui::TextWrapped("CID %u on SQ %u is still in flight (%s): no completion yet. Step "
                           "or run to finish it; its SQE and data path are in the SQE tab and "
                           "the Data path window.",
                           sel.cid, sel.sqid, phase_label(sel.view.phase));
    else if (r == nullptr)
        ImGui::TextWrapped("No completion yet. Completions appear once a command has been "
                           "executed (e.g. 'enable' then 'identify ctrl' in the console).");
    else
        decoded(s.ctrl(), *r);
    ImGui::EndChild();

    ImGui::TextDisabled("Recent completions (%zu)", shown);
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingFixedFit;
    if (ImGui::BeginTable("recent", 4, flags,
                          {0, list_h - ImGui::GetTextLineHeightWithSpacing()})) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("SQ");
        ImGui::TableSetupColumn("CID");
        ImGui::TableSetupColumn("command");
        ImGui::TableSetupColumn("status", ImGuiTableColumnFlags_WidthStretch);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(shown));
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                // Newest first.
                const CompletionRecord &c = all[shown - 1 - static_cast<size_t>(i)];
                const bool selected = r != nullptr && r->sqid == c.sqid &&
                                      r->cqe.cid == c.cqe.cid && r->cqe.sqhd == c.cqe.sqhd &&
                                      r->cqe.status == c.cqe.status;
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::PushID(i);
                const std::string sq = fmt::format("{}", c.sqid);
                if (ImGui::Selectable(sq.c_str(), selected, ImGuiSelectableFlags_SpanAllColumns))
                    s.select_completion(c);
                ImGui::PopID();
                ImGui::TableNextColumn();
                ImGui::Text("%u", c.cqe.cid);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(opcode_text(s.ctrl(), c.sqid, c.sqe.nsid, c.opcode).c_str());
                ImGui::TableNextColumn();
                const spec::Status st = c.cqe.decoded_status();
                const std::string_view name = spec::status_name(st);
                ImGui::PushStyleColor(ImGuiCol_Text, status_colour(st.ok()));
                ImGui::Text("%.*s", static_cast<int>(name.size()), name.data());
                ImGui::PopStyleColor();
            }
        }
        ImGui::EndTable();
    }
}

void sqe_tab(const Controller &ctrl, const SelectedCommand &sel) {
    if (!sel.valid) {
        ImGui::TextWrapped("No command yet.");
        return;
    }
    const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable("sqe", 3, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("SQE field");
    ImGui::TableSetupColumn("value");
    ImGui::TableSetupColumn("meaning", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const spec::DecodedField &f :
         sqe_fields(sel.sqe, ctrl.command_set_of(sel.sqid, sel.sqe.nsid))) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(f.name.c_str());
        tooltip(f.help);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(f.value.c_str());
        ImGui::TableNextColumn();
        ImGui::TextDisabled("%s", f.meaning.c_str());
    }
    ImGui::EndTable();
}

} // namespace

void InspectorWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    ImGui::Checkbox("follow newest", &s.follow_latest);
    tooltip("Show the newest completion; untick (or pick one below, in the Timeline or in a CQ "
            "slot) to keep one.");
    const SelectedCommand sel = selected_command(s);
    if (sel.valid) {
        ImGui::SameLine();
        ImGui::TextDisabled("SQ %u CID %u %s", sel.sqid, sel.cid,
                            sel.in_flight ? phase_label(sel.view.phase) : "completed");
    }
    if (!ImGui::BeginTabBar("inspector")) {
        ImGui::End();
        return;
    }
    if (ImGui::BeginTabItem("CQE")) {
        completion_tab(s, sel);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("SQE")) {
        sqe_tab(s.ctrl(), sel);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Compose")) {
        composer_.draw(s);
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
    ImGui::End();
}

} // namespace nvmelab::ui
