// Device > New device...: a modal with every named device property (the same names and value
// syntax as `nvmelab create` and the image header), validated before the device is replaced.
#include <cstring>

#include <fmt/format.h>

#include "ui/windows/explorer_windows.h"

namespace nvmelab::ui {

void DeviceDialog::open(const Session &s) {
    rows_ = property_rows(s.config());
    buffers_.clear();
    for (const PropertyRow &r : rows_) {
        std::vector<char> b(128, '\0');
        std::strncpy(b.data(), r.text.c_str(), b.size() - 1);
        buffers_.push_back(std::move(b));
    }
    error_.clear();
    open_request_ = true;
}

bool DeviceDialog::draw(Session &s) {
    if (open_request_) {
        ImGui::OpenPopup("New device");
        open_request_ = false;
    }
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    ImGui::SetNextWindowSize({std::min(560.0f, display.x - 40), std::min(620.0f, display.y - 60)},
                             ImGuiCond_Appearing);
    ImGui::SetNextWindowPos({display.x / 2, display.y / 2}, ImGuiCond_Appearing, {0.5f, 0.5f});
    if (!ImGui::BeginPopupModal("New device")) return false;
    bool created = false;
    ImGui::TextWrapped("The device's named properties, as for 'nvmelab create' (sizes like 64M, "
                       "1G; booleans on/off). Create replaces the device: empty media, CC.EN = 0.");
    const float footer = ImGui::GetFrameHeightWithSpacing() * 2.5f;
    if (ImGui::BeginTable("props", 2,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                              ImGuiTableFlags_BordersInnerV,
                          {0, -footer})) {
        ImGui::TableSetupColumn("property", ImGuiTableColumnFlags_WidthFixed,
                                ImGui::GetFontSize() * 10);
        ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
        for (size_t i = 0; i < rows_.size(); ++i) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const bool changed = rows_[i].original != buffers_[i].data();
            if (changed)
                ImGui::TextColored({0.95f, 0.85f, 0.45f, 1}, "%s", rows_[i].name.c_str());
            else
                ImGui::TextUnformatted(rows_[i].name.c_str());
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            ImGui::PushID(static_cast<int>(i));
            ImGui::InputText("##v", buffers_[i].data(), buffers_[i].size());
            ImGui::PopID();
        }
        ImGui::EndTable();
    }
    if (!error_.empty()) ImGui::TextColored({1.0f, 0.45f, 0.45f, 1}, "%s", error_.c_str());
    if (ImGui::Button("Create")) {
        for (size_t i = 0; i < rows_.size(); ++i)
            rows_[i].text = buffers_[i].data();
        std::string error;
        if (auto config = config_from_rows(rows_, &error)) {
            s.reset_with(*config);
            s.log_info(fmt::format("--- new device: {} blocks of {} bytes ---", config->nsze(),
                                   config->lba_size()));
            created = true;
            ImGui::CloseCurrentPopup();
        } else {
            error_ = error;
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Defaults")) {
        const std::vector<PropertyRow> defaults = property_rows(DeviceConfig{});
        for (size_t i = 0; i < defaults.size() && i < buffers_.size(); ++i)
            std::strncpy(buffers_[i].data(), defaults[i].text.c_str(), buffers_[i].size() - 1);
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
    return created;
}

} // namespace nvmelab::ui
