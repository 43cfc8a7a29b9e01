#include "core/controller/device_state.h"

#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/commands/feature_rules.h"
#include "core/util/bounded_json.h"

namespace nvmelab {

using spec::FeatureId;

namespace {
constexpr uint8_t fid(FeatureId f) {
    return static_cast<uint8_t>(f);
}
} // namespace

DeviceState::DeviceState(DeviceConfig cfg, HostMemory &mem, BackingStore &backing)
    : config(std::move(cfg)), memory(mem), store(backing) {
    cap.set_mqes(config.mqes)
        .set_cqr(config.cqr)
        .set_ams(config.wrr ? 1 : 0)
        .set_to(config.timeout)
        .set_dstrd(config.dstrd)
        .set_nssrs(config.nssrs)
        .set_css(1) // NVM command set
        .set_mpsmin(config.mpsmin)
        .set_mpsmax(config.mpsmax);
    sqs.resize(size_t{config.max_ioqpairs} + 1);
    cqs.resize(size_t{config.max_ioqpairs} + 1);
    nsqa = static_cast<uint16_t>(config.max_ioqpairs - 1);
    ncqa = nsqa;

    // Defaults (§5.21.1). Arbitration burst defaults to the recommended burst RAB = 3.
    auto def = [&](FeatureId f, uint32_t value, FeatureInfo info = {}) {
        features[fid(f)] = FeatureValue{value, value, std::nullopt};
        feature_info[fid(f)] = info;
    };
    def(FeatureId::Arbitration, spec::ArbitrationFeature{3, 0, 0, 0}.encode());
    def(FeatureId::PowerManagement, 0);
    def(FeatureId::ErrorRecovery, 0, FeatureInfo{true, true, true});
    if (config.vwc) def(FeatureId::VolatileWriteCache, 1);
    def(FeatureId::NumberOfQueues, spec::NumberOfQueuesFeature{nsqa, ncqa}.encode(),
        FeatureInfo{false, false, true});
    def(FeatureId::InterruptCoalescing, 0);
    def(FeatureId::WriteAtomicityNormal, 0);
    def(FeatureId::AsyncEventConfig, 0);
    // Timestamp and Host Identifier carry data (admin_features_data.cpp); Keep Alive Timer and
    // Timestamp are not saveable: a timeout or a clock outliving a reset means nothing.
    def(FeatureId::Timestamp, 0, FeatureInfo{false, false, true});
    def(FeatureId::KeepAliveTimer, 0, FeatureInfo{false, false, true}); // 0: disabled (PCIe)
    def(FeatureId::HostControlledThermalManagement, 0);                 // TMT1 = TMT2 = 0: disabled
    def(FeatureId::HostIdentifier, 0, FeatureInfo{false, false, true});
    feature_info[fid(FeatureId::TemperatureThreshold)] = FeatureInfo{};
    feature_info[fid(FeatureId::InterruptVectorConfig)] = FeatureInfo{};
    // Over thresholds default to WCTEMP for the composite temperature and to FFFFh for each
    // sensor; under thresholds to 0 (§5.21.1.4).
    temperature_thresholds[0][0] = {kWarningTemperatureK, kWarningTemperatureK, {}};
    temperature_thresholds[0][1] = {0xFFFF, 0xFFFF, {}};
    for (auto &sensor : temperature_thresholds[1])
        sensor = {0, 0, {}};
    vector_config.resize(config.msix_vectors);
    for (uint16_t v = 0; v < config.msix_vectors; ++v) {
        // Coalescing never applies to the admin vector, so CD reads as 1 there (§5.21.1.9).
        const uint32_t value = spec::InterruptVectorConfigFeature{v, v == 0}.encode();
        vector_config[v] = {value, value, {}};
    }
    // Namespaces one after another on the store, from NSID 1. A store of only `size` bytes (an
    // image made before metadata existed, or a test's) has no metadata area: its namespace then
    // offers only the formats without metadata.
    const bool metadata_area = store.media_size() >= config.media_bytes();
    if (!metadata_area && config.ms != 0)
        throw ConfigError(fmt::format("ms = {} needs a metadata area on the media: {} bytes of "
                                      "backing store, not {}",
                                      config.ms, config.media_bytes(), store.media_size()));
    uint64_t store_offset = 0;
    for (const NamespaceConfig &ns : config.namespace_configs(metadata_area)) {
        namespaces.push_back(
            make_namespace(static_cast<uint32_t>(namespaces.size() + 1), ns, store_offset));
        store_offset += ns.store_bytes();
    }
    // OCSSD 2.0 Media Feedback (FID CAh, OC §6): kept and returned (as QEMU); nothing here
    // reports Read High ECC yet.
    if (dulbe_supported()) {
        const auto mf = static_cast<uint8_t>(spec::ocssd::FeatureId::MediaFeedback);
        features[mf] = FeatureValue{0, 0, std::nullopt};
        feature_info[mf] = FeatureInfo{};
    }
}

uint8_t DeviceState::critical_warning() const {
    uint8_t w = 0;
    const uint16_t t = composite_temperature_k;
    // A temperature at or above its over threshold, or at or below its under threshold
    // (§5.21.1.4; §5.14.1.2, Figure 94 byte 0 bit 1).
    for (size_t sensor = 0; sensor < 2; ++sensor) {
        if (t >= temperature_thresholds[0][sensor].current ||
            t <= temperature_thresholds[1][sensor].current)
            w |= static_cast<uint8_t>(spec::CriticalWarning::Temperature);
    }
    if (reliability_degraded) w |= static_cast<uint8_t>(spec::CriticalWarning::ReliabilityDegraded);
    return w;
}

void DeviceState::reset_feature_values() {
    // ONCS bit 4 = 1 (Save / Select supported), so every feature has a default, a saved and a
    // current value, and after a power-on or a reset a feature takes its saved value, or its
    // default if it has none (§7.8). The Set Features table's "persistent across power cycle
    // and reset" column is only for controllers without ONCS bit 4 (§5.21.1). A value set with
    // SV = 0 thus lasts until the next reset; only SV = 1 makes it outlive one (§5.21).
    const bool cache_was_on = write_cache_enabled();
    const auto restore = [](FeatureValue &v) { v.current = v.saved.value_or(v.default_value); };
    for (auto &entry : features)
        restore(entry.second);
    for (auto &kind : temperature_thresholds)
        for (auto &sensor : kind)
            restore(sensor);
    for (auto &vector : vector_config)
        restore(vector);
    // Number of Queues is not saveable: the allocation holds "between resets" (§5.21.1.7), so
    // after one the host starts from the default grant and may ask again before creating
    // queues.
    // A Controller Level Reset zeroes the timestamp (origin 000b, §5.21.1.14) and clears the Host
    // Identifier; KATO is back to its default, so the Keep Alive Timer stops (§7.12).
    timestamp = Timestamp{.ms = 0, .at_ns = now_ns, .set_by_host = false};
    host_identifier = {};
    restart_keep_alive();
    const auto queues = spec::NumberOfQueuesFeature::decode(feature(FeatureId::NumberOfQueues));
    nsqa = queues.nsqr;
    ncqa = queues.ncqr;
    if (!cache_was_on || write_cache_enabled()) return;
    // The reset turns the cache off (WCE saved as 0, then set to 1 with SV = 0): as Set Features
    // does, what the cache holds is written back first, so no data stays volatile behind a
    // write-through cache. If that fails, the cache stays on and keeps the data.
    uint64_t flushed = 0;
    for (auto &ns : namespaces) {
        const int64_t n = ns->flush(store);
        if (n < 0) {
            features[fid(FeatureId::VolatileWriteCache)].current |= 1u;
            return;
        }
        flushed += static_cast<uint64_t>(n);
    }
    trace.record(TraceEvent{
        .time_ns = now_ns, .kind = EventKind::CacheFlush, .u32 = 0xFFFFFFFFu, .len = flushed});
}

namespace {
std::string to_hex(const void *data, size_t n) {
    std::string out;
    const auto *p = static_cast<const uint8_t *>(data);
    for (size_t i = 0; i < n; ++i)
        out += fmt::format("{:02x}", p[i]);
    return out;
}
bool from_hex(const std::string &s, void *data, size_t n) {
    if (s.size() != n * 2) return false;
    auto *p = static_cast<uint8_t *>(data);
    for (size_t i = 0; i < n; ++i) {
        unsigned v = 0;
        for (int k = 0; k < 2; ++k) {
            const char c = s[i * 2 + static_cast<size_t>(k)];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else
                return false;
        }
        p[i] = static_cast<uint8_t>(v);
    }
    return true;
}
} // namespace

std::string DeviceState::persistent_state_json() const {
    nlohmann::json j;
    j["version"] = 1;
    j["clean_shutdown"] = clean_shutdown;
    if (reliability_degraded) j["reliability_degraded"] = true;
    const auto &h = health;
    j["health"] = {{"data_units_read", h.data_units_read},
                   {"data_units_written", h.data_units_written},
                   {"host_read_commands", h.host_read_commands},
                   {"host_write_commands", h.host_write_commands},
                   {"busy_time_ns", h.busy_time_ns},
                   {"power_cycles", h.power_cycles},
                   {"power_on_ns", power_on_ns()},
                   {"unsafe_shutdowns", h.unsafe_shutdowns},
                   {"media_errors", h.media_errors},
                   {"error_log_entries", h.error_log_entries}};
    j["error_count"] = error_count;
    nlohmann::json log = nlohmann::json::array();
    for (const auto &e : error_log)
        log.push_back(to_hex(&e, sizeof e));
    j["error_log"] = log;
    nlohmann::json saved = nlohmann::json::object();
    for (const auto &[id, f] : features)
        if (f.saved) saved[std::to_string(id)] = *f.saved;
    for (size_t k = 0; k < 2; ++k)
        for (size_t t = 0; t < 2; ++t)
            if (temperature_thresholds[k][t].saved)
                saved[fmt::format("4.{}.{}", k, t)] = *temperature_thresholds[k][t].saved;
    for (size_t v = 0; v < vector_config.size(); ++v)
        if (vector_config[v].saved) saved[fmt::format("9.{}", v)] = *vector_config[v].saved;
    j["saved_features"] = saved;
    // The format a Format NVM chose, per namespace (the properties name the one at creation).
    nlohmann::json formats = nlohmann::json::object();
    for (const auto &ns : namespaces)
        if (ns->format_generation() != 0)
            formats[std::to_string(ns->nsid())] = {{"lbaf", ns->format_in_use()},
                                                   {"mset", ns->extended_lba() ? 1 : 0},
                                                   {"pi", ns->pi_type()},
                                                   {"pil", ns->pi_first() ? 1 : 0}};
    if (!formats.empty()) j["namespace_formats"] = formats;
    // Each namespace's share of the I/O counters (SMART / Health per namespace), once it has one.
    nlohmann::json per_ns = nlohmann::json::object();
    for (size_t i = 0; i < namespace_health.size(); ++i) {
        const auto &n = namespace_health[i];
        if (n.host_read_commands != 0 || n.host_write_commands != 0 || n.media_errors != 0)
            per_ns[std::to_string(i + 1)] = {{"data_units_read", n.data_units_read},
                                             {"data_units_written", n.data_units_written},
                                             {"host_read_commands", n.host_read_commands},
                                             {"host_write_commands", n.host_write_commands},
                                             {"media_errors", n.media_errors}};
    }
    if (!per_ns.empty()) j["namespace_health"] = per_ns;
    return j.dump(1);
}

void DeviceState::count_namespace_io(uint32_t nsid, const HealthCounters &before) {
    if (find_namespace(nsid) == nullptr) return;
    if (namespace_health.size() < namespaces.size()) namespace_health.resize(namespaces.size());
    HealthCounters &n = namespace_health[nsid - 1];
    n.data_units_read += health.data_units_read - before.data_units_read;
    n.data_units_written += health.data_units_written - before.data_units_written;
    n.host_read_commands += health.host_read_commands - before.host_read_commands;
    n.host_write_commands += health.host_write_commands - before.host_write_commands;
    n.media_errors += health.media_errors - before.media_errors;
}

namespace {
// "12" -> 12; anything else (a sign, spaces, trailing text, an empty string) -> nullopt.
std::optional<unsigned> parse_index(std::string_view text) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

// One entry of "saved_features", as persistent_state_json writes it: "FID" for a feature,
// "4.THSEL.TMPSEL" for a temperature threshold, "9.IV" for an interrupt vector. Each must
// be a value Set Features with SV = 1 could have saved on this device; anything else is
// corruption, refused before it becomes the feature's current value.
void load_saved_feature(DeviceState &s, const std::string &key, const nlohmann::json &value) {
    const auto corrupt = [&](const std::string &why) {
        return std::runtime_error(
            fmt::format("the device's saved state is corrupt: saved_features.{} {}", key, why));
    };
    if (!value.is_number_unsigned() || value.get<uint64_t>() > UINT32_MAX)
        throw corrupt("must be a 32-bit feature value");
    const auto v = value.get<uint32_t>();
    const auto bad_value = [&](const std::string &why) {
        return corrupt(fmt::format("= {:#x} is not a value this device accepts: {}", v, why));
    };
    const std::string_view k = key;
    const size_t dot = k.find('.');
    const std::optional<unsigned> id = parse_index(k.substr(0, dot));
    const auto check_bits = [&](FeatureId f) {
        if (const uint32_t reserved = v & ~commands::feature_defined_bits(f))
            throw bad_value(fmt::format("reserved bits {:#x} are set", reserved));
    };
    if (id == fid(FeatureId::TemperatureThreshold) && dot != std::string_view::npos) {
        const size_t dot2 = k.find('.', dot + 1);
        const auto thsel = parse_index(k.substr(dot + 1, dot2 - dot - 1));
        const auto tmpsel =
            dot2 == std::string_view::npos ? std::nullopt : parse_index(k.substr(dot2 + 1));
        if (!thsel || !tmpsel || *thsel > 1 || *tmpsel > 1)
            throw corrupt("is not a threshold of this device (4.THSEL.TMPSEL, each 0 or 1)");
        if (v > 0xFFFF) throw bad_value("a threshold is a 16-bit temperature in kelvins");
        s.temperature_thresholds[*thsel][*tmpsel].saved = v;
        s.temperature_thresholds[*thsel][*tmpsel].current = v;
        return;
    }
    if (id == fid(FeatureId::InterruptVectorConfig) && dot != std::string_view::npos) {
        const auto iv = parse_index(k.substr(dot + 1));
        if (!iv || *iv >= s.vector_config.size())
            throw corrupt(fmt::format("is not an interrupt vector of this device (9.IV, IV "
                                      "below {})",
                                      s.vector_config.size()));
        check_bits(FeatureId::InterruptVectorConfig);
        if (spec::InterruptVectorConfigFeature::decode(v).iv != *iv)
            throw bad_value(fmt::format("its IV field is not {}", *iv));
        s.vector_config[*iv].saved = v;
        s.vector_config[*iv].current = v;
        return;
    }
    const auto it = id && dot == std::string_view::npos && *id <= 0xFF
                        ? s.features.find(static_cast<uint8_t>(*id))
                        : s.features.end();
    if (it == s.features.end() || !s.feature_info[it->first].saveable)
        throw corrupt("is not a saveable feature of this device");
    const auto f = static_cast<FeatureId>(it->first);
    check_bits(f);
    if (const auto p = commands::feature_value_problem(f, v, s.dulbe_supported()))
        throw bad_value(fmt::format("{} {}: {}", p->field, p->value, p->rule));
    it->second.saved = v;
    it->second.current = v; // saved values take effect at power-on (§5.21)
}
// "namespace_formats": {"NSID": {"lbaf", "mset", "pi", "pil"}}, as persistent_state_json writes
// it after a Format NVM. Each must be a format Format NVM could have chosen on this device.
void load_namespace_formats(DeviceState &s, const nlohmann::json &formats) {
    const auto corrupt = [](const std::string &key, const std::string &why) {
        return std::runtime_error(
            fmt::format("the device's saved state is corrupt: namespace_formats.{} {}", key, why));
    };
    if (!formats.is_object())
        throw std::runtime_error(
            "the device's saved state is corrupt: \"namespace_formats\" must be an object");
    // Named, not a structured binding: the lambda below uses them, which clang 14 (the web
    // build's compiler) refuses for structured bindings.
    for (const auto &item : formats.items()) {
        const std::string &key = item.key();
        const nlohmann::json &value = item.value();
        const std::optional<unsigned> nsid = parse_index(key);
        Namespace *ns = nsid ? s.find_namespace(*nsid) : nullptr;
        if (ns == nullptr || !ns->can_format())
            throw corrupt(key, "is not a namespace of this device that Format NVM can change");
        const auto field = [&](const char *name, unsigned max) {
            const auto it = value.is_object() ? value.find(name) : value.end();
            if (it == value.end() || !it->is_number_unsigned() || it->get<uint64_t>() > max)
                throw corrupt(key, fmt::format("needs \"{}\" from 0 to {}", name, max));
            return static_cast<uint8_t>(it->get<uint64_t>());
        };
        const uint8_t lbaf = field("lbaf", static_cast<unsigned>(ns->lba_formats().size() - 1));
        const uint8_t mset = field("mset", 1);
        const uint8_t pi = field("pi", 3);
        const uint8_t pil = field("pil", 1);
        if (pi != 0 && ns->lba_formats()[lbaf].metadata_size < 8)
            throw corrupt(key, fmt::format("has PI type {} on LBA format {}, which has less than "
                                           "8 bytes of metadata",
                                           pi, lbaf));
        ns->restore_format(Namespace::FormatRequest{
            .lbaf = lbaf,
            .extended_lba = mset != 0,
            .dps = static_cast<uint8_t>(pi | (pi != 0 && pil != 0 ? 0x8 : 0))});
    }
}
} // namespace

void DeviceState::load_persistent_state(const std::string &text) {
    bool was_clean = true; // a brand-new device has never been shut down unsafely
    if (!text.empty()) {
        // A document that does not parse is corrupt, not empty: read as empty, its counters,
        // logs and saved features would be overwritten by the next save without a word.
        nlohmann::json j;
        try {
            j = parse_bounded_json(text);
        } catch (const std::exception &e) {
            throw std::runtime_error(std::string("the device's saved state is corrupt: ") +
                                     e.what());
        }
        if (!j.is_object())
            throw std::runtime_error("the device's saved state is corrupt: not a JSON object");
        // A key of the wrong type means the document is corrupt: say which key, rather than
        // the JSON library's "type must be boolean, but is number".
        const auto corrupt = [](const std::string &key, const char *what) {
            return std::runtime_error("the device's saved state is corrupt: \"" + key +
                                      "\" must be " + what);
        };
        const auto flag = [&](const nlohmann::json &o, const char *k) {
            const auto it = o.find(k);
            if (it == o.end()) return false;
            if (!it->is_boolean()) throw corrupt(k, "true or false");
            return it->get<bool>();
        };
        const auto count = [&](const nlohmann::json &o, const char *k) {
            const auto it = o.find(k);
            if (it == o.end()) return uint64_t{0};
            if (!it->is_number_unsigned()) throw corrupt(k, "a number from 0 to 2^64 - 1");
            return it->get<uint64_t>();
        };
        was_clean = flag(j, "clean_shutdown");
        reliability_degraded = flag(j, "reliability_degraded");
        if (j.contains("health") && j["health"].is_object()) {
            const auto &hj = j["health"];
            auto get = [&](const char *k) { return count(hj, k); };
            health.data_units_read = get("data_units_read");
            health.data_units_written = get("data_units_written");
            health.host_read_commands = get("host_read_commands");
            health.host_write_commands = get("host_write_commands");
            health.busy_time_ns = get("busy_time_ns");
            health.power_cycles = get("power_cycles");
            health.power_on_ns = get("power_on_ns");
            health.unsafe_shutdowns = get("unsafe_shutdowns");
            health.media_errors = get("media_errors");
            health.error_log_entries = get("error_log_entries");
        }
        error_count = count(j, "error_count");
        if (j.contains("error_log") && j["error_log"].is_array()) {
            for (const auto &e : j["error_log"]) {
                spec::ErrorLogEntry entry{};
                if (e.is_string() && from_hex(e.get<std::string>(), &entry, sizeof entry) &&
                    error_log.size() < kErrorLogEntries)
                    error_log.push_back(entry);
            }
        }
        if (j.contains("saved_features") && j["saved_features"].is_object()) {
            for (const auto &[key, value] : j["saved_features"].items())
                load_saved_feature(*this, key, value);
        }
        if (const auto it = j.find("namespace_formats"); it != j.end())
            load_namespace_formats(*this, *it);
        if (const auto it = j.find("namespace_health"); it != j.end()) {
            if (!it->is_object()) throw corrupt("namespace_health", "an object");
            namespace_health.resize(namespaces.size());
            for (const auto &[key, value] : it->items()) {
                const std::optional<unsigned> nsid = parse_index(key);
                if (!nsid || find_namespace(*nsid) == nullptr || !value.is_object())
                    throw corrupt("namespace_health." + key, "an object of a namespace's counters");
                auto &n = namespace_health[*nsid - 1];
                n.data_units_read = count(value, "data_units_read");
                n.data_units_written = count(value, "data_units_written");
                n.host_read_commands = count(value, "host_read_commands");
                n.host_write_commands = count(value, "host_write_commands");
                n.media_errors = count(value, "media_errors");
            }
        }
    }
    ++health.power_cycles;
    if (!was_clean) ++health.unsafe_shutdowns;
    clean_shutdown = false;
}

void DeviceState::restart_keep_alive() {
    // KATO in milliseconds, rounded up to the KAS granularity (§5.21.1.15); 0 stops the timer.
    const uint64_t kato_ms = feature(FeatureId::KeepAliveTimer);
    const uint64_t unit_ms = uint64_t{kKeepAliveGranularity} * 100;
    const uint64_t rounded_ms = (kato_ms + unit_ms - 1) / unit_ms * unit_ms;
    keep_alive_deadline_ns = kato_ms == 0 ? 0 : now_ns + rounded_ms * 1'000'000;
    ++keep_alive_generation;
}

void DeviceState::post_async_event(spec::AsyncEventType type, uint8_t info, uint8_t log_id) {
    // Events wait while no AER is outstanding; a bounded queue like a real controller's.
    if (async_events.size() < 64)
        async_events.push_back(spec::make_async_event_dw0(type, info, log_id));
}

bool DeviceState::save_persistent_state() {
    return store.save_state(persistent_state_json());
}

} // namespace nvmelab
