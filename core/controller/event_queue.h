#pragma once
// The controller's scheduled events, earliest first. Events due at the same virtual time run in
// the order they were scheduled (their sequence number), so a run is the same every time.
//
// Two heaps, because a command's life is mostly short steps (fetch, decode, a DMA, post, signal:
// each due within a few microseconds) with one long wait (the media's latency) in between.
// Short steps go to a small heap and long waits to another, and the earlier of the two tops runs
// next: which heap an event sits in never changes the order, only how deep each push and pop
// has to sift (NVMe reads in the benchmark: about 120 waits and a handful of short steps).
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace nvmelab {

// Event needs `uint64_t time` and an operator> ordering by (time, sequence).
template <typename Event> class EventQueue {
public:
    // Events due this far ahead or more count as long waits.
    static constexpr uint64_t kLongWaitNs = 10'000;

    void push(const Event &e, uint64_t now) {
        (e.time >= now + kLongWaitNs ? waits_ : steps_).push(e);
    }
    bool empty() const { return steps_.empty() && waits_.empty(); }
    const Event &top() const { return top_is_wait() ? waits_.top() : steps_.top(); }
    void pop() {
        if (top_is_wait())
            waits_.pop();
        else
            steps_.pop();
    }
    void clear() {
        steps_ = {};
        waits_ = {};
    }

private:
    using Heap = std::priority_queue<Event, std::vector<Event>, std::greater<>>;
    bool top_is_wait() const {
        return steps_.empty() || (!waits_.empty() && steps_.top() > waits_.top());
    }
    Heap steps_;
    Heap waits_;
};

} // namespace nvmelab
