// Protection window: one block's metadata with its PI tuple decoded (NVMe 1.3 §8.3) and each
// check's result against the values a Read would carry, and buttons that damage the guard, the
// application tag or the reference tag as a media fault would. The buttons run the console's
// `pi corrupt` line, so the change is in the console log and in a saved session's journal; the
// next Read that checks the field fails with its End-to-end status.
#include <fmt/format.h>

#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

ImVec4 result_colour(pi::CheckOutcome::Result r) {
    switch (r) {
    case pi::CheckOutcome::Result::Passed:
        return {0.45f, 0.85f, 0.45f, 1};
    case pi::CheckOutcome::Result::Failed:
        return {0.95f, 0.35f, 0.3f, 1};
    default:
        return {0.7f, 0.7f, 0.7f, 1};
    }
}

void check_row(const char *name, const std::string &found, const pi::CheckOutcome &o, int digits,
               const char *note) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(found.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(fmt::format("{:0{}X}h", o.expected, digits).c_str());
    ImGui::TableNextColumn();
    ImGui::TextColored(result_colour(o.result), "%s", pi::check_result_name(o.result));
    if (note[0] != 0 && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", note);
}

} // namespace

void ProtectionWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    ImGui::SetNextItemWidth(80);
    ImGui::InputScalar("NSID", ImGuiDataType_U32, &nsid_);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::InputScalar("LBA", ImGuiDataType_U64, &lba_);
    const auto view = s.ctrl().namespace_view(nsid_);
    if (!view) {
        ImGui::TextDisabled("namespace %u is not active", nsid_);
        ImGui::End();
        return;
    }
    const uint8_t type = view->dps & 0x7;
    if (type == 0) {
        ImGui::TextWrapped("Namespace %u is not formatted with protection information (DPS = 0). "
                           "Create a device with pi=1..3 and ms=8 or more (Device > New device) "
                           "or Format NVM with PI set.",
                           nsid_);
        ImGui::End();
        return;
    }
    // The values a Read carries: type 1's reference tag is the LBA's low 32 bits.
    ImGui::SetNextItemWidth(100);
    ImGui::InputScalar("ref tag", ImGuiDataType_U32, &ref_tag_, nullptr, nullptr, "%08X",
                       ImGuiInputTextFlags_CharsHexadecimal);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(60);
    ImGui::InputScalar("app tag", ImGuiDataType_U16, &app_tag_, nullptr, nullptr, "%04X",
                       ImGuiInputTextFlags_CharsHexadecimal);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(60);
    ImGui::InputScalar("mask", ImGuiDataType_U16, &app_mask_, nullptr, nullptr, "%04X",
                       ImGuiInputTextFlags_CharsHexadecimal);
    pi::PiRequest r;
    r.prinfo = spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag | spec::kPrinfoCheckRefTag;
    r.ref_tag = type == 1 ? static_cast<uint32_t>(lba_) : ref_tag_;
    r.app_tag = app_tag_;
    r.app_mask = app_mask_;
    const auto bp = s.ctrl().block_protection(nsid_, lba_, r);
    if (!bp) {
        ImGui::TextDisabled("LBA %llu: no such block (NSZE %llu)",
                            static_cast<unsigned long long>(lba_),
                            static_cast<unsigned long long>(view->nsze));
        ImGui::End();
        return;
    }
    ImGui::Text("PI type %u, tuple in the %s 8 of %u metadata bytes%s", type,
                bp->protection.first ? "first" : "last", bp->protection.metadata_size,
                type == 1 ? " (type 1: ref tag = LBA)" : "");
    std::string hex;
    for (size_t i = 0; i < bp->metadata.size(); ++i)
        hex += fmt::format("{:02x}{}", bp->metadata[i], i + 1 == bp->metadata.size() ? "" : " ");
    ImGui::TextWrapped("metadata: %s", hex.c_str());
    const spec::PiTuple &t = bp->report.tuple;
    const auto &ck = bp->report.checks;
    if (ImGui::BeginTable("pi", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
        ImGui::TableSetupColumn("field");
        ImGui::TableSetupColumn("stored");
        ImGui::TableSetupColumn("expected");
        ImGui::TableSetupColumn("check");
        ImGui::TableHeadersRow();
        check_row("guard", fmt::format("{:04X}h", t.guard_value()), ck[0], 4,
                  "CRC-16 T10-DIF (poly 8BB7h) of the block's data");
        check_row("app tag", fmt::format("{:04X}h", t.app_tag_value()), ck[1], 4,
                  "compared under the mask: (stored & mask) == (app tag & mask)");
        check_row("ref tag", fmt::format("{:08X}h", t.ref_tag_value()), ck[2], 8,
                  "types 1 and 2: the command's tag + the block's index; type 3: as is");
        ImGui::EndTable();
    }
    if (bp->report.escaped)
        ImGui::TextColored({0.9f, 0.8f, 0.3f, 1}, "escape values set: a Read checks nothing here");
    ImGui::TextUnformatted("Corrupt (as a media fault would):");
    for (const char *field : {"guard", "apptag", "reftag"}) {
        ImGui::SameLine();
        if (ImGui::SmallButton(field))
            s.exec(fmt::format("pi corrupt {} {} {}", nsid_, lba_, field));
    }
    ImGui::End();
}

} // namespace nvmelab::ui
