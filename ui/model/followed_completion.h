#pragma once
// The newest completion as the windows follow it (Command inspector, Data path, Host memory,
// the inspector's list of recent completions). A busy controller posts thousands of completions
// a second: followed every frame, the inspector's fields, the PRP rows and the hex view change
// 60 times a second, which nobody can read, and a software rasteriser redraws them each time
// (docs/web.md, "Frame rate"). So the followed completion is taken again at most once per
// `interval` of wall-clock time; one after a quiet spell (a step, a command typed while paused)
// shows at once.
#include <optional>

#include "core/controller/controller.h"

namespace nvmelab::ui {

class FollowedCompletion {
public:
    // A few changes a second: each one stays long enough to be read.
    static constexpr double kInterval = 0.25;

    explicit FollowedCompletion(double interval_s = kInterval) : interval_s_(interval_s) {}

    // Called once per frame after the controller ran, with the controller's newest completion
    // and the wall-clock time in seconds. True when the followed completion changed.
    bool update(const std::optional<CompletionRecord> &newest, double now_s) {
        if (!newest) return false;
        if (held_ && same(*held_, *newest)) return false;
        if (held_ && now_s - taken_s_ < interval_s_) return false;
        held_ = *newest;
        taken_s_ = now_s;
        return true;
    }
    // The followed completion, or nullptr before the first update() that saw one.
    const CompletionRecord *get() const { return held_ ? &*held_ : nullptr; }
    // A new device: nothing followed, and the next completion shows at once.
    void clear() { held_.reset(); }

    // The same posted completion: a CQE names its command (SQ, CID) and the SQ head when it
    // was posted, which moves on with every fetch.
    static bool same(const CompletionRecord &a, const CompletionRecord &b) {
        return a.sqid == b.sqid && a.cqid == b.cqid && a.opcode == b.opcode &&
               a.cqe.cid == b.cqe.cid && a.cqe.sqhd == b.cqe.sqhd && a.cqe.status == b.cqe.status &&
               a.cqe.dw0 == b.cqe.dw0 && a.sqe.prp1 == b.sqe.prp1;
    }

private:
    double interval_s_;
    std::optional<CompletionRecord> held_;
    double taken_s_ = 0;
};

} // namespace nvmelab::ui
