// Web build only: URL arguments, browser storage, the JS test API and the bench mode.
#ifdef __EMSCRIPTEN__
#include "ui/web/web_api.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include <emscripten.h>
#include <fmt/format.h>
#include <imgui.h>
#include <nlohmann/json.hpp>

#include "core/util/bounded_json.h"
#include "ui/model/session.h"
#include "ui/model/state_file.h"
#include "ui/model/url_args.h"
#include "ui/model/workload.h"

namespace nvmelab::ui::web {

namespace {

Session *g_session = nullptr;
WorkloadGenerator *g_workload = nullptr;
std::string g_query;
bool g_ready = false;
bool g_bench = false;
bool g_autosave = true;
uint64_t g_saved_version = 0;
double g_last_save_ms = 0;
std::string g_result; // the string the last exported call returned (valid until the next one)
// A string argument of the JS API (web/nvmelab-web.js writes it here, see
// nvmelab_argument_buffer), and the reason the last save() gave nothing.
std::string g_argument;
std::string g_save_error;
std::string g_autosave_error; // said once, not every second
bool g_partial_redraw = false;
bool g_redraw_requested = false;
size_t g_frames_drawn = 0; // since start, and how many of them only in part
size_t g_frames_drawn_in_part = 0;

// Bench: frames skipped while the workload ramps up, then frames measured.
constexpr int kBenchWarmup = 60;
constexpr int kBenchFrames = 600;
int g_bench_frame = 0;
std::vector<double> g_frame_start_ms;
std::vector<FrameTimes> g_times;
// What each measured frame's draw data holds (its draw calls are in FrameTimes).
struct DrawLoad {
    double vertices = 0;
    double pixels = 0; // the summed area of its triangles: overdraw counts
};
std::vector<DrawLoad> g_loads;
std::string g_bench_json;
std::optional<WorkloadParams> g_bench_params; // the bench's run, started after the first frame

const char *keep(std::string s) {
    g_result = std::move(s);
    return g_result.c_str();
}

void report_error(const std::string &text) {
    if (g_session) g_session->log_info("error: " + text);
    std::fprintf(stderr, "nvmelab: %s\n", text.c_str());
}

// Why the page did not hand the stored state over (web/nvmelab-web.js: the last start with it
// did not finish), or "".
std::string stored_state_skipped() {
    const int len = EM_ASM_INT({
        var s = Module.nvmelabStoredSkipped;
        return s ? lengthBytesUTF8(s) : 0;
    });
    if (len <= 0) return {};
    std::string text(static_cast<size_t>(len) + 1, '\0');
    EM_ASM({ stringToUTF8(Module.nvmelabStoredSkipped, $0, $1); }, text.data(), len + 1);
    text.resize(static_cast<size_t>(len));
    return text;
}

// The state the page kept in localStorage (web/nvmelab-web.js reads it into
// Module.nvmelabStored before the app starts), or "".
std::string stored_state() {
    const int len = EM_ASM_INT({
        var s = Module.nvmelabStored;
        return s ? lengthBytesUTF8(s) : 0;
    });
    if (len <= 0) return {};
    std::string text(static_cast<size_t>(len) + 1, '\0');
    EM_ASM({ stringToUTF8(Module.nvmelabStored, $0, $1); }, text.data(), len + 1);
    text.resize(static_cast<size_t>(len));
    return text;
}

void autosave(bool force) {
    if (!g_session || !g_workload || !g_autosave) return;
    const double now = emscripten_get_now();
    if (!force && now - g_last_save_ms < 1000.0) return;
    g_last_save_ms = now;
    if (g_session->journal().version() == g_saved_version) return;
    g_saved_version = g_session->journal().version();
    std::string text;
    try {
        text = save_state(*g_session, *g_workload);
    } catch (const std::exception &e) {
        // Called between frames: a failure is said once (not at every change), and the page
        // goes on.
        if (g_autosave_error != e.what()) {
            g_autosave_error = e.what();
            report_error(fmt::format("the state could not be kept in the browser: {}", e.what()));
        }
        return;
    }
    g_autosave_error.clear();
    EM_ASM(
        {
            if (window.nvmelabUi) window.nvmelabUi.store(UTF8ToString($0));
        },
        text.c_str());
}

DrawLoad draw_load(const ImDrawData &data) {
    DrawLoad load;
    load.vertices = data.TotalVtxCount;
    for (int i = 0; i < data.CmdListsCount; ++i) {
        const ImDrawList &list = *data.CmdLists[i];
        for (const ImDrawCmd &cmd : list.CmdBuffer) {
            for (unsigned k = 0; k + 2 < cmd.ElemCount; k += 3) {
                const auto vertex = [&](unsigned n) {
                    return list
                        .VtxBuffer[static_cast<int>(cmd.VtxOffset) +
                                   list.IdxBuffer[static_cast<int>(cmd.IdxOffset + k + n)]]
                        .pos;
                };
                const ImVec2 a = vertex(0), b = vertex(1), c = vertex(2);
                load.pixels += std::abs((b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y)) / 2;
            }
        }
    }
    return load;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * (v.size() - 1) + 0.5));
    return v[i];
}

