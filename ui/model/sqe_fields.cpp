// SQE decoding for the inspector (see sqe_fields.h).
#include "ui/model/sqe_fields.h"

#include <fmt/format.h>

#include "core/spec/status_text.h"

namespace nvmelab::ui {

namespace {

using Fields = std::vector<spec::DecodedField>;

void add(Fields &f, std::string name, std::string value, std::string meaning,
         const char *help = "") {
    f.push_back({std::move(name), std::move(value), std::move(meaning), help});
}

std::string hex(uint64_t v) {
    return fmt::format("0x{:x}", v);
}

const char *cns_name(uint8_t cns) {
    switch (cns) {
    case 0x00:
        return "Identify Namespace";
    case 0x01:
        return "Identify Controller";
    case 0x02:
        return "Active Namespace ID list";
    case 0x03:
        return "Namespace Identification Descriptor list";
    default:
        return "other / reserved CNS";
    }
}

const char *qprio_name(uint8_t p) {
    constexpr const char *names[] = {"urgent", "high", "medium", "low"};
    return names[p & 3];
}

void admin_dwords(Fields &f, const spec::Sqe &s) {
    using A = spec::AdminOpcode;
    switch (static_cast<A>(s.opc)) {
    case A::CreateIoCq: {
        const auto c = spec::CreateIoCqFields::decode(s);
        add(f, "CDW10.QID", fmt::format("{}", c.qid), "queue id to create", "Queue Identifier.");
        add(f, "CDW10.QSIZE", fmt::format("{}", c.qsize), fmt::format("{} entries", c.qsize + 1u),
            "Queue Size, 0's based; at most CAP.MQES.");
        add(f, "CDW11.PC", c.pc ? "1" : "0", c.pc ? "physically contiguous" : "PRP list",
            "Physically Contiguous (PRP1 is the queue's base).");
        add(f, "CDW11.IEN", c.ien ? "1" : "0", c.ien ? "interrupts on" : "polled",
            "Interrupts Enabled.");
        add(f, "CDW11.IV", fmt::format("{}", c.iv), "MSI-X vector", "Interrupt Vector.");
        return;
    }
    case A::CreateIoSq: {
        const auto c = spec::CreateIoSqFields::decode(s);
        add(f, "CDW10.QID", fmt::format("{}", c.qid), "queue id to create", "Queue Identifier.");
        add(f, "CDW10.QSIZE", fmt::format("{}", c.qsize), fmt::format("{} entries", c.qsize + 1u),
            "Queue Size, 0's based; at most CAP.MQES.");
        add(f, "CDW11.PC", c.pc ? "1" : "0", c.pc ? "physically contiguous" : "PRP list",
            "Physically Contiguous.");
        add(f, "CDW11.QPRIO", fmt::format("{}", c.qprio), qprio_name(c.qprio),
            "Queue Priority for weighted round robin arbitration (§4.11).");
        add(f, "CDW11.CQID", fmt::format("{}", c.cqid), "its completion queue",
            "Completion Queue Identifier; that CQ must exist.");
        return;
    }
    case A::DeleteIoSq:
    case A::DeleteIoCq:
        add(f, "CDW10.QID", fmt::format("{}", spec::DeleteIoQueueFields::decode(s).qid),
            "queue id to delete", "Queue Identifier.");
        return;
    case A::Identify: {
        const auto c = spec::IdentifyFields::decode(s);
        add(f, "CDW10.CNS", hex(c.cns), cns_name(c.cns), "Controller or Namespace Structure.");
        add(f, "CDW10.CNTID", fmt::format("{}", c.cntid), "", "Controller Identifier.");
        return;
    }
    case A::Abort: {
        const auto c = spec::AbortFields::decode(s);
        add(f, "CDW10.SQID", fmt::format("{}", c.sqid), "queue of the command to abort",
            "Submission Queue Identifier.");
        add(f, "CDW10.CID", fmt::format("{}", c.cid), "command to abort", "Command Identifier.");
        return;
    }
    case A::GetLogPage: {
        const auto c = spec::GetLogPageFields::decode(s);
        const std::string_view name = spec::log_page_name(c.lid);
        add(f, "CDW10.LID", hex(c.lid), std::string(name), "Log Page Identifier.");
        add(f, "CDW10.LSP", fmt::format("{}", c.lsp), "", "Log Specific Field.");
        add(f, "CDW10.RAE", c.rae ? "1" : "0", c.rae ? "keep the event" : "clear the event",
            "Retain Asynchronous Event.");
        add(f, "NUMD", fmt::format("{}", c.numd()), fmt::format("{} bytes", c.length_bytes()),
            "Number of Dwords (NUMDU:NUMDL), 0's based.");
        add(f, "LPO", fmt::format("{}", c.offset()), "byte offset into the log",
            "Log Page Offset (CDW13:CDW12), dword aligned.");
        return;
    }
    case A::GetFeatures: {
        const auto c = spec::GetFeaturesFields::decode(s);
        constexpr const char *sels[] = {"current",  "default",  "saved",    "supported",
                                        "reserved", "reserved", "reserved", "reserved"};
        add(f, "CDW10.FID", hex(c.fid), std::string(spec::feature_name(c.fid)),
            "Feature Identifier.");
        add(f, "CDW10.SEL", fmt::format("{}", c.sel), sels[c.sel & 7], "Select.");
        add(f, "CDW11", hex(s.cdw11), "", "Feature specific.");
        return;
    }
    case A::SetFeatures: {
        const auto c = spec::SetFeaturesFields::decode(s);
        add(f, "CDW10.FID", hex(c.fid), std::string(spec::feature_name(c.fid)),
            "Feature Identifier.");
        add(f, "CDW10.SV", c.sv ? "1" : "0", c.sv ? "save across power cycles" : "",
            "Save: keep the value across power cycles (needs saveable).");
        add(f, "CDW11", hex(s.cdw11), spec::feature_value_text(c.fid, s.cdw11),
            "The feature's new value.");
        return;
    }
    default:
        break;
    }
    for (int n = 10; n <= 15; ++n)
        add(f, fmt::format("CDW{}", n), hex(s.cdw(n)), "", "Command specific.");
}

void nvm_dwords(Fields &f, const spec::Sqe &s) {
    using N = spec::NvmOpcode;
    switch (static_cast<N>(s.opc)) {
    case N::Read:
    case N::Write:
    case N::Compare:
    case N::WriteZeroes:
    case N::WriteUncorrectable: {
        const auto c = spec::ReadWriteFields::decode(s);
        add(f, "SLBA", fmt::format("{}", c.slba), "first block",
            "Starting LBA (CDW11:CDW10), 64 bits.");
        add(f, "CDW12.NLB", fmt::format("{}", c.nlb), fmt::format("{} block(s)", c.block_count()),
            "Number of Logical Blocks, 0's based.");
        add(f, "CDW12.FUA", c.fua ? "1" : "0", c.fua ? "straight to the media" : "may be cached",
            "Force Unit Access: the data must reach non-volatile media before completion.");
        add(f, "CDW12.LR", c.lr ? "1" : "0", "", "Limited Retry.");
        add(f, "CDW12.PRINFO", hex(c.prinfo), "", "Protection Information field.");
        add(f, "CDW13.DSM", hex(c.dsm), "", "Dataset Management hints.");
        return;
    }
    case N::Flush:
        add(f, "CDW10..15", "-", "none: Flush has no command dwords",
            "Flush commits the volatile write cache of NSID to the media (§6.8).");
        return;
    case N::DatasetManagement: {
        const auto c = spec::DatasetManagementFields::decode(s);
        add(f, "CDW10.NR", fmt::format("{}", c.nr), fmt::format("{} range(s)", c.nr + 1u),
            "Number of Ranges, 0's based.");
        add(f, "CDW11.AD", c.ad ? "1" : "0", c.ad ? "deallocate" : "", "Attribute Deallocate.");
        return;
    }
    default:
        break;
    }
    for (int n = 10; n <= 15; ++n)
        add(f, fmt::format("CDW{}", n), hex(s.cdw(n)), "", "Command specific.");
}

} // namespace

std::vector<spec::DecodedField> sqe_fields(const spec::Sqe &s, spec::CommandSetId set) {
    Fields f;
    const bool admin = set == spec::CommandSetId::Admin;
    const std::string_view name = spec::opcode_name(set, s.opc);
    add(f, "CDW0.OPC", fmt::format("0x{:02x}", s.opc),
        name.empty() ? std::string("unknown opcode") : std::string(name),
        admin ? "Opcode, from the admin command set (SQ 0)."
              : "Opcode, from the NVM command set (I/O SQs).");
    constexpr const char *fuses[] = {"normal", "fused: first", "fused: second", "reserved"};
    add(f, "CDW0.FUSE", fmt::format("{}", s.fuse()), fuses[s.fuse() & 3], "Fused Operation.");
    add(f, "CDW0.PSDT", fmt::format("{}", s.psdt()), s.psdt() == 0 ? "PRPs" : "SGLs",
        "PRP or SGL for Data Transfer.");
    add(f, "CDW0.CID", fmt::format("{}", s.cid), "echoed in the CQE",
        "Command Identifier, unique among the SQ's outstanding commands.");
    add(f, "NSID", hex(s.nsid),
        s.nsid == 0xFFFFFFFF ? std::string("all namespaces")
        : s.nsid == 0        ? std::string("no namespace")
                             : fmt::format("namespace {}", s.nsid),
        "Namespace Identifier.");
    add(f, "MPTR", hex(s.mptr), s.mptr ? "" : "no metadata", "Metadata Pointer.");
    add(f, "PRP1", hex(s.prp1), fmt::format("offset 0x{:x} in its page", s.prp1 & 0xFFF),
        "PRP Entry 1: the first data page; may start at an offset.");
    add(f, "PRP2", hex(s.prp2), "second page or PRP list (see Data path)",
        "PRP Entry 2: the second page, or a PRP list when the data spans more than two pages.");
    if (admin)
        admin_dwords(f, s);
    else
        nvm_dwords(f, s);
    return f;
}

} // namespace nvmelab::ui
