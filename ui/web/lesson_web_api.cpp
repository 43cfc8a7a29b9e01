// Web build only: lesson progress in localStorage, lesson deep links, the JS lesson API.
#ifdef __EMSCRIPTEN__
#include "ui/web/lesson_web_api.h"

#include <emscripten.h>
#include <nlohmann/json.hpp>

#include "ui/model/lesson_state.h"
#include "ui/model/session.h"
#include "ui/model/url_args.h"
#include "ui/windows/layout_probe.h"

namespace nvmelab::ui::web {

namespace {

Session *g_session = nullptr;
LessonState *g_lessons = nullptr;
std::string g_result;

const char *keep(const nlohmann::json &j) {
    g_result = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return g_result.c_str();
}

nlohmann::json lesson_json() {
    nlohmann::json course = nlohmann::json::array();
    for (const auto &l : g_lessons->course().lessons) {
        const LessonProgress p = g_lessons->progress().get(l.id);
        course.push_back({{"id", l.id},
                          {"title", l.title},
                          {"steps", l.steps.size()},
                          {"steps_done", p.steps_done},
                          {"completed", p.completed}});
    }
    nlohmann::json j = {
        {"open", g_lessons->is_open()}, {"error", g_lessons->error}, {"course", course}};
    if (lesson::Player *p = g_lessons->player()) {
        const lesson::TurnStatus &t = g_lessons->status(*g_session);
        const lesson::Step *st = p->current_step();
        j["id"] = p->lesson().id;
        j["step"] = p->current() + 1; // 1-based, as the window and links show it
        j["steps"] = p->step_count();
        j["title"] = st ? st->title : "";
        j["your_turn"] = t.your_turn;
        j["done"] = t.done;
        j["failures"] = t.failures;
        j["plain"] = t.plain;
        j["nudge"] = t.nudge;
        j["playing"] = t.playing;
        j["pending_lines"] = g_lessons->pending_lines();
        j["pause_note"] = g_lessons->pause_note();
        j["hints_shown"] = g_lessons->hints_shown();
        j["hints"] = st ? st->hints.size() : 0;
        j["at_end"] = p->at_end();
        j["last_run_ok"] = g_lessons->last_run().ok;
        nlohmann::json hl = nlohmann::json::array();
        for (const auto &h : g_session->highlights.items())
            hl.push_back({{"window", h.window}, {"fields", h.fields}});
        j["highlights"] = hl;
    }
    return j;
}

// The API's open / next / back run whole steps (the state a link names), whatever the lesson
// window's line-by-line switch says.
template <typename F> void whole_steps(F &&f) {
    const lesson::Playback mode = g_lessons->playback;
    g_lessons->playback = lesson::Playback::Whole;
    f();
    g_lessons->playback = mode;
}

} // namespace

std::string stored_progress() {
    const int len = EM_ASM_INT({
        var s = null;
        try {
            s = window.localStorage.getItem('nvmelab.progress');
        } catch (e) {
        }
        if (!s) return 0;
        Module.nvmelabProgress = s;
        return lengthBytesUTF8(s);
    });
    if (len <= 0) return {};
    std::string text(static_cast<size_t>(len) + 1, '\0');
    EM_ASM({ stringToUTF8(Module.nvmelabProgress, $0, $1); }, text.data(), len + 1);
    text.resize(static_cast<size_t>(len));
    return text;
}

void store_progress(const std::string &text) {
    EM_ASM(
        {
            try {
                window.localStorage.setItem('nvmelab.progress', UTF8ToString($0));
            } catch (e) {
            }
        },
        text.c_str());
}

bool attach_lessons(Session &s, LessonState &lessons, const std::string &query) {
    g_session = &s;
    g_lessons = &lessons;
    const UrlArgs args = parse_url_args(query);
    if (args.lesson.empty()) return false;
    lessons.error = lessons.open(s, args.lesson, args.step == 0 ? 0 : args.step - 1);
    return true;
}

} // namespace nvmelab::ui::web

