// Get Features and Set Features (NVMe 1.3 §5.9, §5.21) for the features this controller
// implements: Arbitration, Power Management, Temperature Threshold, Error Recovery, Volatile
// Write Cache, Number of Queues, Interrupt Coalescing, Interrupt Vector Configuration, Write
// Atomicity Normal, Asynchronous Event Configuration, Timestamp, Keep Alive Timer, Host Controlled
// Thermal Management and Host Identifier. Saved values (SV/SEL) persist. Not supported (Invalid
// Field), each consistent with Identify: LBA Range Type (optional, no ranges to describe),
// Autonomous Power State Transition (APSTA = 0), Host Memory Buffer (HMPRE = 0), Non-Operational
// Power State Config (CTRATT bit 1 = 0), Software Progress Marker, and the Reservation features
// (ONCS bit 5 = 0).
#include <tuple>

#include <fmt/format.h>

#include "core/commands/feature_data.h"
#include "core/commands/feature_rules.h"
#include "core/commands/handlers.h"

namespace nvmelab::commands {

using spec::CommandSpecificStatus;
using spec::FeatureId;

namespace {
constexpr const char *kGetSection = "NVMe 1.3 §5.9";
constexpr const char *kSetSection = "NVMe 1.3 §5.21";
constexpr uint32_t kBroadcastNsid = 0xFFFFFFFFu;
constexpr uint8_t kLastWorkloadHint = 2; // 010b, Workload #2 (§5.21.1.2)

bool supported(const DeviceState &s, uint8_t fid) {
    if (fid == static_cast<uint8_t>(FeatureId::VolatileWriteCache)) return s.config.vwc;
    return s.feature_info.count(fid) != 0;
}

spec::Status unsupported(CommandContext &ctx, uint8_t fid, const char *section) {
    return invalid_field(ctx, "CDW10.FID", fid,
                         fid == static_cast<uint8_t>(FeatureId::VolatileWriteCache)
                             ? "this device has no volatile write cache (Identify VWC = 0)"
                             : "this feature is not supported",
                         section, spec::param_error_location(40, 0));
}

// Temperature threshold storage index for TMPSEL (0 composite, 1 sensor 1); -1 otherwise.
int sensor_index(uint8_t tmpsel) {
    return tmpsel <= 1 ? tmpsel : -1;
}

// The FeatureValue a command addresses, or null (ctx already failed).
FeatureValue *select_value(DeviceState &s, CommandContext &ctx, FeatureId f, bool for_set,
                           const char *section) {
    const uint32_t cdw11 = ctx.sqe.cdw11;
    if (f == FeatureId::TemperatureThreshold) {
        const auto t = spec::TemperatureThresholdFeature::decode(cdw11);
        if (t.thsel > 1) {
            invalid_field(ctx, "CDW11.THSEL", t.thsel, "THSEL must be 0 (over) or 1 (under)",
                          section, spec::param_error_location(46, 4));
            return nullptr;
        }
        if (for_set && t.tmpsel == 0xF) return &s.temperature_thresholds[t.thsel][0];
        if (sensor_index(t.tmpsel) < 0) {
            invalid_field(ctx, "CDW11.TMPSEL", t.tmpsel,
                          for_set ? "this device has the composite temperature (0), sensor 1 "
                                    "(1) and all (Fh)"
                                  : "this device has the composite temperature (0) and sensor 1",
                          section, spec::param_error_location(46, 0));
            return nullptr;
        }
        return &s.temperature_thresholds[t.thsel][static_cast<size_t>(sensor_index(t.tmpsel))];
    }
    if (f == FeatureId::InterruptVectorConfig) {
        const auto iv = spec::InterruptVectorConfigFeature::decode(cdw11);
        if (iv.iv >= s.vector_config.size()) {
            invalid_field(
                ctx, "CDW11.IV", iv.iv,
                fmt::format("the controller has {} interrupt vectors", s.vector_config.size()),
                section, spec::param_error_location(44, 0));
            return nullptr;
        }
        return &s.vector_config[iv.iv];
    }
    return &s.features[static_cast<uint8_t>(f)];
}

// Namespace rules (§5.21): a namespace-specific feature needs an active NSID (or FFFFFFFFh to
// set all); a controller-wide one is set with NSID 0 or FFFFFFFFh.
spec::Status check_nsid(DeviceState &s, CommandContext &ctx, const FeatureInfo &info, bool for_set,
                        const char *section) {
    const uint32_t nsid = ctx.sqe.nsid;
    if (info.namespace_specific) {
        if (s.find_namespace(nsid) != nullptr || (for_set && nsid == kBroadcastNsid))
            return spec::success();
        return ctx.fail(spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true), "NSID",
                        nsid, "this feature is namespace specific: NSID must name a namespace",
                        section, spec::param_error_location(4, 0));
    }
    if (for_set && nsid != 0 && nsid != kBroadcastNsid)
        return ctx.fail(
            spec::command_specific(CommandSpecificStatus::FeatureNotNamespaceSpecific, true),
            "NSID", nsid, "this feature applies to the controller: use NSID 0", section,
            spec::param_error_location(4, 0));
    return spec::success();
}

spec::Status get_prepare(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetFeaturesFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0x000007FFu, kGetSection, 10);
        !st.ok())
        return st;
    if (!supported(s, f.fid)) return unsupported(ctx, f.fid, kGetSection);
    if (f.sel > 3)
        return invalid_field(ctx, "CDW10.SEL", f.sel, "SEL values 100b-111b are reserved",
                             kGetSection, spec::param_error_location(41, 0));
    if (f.fid == static_cast<uint8_t>(FeatureId::HostIdentifier) && (ctx.sqe.cdw11 & 1u) != 0)
        return invalid_field(ctx, "CDW11.EXHID", 1,
                             "only the 64-bit Host Identifier is supported (CTRATT bit 0 = 0)",
                             kGetSection, spec::param_error_location(44, 0));
    if (auto st = check_nsid(s, ctx, s.feature_info[f.fid], false, kGetSection); !st.ok())
        return st;
    // Timestamp and Host Identifier return their value as data; SEL 011b returns only DW0.
    if (f.sel != 3 && feature_data_bytes(f.fid) != 0) set_data_out(ctx, feature_data_bytes(f.fid));
    return spec::success();
}

