#pragma once
// The controller registers of NVMe 1.3 §3.1 as data, read by every front end: the console's
// `reg` commands, the CLI's `show-regs -H` and the UI's Registers window. Each register has its
// offset, width, name and description; each field its bit range, access, meaning and section.
// register_table.cpp checks at compile time that offsets and bit ranges agree with the spec
// views of nvme_spec.h (Reg, CapReg, CcReg, CstsReg, AqaReg).
//
// To add a register or field: add a row here (register_table.cpp), keep the rows in offset
// order; if nvme_spec.h has a view for it, add a static_assert next to the others; the console,
// CLI and UI pick it up.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/spec/nvme_spec.h"

namespace nvmelab::spec {

enum class Access : uint8_t {
    ReadOnly,    // RO: host writes are ignored
    ReadWrite,   // RW
    Write1Set,   // RW1S: writing 1 sets, reading shows the current state (INTMS)
    Write1Clear, // RW1C: writing 1 clears (CSTS.NSSRO, INTMC)
};
// "RO", "RW", "RW1S", "RW1C" as the spec's register tables write them.
const char *access_name(Access a);

struct FieldInfo {
    std::string_view name; // as the spec and the console name it, e.g. "EN"
    unsigned hi = 0;
    unsigned lo = 0;
    std::string_view title; // the spec's name, e.g. "Enable"
    std::string_view help;  // what it means, in a sentence or two
    Access access = Access::ReadOnly;
    std::string_view section; // where the spec defines it, e.g. "§3.1.5"

    constexpr unsigned width() const { return hi - lo + 1; }
    constexpr uint64_t max() const {
        return width() >= 64 ? ~uint64_t{0} : (uint64_t{1} << width()) - 1;
    }
    // The field's bits in place, e.g. 0x0000C000 for CC.SHN.
    constexpr uint64_t mask() const { return max() << lo; }
    constexpr uint64_t get(uint64_t raw) const { return (raw >> lo) & max(); }
    constexpr uint64_t set(uint64_t raw, uint64_t value) const {
        return (raw & ~mask()) | ((value << lo) & mask());
    }
};

struct RegisterInfo {
    std::string_view name; // e.g. "CC"
    uint32_t offset = 0;   // in the controller's property space (BAR0)
    bool wide = false;     // 64 bits (else 32)
    std::string_view title;
    std::string_view help;
    std::string_view section;
    // The console knows the register (`reg read|write NAME`, `expect reg NAME`).
    bool console = false;
    // The console addresses its fields by name (`reg write CC.EN 1`); otherwise only the whole
    // register is read and written there.
    bool console_fields = false;
    // A host may write some of it (the UI offers editing then).
    bool writable = false;
    std::span<const FieldInfo> fields;

    constexpr unsigned bits() const { return wide ? 64 : 32; }
    constexpr Reg id() const { return static_cast<Reg>(offset); }
    const FieldInfo *find_field(std::string_view field_name) const;
};

// Every register of the property space below the doorbells (§3.1.1 - §3.1.15), in offset order.
std::span<const RegisterInfo> registers();
// By name as the table spells it ("CC"); nullptr when there is none.
const RegisterInfo *find_register(std::string_view name);
const RegisterInfo &register_info(Reg reg);

// The register's value as a host reads it; `mmio` is anything with read32/read64 (Controller).
template <typename Mmio> uint64_t read_register(const Mmio &mmio, const RegisterInfo &reg) {
    return reg.wide ? mmio.read64(reg.offset) : mmio.read32(reg.offset);
}

// What a field's value means, e.g. "4 KiB", "round robin", "yes"; "" when the number says it
// all.
std::string field_meaning(const RegisterInfo &reg, const FieldInfo &field, uint64_t raw);

// The doorbells (§3.1.16, §3.1.17): from 1000h, SQ y Tail Doorbell then CQ y Head Doorbell, each
// 4 << CAP.DSTRD bytes apart (sq_tail_doorbell / cq_head_doorbell in nvme_spec.h compute them).
struct DoorbellInfo {
    uint32_t base = 0;
    std::string_view rule;
    std::string_view sq_help;
    std::string_view cq_help;
    std::string_view section;
};
const DoorbellInfo &doorbells();

} // namespace nvmelab::spec