nlohmann::json percentiles(const std::vector<double> &v) {
    return {{"p50", percentile(v, 50)},
            {"p90", percentile(v, 90)},
            {"p99", percentile(v, 99)},
            {"max", percentile(v, 100)}};
}

void finish_bench() {
    std::vector<double> period;
    for (size_t i = 1; i < g_frame_start_ms.size(); ++i)
        period.push_back(g_frame_start_ms[i] - g_frame_start_ms[i - 1]);
    const double span = g_frame_start_ms.back() - g_frame_start_ms.front();
    const double fps = span > 0 ? static_cast<double>(period.size()) * 1000.0 / span : 0;
    std::vector<double> work, sim, build, draw, vertices, draw_calls, pixels, redrawn;
    size_t drawn = 0;
    for (const DrawLoad &l : g_loads) {
        vertices.push_back(l.vertices);
        pixels.push_back(l.pixels);
    }
    for (const FrameTimes &t : g_times) {
        work.push_back(t.work);
        sim.push_back(t.sim);
        build.push_back(t.build);
        draw.push_back(t.draw);
        draw_calls.push_back(t.draw_calls);
        redrawn.push_back(t.redrawn_pixels);
        drawn += t.drawn ? 1 : 0;
    }
    const nlohmann::json wl = g_workload->to_json();
    nlohmann::json j = {{"frames", period.size()},
                        {"fps", fps},
                        {"frame_ms", percentiles(period)},
                        {"work_ms", percentiles(work)},
                        {"sim_ms", percentiles(sim)},
                        {"build_ms", percentiles(build)},
                        {"draw_ms", percentiles(draw)},
                        {"vertices", percentiles(vertices)},
                        {"draw_calls", percentiles(draw_calls)},
                        {"pixels", percentiles(pixels)},
                        {"redrawn_pixels", percentiles(redrawn)},
                        {"partial_redraw", g_partial_redraw},
                        {"frames_drawn", drawn},
                        {"queues", g_workload->queue_ids().size()},
                        {"entries", g_workload->params().entries},
                        {"depth", g_workload->params().depth},
                        {"outstanding", wl["outstanding"]},
                        {"completed", wl["completed"]},
                        {"controller_queues", g_session->ctrl().queues().size()}};
    // Each measured frame's figures, to see what a long frame period follows (period[i] is
    // from frame i's end to frame i + 1's).
    nlohmann::json per_frame = {{"period_ms", period}, {"work_ms", work},
                                {"sim_ms", sim},       {"build_ms", build},
                                {"draw_ms", draw},     {"redrawn_pixels", redrawn}};
    j["per_frame"] = std::move(per_frame);
    g_bench_json = j.dump();
    std::printf("nvmelab bench: fps=%.1f frame_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f; p50 of "
                "work=%.2f sim=%.2f build=%.2f draw=%.2f ms, %.0f vertices in %.0f draw calls "
                "covering %.0f pixels, %.0f pixels redrawn%s, %zu of %zu frames drawn; queues=%zu "
                "entries=%u depth=%u "
                "completed=%llu\n",
                fps, percentile(period, 50), percentile(period, 90), percentile(period, 99),
                percentile(period, 100), percentile(work, 50), percentile(sim, 50),
                percentile(build, 50), percentile(draw, 50), percentile(vertices, 50),
                percentile(draw_calls, 50), percentile(pixels, 50), percentile(redrawn, 50),
                g_partial_redraw ? "" : " (whole frames: the canvas does not keep its pixels)",
                drawn, g_times.size(), g_workload->queue_ids().size(), g_workload->params().entries,
                g_workload->params().depth,
                static_cast<unsigned long long>(g_workload->stats().completed));
    std::fflush(stdout);
    EM_ASM(
        {
            if (window.nvmelabUi) window.nvmelabUi.onBench(UTF8ToString($0));
        },
        g_bench_json.c_str());
}

} // namespace

