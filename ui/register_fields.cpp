#include "ui/register_fields.h"

#include <fmt/format.h>

#include "core/controller/controller.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab::ui {

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
     A::ReadOnly},
    {"CQR", 16, 16, "Contiguous Queues Required",
     "1: every I/O queue must be one physically contiguous buffer (Create I/O SQ/CQ with "
     "PC = 1).",
     A::ReadOnly},
    {"AMS", 18, 17, "Arbitration Mechanism Supported",
     "Bit 0: weighted round robin with urgent priority class; bit 1: vendor specific. Round "
     "robin is always supported.",
     A::ReadOnly},
    {"TO", 31, 24, "Timeout",
     "Worst-case time, in 500 ms units, the host should wait for CSTS.RDY to follow CC.EN.",
     A::ReadOnly},
    {"DSTRD", 35, 32, "Doorbell Stride",
     "Doorbell registers are 2^(2 + DSTRD) bytes apart, starting at offset 1000h.", A::ReadOnly},
    {"NSSRS", 36, 36, "NVM Subsystem Reset Supported",
     "1: writing \"NVMe\" (4E564D65h) to NSSR resets the whole NVM subsystem.", A::ReadOnly},
    {"CSS", 44, 37, "Command Sets Supported", "Bit 0: the NVM command set.", A::ReadOnly},
    {"BPS", 45, 45, "Boot Partition Support", "1: boot partitions (BPINFO, BPRSEL, BPMBL).",
     A::ReadOnly},
    {"MPSMIN", 51, 48, "Memory Page Size Minimum",
     "Smallest host memory page the controller supports: 2^(12 + MPSMIN) bytes.", A::ReadOnly},
    {"MPSMAX", 55, 52, "Memory Page Size Maximum",
     "Largest host memory page the controller supports: 2^(12 + MPSMAX) bytes.", A::ReadOnly},
};

constexpr FieldInfo kVs[] = {
    {"MJR", 31, 16, "Major Version Number", "Major version of the NVMe specification.",
     A::ReadOnly},
    {"MNR", 15, 8, "Minor Version Number", "Minor version of the NVMe specification.", A::ReadOnly},
    {"TER", 7, 0, "Tertiary Version Number", "Tertiary version of the NVMe specification.",
     A::ReadOnly},
};

constexpr FieldInfo kIntms[] = {
    {"IVMS", 31, 0, "Interrupt Vector Mask Set",
     "Writing 1 to bit n masks interrupt vector n; reading shows the current mask. Only used "
     "with pin-based or single-message MSI interrupts.",
     A::Write1Set},
};

constexpr FieldInfo kIntmc[] = {
    {"IVMC", 31, 0, "Interrupt Vector Mask Clear",
     "Writing 1 to bit n unmasks interrupt vector n; reading shows the current mask.",
     A::Write1Clear},
};

constexpr FieldInfo kCc[] = {
    {"EN", 0, 0, "Enable",
     "1: the controller processes commands once CSTS.RDY = 1. 1 -> 0 is a controller reset: "
     "all queues are deleted and commands in flight dropped.",
     A::ReadWrite},
    {"CSS", 6, 4, "I/O Command Set Selected", "000b: the NVM command set. Set while EN = 0.",
     A::ReadWrite},
    {"MPS", 10, 7, "Memory Page Size",
     "Host memory page size 2^(12 + MPS) bytes, used by PRP entries. Must lie within "
     "CAP.MPSMIN..MPSMAX; set while EN = 0.",
     A::ReadWrite},
    {"AMS", 13, 11, "Arbitration Mechanism Selected",
     "000b round robin, 001b weighted round robin with urgent class (if CAP.AMS allows). Set "
     "while EN = 0.",
     A::ReadWrite},
    {"SHN", 15, 14, "Shutdown Notification",
     "01b normal shutdown, 10b abrupt shutdown: the controller finishes up and reports "
     "CSTS.SHST = 10b.",
     A::ReadWrite},
    {"IOSQES", 19, 16, "I/O Submission Queue Entry Size",
     "I/O SQ entries are 2^IOSQES bytes; NVMe 1.3 requires 6 (64 bytes) before I/O SQs are "
     "created.",
     A::ReadWrite},
    {"IOCQES", 23, 20, "I/O Completion Queue Entry Size",
     "I/O CQ entries are 2^IOCQES bytes; NVMe 1.3 requires 4 (16 bytes) before I/O CQs are "
     "created.",
     A::ReadWrite},
};

