// The features whose value travels in a data buffer: Timestamp (NVMe 1.3 §5.21.1.14) and Host
// Identifier (§5.21.1.26). Get/Set Features (admin_features.cpp) moves the bytes; this file
// says what they mean.
#include <algorithm>
#include <cstring>

#include "core/commands/feature_data.h"

namespace nvmelab::commands {

using spec::FeatureId;

namespace {
constexpr uint64_t kTimestampMask = (uint64_t{1} << 48) - 1; // bits 47:0, milliseconds
constexpr uint8_t fid_of(FeatureId f) {
    return static_cast<uint8_t>(f);
}
} // namespace

uint32_t feature_data_bytes(uint8_t fid) {
    return fid == fid_of(FeatureId::Timestamp) || fid == fid_of(FeatureId::HostIdentifier) ? 8 : 0;
}

void get_feature_data(const DeviceState &s, uint8_t fid, uint8_t sel, std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    if (sel != 0 || out.size() < 8) return; // default (and saved, not saveable): all zero
    if (fid == fid_of(FeatureId::Timestamp)) {
        // Bytes 5:0 the timestamp; byte 6: bit 0 Synch (0: the controller never stopped
        // counting; it has no non-operational power state), bits 3:1 Timestamp Origin (000b
        // zeroed by a Controller Level Reset, 001b set by the host).
        const uint64_t ms = s.timestamp_now_ms() & kTimestampMask;
        const uint64_t v = ms | (uint64_t{s.timestamp.set_by_host ? 1u : 0u} << 49);
        std::memcpy(out.data(), &v, 8);
    } else if (fid == fid_of(FeatureId::HostIdentifier)) {
        std::memcpy(out.data(), s.host_identifier.data(), 8);
    }
}

void set_feature_data(DeviceState &s, uint8_t fid, std::span<const uint8_t> in) {
    if (in.size() < 8) return;
    if (fid == fid_of(FeatureId::Timestamp)) {
        uint64_t v = 0;
        std::memcpy(&v, in.data(), 8);
        // Only bytes 5:0 carry the timestamp; the controller keeps counting from it.
        s.timestamp = DeviceState::Timestamp{
            .ms = v & kTimestampMask, .at_ns = s.now_ns, .set_by_host = true};
    } else if (fid == fid_of(FeatureId::HostIdentifier)) {
        std::memcpy(s.host_identifier.data(), in.data(), 8);
    }
}

} // namespace nvmelab::commands
