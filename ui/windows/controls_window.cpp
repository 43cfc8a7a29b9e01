// Controls: stepping, run / pause, speed, device power, and a status line.
#include <fmt/format.h>

#include "ui/windows/windows.h"

namespace nvmelab::ui {

void ControlsWindow::draw(Session &s, const Placement &where) {
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoCollapse |
                                   ImGuiWindowFlags_NoScrollbar |
                                   ImGuiWindowFlags_NoBringToFrontOnFocus;
    if (!where.begin(kTitle, nullptr, flags)) return;
    const bool powered = s.ctrl().powered();
    ImGui::BeginDisabled(!powered);
    if (ImGui::Button("Step event")) s.step_event();
    tooltip("Run the next scheduled controller event (F10). Console: step");
    ImGui::SameLine();
    if (ImGui::Button("Step command")) s.step_command();
    tooltip("Run until the next completion is posted (Shift+F10). Console: step command");
    ImGui::SameLine();
    {
        const bool running = s.running();
        if (running) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4{0.2f, 0.55f, 0.3f, 1});
        if (ImGui::Button(running ? "Pause" : "Run", {ImGui::GetFontSize() * 4, 0}))
            s.toggle_running();
        if (running) ImGui::PopStyleColor();
        tooltip("Run mode executes events continuously, a few per frame (F5).");
    }
    ImGui::SameLine();
    if (ImGui::Button("Run to idle")) s.run_until_idle();
    tooltip("Run every scheduled event now (F6). Console: run");
    ImGui::SameLine();
    int speed = static_cast<int>(s.events_per_frame());
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    if (ImGui::SliderInt("events/frame", &speed, 1, 100000, "%d",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
        s.set_events_per_frame(static_cast<uint32_t>(speed));
    tooltip("How many controller events run mode executes per frame (60 frames a second).");
    ImGui::EndDisabled();

    ImGui::SameLine(0, ImGui::GetFontSize() * 2);
    if (ImGui::Button("Reset device")) s.reset();
    tooltip("A brand-new device: empty media, CC.EN = 0, host memory and console variables "
            "cleared.");
    ImGui::SameLine();
    if (ImGui::Button("Power cycle")) s.power_cycle(PowerOff::Clean);
    tooltip("Normal shutdown (if the controller is ready), power off, power on. Media and the "
            "write cache contents survive.");
    ImGui::SameLine();
    if (ImGui::Button("Power cut")) s.power_cycle(PowerOff::Unclean);
    tooltip("Power is lost without a shutdown: blocks still in the volatile write cache are "
            "lost. The device then powers on again.");

    // Status line.
    const Controller &c = s.ctrl();
    ImGui::TextUnformatted(s.status_line().c_str());
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    ImGui::TextDisabled("queues %zu  in flight %zu  completions %zu  interrupts %llu  events %llu",
                        c.queues().size(), c.commands().size(), c.completions().size(),
                        static_cast<unsigned long long>(s.total_interrupts()),
                        static_cast<unsigned long long>(c.trace().total_recorded()));
    if (s.running()) {
        ImGui::SameLine();
        ImGui::TextColored({0.45f, 0.9f, 0.5f, 1}, c.idle() ? "RUNNING (idle)" : "RUNNING");
    }
    ImGui::End();
}

} // namespace nvmelab::ui
