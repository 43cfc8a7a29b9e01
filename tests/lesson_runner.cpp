// nvmelab_lesson_runner FILE: plays a lesson headless, as `nvmelab lesson run` does. It exists
// for the WebAssembly build (run under node with the host file system, -sNODERAWFS), where the
// CLI is not built, so every lesson is also checked on the web build's core.
#include <cstdio>
#include <string>

#include "player/lesson_parser.h"
#include "player/player.h"

int main(int argc, char **argv) {
    using namespace nvmelab::lesson;
    if (argc != 2) {
        std::fprintf(stderr, "usage: nvmelab_lesson_runner LESSON.md\n");
        return 2;
    }
    const ParseResult parsed = load_lesson(argv[1]);
    if (!parsed.ok()) {
        for (const Diagnostic &d : parsed.errors)
            std::fprintf(stderr, "%s\n", d.text().c_str());
        return 1;
    }
    std::printf("lesson %s: %s (%zu steps)\n", parsed.lesson.id.c_str(),
                parsed.lesson.title.c_str(), parsed.lesson.steps.size());
    const std::vector<StepReport> reports = play_headless(parsed.lesson);
    std::fputs(format_report(reports).c_str(), stdout);
    bool ok = true;
    for (const StepReport &r : reports)
        ok = ok && r.ok;
    std::printf("%s\n", ok ? "lesson passed" : "lesson FAILED");
    return ok ? 0 : 1;
}
