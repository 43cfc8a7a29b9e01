#pragma once
// What identifies this device to a host, shared by Identify and the logs that repeat it.
#include <array>
#include <cstdint>

namespace nvmelab::commands {

// The company identifier the EUI-64 starts with and Identify Controller IEEE reports: an IEEE
// CID, whose first octet has the local bit set and the group bit clear (02h), as an emulator
// with no registered OUI may use (QEMU uses 52-54-00 the same way).
inline constexpr std::array<uint8_t, 3> kCompanyId = {0x02, 0x6E, 0x76}; // 02-6E-76, "nv"

} // namespace nvmelab::commands
