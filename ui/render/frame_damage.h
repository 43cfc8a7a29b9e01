#pragma once
// Which parts of a frame differ from the last one. ImGui rebuilds every draw list each frame, but
// most windows look the same from one frame to the next (a lesson's text, the registers while
// the workload runs), and an idle app's frames are identical. A browser without a GPU spends
// most of a frame covering pixels on the CPU, so it redraws only the damaged rectangles of a
// canvas that keeps its pixels (docs/web.md, "Frame rate").
#include <climits>
#include <cstdint>
#include <vector>

#include "imgui.h"

namespace nvmelab::ui {

// Elements [first, first + count) of command `command` of draw list `list`.
struct PlannedDraw {
    int list = 0;
    int command = 0;
    unsigned first = 0;
    unsigned count = 0;
};

// A rectangle (x0, y0, x1, y1 in ImGui's display coordinates) to clear and draw again, and the
// draws that reach into it, in order. Drawn cut to the rectangle, they give its pixels exactly
// as drawing the whole frame would.
struct DamageRegion {
    ImVec4 rect{0, 0, 0, 0};
    std::vector<PlannedDraw> draws;
};

// The display is cut into tiles; each tile gets a hash of every triangle that can touch it (its
// vertices, clip rectangle and texture), in drawing order. A tile whose hash differs from the
// last frame's may have changed; one whose hash is the same has the same pixels (but for a
// 64-bit hash collision). Changed tiles are gathered into a few rectangles, and each rectangle
// gets the range of each command's triangles that reach into it, so it is redrawn without
// going over every triangle again.
class FrameDamage {
public:
    // What to redraw for this frame: nothing when it looks like the last call's frame; the
    // whole display when there is no last frame or its size or scale changed; otherwise the changed
    // tiles' rectangles (they may overlap: see merge_rectangles).
    const std::vector<DamageRegion> &update(const ImDrawData &data);
    // Forget the last frame: the next update redraws the whole display.
    void reset() { valid_ = false; }
    // The plan that draws the whole frame: one region, every command.
    static void whole_frame(const ImDrawData &data, std::vector<DamageRegion> &regions);

    // The tiles: squares of this many display units.
    static constexpr float kTile = 16;
    // At most this many rectangles; past it the closest ones merge (limit_rectangles). Each
    // one costs a software rasteriser a pass of its own: 8 measured best (docs/web.md).
    static constexpr size_t kMaxRectangles = 8;

private:
    // Inclusive tile coordinates; the default box is empty and overlaps nothing.
    struct TileBox {
        int x0 = INT_MAX, y0 = INT_MAX, x1 = INT_MIN, y1 = INT_MIN;
        bool overlaps(const TileBox &o) const {
            return x0 <= o.x1 && o.x0 <= x1 && y0 <= o.y1 && o.y0 <= y1;
        }
    };
    // A command's triangles: their tile boxes start at boxes_[first_box].
    struct CommandTiles {
        PlannedDraw draw; // the whole command
        size_t first_box = 0;
        TileBox box; // all its triangles'
    };

    // Each tile's hash, and each triangle's tile box.
    void hash_tiles(const ImDrawData &data, const ImVec4 &display);
    // Fills in each region's draws.
    void plan(const ImVec4 &display);

    std::vector<uint64_t> tiles_, last_tiles_;
    std::vector<CommandTiles> commands_;
    std::vector<TileBox> boxes_; // one per triangle of commands_, in order
    int columns_ = 0, rows_ = 0;
    ImVec4 display_{0, 0, 0, 0};
    ImVec2 scale_{0, 0};
    bool valid_ = false;
    std::vector<ImVec4> damage_;
    std::vector<DamageRegion> regions_;
};

// Replaces rectangles (x0, y0, x1, y1) by their bounding box wherever that covers no more area
// than they do (one inside the other, two side by side), and drops empty ones. The rest may
// overlap: redrawing an overlap twice is correct, only a little slower.
void merge_rectangles(std::vector<ImVec4> &rects);
// Merges the pairs whose bounding box adds the least area until at most `most` remain.
void limit_rectangles(std::vector<ImVec4> &rects, size_t most);

} // namespace nvmelab::ui
