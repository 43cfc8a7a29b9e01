// The Keep Alive Timer on the virtual clock (NVMe 1.3 §7.12). Set Features KATO and the Keep
// Alive command restart it (DeviceState::restart_keep_alive); the engine arms one timer event per
// restart, and a restart, a stop or a reset makes older events stale.
#include <fmt/format.h>

#include "core/controller/controller.h"

namespace nvmelab {

void Controller::arm_keep_alive() {
    keep_alive_armed_ = state_.keep_alive_generation;
    if (state_.keep_alive_deadline_ns != 0)
        schedule(state_.keep_alive_deadline_ns, Pending::Kind::KeepAlive, 0, keep_alive_armed_);
}

// No Keep Alive command within KATO: the controller logs an error with status Keep Alive
// Timeout Expired, stops processing commands and sets CSTS.CFS until a Controller Level Reset.
void Controller::keep_alive_expired() {
    spec::ErrorLogEntry entry{};
    entry.sqid = 0; // the admin queue, where Keep Alive commands were due
    entry.cid = 0xFFFF;
    entry.status_field = static_cast<uint16_t>(
        spec::generic(spec::GenericStatus::KeepAliveTimeoutExpired).field() << 1);
    entry.param_error_location = spec::kParamErrorLocationNone;
    log_error(entry);
    state_.keep_alive_deadline_ns = 0;
    set_fatal(Explanation{
        "KATO", state_.feature(spec::FeatureId::KeepAliveTimer),
        fmt::format("no Keep Alive command within the Keep Alive Timeout ({} ms): the controller "
                    "stops processing commands until a Controller Level Reset",
                    state_.feature(spec::FeatureId::KeepAliveTimer)),
        "NVMe 1.3 §7.12"});
}

} // namespace nvmelab
