#pragma once
// What the last frame showed of the lesson's highlights and code, for the browser test of
// issue 21 (docs/web.md, `lessonLayout()`): each highlighted item with its rectangle and the
// visible area of its window, and each code line of the lesson window with its width and its
// panel's. Windows record into it while they draw; the app clears it at the start of a frame.
#include <string>
#include <vector>

namespace nvmelab::ui {

struct ProbeRect {
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    bool contains(const ProbeRect &r) const {
        return r.x0 >= x0 - 0.5f && r.y0 >= y0 - 0.5f && r.x1 <= x1 + 0.5f && r.y1 <= y1 + 0.5f;
    }
};

struct LayoutProbe {
    struct Item {
        std::string window; // the lesson's name: registers, queues, timeline, ...
        std::string name;   // "CC.EN", "SQ1", or "" for the window itself
        ProbeRect rect;     // where it was drawn
        ProbeRect visible;  // the part of its window that shows content (or the display)
    };
    struct CodeLine {
        std::string text;
        float width = 0; // of the text laid out on one line
        float right = 0; // right edge of what was drawn (wrapped: within the panel)
        float panel_right = 0;
        bool wrapped = false;
    };
    std::vector<Item> items;
    std::vector<CodeLine> code_lines;
    void clear() {
        items.clear();
        code_lines.clear();
    }
};

// The probe the windows record into (one per app).
LayoutProbe &layout_probe();

} // namespace nvmelab::ui
