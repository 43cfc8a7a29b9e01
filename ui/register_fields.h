#pragma once
// The controller registers of NVMe 1.3 §3.1 as data for the Registers window: every register
// with its fields, bit ranges, access and a one-sentence description, and the decoded meaning
// of a field's value. No ImGui here, so tests can check the tables.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nvmelab {
class Controller;
}

namespace nvmelab::ui {

enum class Access : uint8_t {
    ReadOnly,    // RO: host writes are ignored
    ReadWrite,   // RW
    Write1Set,   // RW1S: writing 1 sets, reading shows the current state (INTMS)
    Write1Clear, // RW1C: writing 1 clears (CSTS.NSSRO, INTMC)
};
const char *access_name(Access a);

struct FieldInfo {
    std::string_view name; // as the console names it, e.g. "EN"
    unsigned hi = 0;
    unsigned lo = 0;
    std::string_view title; // e.g. "Enable"
    std::string_view help;  // what it means, in a sentence or two
    Access access = Access::ReadOnly;

    unsigned width() const { return hi - lo + 1; }
    uint64_t max() const { return width() >= 64 ? ~uint64_t{0} : (uint64_t{1} << width()) - 1; }
    uint64_t get(uint64_t raw) const { return (raw >> lo) & max(); }
    uint64_t set(uint64_t raw, uint64_t value) const {
        const uint64_t mask = max() << lo;
        return (raw & ~mask) | ((value << lo) & mask);
    }
};

struct RegisterInfo {
    std::string_view name; // e.g. "CC"
    uint32_t offset = 0;
    bool wide = false; // 64-bit
    std::string_view title;
    std::string_view help;
    // True when the console knows the register (`reg write NAME`), and its fields by name.
    bool console = false;
    // True when a host may write some of it (the window offers editing then).
    bool writable = false;
    std::span<const FieldInfo> fields;
};

// All registers of the controller property space below the doorbells, in offset order.
std::span<const RegisterInfo> registers();
const RegisterInfo *find_register(std::string_view name);

// The register's current value as a host reads it.
uint64_t read_register(const Controller &ctrl, const RegisterInfo &reg);

// What a field's value means, e.g. "4096 bytes", "round robin", "yes"; "" when the number says
// it all.
std::string field_meaning(const RegisterInfo &reg, const FieldInfo &field, uint64_t raw);

} // namespace nvmelab::ui
