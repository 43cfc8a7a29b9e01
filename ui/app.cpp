// SDL2 window + OpenGL 3 context, Dear ImGui, the main loop, menus and keyboard shortcuts.
#include "ui/app.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include <SDL.h>
#include <SDL_opengl.h>
#include <fmt/format.h>
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include "backends/imgui_impl_sdl.h"
#include "imgui.h"
#include "ui/font_glyphs.h"
#include "ui/model/image_file.h"
#include "ui/model/lesson_progress.h"
#include "ui/model/lesson_state.h"
#include "ui/model/session.h"
#include "ui/render/framebuffer.h"
#include "ui/render/imgui_renderer.h"
#include "ui/web/lesson_web_api.h"
#include "ui/web/web_api.h"
#include "ui/windows/explorer_windows.h"
#include "ui/windows/layout_probe.h"
#include "ui/windows/lesson_window.h"
#include "ui/windows/state_menu.h"
#include "ui/windows/windows.h"
#include "ui/windows/workload_window.h"

namespace nvmelab::ui {

namespace {

const char *const kShortcutHelp = "F10        step one controller event\n"
                                  "Shift+F10  step to the next completion\n"
                                  "F5         run / pause\n"
                                  "F6         run until idle\n"
                                  "F12        save nvmelab-screenshot.png\n"
                                  "Up/Down    console history\n"
                                  "Tab        complete a console command";

// Wall-clock milliseconds, for the frame-phase times the web bench reports.
double now_ms() {
#ifdef __EMSCRIPTEN__
    return emscripten_get_now();
#else
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
#endif
}

void apply_style() {
    ImGui::StyleColorsDark();
    ImGuiStyle &style = ImGui::GetStyle();
    style.WindowRounding = 3.0f;
    style.FrameRounding = 2.0f;
    style.GrabRounding = 2.0f;
    style.WindowPadding = {6, 6};
    style.ItemSpacing = {6, 4};
    style.ScrollbarSize = 12.0f;
    style.WindowBorderSize = 1.0f;
    // Lines get their anti-aliasing from geometry, not from the font atlas, so the atlas can be
    // sampled without filtering (ui/render/imgui_renderer.cpp).
    style.AntiAliasedLinesUseTex = false;
}

class App {
public:
    explicit App(const AppOptions &o) : options_(o) {}
    int run();

private:
    bool init_window();
    void shutdown_window();
    void handle(const SDL_Event &ev);
    void pump_events();
    void frame();
    void menu_bar();
    void help_popup();
    bool save_screenshot(const std::string &path, bool report);
    void loop_iteration();
    void lessons_menu();
    void start_lessons();
    void save_progress();
#ifdef __EMSCRIPTEN__
    static void web_frame(void *app) {
        static_cast<App *>(app)->loop_iteration();
    }
#endif

    AppOptions options_;
    Session session_;
    SDL_Window *window_ = nullptr;
    SDL_GLContext gl_ = nullptr;
    ImGuiRenderer renderer_;
    bool done_ = false;
    bool relayout_ = true;
    bool registers_focus_ = false; // the layout gives Registers more room (a lesson step)
    bool queues_focus_ = false;    // and Queues
    bool open_help_ = false;
    bool screenshot_requested_ = false;
    // A key released in the same batch of events it was pressed in, held for the next frame.
    std::optional<SDL_Event> deferred_key_up_;
    int frame_count_ = 0;
    float menu_height_ = 0.0f;
    web::FrameTimes frame_times_; // where the last frame's time went

    bool show_registers_ = true, show_queues_ = true, show_timeline_ = true, show_inspector_ = true,
         show_console_ = true, show_metrics_ = false;
    bool show_datapath_ = true, show_memory_ = true, show_namespace_ = true, show_identify_ = true;
    ControlsWindow controls_;
    RegistersWindow registers_;
    QueuesWindow queues_;
    TimelineWindow timeline_;
    InspectorWindow inspector_;
    ConsoleWindow console_;
    DataPathWindow datapath_;
    MemoryWindow memory_;
    NamespaceWindow namespace_;
    ProtectionWindow protection_;
    bool show_protection_ = false;
    IdentifyWindow identify_;
    DeviceDialog device_dialog_;
    WorkloadWindow workload_;
    bool show_workload_ = false;
    StateMenu state_menu_;
    LessonState lessons_;
    LessonWindow lesson_window_;
    bool show_lesson_ = false;
    // The side strip of the last frame (the layout changes with it).
    bool lesson_shown_ = false;
    bool workload_shown_ = false;
    uint64_t highlights_seen_ = 0;
    std::string progress_path_; // native: where progress is kept ("" on the web)
    std::string lesson_error_;  // headless: a bad --lesson / --step

