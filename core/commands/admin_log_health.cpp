// SMART / Health Information log (NVMe 1.3 §5.14.1.2), for the controller and per namespace.
#include <cstring>

#include "core/commands/log_pages.h"

namespace nvmelab::commands {

namespace {
void put_counter(uint8_t (&dst)[16], uint64_t v) {
    spec::put_u128(dst, v);
}
// Data units are thousands of 512-byte units, rounded up (§5.14.1.2).
uint64_t data_units(uint64_t units_of_512) {
    return (units_of_512 + 999) / 1000;
}
} // namespace

std::vector<uint8_t> smart_health_log(const DeviceState &s, uint32_t nsid) {
    const auto &h = s.health;
    spec::SmartLog log{};
    log.critical_warning = s.critical_warning();
    log.set_composite_temp(s.composite_temperature_k);
    log.available_spare = 100;
    log.available_spare_threshold = 10;
    log.percentage_used = 0;
    put_counter(log.data_units_read, data_units(h.data_units_read));
    put_counter(log.data_units_written, data_units(h.data_units_written));
    put_counter(log.host_read_commands, h.host_read_commands);
    put_counter(log.host_write_commands, h.host_write_commands);
    put_counter(log.controller_busy_time, h.busy_time_ns / 60'000'000'000ull);
    put_counter(log.power_cycles, h.power_cycles);
    put_counter(log.power_on_hours, s.power_on_ns() / 3'600'000'000'000ull);
    put_counter(log.unsafe_shutdowns, h.unsafe_shutdowns);
    put_counter(log.media_errors, h.media_errors);
    put_counter(log.num_error_log_entries, h.error_log_entries);
    log.temp_sensor[0] = s.composite_temperature_k;
    // Per namespace (LPA bit 0): the counters of that namespace's I/O; warnings, temperature,
    // spare, time and power figures belong to the controller and are reported as such.
    if (s.find_namespace(nsid) != nullptr) {
        const HealthCounters n =
            nsid <= s.namespace_health.size() ? s.namespace_health[nsid - 1] : HealthCounters{};
        put_counter(log.data_units_read, data_units(n.data_units_read));
        put_counter(log.data_units_written, data_units(n.data_units_written));
        put_counter(log.host_read_commands, n.host_read_commands);
        put_counter(log.host_write_commands, n.host_write_commands);
        put_counter(log.media_errors, n.media_errors);
    }
    std::vector<uint8_t> out(sizeof log);
    std::memcpy(out.data(), &log, sizeof log);
    return out;
}

} // namespace nvmelab::commands
