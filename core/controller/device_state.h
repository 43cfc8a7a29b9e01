#pragma once
// Everything the controller knows, in one place that command handlers may read and change.
// Front ends do not include this file: they use Controller's public interface.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/controller/command.h"
#include "core/controller/device_config.h"
#include "core/controller/queues.h"
#include "core/controller/trace.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/namespaces/nvm_namespace.h"
#include "core/namespaces/ocssd_namespace.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

// Per-feature attributes reported by Get Features SEL=011b (NVMe 1.3 §5.14.1).
struct FeatureInfo {
    bool saveable = true;
    bool namespace_specific = false;
    bool changeable = true;
};

struct FeatureValue {
    uint32_t current = 0;
    uint32_t default_value = 0;
    std::optional<uint32_t> saved;
};

// Counters that persist across power cycles (SMART / Health log, §5.14.1.2).
struct HealthCounters {
    // Kept in 512-byte units; reported in thousands of them, rounded up.
    uint64_t data_units_read = 0;
    uint64_t data_units_written = 0;
    uint64_t host_read_commands = 0;
    uint64_t host_write_commands = 0;
    uint64_t busy_time_ns = 0;
    uint64_t power_cycles = 0;
    uint64_t power_on_ns = 0;
    uint64_t unsafe_shutdowns = 0;
    uint64_t media_errors = 0;
    uint64_t error_log_entries = 0;
};

class DeviceState {
public:
    DeviceState(DeviceConfig config, HostMemory &memory, BackingStore &store);

    // Configuration and the outside world.
    DeviceConfig config;
    HostMemory &memory;
    BackingStore &store;
    Trace trace;
    uint64_t now_ns = 0;

    // Registers (§3.1). CAP and VS are fixed at power-on from the configuration.
    spec::CapReg cap{0};
    uint32_t vs = spec::kVersion1_3;
    uint32_t intms = 0;
    spec::CcReg cc{0};
    spec::CstsReg csts{0};
    spec::AqaReg aqa{0};
    uint64_t asq = 0;
    uint64_t acq = 0;

    // Queues, indexed by queue ID; index 0 is the admin queue pair.
    std::vector<std::optional<SubmissionQueue>> sqs;
    std::vector<std::optional<CompletionQueue>> cqs;
    // Number of Queues feature: granted I/O queues, 0's based (§5.21.1.7).
    uint16_t nsqa = 0;
    uint16_t ncqa = 0;
    bool io_queues_ever_created = false;

    // Features (current/default/saved), with temperature thresholds kept per sensor and kind.
    std::map<uint8_t, FeatureValue> features;
    std::map<uint8_t, FeatureInfo> feature_info;
    // [THSEL][TMPSEL]: over (0) and under (1) thresholds for composite (0) and sensor 1 (1).
    std::array<std::array<FeatureValue, 2>, 2> temperature_thresholds{};
    std::vector<FeatureValue> vector_config; // Interrupt Vector Configuration per vector

    // Logs.
    std::deque<spec::ErrorLogEntry> error_log; // newest first, at most kErrorLogEntries
    uint64_t error_count = 0;
    HealthCounters health;
    uint16_t composite_temperature_k = 313;
    // Each namespace's share of the I/O counters, index nsid-1 (SMART / Health per namespace,
    // LPA bit 0); Controller::execute adds to it what an I/O command added to `health`.
    std::vector<HealthCounters> namespace_health;
    void count_namespace_io(uint32_t nsid, const HealthCounters &before);
    // Telemetry (§5.14.1.7, §5.14.1.8): the Host-Initiated data last captured (LSP bit 0; empty
    // until the host asks) and its generation number. The controller never captures data of its
    // own accord, so its Controller-Initiated log reports none available.
    struct Telemetry {
        std::vector<uint8_t> host_data; // data areas 1-3, whole 512-byte blocks
        uint8_t host_generation = 0;
    } telemetry;
    // Timestamp feature (§5.21.1.14): the value (ms) it had at `at_ns` on the virtual clock, and
    // whether the host set it (origin 001b) or a Controller Level Reset zeroed it (000b).
    struct Timestamp {
        uint64_t ms = 0;
        uint64_t at_ns = 0;
        bool set_by_host = false;
    } timestamp;
    uint64_t timestamp_now_ms() const {
        return timestamp.ms + (now_ns - timestamp.at_ns) / 1'000'000;
    }
    // Host Identifier feature (§5.21.1.26): the 64-bit form (CTRATT bit 0 = 0).
    std::array<uint8_t, 8> host_identifier{};
    // Keep Alive (§7.12): when the Keep Alive Timer expires on the virtual clock (0: stopped).
    // restart_keep_alive() restarts it from the KATO feature and bumps the generation, which
    // tells the controller to arm a timer event for the new deadline.
    uint64_t keep_alive_deadline_ns = 0;
    uint32_t keep_alive_generation = 0;
    void restart_keep_alive();