    // Headless results.
    bool script_ok_ = true;
    std::string script_error_;
    std::string screenshot_report_;
    bool screenshot_ok_ = true;
};

bool App::init_window() {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "nvmelab-gui: cannot initialise SDL video: %s\n", SDL_GetError());
        return false;
    }
#ifdef __EMSCRIPTEN__
    // WebGL2 is OpenGL ES 3.0.
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
#else
    // OpenGL 3.0, as Dear ImGui's SDL2 + OpenGL3 example uses on Linux.
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
#endif
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_GL_SetAttribute(SDL_GL_DEPTH_SIZE, 0);
    SDL_GL_SetAttribute(SDL_GL_STENCIL_SIZE, 0); // ImGui draws with blending and scissors only
    const auto flags = static_cast<SDL_WindowFlags>(SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE |
                                                    SDL_WINDOW_ALLOW_HIGHDPI);
    window_ = SDL_CreateWindow("nvmelab - NVMe 1.3 SSD emulator", SDL_WINDOWPOS_CENTERED,
                               SDL_WINDOWPOS_CENTERED, options_.width, options_.height, flags);
    if (!window_) {
        std::fprintf(stderr, "nvmelab-gui: cannot create a window: %s\n", SDL_GetError());
        return false;
    }
    gl_ = SDL_GL_CreateContext(window_);
    if (!gl_) {
        // Some drivers refuse a core profile below 3.2: ask for a plain 3.0 context instead.
        SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, 0);
        gl_ = SDL_GL_CreateContext(window_);
    }
    if (!gl_) {
        std::fprintf(stderr, "nvmelab-gui: cannot create an OpenGL 3.0 context: %s\n",
                     SDL_GetError());
        return false;
    }
    SDL_GL_MakeCurrent(window_, gl_);
    SDL_GL_SetSwapInterval(options_.frames > 0 ? 0 : 1); // vsync when interactive

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO &io = ImGui::GetIO();
    io.IniFilename = nullptr; // the layout is computed, not saved
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    apply_style();
    add_extra_glyphs(io);
    ImGui_ImplSDL2_InitForOpenGL(window_, gl_);
    std::string error;
    if (!renderer_.init(&error)) {
        std::fprintf(stderr, "nvmelab-gui: cannot set up drawing: %s\n", error.c_str());
        return false;
    }
#ifdef __EMSCRIPTEN__
    web::set_partial_redraw(renderer_.partial_redraw());
#endif
    return true;
}

void App::shutdown_window() {
    if (ImGui::GetCurrentContext()) {
        renderer_.shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
    }
    if (gl_) SDL_GL_DeleteContext(gl_);
    if (window_) SDL_DestroyWindow(window_);
    SDL_Quit();
}

void App::handle(const SDL_Event &ev) {
    ImGui_ImplSDL2_ProcessEvent(&ev);
    switch (ev.type) {
    case SDL_QUIT:
        done_ = true;
        break;
    case SDL_WINDOWEVENT:
        if (ev.window.windowID != SDL_GetWindowID(window_)) break;
        if (ev.window.event == SDL_WINDOWEVENT_CLOSE) done_ = true;
        if (ev.window.event == SDL_WINDOWEVENT_SIZE_CHANGED) relayout_ = true;
        break;
    case SDL_KEYDOWN: {
        const SDL_Keycode key = ev.key.keysym.sym;
        const bool shift = (ev.key.keysym.mod & KMOD_SHIFT) != 0;
        if (key == SDLK_F10 && session_.ctrl().powered()) {
            if (shift)
                session_.step_command();
            else
                session_.step_event();
        } else if (key == SDLK_F5 && !ev.key.repeat) {
            session_.toggle_running();
        } else if (key == SDLK_F6 && !ev.key.repeat && session_.ctrl().powered()) {
            session_.run_until_idle();
        } else if (key == SDLK_F12 && !ev.key.repeat) {
            screenshot_requested_ = true;
        }
        break;
    }
    default:
        break;
    }
}