spec::Status get_execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetFeaturesFields::decode(ctx.sqe);
    const auto fid = static_cast<FeatureId>(f.fid);
    const FeatureInfo &info = s.feature_info[f.fid];
    ctx.execute_ns = 500;
    if (f.sel == 3) { // supported capabilities (§5.9.2, Figure 83)
        ctx.dw0 = (info.saveable ? 1u : 0u) | (info.namespace_specific ? 2u : 0u) |
                  (info.changeable ? 4u : 0u);
        return spec::success();
    }
    if (feature_data_bytes(f.fid) != 0) {
        get_feature_data(s, f.fid, f.sel, ctx.buffer);
        return spec::success();
    }
    FeatureValue *v = select_value(s, ctx, fid, false, kGetSection);
    if (v == nullptr) return ctx.status;
    uint32_t value = 0;
    switch (f.sel) {
    case 0:
        value = v->current;
        break;
    case 1:
        value = v->default_value;
        break;
    case 2:
        value = v->saved.value_or(v->default_value);
        break; // no saved value: the default
    }
    // Temperature Threshold and Interrupt Vector Configuration report which sensor/vector.
    if (fid == FeatureId::TemperatureThreshold)
        value = (value & 0xFFFFu) | (ctx.sqe.cdw11 & 0x003F0000u);
    ctx.dw0 = value;
    return spec::success();
}

