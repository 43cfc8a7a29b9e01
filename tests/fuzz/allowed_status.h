#pragma once
// The completion statuses NVMe 1.3 allows for each command, written from the reference sheet
// (/work/shared/reference/nvme-1.3.md §8 "Status codes", §2 and §3 command tables, §4), not
// from the controller's own status list, so a status the code invents for a command is caught.
//
// Rules (NVMe 1.3 §4.6.1.2):
// - Generic Command Status (SCT 0, 00h-1Eh) may complete any command.
// - NVM Command Set generic statuses (SCT 0, 80h-84h) belong to I/O commands.
// - Command Specific Status (SCT 1) values are allowed only for the commands their table
//   names (Figure "Command Specific Status Values" and the NVM command set's 80h-82h).
// - Media and Data Integrity Errors (SCT 2, 80h-87h) belong to NVM I/O commands.
// - An opcode the spec does not define for the queue's command set gets Invalid Command Opcode
//   (SCT 0 SC 01h). The statuses that say why a command was stopped before it ran (Command ID
//   Conflict, Abort Requested, SQ Deletion, Power Loss) or that its reserved CDW0 fields
//   (FUSE, PSDT) are wrong (Invalid Field) may come first: the spec does not order these checks.
#include <cstdint>
#include <initializer_list>
#include <string>

#include <fmt/format.h>

#include "core/spec/nvme_spec.h"

namespace nvmelab::fuzz {

namespace detail {
inline bool one_of(uint8_t v, std::initializer_list<uint8_t> list) {
    for (uint8_t x : list)
        if (x == v) return true;
    return false;
}

// Admin opcodes NVMe 1.3 defines (reference §3); C0h-FFh are vendor specific.
inline bool admin_opcode_defined(uint8_t opc) {
    return one_of(opc,
                  {0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x10, 0x11,
                   0x14, 0x15, 0x18, 0x19, 0x1A, 0x1C, 0x1D, 0x1E, 0x7C, 0x80, 0x81, 0x82, 0x84}) ||
           opc >= 0xC0;
}

// NVM command set I/O opcodes (reference §4); 80h-FFh are vendor specific.
inline bool io_opcode_defined(uint8_t opc) {
    return one_of(opc, {0x00, 0x01, 0x02, 0x04, 0x05, 0x08, 0x09, 0x0D, 0x0E, 0x11, 0x15}) ||
           opc >= 0x80;
}

// Command Specific Status values (SCT 1) each admin command may return (reference §8 table,
// with the commands it names; §2 for the queue commands, §3 for Abort and the others).
inline bool admin_command_specific_allowed(uint8_t opc, uint8_t sc) {
    switch (opc) {
    case 0x00: // Delete I/O SQ
        return sc == 0x01;
    case 0x01: // Create I/O SQ
        return one_of(sc, {0x00, 0x01, 0x02});
    case 0x02: // Get Log Page
        return sc == 0x09;
    case 0x04: // Delete I/O CQ
        return one_of(sc, {0x01, 0x0C});
    case 0x05: // Create I/O CQ
        return one_of(sc, {0x01, 0x02, 0x08});
    case 0x08: // Abort
        return sc == 0x03;
    case 0x09: // Set Features
        return one_of(sc, {0x0D, 0x0E, 0x0F});
    case 0x0A: // Get Features (a controller-wide feature asked with a namespace)
        return sc == 0x0F;
    case 0x0C: // Asynchronous Event Request
        return sc == 0x05;
    case 0x0D: // Namespace Management
        return one_of(sc, {0x0A, 0x15, 0x16, 0x1B});
    case 0x10: // Firmware Commit
        return one_of(sc, {0x06, 0x07, 0x0B, 0x10, 0x11, 0x12, 0x13, 0x14, 0x1E});
    case 0x11: // Firmware Image Download
        return one_of(sc, {0x07, 0x14});
    case 0x14: // Device Self-test
        return sc == 0x1D;
    case 0x15: // Namespace Attachment
        return one_of(sc, {0x18, 0x19, 0x1A, 0x1C});
    case 0x1C: // Virtualization Management
        return one_of(sc, {0x1F, 0x20, 0x21, 0x22});
    case 0x80: // Format NVM
        return sc == 0x0A;
    default:
        return false;
    }
}

// NVM command set specific statuses (SCT 1, reference §8): 80h Conflicting Attributes
// (DSM, Read, Write), 81h Invalid Protection Information (Compare, Read, Write, Write Zeroes),
// 82h Attempted Write to Read Only Range (DSM, Write, Write Uncorrectable, Write Zeroes).
inline bool io_command_specific_allowed(uint8_t opc, uint8_t sc) {
    switch (sc) {
    case 0x80:
        return one_of(opc, {0x09, 0x02, 0x01});
    case 0x81:
        return one_of(opc, {0x05, 0x02, 0x01, 0x08});
    case 0x82:
        return one_of(opc, {0x09, 0x01, 0x04, 0x08});
    default:
        return false;
    }
}

inline bool generic_any_command(uint8_t sc) {
    return sc <= 0x1E && sc != 0x17; // 17h is reserved
}
} // namespace detail

// "" when a completion with this status may end this command, else why not.
inline std::string status_violation(bool admin_queue, const spec::Sqe &sqe, uint16_t field) {
    const spec::Status st = spec::Status::from_field(field);
    const uint8_t opc = sqe.opc;
    const bool defined =
        admin_queue ? detail::admin_opcode_defined(opc) : detail::io_opcode_defined(opc);
    const char *queue = admin_queue ? "admin" : "I/O";
    auto bad = [&](const char *rule) {
        return fmt::format("{} opcode 0x{:02x} completed with SCT {} SC 0x{:02x} (field 0x{:04x}): "
                           "{}",
                           queue, opc, st.sct, st.sc, field, rule);
    };
    if (!defined) {
        if (st.sct == 0 && st.sc == 0x01) return "";
        if (st.sct == 0 && detail::one_of(st.sc, {0x03, 0x05, 0x07, 0x08})) return "";
        if (st.sct == 0 && st.sc == 0x02 && (sqe.fuse() != 0 || sqe.psdt() != 0)) return "";
        return bad("an opcode NVMe 1.3 does not define must get Invalid Command Opcode");
    }
    switch (st.sct) {
    case 0:
        if (detail::generic_any_command(st.sc)) return "";
        if (st.sc >= 0x80 && st.sc <= 0x84 && !admin_queue) return "";
        return bad("not a generic status this command may get (§8 Generic)");
    case 1:
        if (admin_queue ? detail::admin_command_specific_allowed(opc, st.sc)
                        : detail::io_command_specific_allowed(opc, st.sc))
            return "";
        return bad("not a command specific status of this command (§8 Command specific)");
    case 2:
        if (!admin_queue && st.sc >= 0x80 && st.sc <= 0x87) return "";
        return bad("media errors belong to NVM I/O commands (§8 Media and Data Integrity)");
    default:
        return bad("status code type not defined by NVMe 1.3");
    }
}

} // namespace nvmelab::fuzz