// Dear ImGui 1.86 sees keys as "down" or "up" once per frame: a key pressed and released
// between two frames (fast typing, a slow frame, synthetic input) would be missed, so the
// release waits for the next frame and the events after it stay queued in SDL.
void App::pump_events() {
    if (deferred_key_up_) {
        handle(*deferred_key_up_);
        deferred_key_up_.reset();
    }
    std::vector<SDL_Scancode> pressed;
    SDL_Event ev;
    while (SDL_PollEvent(&ev)) {
        if (ev.type == SDL_KEYUP &&
            std::find(pressed.begin(), pressed.end(), ev.key.keysym.scancode) != pressed.end()) {
            deferred_key_up_ = ev;
            return;
        }
        if (ev.type == SDL_KEYDOWN) pressed.push_back(ev.key.keysym.scancode);
        handle(ev);
    }
}

void App::menu_bar() {
    if (!ImGui::BeginMainMenuBar()) return;
    menu_height_ = ImGui::GetWindowSize().y;
    if (ImGui::BeginMenu("Device")) {
        if (ImGui::MenuItem("New device...")) device_dialog_.open(session_);
        if (ImGui::MenuItem("Reset device")) session_.reset();
        if (ImGui::MenuItem("Power cycle (clean)")) session_.power_cycle(PowerOff::Clean);
        if (ImGui::MenuItem("Power cut (unclean)")) session_.power_cycle(PowerOff::Unclean);
        ImGui::Separator();
        if (ImGui::MenuItem("Quit")) done_ = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("Run")) {
        const bool powered = session_.ctrl().powered();
        if (ImGui::MenuItem("Step event", "F10", false, powered)) session_.step_event();
        if (ImGui::MenuItem("Step command", "Shift+F10", false, powered)) session_.step_command();
        if (ImGui::MenuItem(session_.running() ? "Pause" : "Run", "F5")) session_.toggle_running();
        if (ImGui::MenuItem("Run until idle", "F6", false, powered)) session_.run_until_idle();
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu("View")) {
        ImGui::MenuItem(RegistersWindow::kTitle, nullptr, &show_registers_);
        ImGui::MenuItem(QueuesWindow::kTitle, nullptr, &show_queues_);
        ImGui::MenuItem(InspectorWindow::kTitle, nullptr, &show_inspector_);
        ImGui::MenuItem(TimelineWindow::kTitle, nullptr, &show_timeline_);
        ImGui::MenuItem(ConsoleWindow::kTitle, nullptr, &show_console_);
        ImGui::MenuItem(DataPathWindow::kTitle, nullptr, &show_datapath_);
        ImGui::MenuItem(MemoryWindow::kTitle, nullptr, &show_memory_);
        ImGui::MenuItem(NamespaceWindow::kTitle, nullptr, &show_namespace_);
        ImGui::MenuItem(ProtectionWindow::kTitle, nullptr, &show_protection_);
        ImGui::MenuItem(IdentifyWindow::kTitle, nullptr, &show_identify_);
        ImGui::MenuItem(WorkloadWindow::kTitle, nullptr, &show_workload_);
        ImGui::Separator();
        if (ImGui::MenuItem("Reset layout")) relayout_ = true;
        ImGui::MenuItem("Dear ImGui metrics", nullptr, &show_metrics_);
        if (ImGui::MenuItem("Save screenshot", "F12")) screenshot_requested_ = true;
        ImGui::EndMenu();
    }
    state_menu_.menu(session_, workload_.generator());
    lessons_menu();
    if (ImGui::BeginMenu("Help")) {
        if (ImGui::MenuItem("Shortcuts and windows")) open_help_ = true;
        if (ImGui::MenuItem("Console commands")) session_.exec("help");
        ImGui::EndMenu();
    }
    ImGui::EndMainMenuBar();
}

