#pragma once
// The Workload window: parameters of the workload generator (queues, entries, depth, read/write
// mix, transfer sizes, random or sequential), start / stop, and its live throughput and latency
// over virtual time. It owns the generator; the app ticks it once per frame.
#include <string>

#include "ui/model/workload.h"
#include "ui/windows/windows.h"

namespace nvmelab::ui {

class WorkloadWindow {
public:
    void draw(Session &s, const Placement &where, bool *open);
    // Advances the generator by one step (each frame, after the run mode's events).
    void tick(Session &s) { generator_.tick(s); }
    WorkloadGenerator &generator() { return generator_; }
    // True once after a new run began (the app then shows the window).
    bool run_started() {
        const bool started = generator_.runs() != runs_seen_;
        runs_seen_ = generator_.runs();
        return started;
    }
    static constexpr const char *kTitle = "Workload";

private:
    WorkloadGenerator generator_;
    WorkloadParams edit_;
    std::string error_;
    uint64_t runs_seen_ = 0;
};

} // namespace nvmelab::ui
