// Workload window: generator parameters, start / stop, live statistics and plots.
#include "ui/windows/workload_window.h"

#include <algorithm>

#include <fmt/format.h>

#include "imgui.h"
#include "ui/model/session.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

namespace {

// Transfer sizes offered: powers of two from 512 bytes to 1 MiB.
const char *const kSizeLabels[] = {"512", "1K",  "2K",   "4K",   "8K",   "16K",
                                   "32K", "64K", "128K", "256K", "512K", "1M"};
constexpr int kSizeCount = 12;

int size_index(uint32_t bytes) {
    int i = 0;
    while (i + 1 < kSizeCount && (512u << i) < bytes)
        ++i;
    return i;
}

bool input_u32(const char *label, uint32_t *v, uint32_t lo, uint32_t hi) {
    int x = static_cast<int>(*v);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
    if (!ImGui::InputInt(label, &x)) return false;
    *v = static_cast<uint32_t>(std::clamp<int>(x, static_cast<int>(lo), static_cast<int>(hi)));
    return true;
}

void plot(const char *label, const std::vector<float> &v, const char *unit) {
    const float last = v.empty() ? 0.0f : v.back();
    const float peak = v.empty() ? 1.0f : *std::max_element(v.begin(), v.end());
    const std::string overlay = fmt::format("{:.1f} {}", last, unit);
    ImGui::PlotLines(
        label, v.data(), static_cast<int>(v.size()), 0, overlay.c_str(), 0.0f,
        std::max(peak * 1.15f, 1e-3f),
        {ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 6, ImGui::GetFontSize() * 4});
}

} // namespace

void WorkloadWindow::draw(Session &s, const Placement &where, bool *open) {
    if (!where.begin(kTitle, open)) return;
    generator_.sync(s);
    const DeviceConfig &cfg = s.config();
    const bool running = generator_.running();
    // While a run goes (started here, from the console, a URL or the web API) show its values.
    if (running) edit_ = generator_.params();

    ImGui::BeginDisabled(running);
    int queues = edit_.queues;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (ImGui::SliderInt("queue pairs", &queues, 1, cfg.max_ioqpairs, "%d",
                         ImGuiSliderFlags_AlwaysClamp))
        edit_.queues = static_cast<uint16_t>(queues);
    tooltip("I/O queue pairs the generator creates (each with its own interrupt vector).");
    input_u32("entries", &edit_.entries, 2, uint32_t{cfg.mqes} + 1);
    tooltip("Entries of each SQ and CQ (at most CAP.MQES + 1).");
    ImGui::SameLine();
    input_u32("depth", &edit_.depth, 1, std::max<uint32_t>(edit_.entries - 1, 1));
    tooltip("Commands each queue keeps outstanding (at most entries - 1: a full queue has one "
            "free slot, NVMe 1.3 §4.1.1).");
    int read = static_cast<int>(edit_.read_percent);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
    if (ImGui::SliderInt("% reads", &read, 0, 100, "%d%%", ImGuiSliderFlags_AlwaysClamp))
        edit_.read_percent = static_cast<uint32_t>(read);
    int lo = size_index(edit_.min_bytes), hi = size_index(edit_.max_bytes);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    if (ImGui::Combo("min size", &lo, kSizeLabels, kSizeCount)) edit_.min_bytes = 512u << lo;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    if (ImGui::Combo("max size", &hi, kSizeLabels, kSizeCount)) edit_.max_bytes = 512u << hi;
    tooltip("Each command picks a power-of-two size in this range.");
    ImGui::Checkbox("sequential", &edit_.sequential);
    tooltip("Each queue walks its own LBA range in order; otherwise LBAs are random.");
    ImGui::SameLine();
    int events = static_cast<int>(edit_.events_per_tick);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
    if (ImGui::SliderInt("events/frame", &events, 1, 100000, "%d",
                         ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp))
        edit_.events_per_tick = static_cast<uint32_t>(events);
    tooltip("Controller events the generator runs per frame: the speed of virtual time.");
    ImGui::EndDisabled();

    if (!running) {
        if (ImGui::Button("Start")) {
            try {
                generator_.start(s, edit_);
                error_.clear();
            } catch (const std::exception &e) {
                error_ = e.what();
                s.log_info(error_);
            }
        }
        tooltip("Brings the controller up if needed, creates the queues (see the console log) "
                "and starts submitting.");
    } else if (ImGui::Button("Stop")) {
        generator_.stop(s);
    }
    if (!error_.empty()) ImGui::TextColored({1.0f, 0.45f, 0.4f, 1}, "%s", error_.c_str());

    ImGui::Separator();
    const WorkloadStats &st = generator_.stats();
    ImGui::Text("%s  outstanding %llu  submitted %llu  completed %llu",
                running                    ? "running"
                : generator_.outstanding() ? "draining"
                                           : "stopped",
                static_cast<unsigned long long>(generator_.outstanding()),
                static_cast<unsigned long long>(st.submitted),
                static_cast<unsigned long long>(st.completed));
    const double mean_us = st.completed ? static_cast<double>(st.latency_sum_ns) /
                                              static_cast<double>(st.completed) / 1000.0
                                        : 0.0;
    ImGui::Text("reads %llu  writes %llu  errors %llu  latency mean %.1f us  max %.1f us",
                static_cast<unsigned long long>(st.reads),
                static_cast<unsigned long long>(st.writes),
                static_cast<unsigned long long>(st.errors), mean_us,
                static_cast<double>(st.latency_max_ns) / 1000.0);
    if (st.errors)
        ImGui::TextColored({1.0f, 0.45f, 0.4f, 1}, "last error status 0x%04x",
                           st.last_error_status);
    plot("kIOPS", st.kiops, "k/s");
    plot("MiB/s", st.mib_per_s, "MiB/s");
    plot("latency", st.latency_us, "us");
    ImGui::TextDisabled("Rates are per second of virtual time.");
    ImGui::End();
}

} // namespace nvmelab::ui