void App::lessons_menu() {
    if (!ImGui::BeginMenu("Lessons")) return;
    if (ImGui::MenuItem("Course index", nullptr, show_lesson_ && !lessons_.is_open())) {
        lessons_.close(session_);
        show_lesson_ = true;
    }
    ImGui::MenuItem("Lesson window", nullptr, &show_lesson_);
    ImGui::Separator();
    for (const lesson::Lesson &l : lessons_.course().lessons)
        if (ImGui::MenuItem(l.title.c_str())) {
            lessons_.error = lessons_.open(session_, l.id, 0);
            show_lesson_ = true;
        }
    ImGui::EndMenu();
}

// The course, the learner's progress and a deep link, before the first frame.
void App::start_lessons() {
#ifdef NVMELAB_LESSONS_DIR
    const std::string dir =
        options_.lessons_dir.empty() ? NVMELAB_LESSONS_DIR : options_.lessons_dir;
#else
    const std::string dir = options_.lessons_dir.empty() ? "lessons" : options_.lessons_dir;
#endif
    lessons_.load_course(dir);
    try {
#ifdef __EMSCRIPTEN__
        const std::string text = web::stored_progress();
        if (!text.empty()) lessons_.progress() = ProgressStore::from_text(text);
#else
        progress_path_ = default_progress_path();
        if (!progress_path_.empty()) lessons_.progress() = load_progress_file(progress_path_);
#endif
    } catch (const std::exception &e) {
        session_.log_info(fmt::format("error: lesson progress not loaded: {}", e.what()));
    }
#ifdef __EMSCRIPTEN__
    // The web app opens on the course index (or the lesson of a ?lesson= link).
    web::attach_lessons(session_, lessons_, web::query());
    show_lesson_ = true;
#else
    if (!options_.lesson.empty()) {
        show_lesson_ = true;
        lesson_error_ =
            lessons_.open(session_, options_.lesson,
                          options_.step > 0 ? static_cast<size_t>(options_.step - 1) : 0);
        lessons_.error = lesson_error_;
        if (!lesson_error_.empty())
            std::fprintf(stderr, "nvmelab-gui: %s\n", lesson_error_.c_str());
    }
#endif
    // From here on the lesson window plays steps line by line (a deep link above opened its
    // step whole, with the state the link names); the window has a switch for it.
    lessons_.playback = lesson::Playback::LineByLine;
}

void App::save_progress() {
    if (!lessons_.take_progress_dirty()) return;
#ifdef __EMSCRIPTEN__
    web::store_progress(lessons_.progress().to_text());
#else
    if (progress_path_.empty()) return;
    const std::string e = save_progress_file(progress_path_, lessons_.progress());
    if (!e.empty()) session_.log_info("error: lesson progress not saved: " + e);
#endif
}