constexpr FieldInfo kCsts[] = {
    {"RDY", 0, 0, "Ready",
     "1: the controller is ready to process commands after CC.EN was set; 0 after CC.EN is "
     "cleared and the reset is done.",
     A::ReadOnly},
    {"CFS", 1, 1, "Controller Fatal Status",
     "1: the controller hit a fatal error it cannot report in a completion (e.g. an invalid "
     "admin queue setup). Only a reset clears it.",
     A::ReadOnly},
    {"SHST", 3, 2, "Shutdown Status",
     "00b normal operation, 01b shutdown processing, 10b shutdown complete.", A::ReadOnly},
    {"NSSRO", 4, 4, "NVM Subsystem Reset Occurred",
     "1: an NVM subsystem reset happened since the host last cleared this bit (write 1 to "
     "clear).",
     A::Write1Clear},
    {"PP", 5, 5, "Processing Paused", "1: the controller has paused command processing.",
     A::ReadOnly},
};

constexpr FieldInfo kNssr[] = {
    {"NSSRC", 31, 0, "NVM Subsystem Reset Control",
     "Writing 4E564D65h (\"NVMe\") starts an NVM subsystem reset; reads return 0.", A::ReadWrite},
};

constexpr FieldInfo kAqa[] = {
    {"ASQS", 11, 0, "Admin Submission Queue Size",
     "Admin SQ entries, 0's based (7 = 8 entries); at least 1. Set while CC.EN = 0.", A::ReadWrite},
    {"ACQS", 27, 16, "Admin Completion Queue Size",
     "Admin CQ entries, 0's based; at least 1. Set while CC.EN = 0.", A::ReadWrite},
};

constexpr FieldInfo kAsq[] = {
    {"ASQB", 63, 12, "Admin Submission Queue Base",
     "Host memory page of the admin SQ (bits 11:0 of the address are 0). Set while "
     "CC.EN = 0.",
     A::ReadWrite},
};

constexpr FieldInfo kAcq[] = {
    {"ACQB", 63, 12, "Admin Completion Queue Base",
     "Host memory page of the admin CQ (bits 11:0 of the address are 0). Set while "
     "CC.EN = 0.",
     A::ReadWrite},
};

constexpr FieldInfo kCmbloc[] = {
    {"BIR", 2, 0, "Base Indicator Register", "Which PCI BAR holds the Controller Memory Buffer.",
     A::ReadOnly},
    {"OFST", 31, 12, "Offset", "Offset of the CMB in that BAR, in CMBSZ.SZU units.", A::ReadOnly},
};

constexpr FieldInfo kCmbsz[] = {
    {"SQS", 0, 0, "Submission Queue Support", "1: SQs may live in the CMB.", A::ReadOnly},
    {"CQS", 1, 1, "Completion Queue Support", "1: CQs may live in the CMB.", A::ReadOnly},
    {"LISTS", 2, 2, "PRP SGL List Support", "1: PRP and SGL lists may live in the CMB.",
     A::ReadOnly},
    {"RDS", 3, 3, "Read Data Support", "1: read data may be transferred into the CMB.",
     A::ReadOnly},
    {"WDS", 4, 4, "Write Data Support", "1: write data may come from the CMB.", A::ReadOnly},
    {"SZU", 11, 8, "Size Units", "Unit of SZ and OFST: 4 KiB * 16^SZU.", A::ReadOnly},
    {"SZ", 31, 12, "Size", "CMB size in SZU units; 0 means there is no CMB.", A::ReadOnly},
};

constexpr FieldInfo kBpinfo[] = {
    {"BPSZ", 14, 0, "Boot Partition Size", "Size of each boot partition in 128 KiB units.",
     A::ReadOnly},
    {"BRS", 25, 24, "Boot Read Status",
     "00b no read, 01b read in progress, 10b read completed, 11b error.", A::ReadOnly},
    {"ABPID", 31, 31, "Active Boot Partition ID", "The boot partition read at start-up.",
     A::ReadOnly},
};

