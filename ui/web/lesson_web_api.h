#pragma once
// Web build only: the lessons' side of the page. Progress in localStorage
// ("nvmelab.progress"), the ?lesson=ID&step=N deep link, and the JS test API's lesson calls
// (window.nvmelab.lesson / lessonState / lessonNext / lessonBack / lessonClose, wrapped by
// web/nvmelab-web.js).
#include <string>

namespace nvmelab::ui {

class Session;
class LessonState;

namespace web {

// The progress text kept in this browser, or "".
std::string stored_progress();
void store_progress(const std::string &text);
// Registers the lesson model for the JS API; opens the lesson of a ?lesson= link. Returns true
// when the link opened a lesson (errors go to the lesson window's error line).
bool attach_lessons(Session &s, LessonState &lessons, const std::string &query);

} // namespace web
} // namespace nvmelab::ui
