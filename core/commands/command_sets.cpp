// Opcode tables. Decode takes the admin set for SQ 0 and the set of the command's namespace for
// I/O SQs (an NvmNamespace answers nvm_command_set()). Another I/O command set (OCSSD 2.0) adds
// its own table here, and its namespace type returns it. Each handler's entry carries its
// effects, which the Commands Supported and Effects log (admin_log_page.cpp) reports.
#include <fmt/format.h>

#include "core/commands/handlers.h"

namespace nvmelab {

using spec::AdminOpcode;
using spec::NvmOpcode;

namespace {
constexpr uint8_t op(AdminOpcode o) {
    return static_cast<uint8_t>(o);
}
constexpr uint8_t op(NvmOpcode o) {
    return static_cast<uint8_t>(o);
}
} // namespace

const CommandSet &admin_command_set() {
    static const CommandSet set = [] {
        CommandSet s("admin", spec::CommandSetId::Admin);
        s.add(op(AdminOpcode::DeleteIoSq), commands::kDeleteIoSq);
        s.add(op(AdminOpcode::CreateIoSq), commands::kCreateIoSq);
        s.add(op(AdminOpcode::GetLogPage), commands::kGetLogPage);
        s.add(op(AdminOpcode::DeleteIoCq), commands::kDeleteIoCq);
        s.add(op(AdminOpcode::CreateIoCq), commands::kCreateIoCq);
        s.add(op(AdminOpcode::Identify), commands::kIdentify);
        s.add(op(AdminOpcode::SetFeatures), commands::kSetFeatures);
        s.add(op(AdminOpcode::GetFeatures), commands::kGetFeatures);
        s.add(op(AdminOpcode::Abort), commands::kAbort);
        s.add(op(AdminOpcode::AsyncEventRequest), commands::kAsyncEventRequest);
        s.add(op(AdminOpcode::KeepAlive), commands::kKeepAlive);
        s.add(op(AdminOpcode::FormatNvm), commands::kFormatNvm);
        // Vendor specific (OCSSD 2.0, OC §3): answers for OCSSD namespaces only.
        s.add(static_cast<uint8_t>(spec::ocssd::AdminOpcode::Geometry), commands::kOcssdGeometry);
        return s;
    }();
    return set;
}

const CommandSet &nvm_command_set() {
    static const CommandSet set = [] {
        CommandSet s("NVM", spec::CommandSetId::Nvm);
        s.add(op(NvmOpcode::Flush), commands::kFlush);
        s.add(op(NvmOpcode::Write), commands::kWrite);
        s.add(op(NvmOpcode::Read), commands::kRead);
        return s;
    }();
    return set;
}

// The I/O commands of an Open-Channel SSD 2.0 namespace (OC §7): Flush as on NVM, the scalar
// Read, Write and Dataset Management under the chunk rules, and the vector commands.
const CommandSet &ocssd_command_set() {
    static const CommandSet set = [] {
        using spec::ocssd::IoOpcode;
        const auto io = [](IoOpcode o) { return static_cast<uint8_t>(o); };
        CommandSet s("OCSSD", spec::CommandSetId::Ocssd);
        s.add(op(NvmOpcode::Flush), commands::kFlush);
        s.add(op(NvmOpcode::Write), commands::kOcssdWrite);
        s.add(op(NvmOpcode::Read), commands::kOcssdRead);
        s.add(op(NvmOpcode::DatasetManagement), commands::kOcssdDatasetManagement);
        s.add(io(IoOpcode::VectorReset), commands::kOcssdVectorReset);
        s.add(io(IoOpcode::VectorWrite), commands::kOcssdVectorWrite);
        s.add(io(IoOpcode::VectorRead), commands::kOcssdVectorRead);
        s.add(io(IoOpcode::VectorCopy), commands::kOcssdVectorCopy);
        return s;
    }();
    return set;
}

namespace commands {

spec::Status invalid_field(CommandContext &ctx, std::string field, uint64_t value, std::string rule,
                           std::string section, uint16_t location) {
    return ctx.fail(spec::generic(spec::GenericStatus::InvalidField, true), std::move(field), value,
                    std::move(rule), std::move(section), location);
}

spec::Status check_reserved(CommandContext &ctx, const char *field, uint32_t value,
                            uint32_t allowed_mask, std::string_view section, unsigned dword) {
    const uint32_t bad = value & ~allowed_mask;
    if (bad == 0) return spec::success();
    unsigned bit = 0;
    while (((bad >> bit) & 1u) == 0)
        ++bit;
    return invalid_field(
        ctx, field, value, fmt::format("reserved bits must be 0 (bit {} is set)", bit),
        std::string(section), spec::param_error_location(dword * 4 + bit / 8, bit % 8));
}

spec::Status check_read_write_dwords(CommandContext &ctx, bool write, const char *section) {
    const spec::Sqe &q = ctx.sqe;
    if (auto st = check_reserved(ctx, "CDW2", q.cdw2, 0, section, 2); !st.ok()) return st;
    if (auto st = check_reserved(ctx, "CDW3", q.cdw3, 0, section, 3); !st.ok()) return st;
    const uint32_t cdw12_defined = write ? 0xFCF0FFFFu : 0xFC00FFFFu;
    if (auto st = check_reserved(ctx, "CDW12", q.cdw12, cdw12_defined, section, 12); !st.ok())
        return st;
    const auto f = spec::ReadWriteFields::decode(q);
    if (write && f.dtype != 0)
        return invalid_field(ctx, "CDW12.DTYPE", f.dtype,
                             "directives are not supported (OACS bit 5 = 0)", section,
                             spec::param_error_location(50, 4));
    // DSPEC is only meaningful with a directive type, but the field is defined for Write.
    return check_reserved(ctx, "CDW13", q.cdw13, write ? 0xFFFF00FFu : 0x000000FFu, section, 13);
}

spec::Status check_reserved_dwords(CommandContext &ctx, int first, int last,
                                   const std::string &section) {
    for (int dw = first; dw <= last; ++dw) {
        const std::string field = fmt::format("CDW{}", dw);
        if (auto st = check_reserved(ctx, field.c_str(), ctx.sqe.cdw(dw), 0, section,
                                     static_cast<unsigned>(dw));
            !st.ok())
            return st;
    }
    return spec::success();
}

void set_data_out(CommandContext &ctx, uint64_t bytes) {
    ctx.direction = spec::DataDirection::ControllerToHost;
    ctx.transfer_bytes = bytes;
}

} // namespace commands
} // namespace nvmelab