using namespace nvmelab::ui;
using namespace nvmelab::ui::web;

extern "C" {

// Opens lesson `id` at step `step` (1-based): {ok, error} plus the lesson state.
EMSCRIPTEN_KEEPALIVE const char *nvmelab_lesson_open(const char *id, int step) {
    if (!g_lessons) return keep({{"ok", false}, {"error", "the app is not running"}});
    std::string e = "a step number from 1";
    if (step >= 1)
        whole_steps(
            [&] { e = g_lessons->open(*g_session, id ? id : "", static_cast<size_t>(step - 1)); });
    g_lessons->error = e;
    nlohmann::json j = lesson_json();
    j["ok"] = e.empty();
    return keep(j);
}

// The layout probe of the last frame (ui/windows/layout_probe.h).
EMSCRIPTEN_KEEPALIVE const char *nvmelab_lesson_layout() {
    const LayoutProbe &p = layout_probe();
    auto rect = [](const ProbeRect &r) { return nlohmann::json::array({r.x0, r.y0, r.x1, r.y1}); };
    nlohmann::json items = nlohmann::json::array();
    for (const LayoutProbe::Item &i : p.items)
        items.push_back({{"window", i.window},
                         {"name", i.name},
                         {"rect", rect(i.rect)},
                         {"visible", rect(i.visible)},
                         {"inside", i.visible.contains(i.rect)}});
    nlohmann::json lines = nlohmann::json::array();
    for (const LayoutProbe::CodeLine &l : p.code_lines)
        lines.push_back({{"text", l.text},
                         {"width", l.width},
                         {"right", l.right},
                         {"panel_right", l.panel_right},
                         {"wrapped", l.wrapped},
                         {"fits", l.wrapped || l.right <= l.panel_right + 0.5f}});
    return keep({{"items", items}, {"code_lines", lines}});
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_lesson_state() {
    if (!g_lessons) return keep(nullptr);
    return keep(lesson_json());
}

// "next", "back", "close", "solve", "hint": the lesson window's buttons.
EMSCRIPTEN_KEEPALIVE const char *nvmelab_lesson_do(const char *what) {
    if (!g_lessons) return keep({{"ok", false}, {"error", "the app is not running"}});
    const std::string w = what ? what : "";
    g_lessons->error.clear();
    if (w == "close") {
        g_lessons->close(*g_session);
    } else if (!g_lessons->is_open()) {
        g_lessons->error = "no lesson is open";
    } else if (w == "next") {
        whole_steps([] { g_lessons->next(*g_session); });
    } else if (w == "back") {
        whole_steps([] { g_lessons->back(*g_session); });
    } else if (w == "play") {
        const nvmelab::lesson::Playback keep_mode = g_lessons->playback;
        g_lessons->playback = nvmelab::lesson::Playback::LineByLine;
        g_lessons->go_to(*g_session, g_lessons->current());
        g_lessons->set_playing(false); // the test drives it line by line
        g_lessons->playback = keep_mode;
    } else if (w == "line") {
        if (g_lessons->pending_lines() == 0)
            g_lessons->error = "no line of this step is left to play";
        else
            g_lessons->play_line(*g_session);
    } else if (w == "rest") {
        g_lessons->play_rest(*g_session);
    } else if (w == "solve") {
        g_lessons->solve(*g_session);
    } else if (w == "hint") {
        g_lessons->show_hint();
    } else {
        g_lessons->error =
            "unknown lesson action '" + w + "' (next, back, close, solve, hint, play, line, rest)";
    }
    nlohmann::json j = lesson_json();
    j["ok"] = g_lessons->error.empty() && (!g_lessons->is_open() || g_lessons->last_run().ok);
    return keep(j);
}

} // extern "C"

#endif // __EMSCRIPTEN__
