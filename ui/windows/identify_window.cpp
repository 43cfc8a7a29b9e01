// Identify / Features / Logs window: Identify Controller and Namespace, the current value of
// each decoded feature and the SMART, Error Information and Firmware Slot log pages, decoded by
// the shared field tables (core/spec/field_decode.h). The data is that of the newest such
// commands the controller completed; Refresh issues them all through the console.
#include <fmt/format.h>

#include "core/spec/status_text.h"
#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

namespace {

void fields_table(const char *id, const std::vector<spec::DecodedField> &fields) {
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY;
    if (!ImGui::BeginTable(id, 2, flags)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn("field");
    ImGui::TableSetupColumn("value  (meaning)", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const spec::DecodedField &f : fields) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(f.name.c_str());
        tooltip(f.help);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(f.value.c_str());
        tooltip(f.help);
        if (!f.meaning.empty()) {
            ImGui::SameLine();
            ImGui::TextDisabled("%s", f.meaning.c_str());
        }
    }
    ImGui::EndTable();
}

void page(const char *id, const DecodedPage &p, const char *what) {
    if (!p.valid) {
        ImGui::TextWrapped("No %s yet: press Refresh (the controller must be ready).", what);
        return;
    }
    ImGui::TextDisabled("from CID %u, data at 0x%llx", p.cid,
                        static_cast<unsigned long long>(p.buffer));
    fields_table(id, p.fields);
}

} // namespace

void IdentifyWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    if (generation_ != s.generation()) {
        info_.clear();
        generation_ = s.generation();
        refresh_.force();
    }
    const bool ready = spec::CstsReg{s.ctrl().read32(static_cast<uint32_t>(spec::Reg::Csts))}.rdy();
    ImGui::BeginDisabled(!ready);
    if (ImGui::Button("Refresh")) {
        const bool have = s.console().variables().count(DeviceInfo::kBufferVar) != 0;
        last_error_.clear();
        refresh_.force();
        for (const std::string &line : DeviceInfo::refresh_lines(have)) {
            const ConsoleResult r = s.exec(line, false);
            if (!r.ok) {
                last_error_ = r.error;
                break;
            }
        }
    }
    ImGui::EndDisabled();
    tooltip("Issues Identify (controller, namespace 1), Get Features for each decoded feature and "
            "Get Log Page (SMART, firmware, errors) through the console, and runs the controller "
            "until they complete (other commands in flight run too).");
    ImGui::SameLine();
    if (!ready)
        ImGui::TextDisabled("controller not ready: 'enable' first");
    else if (!last_error_.empty())
        ImGui::TextColored({1.0f, 0.45f, 0.45f, 1}, "%s", last_error_.c_str());
    else
        ImGui::TextDisabled("decodes the newest completed commands");
    // Looking for the newest Identify, Get Features and Get Log Page completions goes over every
    // completion the controller remembers (4096 under a workload), so a busy controller is
    // looked at 10 times a second; Refresh shows its results at once.
    if (refresh_.due(s.ctrl().trace().total_recorded(), ImGui::GetTime()))
        info_.update(s.ctrl(), s.mem());

    // Whole tab names, scrolled with arrows and listed by a button: shrunk tabs read "Con..".
    if (!ImGui::BeginTabBar("pages", ImGuiTabBarFlags_FittingPolicyScroll |
                                         ImGuiTabBarFlags_TabListPopupButton)) {
        ImGui::End();
        return;
    }
    if (ImGui::BeginTabItem("Controller")) {
        page("idctrl", info_.id_ctrl, "Identify Controller data");
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Namespace")) {
        page("idns", info_.id_ns, "Identify Namespace data");
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Features")) {
        if (info_.features.empty())
            ImGui::TextWrapped("No Get Features completion yet: press Refresh.");
        else if (ImGui::BeginTable("features", 3,
                                   ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                       ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollY)) {
            ImGui::TableSetupScrollFreeze(0, 1);
            ImGui::TableSetupColumn("feature");
            ImGui::TableSetupColumn("DW0");
            ImGui::TableSetupColumn("decoded", ImGuiTableColumnFlags_WidthStretch);
            ImGui::TableHeadersRow();
            for (const auto &[fid, v] : info_.features) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                const std::string_view name = spec::feature_name(fid);
                ImGui::Text("%02x %.*s", fid, static_cast<int>(name.size()), name.data());
                ImGui::TableNextColumn();
                ImGui::Text("0x%08x", v.dw0);
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(spec::feature_value_text(fid, v.dw0).c_str());
            }
            ImGui::EndTable();
        }
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("SMART")) {
        page("smart", info_.smart, "SMART / Health log");
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Errors")) {
        if (info_.errors.empty())
            ImGui::TextWrapped("No Error Information log yet: press Refresh.");
        else if (!info_.errors.front().valid)
            ImGui::TextDisabled("The Error Information log is empty (no command failed).");
        else {
            ImGui::BeginChild("errs");
            for (size_t i = 0; i < info_.errors.size(); ++i) {
                const std::string id = fmt::format("err{}", i);
                ImGui::Separator();
                ImGui::Text("entry %zu", i);
                ImGui::PushID(static_cast<int>(i));
                ImGui::BeginChild("e", {0, ImGui::GetTextLineHeightWithSpacing() * 12}, false);
                fields_table(id.c_str(), info_.errors[i].fields);
                ImGui::EndChild();
                ImGui::PopID();
            }
            ImGui::EndChild();
        }
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem("Firmware")) {
        page("fw", info_.fw, "Firmware Slot log");
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
    ImGui::End();
}

} // namespace nvmelab::ui
