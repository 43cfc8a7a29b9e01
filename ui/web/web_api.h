#pragma once
// The web app's side of the page (web build only): URL arguments and the state kept in browser
// storage at start-up, the JS test API (window.nvmelab, see web/nvmelab-web.js and docs/web.md),
// autosave, and the ?bench=1 frame-rate measurement.
#include <cstddef>
#include <string>

namespace nvmelab::ui {

class Session;
class WorkloadGenerator;

namespace web {

// The longest string argument window.nvmelab takes (UTF-8 bytes): room for a state file past
// kMaxStateBytes, so load() names that bound, while a string of hundreds of MB is refused
// before the page copies it into the module's memory.
inline constexpr size_t kMaxApiArgumentBytes = size_t{16} << 20;

// location.search of the page; main() passes it in before the app starts.
void set_query(std::string query);
const std::string &query();
// Called once the app's Session and workload generator exist, before the first frame: applies
// the URL arguments, or restores the state kept in browser storage.
void attach(Session &s, WorkloadGenerator &workload);
// Where one frame's time went (ms), measured by the app's loop.
struct FrameTimes {
    double work = 0;           // the whole frame function
    double sim = 0;            // the controller and the workload generator advancing
    double build = 0;          // ImGui building the windows' draw lists
    double draw = 0;           // submitting the draw lists to WebGL and presenting
    bool drawn = true;         // false: identical to the last frame, not drawn again
    int draw_calls = 0;        // issued to WebGL for the frame
    double redrawn_pixels = 0; // cleared and drawn again (only what changed, see FrameDamage)
    bool whole = true;         // the whole canvas was drawn
};
// Called after every frame (after ImGui::Render): tells the page the app is ready (first frame),
// autosaves, and measures in bench mode.
void after_frame(const FrameTimes &times);
// Whether the renderer draws frames in part (set once it runs).
void set_partial_redraw(bool partial);
// True once after the page asked for the next frame to be drawn whole (window.nvmelab.redraw).
bool take_redraw_request();

} // namespace web
} // namespace nvmelab::ui