spec::Status set_prepare(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::SetFeaturesFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0x800000FFu, kSetSection, 10);
        !st.ok())
        return st;
    if (!supported(s, f.fid)) return unsupported(ctx, f.fid, kSetSection);
    const FeatureInfo &info = s.feature_info[f.fid];
    if (f.sv && !info.saveable)
        return ctx.fail(spec::command_specific(CommandSpecificStatus::FeatureIdNotSaveable, true),
                        "CDW10.SV", 1, "this feature cannot be saved", kSetSection,
                        spec::param_error_location(43, 7));
    if (!info.changeable)
        return ctx.fail(spec::command_specific(CommandSpecificStatus::FeatureNotChangeable, true),
                        "CDW10.FID", f.fid, "this feature cannot be changed", kSetSection);
    if (auto st = check_nsid(s, ctx, info, true, kSetSection); !st.ok()) return st;
    const auto fid = static_cast<FeatureId>(f.fid);
    if (auto st =
            check_reserved(ctx, "CDW11", ctx.sqe.cdw11, feature_defined_bits(fid), kSetSection, 11);
        !st.ok())
        return st;
    const uint32_t cdw11 = ctx.sqe.cdw11;
    if (const auto p = feature_value_problem(fid, cdw11, s.dulbe_supported()))
        return invalid_field(ctx, p->field, p->value, p->rule, kSetSection,
                             p->param_error_location);
    switch (fid) {
    case FeatureId::TemperatureThreshold:
    case FeatureId::InterruptVectorConfig:
        if (select_value(s, ctx, fid, true, kSetSection) == nullptr) return ctx.status;
        break;
    default:
        break;
    }
    if (feature_data_bytes(f.fid) != 0) {
        ctx.direction = spec::DataDirection::HostToController;
        ctx.transfer_bytes = feature_data_bytes(f.fid);
    }
    return spec::success();
}

spec::Status set_execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::SetFeaturesFields::decode(ctx.sqe);
    const auto fid = static_cast<FeatureId>(f.fid);
    const uint32_t cdw11 = ctx.sqe.cdw11;
    ctx.execute_ns = 500;
    auto apply = [&](FeatureValue &v, uint32_t value) {
        v.current = value;
        if (f.sv) v.saved = value;
    };
    switch (fid) {
    case FeatureId::NumberOfQueues: {
        // Only before any I/O queue exists (§5.21.1.7).
        if (s.io_queues_ever_created)
            return ctx.fail(spec::generic(spec::GenericStatus::CommandSequenceError, true),
                            "CDW10.FID", f.fid,
                            "Number of Queues can only be set before any I/O queue is created "
                            "(after a controller reset)",
                            kSetSection);
        const auto q = spec::NumberOfQueuesFeature::decode(cdw11);
        const auto limit = static_cast<uint16_t>(s.config.max_ioqpairs - 1);
        s.nsqa = std::min(q.nsqr, limit);
        s.ncqa = std::min(q.ncqr, limit);
        const uint32_t granted = spec::NumberOfQueuesFeature{s.nsqa, s.ncqa}.encode();
        s.features[f.fid].current = granted;
        ctx.dw0 = granted; // NSQA and NCQA (§5.21.1.7)
        return spec::success();
    }
    case FeatureId::TemperatureThreshold: {
        const auto t = spec::TemperatureThresholdFeature::decode(cdw11);
        const uint8_t before = s.critical_warning();
        if (t.tmpsel == 0xF) {
            for (auto &v : s.temperature_thresholds[t.thsel])
                apply(v, t.tmpth);
        } else {
            apply(*select_value(s, ctx, fid, true, kSetSection), t.tmpth);
        }
        // Crossing a threshold raises a SMART / Health event if the host enabled it (§5.21.1.11).
        const auto temp_bit = static_cast<uint8_t>(spec::CriticalWarning::Temperature);
        const auto aec =
            spec::AsyncEventConfigFeature::decode(s.feature(FeatureId::AsyncEventConfig));
        if (!(before & temp_bit) && (s.critical_warning() & temp_bit) &&
            (aec.smart_warnings & temp_bit))
            s.post_async_event(spec::AsyncEventType::SmartHealth, 0x01,
                               static_cast<uint8_t>(spec::LogId::SmartHealth));
        break;
    }
    case FeatureId::InterruptVectorConfig:
        apply(*select_value(s, ctx, fid, true, kSetSection), cdw11);
        break;
    case FeatureId::Timestamp:
    case FeatureId::HostIdentifier:
        set_feature_data(s, f.fid, ctx.buffer);
        apply(s.features[f.fid], cdw11);
        break;
    case FeatureId::KeepAliveTimer: {
        // KATO is rounded up to the KAS granularity, and Get Features reports the timeout in
        // use (§5.21.1.15). The timer starts (restarts, or stops with KATO = 0) now.
        const uint64_t unit_ms = uint64_t{DeviceState::kKeepAliveGranularity} * 100;
        apply(s.features[f.fid],
              static_cast<uint32_t>(std::min<uint64_t>((cdw11 + unit_ms - 1) / unit_ms * unit_ms,
                                                       0xFFFFFFFFu / unit_ms * unit_ms)));
        s.restart_keep_alive();
        break;
    }
    case FeatureId::VolatileWriteCache: {
        // Turning the cache off writes back what it holds first, as drives do (§5.21.1.6 does
        // not say): with WCE = 0 a completed write is on the media, and data cached before
        // must not stay volatile behind it. If the write-back fails, the cache stays on.
        const bool on = spec::VolatileWriteCacheFeature::decode(s.features[f.fid].current).wce;
        if (on && !spec::VolatileWriteCacheFeature::decode(cdw11).wce) {
            const std::optional<uint64_t> flushed =
                write_back_cache(s, ctx, kBroadcastNsid, kSetSection);
            if (!flushed) return ctx.status;
            s.trace.record(TraceEvent{.time_ns = s.now_ns,
                                      .kind = EventKind::CacheFlush,
                                      .sqid = ctx.sqid,
                                      .cid = ctx.sqe.cid,
                                      .u32 = kBroadcastNsid,
                                      .len = *flushed});
            ctx.execute_ns += *flushed * s.config.write_ns / 64;
        }
        apply(s.features[f.fid], cdw11);
        break;
    }
    default:
        apply(s.features[f.fid], cdw11);
        break;
    }
    // A value to be saved must reach the media, or the host is told (Internal Error: the
    // current value is set, the saved one is not; §5.21, §4.6.1.2.1).
    if (f.sv && !s.save_persistent_state()) {
        const std::string why = s.store.failure();
        return ctx.fail(spec::generic(spec::GenericStatus::InternalError), "CDW10.SV", 1,
                        "the current value is set, but it could not be saved" +
                            (why.empty() ? std::string() : ": " + why),
                        kSetSection, spec::param_error_location(43, 7));
    }
    return spec::success();
}

} // namespace

