// Shared look: window placement, the default layout, colours and tooltip helpers.
#include <cmath>

#include <fmt/format.h>

#include "core/controller/trace.h"
#include "core/spec/status_text.h"
#include "imgui_internal.h"
#include "ui/windows.h"

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

Layout Layout::for_display(ImVec2 display, float menu_height, ImGuiCond cond) {
    // Three columns under the toolbar. Left: the device (registers, namespace map, identify);
    // middle: the queues, the trace and the console; right: the selected command (inspector,
    // data path, host memory). At 1280x800 every window gets at least ~12 lines of text.
    const float w = display.x;
    const float h = display.y;
    const float controls_h = 64.0f;
    const float top = menu_height + controls_h;
    const float body_h = h - top;
    const float a_w = std::floor(w * 0.27f);
    const float b_w = std::floor(w * 0.38f);
    const float c_w = w - a_w - b_w;
    const float b_x = a_w;
    const float c_x = a_w + b_w;

    const float reg_h = std::floor(body_h * 0.45f);
    const float ns_h = std::floor(body_h * 0.20f);
    const float queues_h = std::floor(body_h * 0.40f);
    const float timeline_h = std::floor(body_h * 0.33f);
    const float insp_h = std::floor(body_h * 0.42f);
    const float path_h = std::floor(body_h * 0.29f);

    Layout l;
    l.controls = {{0, menu_height}, {w, controls_h}, cond};
    l.registers = {{0, top}, {a_w, reg_h}, cond};
    l.nspace = {{0, top + reg_h}, {a_w, ns_h}, cond};
    l.identify = {{0, top + reg_h + ns_h}, {a_w, body_h - reg_h - ns_h}, cond};
    l.queues = {{b_x, top}, {b_w, queues_h}, cond};
    l.timeline = {{b_x, top + queues_h}, {b_w, timeline_h}, cond};
    l.console = {{b_x, top + queues_h + timeline_h}, {b_w, body_h - queues_h - timeline_h}, cond};
    l.inspector = {{c_x, top}, {c_w, insp_h}, cond};
    l.datapath = {{c_x, top + insp_h}, {c_w, path_h}, cond};
    l.memory = {{c_x, top + insp_h + path_h}, {c_w, body_h - insp_h - path_h}, cond};
    return l;
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
    case EventKind::DmaToDevice:
    case EventKind::DmaToHost:
        return {0.45f, 0.85f, 0.95f, 1};
    case EventKind::MediaRead:
    case EventKind::CacheRead:
    case EventKind::MediaWrite:
    case EventKind::CacheWrite:
    case EventKind::CacheFlush:
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

std::string opcode_text(uint16_t sqid, uint8_t opc) {
    const std::string_view name =
        sqid == 0 ? spec::admin_opcode_name(opc) : spec::nvm_opcode_name(opc);
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