void App::help_popup() {
    if (open_help_) {
        ImGui::OpenPopup("nvmelab help");
        open_help_ = false;
    }
    ImGui::SetNextWindowSize({ImGui::GetFontSize() * 40, 0}, ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal("nvmelab help", nullptr)) return;
    ImGui::TextUnformatted(kShortcutHelp);
    ImGui::Separator();
    ImGui::TextWrapped(
        "Registers: every controller register, decoded; tick a box or type a value and press "
        "Enter to write it as a host does. Queues: each SQ and CQ as a ring of slots (H head, "
        "T tail, CQ phase tags), commands in flight coloured by pipeline phase. Timeline: the "
        "controller's trace, filterable. Command inspector: a completion decoded, with the "
        "status explained. Console: the nvmelab console language ('help').");
    if (ImGui::Button("Close")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

bool App::save_screenshot(const std::string &path, bool report) {
#ifdef __EMSCRIPTEN__
    // The browser saves its own canvas (web/nvmelab-web.js); no PNG encoder in the web build.
    (void)report;
    EM_ASM(
        {
            if (window.nvmelabUi) window.nvmelabUi.screenshot(UTF8ToString($0));
        },
        path.c_str());
    session_.log_info(fmt::format("screenshot downloaded: {}", path));
    return true;
#else
    int w = 0, h = 0;
    SDL_GL_GetDrawableSize(window_, &w, &h);
    const RgbaImage image = read_back_buffer(w, h);
    bool ok = false;
    try {
        ok = write_png(path, image);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "nvmelab-gui: %s\n", e.what());
    }
    if (!ok) {
        std::fprintf(stderr, "nvmelab-gui: cannot write screenshot '%s'\n", path.c_str());
        if (report) screenshot_ok_ = false;
        return false;
    }
    if (report)
        screenshot_report_ = fmt::format(
            "screenshot: path={} width={} height={} distinct_colours={} "
            "checksum=0x{:08x}\n",
            path, image.width, image.height, distinct_colours(image), pixel_checksum(image));
    else
        session_.log_info(fmt::format("screenshot saved: {} ({}x{})", path, w, h));
    return true;
#endif
}

void App::frame() {
    const double start = now_ms();
    session_.tick();
    workload_.tick(session_);
    session_.followed.update(session_.ctrl().last_completion(), now_ms() / 1000.0);
    const double simulated = now_ms();
    if (workload_.run_started()) show_workload_ = true; // e.g. from the console or the web API
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();

    layout_probe().clear();
    menu_bar();
    // A lesson step about registers gives the Registers window the left column's room.
    const bool registers_focus =
        show_lesson_ && lessons_.is_open() && session_.highlights.window("registers");
    const bool queues_focus =
        show_lesson_ && lessons_.is_open() && session_.highlights.window("queues");
    if (show_lesson_ != lesson_shown_ || show_workload_ != workload_shown_ ||
        registers_focus != registers_focus_ || queues_focus != queues_focus_)
        relayout_ = true;
    lesson_shown_ = show_lesson_;
    workload_shown_ = show_workload_;
    registers_focus_ = registers_focus;
    queues_focus_ = queues_focus;
    const ImGuiCond cond = relayout_ ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
    relayout_ = false;
    const Layout layout =
        Layout::for_display(ImGui::GetIO().DisplaySize, menu_height_, cond,
                            {show_lesson_, show_workload_, registers_focus, queues_focus});
    controls_.draw(session_, layout.controls);
    if (show_registers_) registers_.draw(session_, layout.registers, &show_registers_);
    if (show_queues_) queues_.draw(session_, layout.queues, &show_queues_);
    if (show_inspector_) inspector_.draw(session_, layout.inspector, &show_inspector_);
    if (show_timeline_) timeline_.draw(session_, layout.timeline, &show_timeline_);
    if (show_console_) console_.draw(session_, layout.console, &show_console_);
    if (show_datapath_) datapath_.draw(session_, layout.datapath, &show_datapath_);
    if (show_memory_) memory_.draw(session_, layout.memory, &show_memory_);
    if (show_namespace_) namespace_.draw(session_, layout.nspace, &show_namespace_);
    // Off by default and floating: it opens over the namespace map, where its blocks are.
    if (show_protection_)
        protection_.draw(session_, Placement{layout.nspace.pos, {430, 260}, ImGuiCond_FirstUseEver},
                         &show_protection_);
    if (show_identify_) identify_.draw(session_, layout.identify, &show_identify_);
    device_dialog_.draw(session_);
    if (show_workload_) workload_.draw(session_, layout.workload, &show_workload_);
    if (show_lesson_) lesson_window_.draw(session_, lessons_, layout.lesson, &show_lesson_);
    if (session_.highlights.version() != highlights_seen_) {
        highlights_seen_ = session_.highlights.version();
        LessonWindow::raise_highlighted(session_);
    }
    LessonWindow::draw_highlights(session_);
    save_progress();
    if (show_metrics_) ImGui::ShowMetricsWindow(&show_metrics_);
    help_popup();
    state_menu_.draw(session_, workload_.generator());

    ImGui::Render();
    const double built = now_ms();
#ifdef __EMSCRIPTEN__
    if (web::take_redraw_request()) renderer_.redraw_all();
#endif
    frame_times_.drawn = renderer_.render(*ImGui::GetDrawData(), window_background_colour());
    frame_times_.draw_calls = frame_times_.drawn ? renderer_.draw_calls() : 0;
    frame_times_.redrawn_pixels =
        frame_times_.drawn ? static_cast<double>(renderer_.redrawn_pixels()) : 0.0;
    frame_times_.whole = frame_times_.drawn && renderer_.drew_whole();

    ++frame_count_;
    const bool last = options_.frames > 0 && frame_count_ >= options_.frames;
    if (last && !options_.screenshot.empty()) save_screenshot(options_.screenshot, true);
    if (screenshot_requested_) {
        screenshot_requested_ = false;
        save_screenshot("nvmelab-screenshot.png", false);
    }
    SDL_GL_SwapWindow(window_);
    if (last) done_ = true;
    const double presented = now_ms();
    frame_times_.sim = simulated - start;
    frame_times_.build = built - simulated;
    frame_times_.draw = presented - built;
}

void App::loop_iteration() {
#ifdef __EMSCRIPTEN__
    const double start = now_ms();
    try {
#endif
        const bool hold = show_console_ && console_.holding_input();
        if (!hold) pump_events();
        frame();
#ifdef __EMSCRIPTEN__
    } catch (const std::exception &e) {
        // Nothing may escape into the browser's frame callback: say what broke and go on.
        session_.log_info(fmt::format("error: {}", e.what()));
        std::fprintf(stderr, "nvmelab: %s\n", e.what());
    }
    frame_times_.work = now_ms() - start;
    web::after_frame(frame_times_);
#endif
}

int App::run() {
    if (!options_.exec_file.empty()) {
        std::error_code ec;
        std::ifstream in(options_.exec_file, std::ios::binary);
        if (!in || std::filesystem::is_directory(options_.exec_file, ec)) {
            std::fprintf(
                stderr, "nvmelab-gui: cannot read script '%s'%s\n", options_.exec_file.c_str(),
                std::filesystem::is_directory(options_.exec_file, ec) ? ": it is a directory" : "");
            return 1;
        }
        std::stringstream text;
        text << in.rdbuf();
        const ConsoleResult r = session_.exec_script(text.str(), options_.exec_file);
        script_ok_ = r.ok;
        script_error_ = r.error;
        if (options_.frames > 0) {
            // The headless run's log: what the script printed.
            std::istringstream lines(r.output);
            for (std::string line; std::getline(lines, line);)
                std::printf("| %s\n", line.c_str());
        }
    }
    if (!init_window()) {
        shutdown_window();
        return 1;
    }
    console_.focus();
    start_lessons();
    const bool headless = options_.frames > 0;
#ifdef __EMSCRIPTEN__
    // The browser calls loop_iteration once per animation frame; this never returns.
    web::attach(session_, workload_.generator());
    emscripten_set_main_loop_arg(&App::web_frame, this, 0, true);
#endif
    while (!done_) {
        // Interactive and paused: sleep until input arrives (or 50 ms pass, for tooltips and
        // the text cursor).
        const bool idle = !session_.running() && !workload_.generator().running();
        const bool hold = show_console_ && console_.holding_input();
        if (!headless && idle && !deferred_key_up_ && !hold) SDL_WaitEventTimeout(nullptr, 50);
        loop_iteration();
    }
    shutdown_window();
    if (!headless) return 0;

    std::printf("gui: frames=%d\n", frame_count_);
    if (!options_.exec_file.empty())
        std::printf("script: %s %s%s\n", options_.exec_file.c_str(),
                    script_ok_ ? "ok" : "failed: ", script_ok_ ? "" : script_error_.c_str());
    std::fputs(screenshot_report_.c_str(), stdout);
    std::fputs(session_.state_summary().c_str(), stdout);
    if (!options_.lesson.empty()) {
        if (lesson::Player *p = lessons_.player()) {
            const lesson::TurnStatus &t = lessons_.status(session_);
            std::printf("lesson: id=%s step=%zu/%zu your_turn=%d done=%d\n", p->lesson().id.c_str(),
                        p->current() + 1, p->step_count(), t.your_turn ? 1 : 0, t.done ? 1 : 0);
        } else {
            std::printf("lesson: error: %s\n", lesson_error_.c_str());
        }
    }
    std::fflush(stdout);
    return script_ok_ && screenshot_ok_ && lesson_error_.empty() ? 0 : 1;
}

} // namespace

int run_app(const AppOptions &options) {
    try {
#ifdef __EMSCRIPTEN__
        // The browser keeps calling the app after main() has handed control back: it lives
        // for as long as the page.
        static App *const app = new App(options);
        return app->run();
#else
        App app(options);
        return app.run();
#endif
    } catch (const std::exception &e) {
        std::fprintf(stderr, "nvmelab-gui: %s\n", e.what());
        return 1;
    }
}

} // namespace nvmelab::ui