uint32_t feature_defined_bits(FeatureId f) {
    // OCSSD 2.0 Media Feedback (CAh): HECC, VHECC (OC §6).
    if (static_cast<uint8_t>(f) == static_cast<uint8_t>(spec::ocssd::FeatureId::MediaFeedback))
        return spec::ocssd::MediaFeedbackFeature::kDefinedBits;
    switch (f) {
    case FeatureId::Arbitration:
        return 0xFFFFFF07u;
    case FeatureId::PowerManagement:
        return 0x000000FFu;
    case FeatureId::TemperatureThreshold:
        return 0x003FFFFFu;
    case FeatureId::ErrorRecovery:
        return 0x0001FFFFu;
    case FeatureId::VolatileWriteCache:
        return 0x00000001u;
    case FeatureId::NumberOfQueues:
        return 0xFFFFFFFFu;
    case FeatureId::InterruptCoalescing:
        return 0x0000FFFFu;
    case FeatureId::InterruptVectorConfig:
        return 0x0001FFFFu;
    case FeatureId::WriteAtomicityNormal:
        return 0x00000001u;
    case FeatureId::AsyncEventConfig:
        return 0x000000FFu; // notices: OAES advertises none
    case FeatureId::KeepAliveTimer:
    case FeatureId::HostControlledThermalManagement:
        return 0xFFFFFFFFu;
    case FeatureId::HostIdentifier:
        return 0x00000001u; // EXHID
    case FeatureId::Timestamp:
        return 0; // the value is in the data buffer
    default:
        return 0;
    }
}

