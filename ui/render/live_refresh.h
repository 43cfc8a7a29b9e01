#pragma once
// When a view that is costly to rebuild (a scan of the whole trace, a sorted copy of the write
// cache) follows a busy controller: at most once per slot of `interval` wall-clock time. Ten or
// twenty rebuilds a second still read as live, numbers that change every frame cannot be read
// anyway, and the frames in between draw the same pixels, which FrameDamage does not redraw.
// A change after a quiet spell (a step, a command typed while paused) shows at once.
#include <cmath>
#include <cstdint>
#include <optional>

namespace nvmelab::ui {

template <typename Version> class LiveRefresh {
public:
    // Time is cut into slots of `interval_s`, shifted by `phase` (a fraction of the interval):
    // views given different phases rebuild in different frames instead of all in one.
    explicit LiveRefresh(double interval_s, double phase = 0)
        : interval_s_(interval_s), offset_s_(phase * interval_s) {}

    // True when the view should be rebuilt at wall-clock time `now_s`: the first time, after
    // force(), or when `version` (what the view is built from) differs from the last rebuild's
    // and the time slot is not the last rebuild's. A true answer counts as the rebuild.
    bool due(const Version &version, double now_s) {
        const auto slot = static_cast<int64_t>(std::floor((now_s - offset_s_) / interval_s_));
        const bool first = !last_;
        if (!first && *last_ == version) return false;
        if (!first && slot == slot_) return false;
        last_ = version;
        slot_ = slot;
        return true;
    }
    // The next due() is true, whatever the version and time (e.g. the view's size changed).
    void force() { last_.reset(); }

private:
    double interval_s_;
    double offset_s_;
    std::optional<Version> last_;
    int64_t slot_ = 0;
};

} // namespace nvmelab::ui
