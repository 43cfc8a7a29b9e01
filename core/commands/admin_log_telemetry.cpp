// Telemetry Host-Initiated and Controller-Initiated logs (NVMe 1.3 §5.14.1.7, §5.14.1.8).
// A header block, then data areas 1-3 in 512-byte blocks. The host captures new Host-Initiated
// data by reading log 07h with LSP bit 0 set; what it captures is this device's own, vendor
// defined snapshot of controller state (docs/spec-decisions.md lists the bytes). The controller
// never captures data of its own accord, so its log reports none available.
#include <cstring>

#include "core/commands/identity.h"
#include "core/commands/log_pages.h"

namespace nvmelab::commands {

namespace {
template <typename T> void put_le(std::vector<uint8_t> &v, size_t at, T value) {
    std::memcpy(v.data() + at, &value, sizeof value);
}

// Data area 1: one block describing the controller at the moment of capture.
std::vector<uint8_t> snapshot(const DeviceState &s) {
    std::vector<uint8_t> d(spec::kTelemetryBlock, 0);
    put_le<uint64_t>(d, 0, s.now_ns);
    put_le<uint64_t>(d, 8, s.cap.raw);
    put_le<uint32_t>(d, 16, s.vs);
    put_le<uint32_t>(d, 20, s.cc.raw);
    put_le<uint32_t>(d, 24, s.csts.raw);
    put_le<uint32_t>(d, 28, s.aqa.raw);
    put_le<uint64_t>(d, 32, s.asq);
    put_le<uint64_t>(d, 40, s.acq);
    uint16_t sqs = 0;
    uint16_t cqs = 0;
    for (size_t q = 1; q < s.sqs.size(); ++q)
        sqs = static_cast<uint16_t>(sqs + (s.sqs[q] ? 1 : 0));
    for (size_t q = 1; q < s.cqs.size(); ++q)
        cqs = static_cast<uint16_t>(cqs + (s.cqs[q] ? 1 : 0));
    put_le<uint16_t>(d, 48, sqs);
    put_le<uint16_t>(d, 50, cqs);
    put_le<uint32_t>(d, 52, static_cast<uint32_t>(s.namespaces.size()));
    put_le<uint64_t>(d, 56, s.error_count);
    d[64] = s.critical_warning();
    put_le<uint16_t>(d, 66, s.composite_temperature_k);
    put_le<uint64_t>(d, 72, s.health.host_read_commands);
    put_le<uint64_t>(d, 80, s.health.host_write_commands);
    return d;
}
} // namespace

uint64_t telemetry_log_size(const DeviceState &s, uint8_t lid, bool create) {
    if (lid == static_cast<uint8_t>(spec::LogId::TelemetryHostInitiated))
        return spec::kTelemetryBlock +
               (create ? spec::kTelemetryBlock : s.telemetry.host_data.size());
    return spec::kTelemetryBlock; // Controller-Initiated: the header only
}

void create_telemetry_host_data(DeviceState &s) {
    s.telemetry.host_data = snapshot(s);
    ++s.telemetry.host_generation; // wraps from FFh to 0 (§5.14.1.7)
}

std::vector<uint8_t> telemetry_log(const DeviceState &s, uint8_t lid) {
    const bool host = lid == static_cast<uint8_t>(spec::LogId::TelemetryHostInitiated);
    spec::TelemetryLogHeader h{};
    h.lid = lid;
    // IEEE OUI as in Identify Controller, least significant byte first.
    h.ieee[0] = kCompanyId[2];
    h.ieee[1] = kCompanyId[1];
    h.ieee[2] = kCompanyId[0];
    // Areas 2 and 3 are empty: they end where area 1 does (their last block is area 1's).
    const auto blocks =
        static_cast<uint16_t>(host ? s.telemetry.host_data.size() / spec::kTelemetryBlock : 0);
    h.data_area1_last_block = h.data_area2_last_block = h.data_area3_last_block = blocks;
    if (host) h.host_generation = s.telemetry.host_generation;
    h.controller_available = 0; // no Controller-Initiated data
    h.controller_generation = 0;
    const std::vector<uint8_t> &data = host ? s.telemetry.host_data : std::vector<uint8_t>{};
    std::vector<uint8_t> out(sizeof h + data.size());
    std::memcpy(out.data(), &h, sizeof h);
    if (!data.empty()) std::memcpy(out.data() + sizeof h, data.data(), data.size());
    return out;
}

} // namespace nvmelab::commands
