// Asynchronous Event Request (NVMe 1.3 §5.2) and Abort (§5.1). Both act on other commands, so
// the handlers only validate and emit an effect; the engine (command_pipeline.cpp) parks AERs
// until an event arrives and resolves the Abort against the commands in flight; it also
// enforces the Abort Command Limit, since that counts Aborts in flight.

#include <fmt/format.h>

#include "core/commands/handlers.h"

namespace nvmelab::commands {

namespace {

spec::Status aer_prepare(DeviceState &, CommandContext &ctx) {
    return check_reserved_dwords(ctx, 10, 15, "NVMe 1.3 §5.2");
}

spec::Status aer_execute(DeviceState &s, CommandContext &ctx) {
    // At most AERL + 1 outstanding (Identify AERL is 0's based).
    if (s.aer_slots.size() >= DeviceState::kMaxOutstandingAers)
        return ctx.fail(
            spec::command_specific(spec::CommandSpecificStatus::AsyncEventRequestLimitExceeded),
            "outstanding AERs", s.aer_slots.size(),
            fmt::format("no more than AERL + 1 = {} Asynchronous Event Requests may be outstanding",
                        DeviceState::kMaxOutstandingAers),
            "NVMe 1.3 §5.2");
    ctx.effects.emplace_back(effect::StayOutstanding{});
    return spec::success();
}

spec::Status abort_prepare(DeviceState &, CommandContext &ctx) {
    return check_reserved_dwords(ctx, 11, 15, "NVMe 1.3 §5.1");
}

spec::Status abort_execute(DeviceState &, CommandContext &ctx) {
    const auto f = spec::AbortFields::decode(ctx.sqe);
    ctx.effects.emplace_back(effect::AbortCommand{f.sqid, f.cid});
    ctx.execute_ns = 200;
    return spec::success();
}

} // namespace

const CommandHandler kAsyncEventRequest{"Asynchronous Event Request", aer_prepare, aer_execute};
const CommandHandler kAbort{"Abort", abort_prepare, abort_execute};

} // namespace nvmelab::commands
