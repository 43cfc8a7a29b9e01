#pragma once
// Which parts of a frame differ from the last one. ImGui rebuilds every draw list each frame, but
// most windows look the same from one frame to the next (a lesson's text, the registers while
// the workload runs), and an idle app's frames are identical. A browser without a GPU spends
// most of a frame covering pixels on the CPU, so it redraws only the damaged rectangles of a
// canvas that keeps its pixels (docs/web.md, "Frame rate").
#include <string>
#include <vector>

#include "imgui.h"

namespace nvmelab::ui {

class FrameDamage {
public:
    // The rectangles (x0, y0, x1, y1 in ImGui's display coordinates) where this frame's pixels
    // may differ from the last call's frame: none when it looks the same, the whole display
    // when there is no last frame to compare with or the windows changed order or number. A
    // draw list whose commands, vertices or indices changed damages where it drew in the last
    // frame and where it draws now: the box around its vertices, within its clip rectangles.
    // The rectangles may overlap (see merge_rectangles).
    const std::vector<ImVec4> &update(const ImDrawData &data);
    // Forget the last frame: the next update damages the whole display.
    void reset() { valid_ = false; }

private:
    struct ListRecord {
        std::string owner; // the window that built the list
        size_t begin = 0;  // its commands, vertices and indices in bytes_
        size_t end = 0;
        ImVec4 bounds{0, 0, 0, 0}; // where it draws (within the display)
        bool empty = true;         // it draws nothing
    };
    // This frame's and the last frame's lists, flattened; swapped after each update.
    std::vector<ListRecord> lists_, last_lists_;
    std::vector<unsigned char> bytes_, last_bytes_;
    ImVec4 display_{0, 0, 0, 0};
    ImVec2 scale_{0, 0};
    bool valid_ = false;
    std::vector<ImVec4> damage_;
};

// Replaces rectangles (x0, y0, x1, y1) by their bounding box wherever that covers no more area
// than they do (one inside the other, two side by side), and drops empty ones. The rest may
// overlap: redrawing an overlap twice is correct, only a little slower.
void merge_rectangles(std::vector<ImVec4> &rects);

} // namespace nvmelab::ui
