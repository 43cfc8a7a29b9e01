// The register table of NVMe 1.3 §3.1 (see register_table.h) and the meaning of field values.
#include "core/spec/register_table.h"

#include <fmt/format.h>

namespace nvmelab::spec {

const char *access_name(Access a) {
    switch (a) {
    case Access::ReadOnly:
        return "RO";
    case Access::ReadWrite:
        return "RW";
    case Access::Write1Set:
        return "RW1S";
    case Access::Write1Clear:
        return "RW1C";
    }
    return "?";
}

namespace {

using A = Access;

constexpr FieldInfo kCap[] = {
    {"MQES", 15, 0, "Maximum Queue Entries Supported",
     "Largest I/O queue the controller accepts, 0's based (MQES + 1 entries). The admin queue "
     "size comes from AQA instead.",
     A::ReadOnly, "§3.1.1"},
    {"CQR", 16, 16, "Contiguous Queues Required",
     "1: every I/O queue must be one physically contiguous buffer (Create I/O SQ/CQ with "
     "PC = 1).",
     A::ReadOnly, "§3.1.1"},
    {"AMS", 18, 17, "Arbitration Mechanism Supported",
     "Bit 0: weighted round robin with urgent priority class; bit 1: vendor specific. Round "
     "robin is always supported.",
     A::ReadOnly, "§3.1.1"},
    {"TO", 31, 24, "Timeout",
     "Worst-case time, in 500 ms units, the host should wait for CSTS.RDY to follow CC.EN.",
     A::ReadOnly, "§3.1.1"},
    {"DSTRD", 35, 32, "Doorbell Stride",
     "Doorbell registers are 2^(2 + DSTRD) bytes apart, starting at offset 1000h.", A::ReadOnly,
     "§3.1.1"},
    {"NSSRS", 36, 36, "NVM Subsystem Reset Supported",
     "1: writing \"NVMe\" (4E564D65h) to NSSR resets the whole NVM subsystem.", A::ReadOnly,
     "§3.1.1"},
    {"CSS", 44, 37, "Command Sets Supported", "Bit 0: the NVM command set.", A::ReadOnly, "§3.1.1"},
    {"BPS", 45, 45, "Boot Partition Support", "1: boot partitions (BPINFO, BPRSEL, BPMBL).",
     A::ReadOnly, "§3.1.1"},
    {"MPSMIN", 51, 48, "Memory Page Size Minimum",
     "Smallest host memory page the controller supports: 2^(12 + MPSMIN) bytes.", A::ReadOnly,
     "§3.1.1"},
    {"MPSMAX", 55, 52, "Memory Page Size Maximum",
     "Largest host memory page the controller supports: 2^(12 + MPSMAX) bytes.", A::ReadOnly,
     "§3.1.1"},
};

constexpr FieldInfo kVs[] = {
    {"MJR", 31, 16, "Major Version Number", "Major version of the NVMe specification.", A::ReadOnly,
     "§3.1.2"},
    {"MNR", 15, 8, "Minor Version Number", "Minor version of the NVMe specification.", A::ReadOnly,
     "§3.1.2"},
    {"TER", 7, 0, "Tertiary Version Number", "Tertiary version of the NVMe specification.",
     A::ReadOnly, "§3.1.2"},
};

constexpr FieldInfo kIntms[] = {
    {"IVMS", 31, 0, "Interrupt Vector Mask Set",
     "Writing 1 to bit n masks interrupt vector n; reading shows the current mask. Only used "
     "with pin-based or single-message MSI interrupts.",
     A::Write1Set, "§3.1.3"},
};

constexpr FieldInfo kIntmc[] = {
    {"IVMC", 31, 0, "Interrupt Vector Mask Clear",
     "Writing 1 to bit n unmasks interrupt vector n; reading shows the current mask.",
     A::Write1Clear, "§3.1.4"},
};

constexpr FieldInfo kCc[] = {
    {"EN", 0, 0, "Enable",
     "1: the controller processes commands once CSTS.RDY = 1. 1 -> 0 is a controller reset: "
     "all queues are deleted and commands in flight dropped.",
     A::ReadWrite, "§3.1.5"},
    {"CSS", 6, 4, "I/O Command Set Selected", "000b: the NVM command set. Set while EN = 0.",
     A::ReadWrite, "§3.1.5"},
    {"MPS", 10, 7, "Memory Page Size",
     "Host memory page size 2^(12 + MPS) bytes, used by PRP entries. Must lie within "
     "CAP.MPSMIN..MPSMAX; set while EN = 0.",
     A::ReadWrite, "§3.1.5"},
    {"AMS", 13, 11, "Arbitration Mechanism Selected",
     "000b round robin, 001b weighted round robin with urgent class (if CAP.AMS allows). Set "
     "while EN = 0.",
     A::ReadWrite, "§3.1.5"},
    {"SHN", 15, 14, "Shutdown Notification",
     "01b normal shutdown, 10b abrupt shutdown: the controller finishes up and reports "
     "CSTS.SHST = 10b.",
     A::ReadWrite, "§3.1.5"},
    {"IOSQES", 19, 16, "I/O Submission Queue Entry Size",
     "I/O SQ entries are 2^IOSQES bytes; NVMe 1.3 requires 6 (64 bytes) before I/O SQs are "
     "created.",
     A::ReadWrite, "§3.1.5"},
    {"IOCQES", 23, 20, "I/O Completion Queue Entry Size",
     "I/O CQ entries are 2^IOCQES bytes; NVMe 1.3 requires 4 (16 bytes) before I/O CQs are "
     "created.",
     A::ReadWrite, "§3.1.5"},
};

constexpr FieldInfo kCsts[] = {
    {"RDY", 0, 0, "Ready",
     "1: the controller is ready to process commands after CC.EN was set; 0 after CC.EN is "
     "cleared and the reset is done.",
     A::ReadOnly, "§3.1.6"},
    {"CFS", 1, 1, "Controller Fatal Status",
     "1: the controller hit a fatal error it cannot report in a completion (e.g. an invalid "
     "admin queue setup). Only a reset clears it.",
     A::ReadOnly, "§3.1.6"},
    {"SHST", 3, 2, "Shutdown Status",
     "00b normal operation, 01b shutdown processing, 10b shutdown complete.", A::ReadOnly,
     "§3.1.6"},
    {"NSSRO", 4, 4, "NVM Subsystem Reset Occurred",
     "1: an NVM subsystem reset happened since the host last cleared this bit (write 1 to "
     "clear).",
     A::Write1Clear, "§3.1.6"},
    {"PP", 5, 5, "Processing Paused", "1: the controller has paused command processing.",
     A::ReadOnly, "§3.1.6"},
};

constexpr FieldInfo kNssr[] = {
    {"NSSRC", 31, 0, "NVM Subsystem Reset Control",
     "Writing 4E564D65h (\"NVMe\") starts an NVM subsystem reset; reads return 0.", A::ReadWrite,
     "§3.1.7"},
};

constexpr FieldInfo kAqa[] = {
    {"ASQS", 11, 0, "Admin Submission Queue Size",
     "Admin SQ entries, 0's based (7 = 8 entries); at least 1. Set while CC.EN = 0.", A::ReadWrite,
     "§3.1.8"},
    {"ACQS", 27, 16, "Admin Completion Queue Size",
     "Admin CQ entries, 0's based; at least 1. Set while CC.EN = 0.", A::ReadWrite, "§3.1.8"},
};

constexpr FieldInfo kAsq[] = {
    {"ASQB", 63, 12, "Admin Submission Queue Base",
     "Host memory page of the admin SQ (bits 11:0 of the address are 0). Set while "
     "CC.EN = 0.",
     A::ReadWrite, "§3.1.9"},
};

constexpr FieldInfo kAcq[] = {
    {"ACQB", 63, 12, "Admin Completion Queue Base",
     "Host memory page of the admin CQ (bits 11:0 of the address are 0). Set while "
     "CC.EN = 0.",
     A::ReadWrite, "§3.1.10"},
};

constexpr FieldInfo kCmbloc[] = {
    {"BIR", 2, 0, "Base Indicator Register", "Which PCI BAR holds the Controller Memory Buffer.",
     A::ReadOnly, "§3.1.11"},
    {"OFST", 31, 12, "Offset", "Offset of the CMB in that BAR, in CMBSZ.SZU units.", A::ReadOnly,
     "§3.1.11"},
};

constexpr FieldInfo kCmbsz[] = {
    {"SQS", 0, 0, "Submission Queue Support", "1: SQs may live in the CMB.", A::ReadOnly,
     "§3.1.12"},
    {"CQS", 1, 1, "Completion Queue Support", "1: CQs may live in the CMB.", A::ReadOnly,
     "§3.1.12"},
    {"LISTS", 2, 2, "PRP SGL List Support", "1: PRP and SGL lists may live in the CMB.",
     A::ReadOnly, "§3.1.12"},
    {"RDS", 3, 3, "Read Data Support", "1: read data may be transferred into the CMB.", A::ReadOnly,
     "§3.1.12"},
    {"WDS", 4, 4, "Write Data Support", "1: write data may come from the CMB.", A::ReadOnly,
     "§3.1.12"},
    {"SZU", 11, 8, "Size Units", "Unit of SZ and OFST: 4 KiB * 16^SZU.", A::ReadOnly, "§3.1.12"},
    {"SZ", 31, 12, "Size", "CMB size in SZU units; 0 means there is no CMB.", A::ReadOnly,
     "§3.1.12"},
};

constexpr FieldInfo kBpinfo[] = {
    {"BPSZ", 14, 0, "Boot Partition Size", "Size of each boot partition in 128 KiB units.",
     A::ReadOnly, "§3.1.13"},
    {"BRS", 25, 24, "Boot Read Status",
     "00b no read, 01b read in progress, 10b read completed, 11b error.", A::ReadOnly, "§3.1.13"},
    {"ABPID", 31, 31, "Active Boot Partition ID", "The boot partition read at start-up.",
     A::ReadOnly, "§3.1.13"},
};

constexpr FieldInfo kBprsel[] = {
    {"BPRSZ", 9, 0, "Boot Partition Read Size", "Bytes to read, in 4 KiB units.", A::ReadWrite,
     "§3.1.14"},
    {"BPROF", 29, 10, "Boot Partition Read Offset", "Where to start reading, in 4 KiB units.",
     A::ReadWrite, "§3.1.14"},
    {"BPID", 31, 31, "Boot Partition Identifier", "Which boot partition to read.", A::ReadWrite,
     "§3.1.14"},
};

constexpr FieldInfo kBpmbl[] = {
    {"BMBBA", 63, 12, "Boot Partition Memory Buffer Base Address",
     "Host memory the boot partition is read into (4 KiB aligned).", A::ReadWrite, "§3.1.15"},
};

constexpr RegisterInfo kRegisters[] = {
    {"CAP", 0x00, true, "Controller Capabilities",
     "What the controller supports: queue sizes, arbitration, doorbell stride, page sizes, "
     "timeout.",
     "§3.1.1", true, true, false, kCap},
    {"VS", 0x08, false, "Version", "The NVMe specification version the controller follows.",
     "§3.1.2", true, true, false, kVs},
    {"INTMS", 0x0C, false, "Interrupt Mask Set",
     "Masks interrupt vectors (pin-based and MSI only; MSI-X masks live in the MSI-X table).",
     "§3.1.3", true, false, true, kIntms},
    {"INTMC", 0x10, false, "Interrupt Mask Clear", "Unmasks interrupt vectors.", "§3.1.4", true,
     false, true, kIntmc},
    {"CC", 0x14, false, "Controller Configuration",
     "How the host sets the controller up: enable, page size, arbitration, queue entry sizes, "
     "shutdown.",
     "§3.1.5", true, true, true, kCc},
    {"CSTS", 0x1C, false, "Controller Status",
     "Ready, fatal status and shutdown progress, as the controller reports them.", "§3.1.6", true,
     true, true, kCsts},
    {"NSSR", 0x20, false, "NVM Subsystem Reset",
     "Optional (CAP.NSSRS): resets the whole NVM subsystem.", "§3.1.7", true, false, true, kNssr},
    {"AQA", 0x24, false, "Admin Queue Attributes", "Sizes of the admin SQ and CQ.", "§3.1.8", true,
     true, true, kAqa},
    {"ASQ", 0x28, true, "Admin Submission Queue Base Address",
     "Where the admin SQ is in host memory.", "§3.1.9", true, false, true, kAsq},
    {"ACQ", 0x30, true, "Admin Completion Queue Base Address",
     "Where the admin CQ is in host memory.", "§3.1.10", true, false, true, kAcq},
    {"CMBLOC", 0x38, false, "Controller Memory Buffer Location",
     "Optional: where the Controller Memory Buffer is (this controller has none).", "§3.1.11",
     false, false, false, kCmbloc},
    {"CMBSZ", 0x3C, false, "Controller Memory Buffer Size",
     "Optional: size and uses of the Controller Memory Buffer; 0 = none.", "§3.1.12", false, false,
     false, kCmbsz},
    {"BPINFO", 0x40, false, "Boot Partition Information",
     "Optional (CAP.BPS): boot partition size and read status.", "§3.1.13", false, false, false,
     kBpinfo},
    {"BPRSEL", 0x44, false, "Boot Partition Read Select",
     "Optional (CAP.BPS): which part of a boot partition to read.", "§3.1.14", false, false, true,
     kBprsel},
    {"BPMBL", 0x48, true, "Boot Partition Memory Buffer Location",
     "Optional (CAP.BPS): host buffer for boot partition reads.", "§3.1.15", false, false, true,
     kBpmbl},
};

// ---- the table agrees with the spec views of nvme_spec.h -------------------------------------

constexpr const RegisterInfo *find_constexpr(std::string_view name) {
    for (const RegisterInfo &r : kRegisters)
        if (r.name == name) return &r;
    return nullptr;
}
constexpr bool offset_is(std::string_view name, Reg reg) {
    const RegisterInfo *r = find_constexpr(name);
    return r != nullptr && r->offset == static_cast<uint32_t>(reg);
}
static_assert(offset_is("CAP", Reg::Cap) && offset_is("VS", Reg::Vs) &&
              offset_is("INTMS", Reg::Intms) && offset_is("INTMC", Reg::Intmc) &&
              offset_is("CC", Reg::Cc) && offset_is("CSTS", Reg::Csts) &&
              offset_is("NSSR", Reg::Nssr) && offset_is("AQA", Reg::Aqa) &&
              offset_is("ASQ", Reg::Asq) && offset_is("ACQ", Reg::Acq) &&
              offset_is("CMBLOC", Reg::Cmbloc) && offset_is("CMBSZ", Reg::Cmbsz) &&
              offset_is("BPINFO", Reg::Bpinfo) && offset_is("BPRSEL", Reg::Bprsel) &&
              offset_is("BPMBL", Reg::Bpmbl));

// The field's bits in place, as the table has them; 0 when the field is missing.
constexpr uint64_t table_mask(std::string_view reg, std::string_view field) {
    const RegisterInfo *r = find_constexpr(reg);
    if (r == nullptr) return 0;
    for (const FieldInfo &f : r->fields)
        if (f.name == field) return f.mask();
    return 0;
}
// Each setter of a spec view, given all ones, sets exactly the bits the table names.
static_assert(CapReg{0}.set_mqes(0xFFFF).raw == table_mask("CAP", "MQES"));
static_assert(CapReg{0}.set_cqr(true).raw == table_mask("CAP", "CQR"));
static_assert(CapReg{0}.set_ams(3).raw == table_mask("CAP", "AMS"));
static_assert(CapReg{0}.set_to(0xFF).raw == table_mask("CAP", "TO"));
static_assert(CapReg{0}.set_dstrd(0xF).raw == table_mask("CAP", "DSTRD"));
static_assert(CapReg{0}.set_nssrs(true).raw == table_mask("CAP", "NSSRS"));
static_assert(CapReg{0}.set_css(0xFF).raw == table_mask("CAP", "CSS"));
static_assert(CapReg{0}.set_bps(true).raw == table_mask("CAP", "BPS"));
static_assert(CapReg{0}.set_mpsmin(0xF).raw == table_mask("CAP", "MPSMIN"));
static_assert(CapReg{0}.set_mpsmax(0xF).raw == table_mask("CAP", "MPSMAX"));
static_assert(CcReg{0}.set_en(true).raw == table_mask("CC", "EN"));
static_assert(CcReg{0}.set_css(7).raw == table_mask("CC", "CSS"));
static_assert(CcReg{0}.set_mps(0xF).raw == table_mask("CC", "MPS"));
static_assert(CcReg{0}.set_ams(7).raw == table_mask("CC", "AMS"));
static_assert(CcReg{0}.set_shn(3).raw == table_mask("CC", "SHN"));
static_assert(CcReg{0}.set_iosqes(0xF).raw == table_mask("CC", "IOSQES"));
static_assert(CcReg{0}.set_iocqes(0xF).raw == table_mask("CC", "IOCQES"));
static_assert(CstsReg{0}.set_rdy(true).raw == table_mask("CSTS", "RDY"));
static_assert(CstsReg{0}.set_cfs(true).raw == table_mask("CSTS", "CFS"));
static_assert(CstsReg{0}.set_shst(3).raw == table_mask("CSTS", "SHST"));
static_assert(CstsReg{0}.set_nssro(true).raw == table_mask("CSTS", "NSSRO"));
static_assert(CstsReg{0}.set_pp(true).raw == table_mask("CSTS", "PP"));
static_assert(AqaReg{0}.set_asqs(0xFFF).raw == table_mask("AQA", "ASQS"));
static_assert(AqaReg{0}.set_acqs(0xFFF).raw == table_mask("AQA", "ACQS"));
// CC's host-writable bits are exactly its fields (bits 3:1 and 31:24 are reserved in 1.3).
static_assert((table_mask("CC", "EN") | table_mask("CC", "CSS") | table_mask("CC", "MPS") |
               table_mask("CC", "AMS") | table_mask("CC", "SHN") | table_mask("CC", "IOSQES") |
               table_mask("CC", "IOCQES")) == CcReg::writable_mask());
// VS fields rebuild make_version's value.
static_assert(table_mask("VS", "MJR") == (make_version(0xFFFF, 0, 0)) &&
              table_mask("VS", "MNR") == make_version(0, 0xFF, 0) &&
              table_mask("VS", "TER") == make_version(0, 0, 0xFF));

constexpr DoorbellInfo kDoorbells{
    static_cast<uint32_t>(Reg::Doorbells),
    "SQ y Tail Doorbell at 1000h + (2y) * (4 << CAP.DSTRD), CQ y Head Doorbell at "
    "1000h + (2y + 1) * (4 << CAP.DSTRD).",
    "the host writes the new SQ tail here after placing commands in the queue.",
    "the host writes the new CQ head here after consuming completions, freeing their slots.",
    "§3.1.16, §3.1.17"};
static_assert(sq_tail_doorbell(0, 0) == kDoorbells.base && cq_head_doorbell(1, 0) == 0x100C &&
              sq_tail_doorbell(1, 2) == 0x1020);

const char *const kShn[] = {"no notification", "normal shutdown", "abrupt shutdown", "reserved"};
const char *const kShst[] = {"normal operation", "shutdown processing", "shutdown complete",
                             "reserved"};
const char *const kBrs[] = {"no read", "read in progress", "read completed", "error"};

std::string yes_no(uint64_t v) {
    return v ? "yes" : "no";
}

std::string entries(uint64_t n) {
    return fmt::format("{} entr{}", n, n == 1 ? "y" : "ies");
}

std::string bytes_text(uint64_t n) {
    if (n >= (uint64_t{1} << 20) && n % (uint64_t{1} << 20) == 0)
        return fmt::format("{} MiB", n >> 20);
    if (n >= 1024 && n % 1024 == 0) return fmt::format("{} KiB", n >> 10);
    return fmt::format("{} bytes", n);
}

} // namespace

const FieldInfo *RegisterInfo::find_field(std::string_view field_name) const {
    for (const FieldInfo &f : fields)
        if (f.name == field_name) return &f;
    return nullptr;
}

std::span<const RegisterInfo> registers() {
    return kRegisters;
}

const RegisterInfo *find_register(std::string_view name) {
    for (const RegisterInfo &r : kRegisters)
        if (r.name == name) return &r;
    return nullptr;
}

const RegisterInfo &register_info(Reg reg) {
    for (const RegisterInfo &r : kRegisters)
        if (r.id() == reg) return r;
    return kRegisters[0]; // unreachable for a Reg below the doorbells (static_asserts above)
}

const DoorbellInfo &doorbells() {
    return kDoorbells;
}

std::string field_meaning(const RegisterInfo &reg, const FieldInfo &field, uint64_t raw) {
    const uint64_t v = field.get(raw);
    const std::string_view r = reg.name;
    const std::string_view f = field.name;
    if (field.width() == 1 && !(r == "CC" && f == "EN") && r != "BPRSEL" && r != "BPINFO")
        return yes_no(v);
    if (r == "CAP") {
        if (f == "MQES") return entries(v + 1);
        if (f == "AMS")
            return (v & 1) != 0 ? "round robin, weighted round robin + urgent" : "round robin";
        if (f == "TO") return fmt::format("{} ms", v * 500);
        if (f == "DSTRD") return fmt::format("{} bytes apart", uint64_t{4} << v);
        if (f == "CSS") return (v & 1) != 0 ? "NVM command set" : "";
        if (f == "MPSMIN" || f == "MPSMAX") return bytes_text(uint64_t{4096} << v);
    }
    if (r == "VS") return "";
    if (r == "CC") {
        if (f == "EN") return v ? "enabled" : "disabled";
        if (f == "CSS") return v == 0 ? "NVM command set" : "reserved";
        if (f == "MPS") return bytes_text(uint64_t{4096} << v);
        if (f == "AMS")
            return v == 0   ? "round robin"
                   : v == 1 ? "weighted round robin + urgent"
                   : v == 7 ? "vendor specific"
                            : "reserved";
        if (f == "SHN") return kShn[v & 3];
        if (f == "IOSQES" || f == "IOCQES")
            return v == 0 ? "not set" : fmt::format("{} bytes", uint64_t{1} << v);
    }
    if (r == "CSTS" && f == "SHST") return kShst[v & 3];
    if (r == "AQA") return entries(v + 1);
    if (r == "ASQ" || r == "ACQ" || r == "BPMBL") return fmt::format("0x{:x}", v << 12);
    if (r == "NSSR") return v == kNssrResetValue ? "\"NVMe\": subsystem reset" : "";
    if (r == "INTMS" || r == "INTMC") return v == 0 ? "no vector masked" : "";
    if (r == "BPINFO") {
        if (f == "BPSZ") return bytes_text(v * 128 * 1024);
        if (f == "BRS") return kBrs[v & 3];
        return fmt::format("partition {}", v);
    }
    if (r == "BPRSEL") {
        if (f == "BPID") return fmt::format("partition {}", v);
        return bytes_text(v * 4096);
    }
    if (r == "CMBSZ" && f == "SZU")
        return v <= 6 ? bytes_text(uint64_t{4096} << (4 * v)) : "reserved";
    return "";
}

} // namespace nvmelab::spec
