// The default window arrangement (see Layout in windows.h). Pure arithmetic on the display size,
// so it is unit tested without a display.
#include <algorithm>
#include <cmath>

#include "ui/windows/windows.h"

namespace nvmelab::ui {

Layout Layout::for_display(ImVec2 display, float menu_height, ImGuiCond cond, SideStrip side) {
    // Three columns under the toolbar. Left: the device (registers, namespace map, identify);
    // middle: the queues, the trace and the console; right: the selected command (inspector,
    // data path, host memory). At 1280x800 every window gets at least ~12 lines of text.
    // A side strip on the right, from the menu bar down, holds the workload generator over the
    // lesson: a window floating over the columns would hide what it drives.
    const bool strip = side.lesson || side.workload;
    const float strip_w = strip ? std::floor(std::max(360.0f, display.x * 0.34f)) : 0.0f;
    const float w = std::max(320.0f, display.x - strip_w);
    const float h = display.y;
    const float controls_h = 64.0f;
    const float top = menu_height + controls_h;
    const float body_h = h - top;
    // A lesson step about registers also widens the left column, so field meanings wrap
    // into a readable column instead of a letter a line.
    const bool focus = side.lesson && side.registers_focus;
    const float a_w = std::floor(w * (focus ? 0.36f : 0.27f));
    const float b_w = std::floor(w * (focus ? 0.34f : 0.38f));
    const float c_w = w - a_w - b_w;
    const float b_x = a_w;
    const float c_x = a_w + b_w;

    const float reg_h = std::floor(body_h * (focus ? 0.58f : 0.45f));
    const float ns_h = std::floor(body_h * (focus ? 0.17f : 0.20f));
    const bool queues_focus = side.lesson && side.queues_focus;
    const float queues_h = std::floor(body_h * (queues_focus ? 0.55f : 0.40f));
    const float timeline_h = std::floor(body_h * (queues_focus ? 0.18f : 0.33f));
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

    const float strip_x = w;
    const float strip_h = h - menu_height;
    // The generator's controls and three plots need ~430 px; the lesson keeps the rest.
    const float workload_h = !side.workload ? 0.0f
                             : side.lesson  ? std::floor(std::min(430.0f, strip_h * 0.6f))
                                            : strip_h;
    if (side.workload) l.workload = {{strip_x, menu_height}, {strip_w, workload_h}, cond};
    if (side.lesson)
        l.lesson = {{strip_x, menu_height + workload_h}, {strip_w, strip_h - workload_h}, cond};
    return l;
}

} // namespace nvmelab::ui