void set_query(std::string query) {
    g_query = std::move(query);
}

const std::string &query() {
    return g_query;
}

void attach(Session &s, WorkloadGenerator &workload) {
    g_session = &s;
    g_workload = &workload;
    const UrlArgs args = parse_url_args(g_query);
    for (const std::string &e : args.errors)
        report_error(e);
    if (!args.describes_state() && !args.fresh) {
        // Untrusted like any state file: past a bound or broken, it is refused and the app
        // starts with a new device, saying why (load_state leaves the session as it was).
        if (const std::string why = stored_state_skipped(); !why.empty())
            report_error(fmt::format("the state kept in this browser was not restored, so this "
                                     "is a new device: {}",
                                     why));
        const std::string saved = stored_state();
        if (!saved.empty()) {
            try {
                load_state(s, workload, saved);
                s.log_info("--- the state kept in this browser was restored (?fresh=1 starts "
                           "with a new device) ---");
            } catch (const std::exception &e) {
                report_error(fmt::format("the state kept in this browser could not be "
                                         "restored, so this is a new device: {}",
                                         e.what()));
            }
        }
    }
    if (args.has_device) {
        s.reset_with(args.config);
        s.log_info("--- device from the URL ---");
    }
    for (const std::string &line : args.exec)
        s.exec(line);
    g_bench = args.bench;
    if (g_bench) {
        // 64 I/O queue pairs of 1024 entries, all busy: the heaviest view the UI has to draw.
        g_autosave = false;
        WorkloadParams p;
        p.queues = 64;
        p.entries = 1024;
        p.depth = 32;
        p.read_percent = 70;
        p.min_bytes = 4096;
        p.max_bytes = 16384;
        p.events_per_tick = 2000;
        if (args.workload) p = *args.workload;
        // Started after the first frame, so the page is interactive as soon as it would be.
        g_bench_params = p;
    } else if (args.workload) {
        try {
            workload.start(s, *args.workload);
        } catch (const std::exception &e) {
            report_error(e.what());
        }
    }
    if (args.run) s.set_running(true);
    g_saved_version = 0;
}

void set_partial_redraw(bool partial) {
    g_partial_redraw = partial;
}

bool take_redraw_request() {
    const bool requested = g_redraw_requested;
    g_redraw_requested = false;
    return requested;
}

void after_frame(const FrameTimes &times) {
    if (times.drawn) {
        ++g_frames_drawn;
        if (!times.whole) ++g_frames_drawn_in_part;
    }
    if (!g_ready) {
        g_ready = true;
        EM_ASM({
            if (window.nvmelabUi) window.nvmelabUi.onReady();
        });
    }
    if (g_bench && g_bench_params) {
        try {
            g_workload->start(*g_session, *g_bench_params);
        } catch (const std::exception &e) {
            report_error(e.what());
        }
        g_bench_params.reset();
    }
    if (g_bench && g_bench_frame < kBenchWarmup + kBenchFrames) {
        if (g_bench_frame >= kBenchWarmup) {
            g_frame_start_ms.push_back(emscripten_get_now());
            g_times.push_back(times);
            if (const ImDrawData *data = ImGui::GetDrawData()) g_loads.push_back(draw_load(*data));
        }
        if (++g_bench_frame == kBenchWarmup + kBenchFrames) finish_bench();
    }
    autosave(false);
}

} // namespace nvmelab::ui::web

// ---- the JS test API (wrapped by web/nvmelab-web.js as window.nvmelab) -----------------------
using namespace nvmelab::ui;
using namespace nvmelab::ui::web;