std::optional<FeatureValueProblem> feature_value_problem(FeatureId f, uint32_t cdw11,
                                                         bool dulbe_supported) {
    switch (f) {
    case FeatureId::PowerManagement: {
        const auto pm = spec::PowerManagementFeature::decode(cdw11);
        if (pm.ps >= DeviceState::kNumberOfPowerStates)
            return FeatureValueProblem{
                "CDW11.PS", pm.ps,
                fmt::format("power states are 0..NPSS ({})", DeviceState::kNumberOfPowerStates - 1),
                spec::param_error_location(44, 0)};
        // Workload Hint (§5.21.1.2): 000b no workload, 001b Workload #1 (idle, then a burst of
        // random writes), 010b Workload #2 (heavy sequential writes); 011b-111b are reserved.
        // A hint steers Autonomous Power State Transitions, which this device does not do
        // (Identify APSTA = 0): a defined hint is kept, reported by Get Features and saved like
        // the power state, and changes nothing else.
        if (pm.wh > kLastWorkloadHint)
            return FeatureValueProblem{"CDW11.WH", pm.wh,
                                       "workload hints 011b-111b are reserved (000b none, 001b "
                                       "Workload #1, 010b Workload #2)",
                                       spec::param_error_location(44, 5)};
        return std::nullopt;
    }
    case FeatureId::ErrorRecovery:
        if (spec::ErrorRecoveryFeature::decode(cdw11).dulbe && !dulbe_supported)
            return FeatureValueProblem{"CDW11.DULBE", 1,
                                       "Deallocated or Unwritten Logical Block errors are not "
                                       "supported (Identify Namespace NSFEAT bit 2 = 0)",
                                       spec::param_error_location(46, 0)};
        return std::nullopt;
    case FeatureId::HostIdentifier:
        if ((cdw11 & 1u) != 0)
            return FeatureValueProblem{"CDW11.EXHID", 1,
                                       "only the 64-bit Host Identifier is supported (CTRATT bit "
                                       "0 = 0)",
                                       spec::param_error_location(44, 0)};
        return std::nullopt;
    case FeatureId::HostControlledThermalManagement: {
        // TMT2 (15:0) and TMT1 (31:16), kelvin; 0 disables one. Each used one lies within
        // MNTMT..MXTMT, and TMT1 is below TMT2 when both are used (§5.21.1.16).
        const auto tmt2 = static_cast<uint16_t>(cdw11 & 0xFFFF);
        const auto tmt1 = static_cast<uint16_t>(cdw11 >> 16);
        const uint16_t lo = DeviceState::kMinThermalMgmtTemperatureK;
        const uint16_t hi = DeviceState::kMaxThermalMgmtTemperatureK;
        for (const auto &[name, value, byte] :
             {std::tuple{"CDW11.TMT1", tmt1, 46u}, std::tuple{"CDW11.TMT2", tmt2, 44u}})
            if (value != 0 && (value < lo || value > hi))
                return FeatureValueProblem{
                    name, value,
                    fmt::format(
                        "a thermal management temperature is 0 (off) or within MNTMT..MXTMT "
                        "({}..{} K)",
                        lo, hi),
                    spec::param_error_location(byte, 0)};
        if (tmt1 != 0 && tmt2 != 0 && tmt1 >= tmt2)
            return FeatureValueProblem{"CDW11.TMT1", tmt1,
                                       fmt::format("TMT1 must be below TMT2 ({} K)", tmt2),
                                       spec::param_error_location(46, 0)};
        return std::nullopt;
    }
    case FeatureId::NumberOfQueues: {
        const auto q = spec::NumberOfQueuesFeature::decode(cdw11);
        if (q.nsqr == 0xFFFF || q.ncqr == 0xFFFF)
            return FeatureValueProblem{q.nsqr == 0xFFFF ? "CDW11.NSQR" : "CDW11.NCQR", 0xFFFF,
                                       "65535 is not a valid 0's based queue count",
                                       spec::param_error_location(q.nsqr == 0xFFFF ? 44 : 46, 0)};
        return std::nullopt;
    }
    default:
        return std::nullopt;
    }
}

const CommandHandler kGetFeatures{"Get Features", get_prepare, get_execute};
const CommandHandler kSetFeatures{"Set Features", set_prepare, set_execute};

} // namespace nvmelab::commands
