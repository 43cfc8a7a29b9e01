// The default window arrangement: at every display size and with any side strip, the windows
// tile the display without overlapping and each keeps a usable size.
#include "doctest/doctest.h"

#include <string>
#include <utility>
#include <vector>

#include "ui/windows/windows.h"

namespace {

using nvmelab::ui::Layout;
using nvmelab::ui::Placement;
using nvmelab::ui::SideStrip;

std::vector<std::pair<std::string, Placement>> placed(const Layout &l, SideStrip side) {
    std::vector<std::pair<std::string, Placement>> v{
        {"controls", l.controls},   {"registers", l.registers}, {"queues", l.queues},
        {"inspector", l.inspector}, {"timeline", l.timeline},   {"console", l.console},
        {"datapath", l.datapath},   {"memory", l.memory},       {"namespace", l.nspace},
        {"identify", l.identify}};
    if (side.lesson) v.emplace_back("lesson", l.lesson);
    if (side.workload) v.emplace_back("workload", l.workload);
    return v;
}

bool overlap(const Placement &a, const Placement &b) {
    return a.pos.x < b.pos.x + b.size.x && b.pos.x < a.pos.x + a.size.x &&
           a.pos.y < b.pos.y + b.size.y && b.pos.y < a.pos.y + a.size.y;
}

} // namespace

TEST_CASE("layout: windows tile the display without overlapping") {
    const float menu = 19;
    for (const ImVec2 display : {ImVec2{1280, 800}, ImVec2{1920, 1080}, ImVec2{1024, 700}}) {
        for (const SideStrip side :
             {SideStrip{false, false}, SideStrip{true, false}, SideStrip{false, true},
              SideStrip{true, true}, SideStrip{true, false, true}, SideStrip{true, true, true},
              SideStrip{true, false, false, true}, SideStrip{true, true, true, true}}) {
            CAPTURE(display.x);
            CAPTURE(side.lesson);
            CAPTURE(side.workload);
            const Layout l = Layout::for_display(display, menu, ImGuiCond_Always, side);
            const auto windows = placed(l, side);
            float area = 0;
            for (size_t i = 0; i < windows.size(); ++i) {
                // Not a structured binding: CAPTURE's lambda cannot capture one in clang 14.
                const std::string &name = windows[i].first;
                const Placement &p = windows[i].second;
                CAPTURE(name);
                CHECK(p.cond == ImGuiCond_Always);
                CHECK(p.pos.x >= 0);
                CHECK(p.pos.y >= menu);
                CHECK(p.pos.x + p.size.x <= display.x);
                CHECK(p.pos.y + p.size.y <= display.y);
                // At 1280x800 and up: room for a title bar and a dozen lines of text.
                if (display.x >= 1280) {
                    CHECK(p.size.x >= (name == "controls" ? 600 : 220));
                    CHECK(p.size.y >= (name == "controls" ? 50 : 120));
                }
                area += p.size.x * p.size.y;
                for (size_t j = i + 1; j < windows.size(); ++j) {
                    CAPTURE(windows[j].first);
                    CHECK_FALSE(overlap(p, windows[j].second));
                }
            }
            // Nothing overlaps, so equal areas mean the windows leave no gap.
            CHECK(area == doctest::Approx(display.x * (display.y - menu)));
        }
    }
}

TEST_CASE("layout: a lesson step about registers gives Registers the left column's room") {
    const ImVec2 display{1280, 800};
    const Layout plain = Layout::for_display(display, 19, ImGuiCond_Always, {true, false});
    const Layout focus = Layout::for_display(display, 19, ImGuiCond_Always, {true, false, true});
    // 20 rows of 21 px: CC and CSTS open with their fields, the other registers closed.
    CHECK(focus.registers.size.y >= 400);
    CHECK(focus.registers.size.y > plain.registers.size.y + 80);
    CHECK(focus.identify.pos.y + focus.identify.size.y == display.y);
    // Without a lesson the flag changes nothing.
    const Layout no_lesson =
        Layout::for_display(display, 19, ImGuiCond_Always, {false, false, true});
    CHECK(no_lesson.registers.size.y ==
          Layout::for_display(display, 19, ImGuiCond_Always).registers.size.y);
}

TEST_CASE("layout: a lesson step about queues gives Queues the middle column's room") {
    const ImVec2 display{1280, 800};
    const Layout plain = Layout::for_display(display, 19, ImGuiCond_Always, {true, false});
    const Layout focus =
        Layout::for_display(display, 19, ImGuiCond_Always, {true, false, false, true});
    // An SQ and its CQ (two ring rows of ~72 px) below the header, legend and admin line.
    CHECK(focus.queues.size.y >= 380);
    CHECK(focus.queues.size.y > plain.queues.size.y + 80);
    CHECK(focus.console.size.y >= plain.console.size.y - 1); // the Timeline gives the room
    const Layout no_lesson =
        Layout::for_display(display, 19, ImGuiCond_Always, {false, false, false, true});
    CHECK(no_lesson.queues.size.y ==
          Layout::for_display(display, 19, ImGuiCond_Always).queues.size.y);
}

TEST_CASE("layout: the workload generator sits above the lesson in the side strip") {
    const ImVec2 display{1280, 800};
    const Layout none = Layout::for_display(display, 19, ImGuiCond_FirstUseEver);
    const Layout both = Layout::for_display(display, 19, ImGuiCond_FirstUseEver, {true, true});
    const Layout lesson = Layout::for_display(display, 19, ImGuiCond_FirstUseEver, {true, false});
    // Without a strip the columns take the whole width; with one they make room for it.
    CHECK(none.memory.pos.x + none.memory.size.x == display.x);
    CHECK(both.memory.pos.x + both.memory.size.x == both.workload.pos.x);
    CHECK(both.workload.pos.y == 19);
    CHECK(both.lesson.pos.y == both.workload.pos.y + both.workload.size.y);
    CHECK(both.workload.size.y >= 400); // its controls and three plots
    CHECK(lesson.lesson.pos.y == 19);
    CHECK(lesson.lesson.size.y == display.y - 19);
    CHECK(lesson.workload.size.x == 0);
}
