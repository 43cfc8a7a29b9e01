// `nvmelab lesson run FILE` and `nvmelab lesson check DIR`: the lesson player without a UI.
#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/cli.h"
#include "player/course.h"
#include "player/lesson_parser.h"
#include "player/player.h"

namespace nvmelab::cli {

namespace {

struct LessonOptions {
    std::string path;
    bool verbose = false;
};

void print_errors(const std::vector<lesson::Diagnostic> &errors) {
    std::fflush(stdout);
    for (const lesson::Diagnostic &d : errors)
        std::fprintf(stderr, "%s\n", d.text().c_str());
}

int run_lesson(const LessonOptions &o) {
    const lesson::ParseResult parsed = lesson::load_lesson(o.path);
    if (!parsed.ok()) {
        print_errors(parsed.errors);
        std::fprintf(stderr, "nvmelab: %s: %zu error%s; the lesson was not played\n",
                     o.path.c_str(), parsed.errors.size(), parsed.errors.size() == 1 ? "" : "s");
        return 1;
    }
    const lesson::Lesson &l = parsed.lesson;
    std::printf("lesson %s: %s (%zu steps)\n", l.id.c_str(), l.title.c_str(), l.steps.size());
    std::vector<lesson::StepReport> reports;
    if (o.verbose) {
        // The same play as play_headless, with every line's output.
        lesson::Player p(l);
        for (size_t i = 0; i < l.steps.size(); ++i) {
            std::printf("--- step %zu: %s\n", i + 1, l.steps[i].title.c_str());
            lesson::StepRun r = i == 0 ? p.go_to(0) : p.next();
            std::fputs(r.transcript().c_str(), stdout);
            if (r.ok && l.steps[i].your_turn()) {
                std::printf("--- reference solution\n");
                r = p.solve();
                std::fputs(r.transcript().c_str(), stdout);
            }
            if (!r.ok) break;
        }
    }
    reports = lesson::play_headless(l);
    std::fputs(lesson::format_report(reports).c_str(), stdout);
    bool ok = true;
    for (const lesson::StepReport &r : reports)
        ok = ok && r.ok;
    std::printf("%s\n", ok ? "lesson passed" : "lesson FAILED");
    return ok ? 0 : 1;
}

int check_lessons(const LessonOptions &o) {
    const lesson::Course c = lesson::load_course(o.path);
    for (const std::string &f : c.files) {
        bool bad = false;
        for (const lesson::Diagnostic &d : c.errors)
            bad = bad || d.file == f;
        std::printf("%-40s %s\n", f.c_str(), bad ? "errors" : "ok");
    }
    print_errors(c.errors);
    if (!c.ok()) {
        std::fprintf(stderr, "nvmelab: %zu error%s in %s\n", c.errors.size(),
                     c.errors.size() == 1 ? "" : "s", o.path.c_str());
        return 1;
    }
    std::printf("%zu lesson%s ok\n", c.lessons.size(), c.lessons.size() == 1 ? "" : "s");
    return 0;
}

} // namespace

void register_lesson_commands(Registry &reg) {
    CLI::App *lesson = reg.app.add_subcommand(
        "lesson", "Lessons without the UI: play a lesson file, or check a folder of them");
    lesson->require_subcommand(1);
    lesson->footer("The lesson format is described in lessons/README.md.");

    auto run = std::make_shared<LessonOptions>();
    CLI::App *r = lesson->add_subcommand(
        "run", "Play every step of a lesson and check it (your-turn steps run their reference "
               "solution); one line per step, exit code 1 if a step fails");
    r->add_option("file", run->path, "Lesson file (.md)")->required()->type_name("FILE");
    r->add_flag("-v,--verbose", run->verbose, "Also print every line that runs and its output");
    r->callback([&reg, run] { reg.action = [run] { return run_lesson(*run); }; });

    auto check = std::make_shared<LessonOptions>();
    CLI::App *c = lesson->add_subcommand(
        "check", "Check every lesson file (*.md except README.md) of a folder without playing it; "
                 "errors are listed as FILE:LINE: message");
    c->add_option("dir", check->path, "Folder of lesson files")->required()->type_name("DIR");
    c->callback([&reg, check] { reg.action = [check] { return check_lessons(*check); }; });
}

} // namespace nvmelab::cli
