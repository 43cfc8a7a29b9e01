#pragma once
// Identify, log page and feature data decoded field by field, shared by every front end: the CLI
// prints `name : value` tables from these rows (nvme-cli's key names and value formats), the
// UI shows them with the meaning and a description, and the console decodes feature values
// with the same words. No I/O, no UI: plain strings.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/spec/nvme_spec.h"

namespace nvmelab::spec {

struct DecodedField {
    std::string name;      // nvme-cli's key ("mdts", "ps    0", "lbaf  0")
    std::string value;     // as nvme-cli prints it ("0x1b36", "5")
    std::string meaning;   // in words for a learner ("max transfer 128 KiB"); may be empty
    const char *help = ""; // the field's full name and what it is for (NVMe 1.3 section)
};

// Identify Controller (§5.15, Figure 109). min_page_bytes is CAP.MPSMIN's page size, which
// MDTS is in units of.
std::vector<DecodedField> identify_controller_fields(const IdentifyController &id,
                                                     uint64_t min_page_bytes = 4096);
// Identify Namespace (§5.15, Figure 114).
std::vector<DecodedField> identify_namespace_fields(const IdentifyNamespace &ns);
// SMART / Health Information log (§5.14.1.2, Figure 94).
std::vector<DecodedField> smart_log_fields(const SmartLog &log);
// One Error Information log entry (§5.14.1.1, Figure 93).
std::vector<DecodedField> error_log_entry_fields(const ErrorLogEntry &e);
// Firmware Slot Information log (§5.14.1.3, Figure 95).
std::vector<DecodedField> firmware_slot_fields(const FirmwareSlotLog &log);

// A feature value (Get Features CQE DW0 / Set Features CDW11) in words, e.g. "WCE=1" for the
// Volatile Write Cache (§5.21.1); "" for features it does not know.
std::string feature_value_text(uint8_t fid, uint32_t value);
// The features the UI and lessons read back: the ones feature_value_text decodes.
std::span<const uint8_t> decoded_feature_ids();

// Names of the set bits of v, bit 0 first ("none" when no named bit is set).
std::string bit_names(uint32_t v, std::initializer_list<std::string_view> names);
// A fixed-size ASCII field: stops at a NUL, drops trailing spaces.
std::string ascii_field(const char *text, size_t size);
// A little-endian 128-bit counter in decimal.
std::string u128_decimal(const uint8_t (&bytes)[16]);
// Bytes as lowercase hex without separators.
std::string hex_bytes(std::span<const uint8_t> bytes);
// "4 KiB", "1536 KiB": the largest binary unit that divides the size exactly.
std::string size_text(uint64_t bytes);

} // namespace nvmelab::spec
