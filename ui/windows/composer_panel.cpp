// The SQE composer, a tab of the Command inspector: any SQE by fields, submitted through the
// console (`sqe`, `mem alloc` + `prp` for a data buffer, `submit`, `ring`) so the log shows the
// lines that do the same. The controller then runs it like any other command.
#include <fmt/format.h>

#include "core/spec/status_text.h"
#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

bool hex32(const char *label, uint32_t *v, const char *help) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7);
    const bool changed = ImGui::InputScalar(label, ImGuiDataType_U32, v, nullptr, nullptr, "%08X",
                                            ImGuiInputTextFlags_CharsHexadecimal);
    tooltip(help);
    return changed;
}

bool hex64(const char *label, uint64_t *v, const char *help) {
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
    const bool changed = ImGui::InputScalar(label, ImGuiDataType_U64, v, nullptr, nullptr, "%llX",
                                            ImGuiInputTextFlags_CharsHexadecimal);
    tooltip(help);
    return changed;
}

} // namespace

void SqeComposer::draw(Session &s) {
    spec::Sqe &q = c_.sqe;
    // Presets fill the fields of common commands.
    ImGui::TextDisabled("preset:");
    ImGui::SameLine();
    if (ImGui::SmallButton("Identify ctrl")) {
        q = spec::Sqe{};
        q.opc = static_cast<uint8_t>(spec::AdminOpcode::Identify);
        q.cdw10 = 1;
        qid_ = 0;
        data_kib_ = 4;
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Read 8 blocks")) {
        q = spec::Sqe{};
        q.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        q.nsid = 1;
        q.cdw12 = 7;
        qid_ = 1;
        data_kib_ = static_cast<int>(8 * s.config().lba_size() / 1024);
    }
    ImGui::SameLine();
    if (ImGui::SmallButton("Bad PRP offset")) {
        q = spec::Sqe{};
        q.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        q.nsid = 1;
        q.cdw12 = 1;
        q.prp1 = 0x10000;
        q.prp2 = 0x10010; // not page aligned: PRP Offset Invalid (§4.3)
        qid_ = 1;
        data_kib_ = 0;
    }

    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
    ImGui::InputInt("SQ", &qid_, 0);
    qid_ = std::clamp(qid_, 0, 65535);
    tooltip("Submission queue: 0 is the admin queue, others are I/O queues (NVM command set).");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 3);
    uint8_t opc = q.opc;
    if (ImGui::InputScalar("OPC", ImGuiDataType_U8, &opc, nullptr, nullptr, "%02X",
                           ImGuiInputTextFlags_CharsHexadecimal))
        q.opc = opc;
    ImGui::SameLine();
    ImGui::TextDisabled("%s",
                        opcode_text(s.ctrl(), static_cast<uint16_t>(qid_), q.nsid, q.opc).c_str());
    ImGui::Checkbox("auto CID", &c_.auto_cid);
    if (!c_.auto_cid) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5);
        ImGui::InputScalar("CID", ImGuiDataType_U16, &q.cid);
    }
    ImGui::SameLine();
    hex32("NSID", &q.nsid, "Namespace ID (FFFFFFFF = all).");
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4);
    ImGui::InputInt("data KiB", &data_kib_, 0);
    data_kib_ = std::clamp(data_kib_, 0, 4096);
    tooltip("> 0: allocate a buffer this big and fill PRP1/PRP2 (with a PRP list when needed) "
            "for it, like the console's 'prp'. 0: use PRP1/PRP2 as typed.");
    if (data_kib_ == 0) {
        ImGui::SameLine();
        hex64("PRP1", &q.prp1, "PRP Entry 1 (hex).");
        ImGui::SameLine();
        hex64("PRP2", &q.prp2, "PRP Entry 2 (hex).");
    }
    for (int n = 10; n <= 15; ++n) {
        uint32_t v = q.cdw(n);
        if ((n - 10) % 3 != 0) ImGui::SameLine();
        const std::string label = fmt::format("CDW{}", n);
        if (hex32(label.c_str(), &v, "Command dword; the inspector's SQE tab names its fields."))
            q.set_cdw(n, v);
    }
    ImGui::Checkbox("ring doorbell", &c_.ring);
    tooltip("Untick to only write the SQE at the SQ tail; ring later with 'ring QID'.");
    ImGui::SameLine();
    if (ImGui::Button("Submit")) {
        c_.qid = static_cast<uint16_t>(qid_);
        c_.data_bytes = uint64_t(data_kib_) * 1024;
        const std::string name = fmt::format("ui{}", counter_++);
        last_.clear();
        for (const std::string &line : composer_lines(c_, name)) {
            const ConsoleResult r = s.exec(line);
            if (!r.ok) {
                last_ = r.error;
                break;
            }
        }
        if (last_.empty())
            last_ = c_.ring ? "submitted and rung: step or run to execute it" : "submitted";
    }
    if (!last_.empty()) ImGui::TextWrapped("%s", last_.c_str());
}

} // namespace nvmelab::ui
