// Queue depth and completion rate over virtual time (see trace_plots.h).
#include "ui/model/trace_plots.h"

#include <algorithm>
#include <vector>

namespace nvmelab::ui {

TracePlots build_trace_plots(const Trace &trace, size_t buckets, uint64_t end_ns, uint64_t span_ns,
                             const std::function<uint32_t(uint16_t)> &sq_size) {
    TracePlots p;
    const auto &events = trace.events();
    if (buckets == 0) return p;
    const uint64_t first_ns = events.empty() ? 0 : events.front().time_ns;
    p.start_ns = span_ns == 0 || span_ns > end_ns ? first_ns : std::max(first_ns, end_ns - span_ns);
    const uint64_t span = end_ns > p.start_ns ? end_ns - p.start_ns : 0;
    p.bucket_ns = std::max<uint64_t>(1, (span + buckets - 1) / buckets);
    p.depth.assign(buckets, 0.0f);
    p.completions_ps.assign(buckets, 0.0f);

    // Flat per-SQ tables indexed by queue id: the loop visits every event in the trace (up to
    // 256 Ki), so no map lookups or std::function calls per doorbell.
    std::vector<uint32_t> tails; // last tail doorbell per SQ
    std::vector<int64_t> sizes;  // SQ size from sq_size, -1 not asked yet
    auto size_of = [&](uint16_t sqid) {
        if (sqid >= sizes.size()) sizes.resize(size_t{sqid} + 1, -1);
        if (sizes[sqid] < 0) sizes[sqid] = sq_size(sqid);
        return static_cast<uint32_t>(sizes[sqid]);
    };
    int64_t outstanding = 0;
    size_t current = 0; // bucket of the events being applied
    // Where bucket `current` ends. Events come in time order, so the bucket only moves forward
    // and a comparison finds it: a 64-bit division per event cost most of the scan in a browser.
    uint64_t current_end = p.start_ns + p.bucket_ns;
    auto level = [&outstanding] { return static_cast<float>(std::max<int64_t>(outstanding, 0)); };
    // The ring's two contiguous parts, walked as plain arrays (its iterators cost more).
    bool past_end = false;
    auto apply = [&](const TraceEvent &ev) {
        if (ev.time_ns > end_ns) {
            past_end = true;
            return;
        }
        // Buckets with no events keep the level the previous one ended with.
        for (; ev.time_ns >= current_end && current + 1 < buckets; current_end += p.bucket_ns)
            p.depth[++current] = level();
        switch (ev.kind) {
        case EventKind::DoorbellSq: {
            const uint32_t size = size_of(ev.sqid);
            const auto tail = static_cast<uint32_t>(ev.value);
            if (ev.sqid >= tails.size()) tails.resize(size_t{ev.sqid} + 1, 0);
            const uint32_t prev = tails[ev.sqid];
            if (size > 0 && tail < size) outstanding += (tail + size - prev) % size;
            tails[ev.sqid] = tail;
            break;
        }
        case EventKind::CqePost:
            --outstanding;
            if (ev.time_ns >= p.start_ns) p.completions_ps[current] += 1.0f;
            break;
        case EventKind::CommandAborted:
            --outstanding;
            break;
        case EventKind::QueueDeleted:
            if (ev.sqid < tails.size()) tails[ev.sqid] = 0;
            break;
        case EventKind::ControllerReset:
            std::fill(tails.begin(), tails.end(), 0);
            outstanding = 0;
            break;
        default:
            break;
        }
        if (ev.time_ns >= p.start_ns) p.depth[current] = std::max(p.depth[current], level());
    };
    for (const auto &[first, count] : {events.array_one(), events.array_two()})
        for (size_t i = 0; i < count && !past_end; ++i)
            apply(first[i]);
    for (; current + 1 < buckets; ++current)
        p.depth[current + 1] = level();
    const double per_second = 1e9 / static_cast<double>(p.bucket_ns);
    for (float &c : p.completions_ps)
        c = static_cast<float>(c * per_second);
    for (size_t i = 0; i < buckets; ++i) {
        p.max_depth = std::max(p.max_depth, p.depth[i]);
        p.max_rate = std::max(p.max_rate, p.completions_ps[i]);
    }
    return p;
}

} // namespace nvmelab::ui
