#pragma once
// The desktop application: an SDL2 window with an OpenGL 3 context, Dear ImGui on top, the
// Session and its windows. Also the headless test mode (--frames / --exec / --screenshot).
#include <optional>
#include <string>

namespace nvmelab::ui {

struct AppOptions {
    int frames = 0;         // > 0: render this many frames, then exit (headless test mode)
    std::string exec_file;  // console script to run before the first frame
    std::string screenshot; // PNG of the last frame (needs frames > 0)
    int width = 1280;
    int height = 800;
    std::string lesson;      // --lesson ID: open this lesson (deep link)
    int step = 0;            // --step N: at step N, 1-based (0: the first step)
    std::string lessons_dir; // --lessons DIR: the course (default: the checkout's lessons/)
};

// Parses the command line. Returns the options, or nullopt after printing usage (to stdout
// for --help, then *exit_code = 0) or an error (to stderr, *exit_code = 2).
std::optional<AppOptions> parse_options(int argc, char **argv, int *exit_code);
std::string usage();

// Runs the application; returns the process exit code.
int run_app(const AppOptions &options);

} // namespace nvmelab::ui
