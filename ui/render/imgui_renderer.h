#pragma once
// Draws Dear ImGui's draw data with OpenGL 3.0 (desktop) or WebGL2 (the browser).
//
// Why not ImGui 1.86's own OpenGL3 backend: it reads some 14 GL state values back every frame
// to restore them afterwards, and in a browser each read is a synchronous round trip that waits
// for the GPU process to catch up; and it uploads each window's vertices into the same buffer
// between draws, which makes software rasterizers finish the previous draws first. This
// renderer owns its context, so it sets the state it needs without reading any back, and it
// uploads one frame's vertices and indices in one call each.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imgui.h"
#include "ui/render/frame_damage.h"

namespace nvmelab::ui {

class ImGuiRenderer {
public:
    ImGuiRenderer() = default;
    ImGuiRenderer(const ImGuiRenderer &) = delete;
    ImGuiRenderer &operator=(const ImGuiRenderer &) = delete;
    ~ImGuiRenderer();

    // Compiles the shaders and uploads ImGui's font atlas (a current GL context is required).
    // On failure returns false and says why in *error.
    bool init(std::string *error);
    // Clears the window to `clear` and draws a frame. Returns false when it drew nothing: in a
    // browser, a frame identical to the last one is not drawn again, and on a canvas that keeps
    // its pixels only the rectangles that changed are (FrameDamage).
    bool render(const ImDrawData &data, const ImVec4 &clear);
    // The next frame is drawn whole.
    void redraw_all() { damage_.reset(); }
    // Whether frames are drawn in part (a browser canvas that keeps its pixels).
    bool partial_redraw() const { return partial_redraw_; }
    // How many draw calls the last drawn frame took, and how many pixels it cleared and drew.
    int draw_calls() const { return draw_calls_; }
    int64_t redrawn_pixels() const { return redrawn_pixels_; }
    bool drew_whole() const { return drew_whole_; }
    void shutdown();

private:
    unsigned program_ = 0;
    unsigned vertex_array_ = 0;
    // Vertex and index buffers, used in turn: each keeps its storage from frame to frame (a new
    // allocation per frame cost the browser's GPU process page faults), and the frames still
    // being drawn from the other two are not written over.
    struct StreamBuffers {
        unsigned vertices = 0;
        unsigned indices = 0;
        size_t vertex_capacity = 0; // bytes
        size_t index_capacity = 0;
    };
    StreamBuffers buffers_[3];
    size_t next_buffers_ = 0;
    unsigned font_texture_ = 0;
    int projection_location_ = -1;
    int texture_location_ = -1;
    FrameDamage damage_;
    bool partial_redraw_ = false;
    // A rectangle of framebuffer pixels in GL's convention (y runs upwards): [x0, x1) x [y0, y1).
    struct PixelRect {
        int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        bool empty() const { return x1 <= x0 || y1 <= y0; }
        PixelRect operator&(const PixelRect &o) const {
            return {std::max(x0, o.x0), std::max(y0, o.y0), std::min(x1, o.x1), std::min(y1, o.y1)};
        }
    };
    std::vector<DamageRegion> whole_; // the plan of a whole frame
    // Where each draw list's vertices and indices start in the frame's upload.
    std::vector<std::pair<size_t, size_t>> list_bases_;
    // One frame's vertices and indices, gathered from every draw list for the single upload.
    std::vector<ImDrawVert> vertices_;
    std::vector<ImDrawIdx> indices_;
    int draw_calls_ = 0;
    int64_t redrawn_pixels_ = 0;
    bool drew_whole_ = false;
};

} // namespace nvmelab::ui
