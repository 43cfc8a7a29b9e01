#pragma once
// Live plots for the Timeline window, computed from the trace: queue depth (commands the host
// has submitted with a doorbell and not yet seen completed) and completions per virtual second,
// in equal buckets of virtual time.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/controller/trace.h"

namespace nvmelab::ui {

struct TracePlots {
    uint64_t start_ns = 0;
    uint64_t bucket_ns = 1;
    std::vector<float> depth;          // the peak in each bucket
    std::vector<float> completions_ps; // completions per virtual second in each bucket
    float max_depth = 0;
    float max_rate = 0;
};

// Buckets the events in [end_ns - span_ns, end_ns] (span_ns 0: the whole trace). sq_size gives
// the size of an SQ (0 if unknown), to count doorbell tail moves modulo the ring.
TracePlots build_trace_plots(const Trace &trace, size_t buckets, uint64_t end_ns, uint64_t span_ns,
                             const std::function<uint32_t(uint16_t)> &sq_size);

} // namespace nvmelab::ui
