#pragma once
// Turning NVMe data structures into what the commands print: aligned "name : value" text like
// nvme-cli's normal output, JSON with nvme-cli's key names, or the raw bytes.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {
class Controller;
}

namespace nvmelab::cli {

// ---- Generic helpers (output.cpp) ----------------------------------------------------------

// Lines of "name : value" with the colons aligned.
class Table {
public:
    Table &add(std::string name, std::string value);
    std::string str() const;

private:
    std::vector<std::pair<std::string, std::string>> rows_;
};

// A fixed-size ASCII field: stops at a NUL, drops trailing spaces.
std::string trim_field(const char *text, size_t size);
// A little-endian 128-bit counter in decimal.
std::string u128_decimal(const uint8_t (&bytes)[16]);
// The same counter for JSON: an integer when it fits 64 bits, else a (rounded) double.
Json u128_json(const uint8_t (&bytes)[16]);
// Bytes as lowercase hex without separators.
std::string hex_string(std::span<const uint8_t> bytes);
// nvme-cli style hex dump: offset, 16 bytes, ASCII column.
std::string hex_dump(std::span<const uint8_t> bytes, uint64_t base_offset = 0);

// stdout writers (no std::cout mixing: everything goes through stdio).
void print_text(const std::string &text);
void print_json(const Json &j);
// Raw bytes to stdout; false on a write error (main() reports it, for every command).
bool write_binary(const void *data, size_t size);

// ---- Identify (print_identify.cpp) ---------------------------------------------------------

Json id_ctrl_json(const spec::IdentifyController &id);
std::string id_ctrl_text(const spec::IdentifyController &id);
Json id_ns_json(const spec::IdentifyNamespace &ns);
std::string id_ns_text(const spec::IdentifyNamespace &ns, uint32_t nsid);

// ---- Log pages (print_logs.cpp) ------------------------------------------------------------

Json smart_log_json(const spec::SmartLog &log);
std::string smart_log_text(const spec::SmartLog &log, uint32_t nsid);
Json error_log_json(std::span<const spec::ErrorLogEntry> entries);
std::string error_log_text(std::span<const spec::ErrorLogEntry> entries);
Json fw_log_json(const spec::FirmwareSlotLog &log);
std::string fw_log_text(const spec::FirmwareSlotLog &log);
// Commands Supported and Effects (4096 bytes: 256 admin entries, then 256 I/O entries), as
// nvme-cli's effects-log prints it: one line per supported opcode, decoded bits with -H.
Json effects_log_json(std::span<const uint8_t> raw);
std::string effects_log_text(std::span<const uint8_t> raw, bool human);

// ---- Controller registers (print_regs.cpp) -------------------------------------------------

// Every register of the register table (core/spec/register_table.h), in its order, as the
// host read it.
struct RegisterSnapshot {
    std::vector<uint64_t> values;
};
RegisterSnapshot read_registers(const Controller &ctrl);

Json regs_json(const RegisterSnapshot &r);
// With `human`, each register is followed by its decoded fields.
std::string regs_text(const RegisterSnapshot &r, bool human);

} // namespace nvmelab::cli
