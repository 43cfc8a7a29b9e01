#pragma once
// Features whose value is a data buffer rather than CDW11 (admin_features_data.cpp): Timestamp
// (§5.21.1.14, 8 bytes) and Host Identifier (§5.21.1.26, the 64-bit form: 8 bytes).
#include <cstdint>
#include <span>

#include "core/controller/device_state.h"

namespace nvmelab::commands {

// Bytes of data Get/Set Features moves for feature `fid`; 0 for a CDW11-only feature.
uint32_t feature_data_bytes(uint8_t fid);
// The value SEL selects (0 current, 1 default, 2 saved: neither is saveable, so the default).
void get_feature_data(const DeviceState &s, uint8_t fid, uint8_t sel, std::span<uint8_t> out);
void set_feature_data(DeviceState &s, uint8_t fid, std::span<const uint8_t> in);

} // namespace nvmelab::commands
