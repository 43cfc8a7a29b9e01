#pragma once
// When a view that is costly to rebuild (a scan of the whole trace, a sorted copy of the write
// cache) follows a busy controller: at most once per `interval` of wall-clock time. Ten or
// twenty rebuilds a second still read as live, numbers that change every frame cannot be read
// anyway, and the frames in between draw the same pixels, which FrameDamage does not redraw.
// A change after a quiet spell (a step, a command typed while paused) shows at once.
#include <optional>

namespace nvmelab::ui {

template <typename Version> class LiveRefresh {
public:
    explicit LiveRefresh(double interval_s) : interval_s_(interval_s) {}

    // True when the view should be rebuilt at wall-clock time `now_s`: the first time, after
    // force(), or when `version` (what the view is built from) differs from the last rebuild's
    // and `interval` has passed since it. A true answer counts as the rebuild.
    bool due(const Version &version, double now_s) {
        const bool first = !last_;
        if (!first && *last_ == version) return false;
        if (!first && now_s - at_s_ < interval_s_) return false;
        last_ = version;
        at_s_ = now_s;
        return true;
    }
    // The next due() is true, whatever the version and time (e.g. the view's size changed).
    void force() { last_.reset(); }

private:
    double interval_s_;
    std::optional<Version> last_;
    double at_s_ = 0;
};

} // namespace nvmelab::ui