extern "C" {

EMSCRIPTEN_KEEPALIVE const char *nvmelab_exec(const char *line) {
    if (!g_session) return keep(R"({"ok":false,"output":"","error":"the app is not running"})");
    try {
        const nvmelab::ConsoleResult r = g_session->exec(line ? line : "");
        return keep(nlohmann::json{{"ok", r.ok}, {"output", r.output}, {"error", r.error}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
    } catch (const std::exception &e) {
        return keep(nlohmann::json{{"ok", false}, {"output", ""}, {"error", e.what()}}.dump());
    }
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_state() {
    if (!g_session) return keep("null");
    return keep(state_json(*g_session, *g_workload)
                    .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

// The state file, or "" with the reason in nvmelab_save_error() (past a bound: state_file.h).
EMSCRIPTEN_KEEPALIVE const char *nvmelab_save() {
    g_save_error.clear();
    if (!g_session) {
        g_save_error = "the app is not running";
        return keep("");
    }
    try {
        return keep(save_state(*g_session, *g_workload));
    } catch (const std::exception &e) {
        g_save_error = e.what();
        report_error(e.what());
        return keep("");
    }
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_save_error() {
    return keep(g_save_error);
}

// String arguments of the JS API come through this buffer, not ccall's "string" type: ccall
// copies a string onto the 5 MiB WebAssembly stack, 4 bytes for each UTF-16 unit, so any
// argument past about 1.3 M characters (a 2 MB state file) overran the stack and the module
// died with "memory access out of bounds". The page asks for `bytes` (the UTF-8 length) and
// writes them here; the buffer ends in a NUL. Null past kMaxApiArgumentBytes.
EMSCRIPTEN_KEEPALIVE char *nvmelab_argument_buffer(double bytes) {
    if (!(bytes >= 0 && bytes <= static_cast<double>(kMaxApiArgumentBytes))) return nullptr;
    g_argument.assign(static_cast<size_t>(bytes) + 1, '\0');
    return g_argument.data();
}

EMSCRIPTEN_KEEPALIVE double nvmelab_max_argument_bytes() {
    return static_cast<double>(kMaxApiArgumentBytes);
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_load(const char *text) {
    if (!g_session) return keep(R"({"ok":false,"error":"the app is not running"})");
    try {
        load_state(*g_session, *g_workload, text ? text : "");
        autosave(true);
        return keep(R"({"ok":true,"error":""})");
    } catch (const std::exception &e) {
        report_error(e.what());
        return keep(nlohmann::json{{"ok", false}, {"error", e.what()}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
}

// params: a JSON object of WorkloadParams to start a run, or null to stop it.
EMSCRIPTEN_KEEPALIVE const char *nvmelab_workload(const char *params) {
    if (!g_session) return keep(R"({"ok":false,"error":"the app is not running"})");
    try {
        const nlohmann::json j = nvmelab::parse_bounded_json(params ? params : "null");
        if (j.is_null())
            g_workload->stop(*g_session);
        else
            g_workload->start(*g_session, WorkloadParams::from_json(j));
        return keep(R"({"ok":true,"error":""})");
    } catch (const std::exception &e) {
        return keep(nlohmann::json{{"ok", false}, {"error", e.what()}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_share_query() {
    if (!g_session) return keep("");
    std::string q = share_query(*g_session);
    if (const std::string why = link_bound_error(q); !why.empty())
        report_error(fmt::format("{}: it would not open (State > Download state keeps this "
                                 "session whole)",
                                 why));
    return keep(std::move(q));
}

EMSCRIPTEN_KEEPALIVE const char *nvmelab_bench_result() {
    return keep(g_bench_json);
}

// How frames have been drawn so far; the next frame is drawn whole.
EMSCRIPTEN_KEEPALIVE const char *nvmelab_redraw() {
    g_redraw_requested = true;
    return keep(nlohmann::json{{"partial_redraw", g_partial_redraw},
                               {"frames_drawn", g_frames_drawn},
                               {"frames_drawn_in_part", g_frames_drawn_in_part}}
                    .dump());
}

EMSCRIPTEN_KEEPALIVE void nvmelab_set_autosave(int on) {
    g_autosave = on != 0;
}

} // extern "C"

#endif // __EMSCRIPTEN__
