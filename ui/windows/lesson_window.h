#pragma once
// The lesson window: the course index (lessons with title, summary, prerequisites and
// progress) when no lesson is open, else the open lesson's step: prose, Back / Next, the
// your-turn status with hints on request, and what the step's lines printed. The app keeps it
// in a strip on the right and lays the other windows out beside it.
#include <cstdint>

#include "ui/model/lesson_state.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

class LessonWindow {
public:
    static constexpr const char *kTitle = "Lesson";
    void draw(Session &s, LessonState &lessons, const Placement &where, bool *open);
    // The named windows the current step highlights get a coloured frame (drawn over
    // everything) and come to the front once when the step changes.
    static void draw_highlights(const Session &s);
    static void raise_highlighted(const Session &s);

private:
    void course_index(Session &s, LessonState &lessons);
    void lesson_view(Session &s, LessonState &lessons);
    // "Next lesson -> TITLE" at the end of a lesson (or back to the course after the last).
    void next_lesson(Session &s, LessonState &lessons);
    size_t scroll_step_ = SIZE_MAX; // scrolls the prose to the top when the step changes
};

} // namespace nvmelab::ui
