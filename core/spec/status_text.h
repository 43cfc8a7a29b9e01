// Human-readable names for NVMe 1.3 status codes, opcodes, features and log pages.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/spec/nvme_spec.h"

namespace nvmelab::spec {

// Name as nvme-cli / libnvme prints it (the part before the colon); "Unknown" if the
// code is not defined by NVMe 1.3. Any SCT 7 code is "Vendor Specific Status".
std::string_view status_name(uint8_t sct, uint8_t sc);

// One plain-language sentence explaining the status; "" when status_name() is "Unknown".
std::string_view status_description(uint8_t sct, uint8_t sc);

inline std::string_view status_name(const Status &s) {
    return status_name(s.sct, s.sc);
}
inline std::string_view status_description(const Status &s) {
    return status_description(s.sct, s.sc);
}

// The command sets whose opcodes NVMe 1.3 names: admin (§5) and NVM (§6); and the Open-Channel
// SSD 2.0 I/O command set (NVM's opcodes plus the vector commands 90h-93h).
enum class CommandSetId : uint8_t { Admin, Nvm, Ocssd };

// Spec names, or "" when the value is not defined in 1.3.
std::string_view admin_opcode_name(uint8_t opc);
std::string_view nvm_opcode_name(uint8_t opc);
// The name of an opcode in a command set. Which set a command is in depends on its queue and
// namespace: front ends ask Controller::command_name, which knows both.
std::string_view opcode_name(CommandSetId set, uint8_t opc);
// "admin", "NVM" or "OCSSD".
const char *command_set_name(CommandSetId set);
std::string_view feature_name(uint8_t fid);
std::string_view log_page_name(uint8_t lid);

} // namespace nvmelab::spec
