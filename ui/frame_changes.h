#pragma once
// Whether a frame looks exactly like the last one: ImGui rebuilds every draw list each frame,
// but an idle app's frames are identical, and a browser need not draw those again (a WebGL
// canvas nobody draws to keeps showing its last frame).
#include <vector>

#include "imgui.h"

namespace nvmelab::ui {

class FrameChangeDetector {
public:
    // True when the draw data differs from the last call's (or there was none).
    bool changed(const ImDrawData &data);
    // Forget the last frame: the next call says "changed".
    void reset() { valid_ = false; }

private:
    // The last frame's draw data, flattened: per list its sizes and commands, then all
    // vertices and indices.
    std::vector<unsigned char> last_;
    std::vector<unsigned char> now_;
    bool valid_ = false;
};

} // namespace nvmelab::ui
