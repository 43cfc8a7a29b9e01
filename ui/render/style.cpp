// Shared look: window placement, colours and tooltip helpers.
#include <fmt/format.h>

#include "core/controller/trace.h"
#include "core/spec/status_text.h"
#include "imgui_internal.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

// Did the window lie over another top-level window in the last frame? (Unknown: yes.) ImGui
// keeps its windows in display order, back to front, so only those before it can be under it.
bool over_another_window(const char *title) {
    const ImGuiWindow *self = ImGui::FindWindowByName(title);
    if (self == nullptr || !self->WasActive) return true;
    const ImRect rect = self->Rect();
    for (const ImGuiWindow *other : GImGui->Windows) {
        if (other == self) return false;
        if (!other->WasActive || other->Hidden) continue;
        // Child windows lie inside their parent; tooltips, popups and menus are always on top
        // and draw their own background.
        if ((other->Flags & (ImGuiWindowFlags_ChildWindow | ImGuiWindowFlags_Tooltip |
                             ImGuiWindowFlags_Popup)) != 0)
            continue;
        if (rect.Overlaps(other->Rect())) return true;
    }
    return true; // not in the list: unknown
}

} // namespace

bool Placement::begin(const char *title, bool *open, ImGuiWindowFlags flags) const {
    ImGui::SetNextWindowPos(pos, cond);
    ImGui::SetNextWindowSize(size, cond);
    if (!over_another_window(title)) ImGui::SetNextWindowBgAlpha(0.0f);
    if (ImGui::Begin(title, open, flags)) return true;
    ImGui::End();
    return false;
}

ImVec4 window_background_colour() {
    // The dark style's window background is slightly translucent: blend it over the app's old
    // clear colour, so frames look as they did when every window drew its background.
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    const ImVec4 under{0.09f, 0.09f, 0.11f, 1.0f};
    return {bg.x * bg.w + under.x * (1 - bg.w), bg.y * bg.w + under.y * (1 - bg.w),
            bg.z * bg.w + under.z * (1 - bg.w), 1.0f};
}

ImU32 phase_colour(CommandPhase phase) {
    switch (phase) {
    case CommandPhase::Free:
        return IM_COL32(70, 70, 70, 255);
    case CommandPhase::Decode:
        return IM_COL32(230, 200, 60, 255);
    case CommandPhase::TransferIn:
        return IM_COL32(60, 190, 230, 255);
    case CommandPhase::Execute:
        return IM_COL32(240, 140, 40, 255);
    case CommandPhase::TransferOut:
        return IM_COL32(90, 120, 240, 255);
    case CommandPhase::Complete:
        return IM_COL32(80, 200, 90, 255);
    case CommandPhase::WaitCq:
        return IM_COL32(220, 60, 60, 255);
    case CommandPhase::Interrupt:
        return IM_COL32(190, 90, 220, 255);
    case CommandPhase::Outstanding:
        return IM_COL32(150, 150, 160, 255);
    }
    return IM_COL32(255, 0, 255, 255);
}

const char *phase_label(CommandPhase phase) {
    switch (phase) {
    case CommandPhase::Free:
        return "free";
    case CommandPhase::Decode:
        return "decode";
    case CommandPhase::TransferIn:
        return "data in";
    case CommandPhase::Execute:
        return "execute";
    case CommandPhase::TransferOut:
        return "data out";
    case CommandPhase::Complete:
        return "complete";
    case CommandPhase::WaitCq:
        return "CQ full";
    case CommandPhase::Interrupt:
        return "interrupt";
    case CommandPhase::Outstanding:
        return "outstanding";
    }
    return "?";
}

ImVec4 event_colour(uint8_t kind, uint64_t value) {
    switch (static_cast<EventKind>(kind)) {
    case EventKind::RegisterWrite:
    case EventKind::ControllerEnable:
    case EventKind::ControllerReady:
    case EventKind::ShutdownStart:
    case EventKind::ShutdownComplete:
        return {0.95f, 0.85f, 0.45f, 1};
    case EventKind::ControllerFatal:
    case EventKind::DoorbellInvalid:
    case EventKind::CommandAborted:
    case EventKind::CqFull:
    case EventKind::DurabilityFailure:
        return {1.0f, 0.45f, 0.45f, 1};
    case EventKind::ControllerReset:
    case EventKind::SubsystemReset:
    case EventKind::PowerOn:
    case EventKind::PowerOff:
        return {0.75f, 0.75f, 0.8f, 1};
    case EventKind::DoorbellSq:
    case EventKind::DoorbellCq:
        return {0.55f, 0.8f, 1.0f, 1};
    case EventKind::SqeFetch:
    case EventKind::CommandDecode:
        return {0.9f, 0.9f, 0.9f, 1};
    case EventKind::PrpListRead:
    case EventKind::SglSegmentRead:
    case EventKind::SglBitBucket:
    case EventKind::DmaToDevice:
    case EventKind::DmaToHost:
        return {0.45f, 0.85f, 0.95f, 1};
    case EventKind::MediaRead:
    case EventKind::CacheRead:
    case EventKind::MediaWrite:
    case EventKind::CacheWrite:
    case EventKind::CacheFlush:
    case EventKind::CacheDestage:
    case EventKind::AdminExecute:
        return {0.97f, 0.65f, 0.3f, 1};
    case EventKind::CqePost:
        return (value & 0x7FF) == 0 ? ImVec4{0.45f, 0.9f, 0.5f, 1} : ImVec4{1.0f, 0.45f, 0.45f, 1};
    case EventKind::Interrupt:
    case EventKind::InterruptMasked:
    case EventKind::InterruptCoalesced:
        return {0.8f, 0.6f, 1.0f, 1};
    case EventKind::QueueCreated:
    case EventKind::QueueDeleted:
        return {0.5f, 0.9f, 0.8f, 1};
    default:
        break; // kinds added later
    }
    return {1, 1, 1, 1};
}

ImVec4 status_colour(bool ok) {
    return ok ? ImVec4{0.45f, 0.9f, 0.5f, 1} : ImVec4{1.0f, 0.45f, 0.45f, 1};
}

std::string opcode_text(const Controller &ctrl, uint16_t sqid, uint32_t nsid, uint8_t opc) {
    const std::string_view name = ctrl.command_name(sqid, nsid, opc);
    if (name.empty()) return fmt::format("opcode 0x{:02x}", opc);
    return std::string(name);
}

void tooltip(const char *text) {
    if (!ImGui::IsItemHovered()) return;
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 32.0f);
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
}

void tooltip(const std::string &text) {
    tooltip(text.c_str());
}

void help_marker(const char *text) {
    ImGui::SameLine();
    ImGui::TextDisabled("(?)");
    tooltip(text);
}

} // namespace nvmelab::ui
