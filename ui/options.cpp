// Command line of nvmelab-gui.
#include <charconv>
#include <cstdio>
#include <string_view>

#include "ui/app.h"

namespace nvmelab::ui {

std::string usage() {
    return "usage: nvmelab-gui [--exec FILE] [--frames N [--screenshot OUT.png]] [--size WxH]\n"
           "                   [--lesson ID [--step N]] [--lessons DIR]\n"
           "\n"
           "  --exec FILE        run a console script (docs/console.md) before the first frame\n"
           "  --frames N         render N frames, print the device state and exit (headless\n"
           "                     test mode; exit code 1 if the script failed)\n"
           "  --screenshot FILE  with --frames: save the last frame as a PNG and print its\n"
           "                     size, distinct colour count and checksum\n"
           "  --size WxH         window size (default 1280x800)\n"
           "  --lesson ID        open lesson ID (lessons/*.md front matter) in the lesson window\n"
           "  --step N           with --lesson: at step N (1-based), with the exact state the\n"
           "                     lesson has there\n"
           "  --lessons DIR      the course's folder (default: this checkout's lessons/)\n"
           "\n"
           "Keys: F10 step event, Shift+F10 step command, F5 run/pause, F6 run to idle,\n"
           "F12 save a screenshot (nvmelab-screenshot.png).\n";
}

namespace {

bool parse_int(std::string_view text, int &out) {
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && p == text.data() + text.size();
}

} // namespace

std::optional<AppOptions> parse_options(int argc, char **argv, int *exit_code) {
    AppOptions o;
    auto fail = [&](const std::string &message) -> std::optional<AppOptions> {
        std::fprintf(stderr, "nvmelab-gui: %s\n%s", message.c_str(), usage().c_str());
        *exit_code = 2;
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&](std::string_view name) -> const char * {
            if (i + 1 >= argc) return nullptr;
            (void)name;
            return argv[++i];
        };
        if (arg == "-h" || arg == "--help") {
            std::fputs(usage().c_str(), stdout);
            *exit_code = 0;
            return std::nullopt;
        }
        if (arg == "--frames") {
            const char *v = value(arg);
            if (!v || !parse_int(v, o.frames) || o.frames < 1)
                return fail("--frames needs a positive number of frames");
        } else if (arg == "--exec") {
            const char *v = value(arg);
            if (!v) return fail("--exec needs a script file");
            o.exec_file = v;
        } else if (arg == "--screenshot") {
            const char *v = value(arg);
            if (!v) return fail("--screenshot needs an output file name");
            o.screenshot = v;
        } else if (arg == "--size") {
            const char *v = value(arg);
            const std::string_view s = v ? v : "";
            const size_t x = s.find('x');
            if (x == std::string_view::npos || !parse_int(s.substr(0, x), o.width) ||
                !parse_int(s.substr(x + 1), o.height) || o.width < 320 || o.height < 240 ||
                o.width > 8192 || o.height > 8192)
                return fail("--size needs WIDTHxHEIGHT, e.g. 1280x800 (at least 320x240)");
        } else if (arg == "--lesson") {
            const char *v = value(arg);
            if (!v || !*v) return fail("--lesson needs a lesson id, e.g. --lesson bring-up");
            o.lesson = v;
        } else if (arg == "--step") {
            const char *v = value(arg);
            if (!v || !parse_int(v, o.step) || o.step < 1)
                return fail("--step needs a step number from 1 (the lesson's first step)");
        } else if (arg == "--lessons") {
            const char *v = value(arg);
            if (!v) return fail("--lessons needs a folder of lesson files");
            o.lessons_dir = v;
        } else {
            return fail("unknown argument '" + std::string(arg) + "'");
        }
    }
    if (o.step != 0 && o.lesson.empty()) return fail("--step needs --lesson ID too");
    if (!o.screenshot.empty() && o.frames == 0)
        return fail("--screenshot needs --frames N (the screenshot is of the last frame)");
    return o;
}

} // namespace nvmelab::ui
