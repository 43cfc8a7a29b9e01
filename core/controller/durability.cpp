// Making data and state durable where no command carries the status: the shutdown write-back,
// state saves, and how their failures are reported.

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

namespace {
// A rule a store failure broke, with the store's reason (the OS error) when it gives one.
std::string with_store_reason(const BackingStore &store, std::string what) {
    const std::string why = store.failure();
    return why.empty() ? what : what + ": " + why;
}

} // namespace

void Controller::complete_shutdown() {
    auto &s = state_;
    const uint64_t flushed =
        write_back_or_report("the shutdown could not write the volatile write cache back ({} "
                             "blocks stay volatile)",
                             "NVMe 1.3 §7.6.2, §5.14.1.2");
    if (flushed > 0)
        s.trace.record(
            TraceEvent{.time_ns = s.now_ns, .kind = EventKind::CacheFlush, .len = flushed});
    s.clean_shutdown = true;
    save_state_or_report("at shutdown");
    s.csts.set_shst(static_cast<uint8_t>(spec::Shst::Complete));
    s.trace.record(TraceEvent{.time_ns = s.now_ns, .kind = EventKind::ShutdownComplete});
}

uint64_t Controller::write_back_or_report(const char *failed_means, const char *section) {
    uint64_t flushed = 0;
    for (auto &ns : state_.namespaces) {
        const int64_t n = ns->flush(state_.store);
        if (n >= 0) {
            flushed += static_cast<uint64_t>(n);
            continue;
        }
        report_durability_failure(
            Explanation{"NSID", ns->nsid(),
                        with_store_reason(state_.store, fmt::format(fmt::runtime(failed_means),
                                                                    ns->cached_blocks())),
                        section});
    }
    return flushed;
}

bool Controller::save_state_or_report(const char *when) {
    if (state_.save_persistent_state()) return true;
    report_durability_failure(Explanation{
        "persistent state", 0,
        with_store_reason(state_.store,
                          fmt::format("the persistent state (log pages, SMART counters, saved "
                                      "features) could not be saved {}",
                                      when)),
        "NVMe 1.3 §5.14.1.2"});
    return false;
}

void Controller::report_durability_failure(Explanation why) {
    auto &s = state_;
    spec::ErrorLogEntry entry{};
    entry.sqid = 0xFFFF;
    entry.cid = 0xFFFF;
    entry.status_field =
        static_cast<uint16_t>(spec::generic(GenericStatus::InternalError).field() << 1);
    entry.param_error_location = spec::kParamErrorLocationNone;
    entry.nsid = why.field == "NSID" ? static_cast<uint32_t>(why.value) : 0;
    log_error(entry);
    ++s.health.media_errors;
    const auto bit = static_cast<uint8_t>(spec::CriticalWarning::ReliabilityDegraded);
    const bool newly = !s.reliability_degraded;
    s.reliability_degraded = true;
    const auto aec =
        spec::AsyncEventConfigFeature::decode(s.feature(spec::FeatureId::AsyncEventConfig));
    if (newly && (aec.smart_warnings & bit)) {
        // SMART / Health status, information 00h: NVM subsystem reliability (§5.2, Figure 46).
        s.post_async_event(spec::AsyncEventType::SmartHealth, 0x00,
                           static_cast<uint8_t>(spec::LogId::SmartHealth));
        deliver_async_events();
    }
    s.trace.record(TraceEvent{.time_ns = s.now_ns,
                              .kind = EventKind::DurabilityFailure,
                              .explanation = s.trace.add_explanation(why)});
    if (durability_failures_.size() < kMaxDurabilityFailures)
        durability_failures_.push_back(std::move(why));
}

} // namespace nvmelab
