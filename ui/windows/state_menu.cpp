// The State menu: save / load the device + host state (a file natively, download / upload and
// browser storage on the web).
#include "ui/windows/state_menu.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "imgui.h"
#include "ui/model/session.h"
#include "ui/model/state_file.h"
#include "ui/model/workload.h"

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

namespace nvmelab::ui {

void StateMenu::menu(Session &s, WorkloadGenerator &workload) {
    if (!ImGui::BeginMenu("State")) return;
#ifdef __EMSCRIPTEN__
    (void)workload;
    // The page's JS layer does the browser side (download, file picker, storage, clipboard).
    if (ImGui::MenuItem("Download state"))
        EM_ASM(if (window.nvmelabUi) window.nvmelabUi.downloadState(););
    if (ImGui::MenuItem("Upload state..."))
        EM_ASM(if (window.nvmelabUi) window.nvmelabUi.uploadState(););
    if (ImGui::MenuItem("Copy link to this state"))
        EM_ASM(if (window.nvmelabUi) window.nvmelabUi.copyLink(););
    ImGui::Separator();
    if (ImGui::MenuItem("Forget the state kept in this browser")) {
        EM_ASM(if (window.nvmelabUi) window.nvmelabUi.forgetStorage(););
        s.log_info("--- browser storage cleared: the next visit starts with a new device ---");
    }
    ImGui::TextDisabled("The state is also kept in this browser\nand restored on reload.");
#else
    (void)s;
    (void)workload;
    if (ImGui::MenuItem("Save state...")) open_ = Pending::Save;
    if (ImGui::MenuItem("Load state...")) open_ = Pending::Load;
#endif
    ImGui::EndMenu();
}

void StateMenu::draw(Session &s, WorkloadGenerator &workload) {
    if (open_ != Pending::None) {
        ImGui::OpenPopup("State file");
        dialog_ = open_;
        open_ = Pending::None;
        message_.clear();
    }
    ImGui::SetNextWindowSize({ImGui::GetFontSize() * 36, 0}, ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal("State file", nullptr)) return;
    const bool save = dialog_ == Pending::Save;
    ImGui::TextUnformatted(save ? "Save the device + host state to a file:"
                                : "Load a device + host state from a file:");
    ImGui::SetNextItemWidth(-1);
    const bool enter =
        ImGui::InputText("##path", path_, sizeof path_, ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(save ? "Save" : "Load") || enter) {
        try {
            if (save) {
                // The document first, then a new file renamed over the old one: a failure
                // at any point leaves the file that was there as it was.
                const std::string text = save_state(s, workload);
                const std::string temp = std::string(path_) + ".saving";
                std::ofstream out(temp, std::ios::binary | std::ios::trunc);
                out << text;
                out.close();
                std::error_code ec;
                if (out) std::filesystem::rename(temp, path_, ec);
                if (!out || ec) {
                    std::filesystem::remove(temp, ec);
                    throw StateError(fmt::format("cannot write '{}'", path_));
                }
                message_ = fmt::format("saved to {}", path_);
            } else {
                // Bounded like any state file (state_file.h): refused past a bound, the
                // session left as it was.
                load_state(s, workload, read_state_file(path_));
                message_ = fmt::format("loaded {}", path_);
            }
            message_is_error_ = false;
            s.log_info("--- " + message_ + " ---");
        } catch (const std::exception &e) {
            message_ = e.what();
            message_is_error_ = true;
        }
    }
    ImGui::SameLine();
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    if (!message_.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(message_is_error_ ? ImVec4{1.0f, 0.45f, 0.4f, 1}
                                             : ImVec4{0.5f, 0.9f, 0.5f, 1},
                           "%s", message_.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::EndPopup();
}

} // namespace nvmelab::ui