constexpr FieldInfo kBprsel[] = {
    {"BPRSZ", 9, 0, "Boot Partition Read Size", "Bytes to read, in 4 KiB units.", A::ReadWrite},
    {"BPROF", 29, 10, "Boot Partition Read Offset", "Where to start reading, in 4 KiB units.",
     A::ReadWrite},
    {"BPID", 31, 31, "Boot Partition Identifier", "Which boot partition to read.", A::ReadWrite},
};

constexpr FieldInfo kBpmbl[] = {
    {"BMBBA", 63, 12, "Boot Partition Memory Buffer Base Address",
     "Host memory the boot partition is read into (4 KiB aligned).", A::ReadWrite},
};

using R = spec::Reg;
constexpr uint32_t off(R r) {
    return static_cast<uint32_t>(r);
}

const RegisterInfo kRegisters[] = {
    {"CAP", off(R::Cap), true, "Controller Capabilities",
     "What the controller supports: queue sizes, arbitration, doorbell stride, page sizes, "
     "timeout.",
     true, false, kCap},
    {"VS", off(R::Vs), false, "Version", "The NVMe specification version the controller follows.",
     true, false, kVs},
    {"INTMS", off(R::Intms), false, "Interrupt Mask Set",
     "Masks interrupt vectors (pin-based and MSI only; MSI-X masks live in the MSI-X table).", true,
     true, kIntms},
    {"INTMC", off(R::Intmc), false, "Interrupt Mask Clear", "Unmasks interrupt vectors.", true,
     true, kIntmc},
    {"CC", off(R::Cc), false, "Controller Configuration",
     "How the host sets the controller up: enable, page size, arbitration, queue entry sizes, "
     "shutdown.",
     true, true, kCc},
    {"CSTS", off(R::Csts), false, "Controller Status",
     "Ready, fatal status and shutdown progress, as the controller reports them.", true, true,
     kCsts},
    {"NSSR", off(R::Nssr), false, "NVM Subsystem Reset",
     "Optional (CAP.NSSRS): resets the whole NVM subsystem.", true, true, kNssr},
    {"AQA", off(R::Aqa), false, "Admin Queue Attributes", "Sizes of the admin SQ and CQ.", true,
     true, kAqa},
    {"ASQ", off(R::Asq), true, "Admin Submission Queue Base Address",
     "Where the admin SQ is in host memory.", true, true, kAsq},
    {"ACQ", off(R::Acq), true, "Admin Completion Queue Base Address",
     "Where the admin CQ is in host memory.", true, true, kAcq},
    {"CMBLOC", off(R::Cmbloc), false, "Controller Memory Buffer Location",
     "Optional: where the Controller Memory Buffer is (this controller has none).", false, false,
     kCmbloc},
    {"CMBSZ", off(R::Cmbsz), false, "Controller Memory Buffer Size",
     "Optional: size and uses of the Controller Memory Buffer; 0 = none.", false, false, kCmbsz},
    {"BPINFO", off(R::Bpinfo), false, "Boot Partition Information",
     "Optional (CAP.BPS): boot partition size and read status.", false, false, kBpinfo},
    {"BPRSEL", off(R::Bprsel), false, "Boot Partition Read Select",
     "Optional (CAP.BPS): which part of a boot partition to read.", false, false, kBprsel},
    {"BPMBL", off(R::Bpmbl), true, "Boot Partition Memory Buffer Location",
     "Optional (CAP.BPS): host buffer for boot partition reads.", false, false, kBpmbl},
};

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

std::span<const RegisterInfo> registers() {
    return kRegisters;
}

const RegisterInfo *find_register(std::string_view name) {
    for (const RegisterInfo &r : kRegisters)
        if (r.name == name) return &r;
    return nullptr;
}

uint64_t read_register(const Controller &ctrl, const RegisterInfo &reg) {
    return reg.wide ? ctrl.read64(reg.offset) : ctrl.read32(reg.offset);
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
    if (r == "NSSR") return v == spec::kNssrResetValue ? "\"NVMe\": subsystem reset" : "";
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

} // namespace nvmelab::ui
