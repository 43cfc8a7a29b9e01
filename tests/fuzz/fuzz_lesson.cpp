// libFuzzer target: the lesson file parser (player/lesson_parser.h: front matter, Markdown
// blocks, fenced console blocks, expect lines) and, when a lesson parses, playing it headless
// the way `nvmelab lesson run` does, on a device with bounded host memory (docs/fuzzing.md).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "player/lesson_device.h"
#include "player/lesson_parser.h"
#include "player/player.h"

namespace {

using namespace nvmelab;

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_lesson: INVARIANT VIOLATED: %s\n", what.c_str());
    std::abort();
}

constexpr uint64_t kHostMemoryLimit = uint64_t{64} << 20;
constexpr uint64_t kMaxDeviceSize = uint64_t{1} << 30;
constexpr size_t kMaxSteps = 16;

// play_headless (player/player.cpp) on a LessonDevice whose host memory is bounded; returns
// the report text so two plays can be compared.
std::string play(const lesson::Lesson &l) {
    lesson::LessonDevice device(l.device);
    device.set_host_memory_limit(kHostMemoryLimit);
    device.reset();
    lesson::Player p(l, device);
    std::string report;
    for (size_t i = 0; i < l.steps.size(); ++i) {
        const lesson::StepRun r = i == 0 ? p.go_to(0) : p.next();
        if (!r.ok) {
            if (r.error.empty()) violation("a lesson step failed without saying why");
            report += "step failed: " + r.error + "\n";
            break;
        }
        if (l.steps[i].your_turn()) {
            const lesson::StepRun s = p.solve();
            if (!s.ok && s.error.empty()) violation("a reference solution failed silently");
            report += s.ok ? "solved\n" : "solution failed: " + s.error + "\n";
        }
        report += "step ok\n";
    }
    return report + device.ctrl().trace().format_all();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 16384) return 0;
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const lesson::ParseResult parsed = lesson::parse_lesson(text, "fuzz.md");
    for (const lesson::Diagnostic &d : parsed.errors)
        if (d.text().empty()) violation("a lesson error with no text");
    if (!parsed.ok()) return 0;
    // A parsed lesson is played (bounded: small devices, few steps).
    const lesson::Lesson &l = parsed.lesson;
    if (l.steps.size() > kMaxSteps || l.device.size > kMaxDeviceSize) return 0;
    const lesson::ParseResult again = lesson::parse_lesson(text, "fuzz.md");
    if (again.lesson.steps.size() != l.steps.size()) violation("parsing is not deterministic");
    if (play(l) != play(again.lesson)) violation("the same lesson played differently twice");
    return 0;
}