    // Active namespaces, index nsid-1 (every NSID from 1 to NN is active).
    std::vector<std::unique_ptr<Namespace>> namespaces;

    static constexpr uint32_t kErrorLogEntries = 64;
    static constexpr uint16_t kWarningTemperatureK = 343;
    static constexpr uint16_t kCriticalTemperatureK = 353;
    static constexpr uint8_t kNumberOfPowerStates = 3;
    // Asynchronous Event Requests that may be outstanding at once (Identify AERL + 1) and
    // Abort commands that may run at once (Identify ACL + 1), §5.15.
    static constexpr uint8_t kMaxOutstandingAers = 4;
    static constexpr uint8_t kMaxConcurrentAborts = 4;
    // Keep Alive Support granularity (Identify KAS, 100 ms units): KATO is rounded up to it.
    static constexpr uint16_t kKeepAliveGranularity = 1;
    // Host Controlled Thermal Management limits (Identify MNTMT, MXTMT), kelvin.
    static constexpr uint16_t kMinThermalMgmtTemperatureK = 273;
    static constexpr uint16_t kMaxThermalMgmtTemperatureK = kCriticalTemperatureK;

    // Helpers for handlers.
    uint64_t page_size() const { return uint64_t{1} << (12 + cc.mps()); }
    uint64_t min_page_size() const { return uint64_t{1} << (12 + cap.mpsmin()); }
    // Max data transfer in bytes, 0 = no limit (MDTS is in units of CAP.MPSMIN pages, §5.15).
    uint64_t max_transfer_bytes() const {
        return config.mdts == 0 ? 0 : min_page_size() << config.mdts;
    }
    // The active namespace `nsid` names, or null (0, FFFFFFFFh, or not active).
    Namespace *find_namespace(uint32_t nsid) const {
        return nsid >= 1 && nsid <= namespaces.size() ? namespaces[nsid - 1].get() : nullptr;
    }
    // The same when it is an NVM namespace (the NVM command set's handlers use it).
    NvmNamespace *find_nvm_namespace(uint32_t nsid) const {
        Namespace *ns = find_namespace(nsid);
        return ns != nullptr && ns->type() == NamespaceType::Nvm ? static_cast<NvmNamespace *>(ns)
                                                                 : nullptr;
    }
    // The same when it is an Open-Channel SSD 2.0 namespace (the OCSSD handlers use it).
    OcssdNamespace *find_ocssd_namespace(uint32_t nsid) const {
        Namespace *ns = find_namespace(nsid);
        return ns != nullptr && ns->type() == NamespaceType::Ocssd
                   ? static_cast<OcssdNamespace *>(ns)
                   : nullptr;
    }
    // Error Recovery DULBE is honoured: by OCSSD namespaces, which report unwritten sectors as
    // 2h/87h when it is set (NSFEAT bit 2).
    bool dulbe_supported() const {
        for (const auto &ns : namespaces)
            if (ns->type() == NamespaceType::Ocssd) return true;
        return false;
    }
    uint32_t feature(spec::FeatureId fid) const {
        auto it = features.find(static_cast<uint8_t>(fid));
        return it == features.end() ? 0 : it->second.current;
    }
    bool write_cache_enabled() const {
        return config.vwc && (feature(spec::FeatureId::VolatileWriteCache) & 1) != 0;
    }
    uint8_t critical_warning() const;
    // A Controller Level Reset (CC.EN 1 -> 0, NVM Subsystem Reset; §7.3.2) gives every feature
    // its saved value, or its default where none was saved (§7.8 Feature Values). Power-on does
    // the same through load_persistent_state.
    void reset_feature_values();
    // Power-on time: what earlier power cycles accumulated plus this one's virtual time.
    uint64_t power_on_ns() const { return health.power_on_ns + now_ns; }

    // Persistent state (saved features, logs, counters) as JSON, and back.
    std::string persistent_state_json() const;
    void load_persistent_state(const std::string &json);
    bool save_persistent_state();

    // Whether the last power-off or shutdown left the device clean (persisted).
    bool clean_shutdown = false;
    // Data or state could not be made durable where no command could report it: SMART
    // critical warning bit 2, reliability degraded (persisted; it stays set, §5.14.1.2).
    bool reliability_degraded = false;

    // Asynchronous events (§5.2): outstanding AER command slots, events not yet reported, and
    // the event types masked until their log page is read with RAE = 0.
    std::vector<uint32_t> aer_slots;
    std::deque<uint32_t> async_events; // completion DW0 values
    uint8_t async_masked_types = 0;    // bit per AsyncEventType
    void post_async_event(spec::AsyncEventType type, uint8_t info, uint8_t log_id);
};

} // namespace nvmelab
