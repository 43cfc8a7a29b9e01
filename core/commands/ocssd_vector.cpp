// Open-Channel SSD 2.0 vector commands (OC §7 of ../shared/reference/ocssd-2.0.md): Vector
// Chunk Reset (90h), Write (91h), Read (92h) and Copy (93h). Each carries a list of up to 64
// LBAs: CDW12 NLB (0's based, bits 5:0) + 1 entries, the LBA itself in CDW10-11 when there is
// one, else read from the 64-bit address there through the DMA service. Entries are processed
// one by one under the chunk rules (ocssd_chunk_rules.cpp); CQE DW0-1 carry a bitmap with the
// bit of each failed entry, and the status is that of the first entry that failed.
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/commands/ocssd_chunk_rules.h"
#include "core/controller/dma.h"

namespace nvmelab::commands {

namespace {
using spec::ocssd::VectorFields;

constexpr const char *kResetSection = "OCSSD 2.0 Vector Chunk Reset (90h)";
constexpr const char *kWriteSection = "OCSSD 2.0 Vector Chunk Write (91h)";
constexpr const char *kReadSection = "OCSSD 2.0 Vector Chunk Read (92h)";
constexpr const char *kCopySection = "OCSSD 2.0 Vector Chunk Copy (93h)";

enum class Vector : uint8_t { Reset, Write, Read, Copy };

const char *section_of(Vector v) {
    switch (v) {
    case Vector::Reset:
        return kResetSection;
    case Vector::Write:
        return kWriteSection;
    case Vector::Read:
        return kReadSection;
    case Vector::Copy:
        return kCopySection;
    }
    return "";
}

// Reads an LBA list: `count` entries, the value itself when there is one, else from host
// memory at that address (OC §7).
spec::Status read_lba_list(DeviceState &s, CommandContext &ctx, uint64_t value, uint32_t count,
                           std::vector<uint64_t> &out, const char *field, unsigned dword,
                           const char *section) {
    out.assign(count, 0);
    if (count == 1) {
        out[0] = value;
        return spec::success();
    }
    std::span<uint8_t> bytes(reinterpret_cast<uint8_t *>(out.data()), count * sizeof(uint64_t));
    const std::optional<uint64_t> cost = Dma(s).read_host(ctx, value, bytes);
    if (!cost)
        return ctx.fail(spec::generic(spec::GenericStatus::DataTransferError), field, value,
                        fmt::format("the list of {} LBAs ({} bytes) is not in mapped host memory",
                                    count, bytes.size()),
                        section, spec::param_error_location(dword * 4, 0));
    ctx.lba_list_ns += *cost;
    return spec::success();
}

spec::Status prepare_vector(DeviceState &s, CommandContext &ctx, Vector kind) {
    const char *section = section_of(kind);
    const spec::Sqe &q = ctx.sqe;
    if (auto st = check_reserved(ctx, "CDW2", q.cdw2, 0, section, 2); !st.ok()) return st;
    if (auto st = check_reserved(ctx, "CDW3", q.cdw3, 0, section, 3); !st.ok()) return st;
    // CDW12: NLB 5:0, FUA 30, LR 31. NLB is 6 bits, so at most 64 entries (OC §7); a larger
    // count (QEMU reads 15:0) shows up as a reserved bit.
    if (auto st = check_reserved(ctx, "CDW12", q.cdw12, VectorFields::kCdw12Defined, section, 12);
        !st.ok())
        return st;
    if (auto st = check_reserved(ctx, "CDW13", q.cdw13, 0, section, 13); !st.ok()) return st;
    if (kind != Vector::Copy) {
        if (auto st = check_reserved(ctx, "CDW14", q.cdw14, 0, section, 14); !st.ok()) return st;
        if (auto st = check_reserved(ctx, "CDW15", q.cdw15, 0, section, 15); !st.ok()) return st;
    }
    OcssdNamespace &ns = *s.find_ocssd_namespace(q.nsid);
    if (kind == Vector::Copy && (ns.params().mccap & spec::ocssd::mccap::kVectorCopy) == 0)
        return ctx.fail(spec::generic(spec::GenericStatus::InvalidOpcode, true), "CDW0.OPC", q.opc,
                        "Vector Chunk Copy is not supported: Geometry MCCAP bit 0 is 0 (property "
                        "mccap)",
                        section, spec::param_error_location(0, 0));
    const auto f = VectorFields::decode(q);
    const uint32_t count = f.nlb + 1;
    ctx.lba_list_ns = 0;
    if (auto st = read_lba_list(s, ctx, f.lbal, count, ctx.lba_list, "CDW10/11.LBAL", 40, section);
        !st.ok())
        return st;
    ctx.lba_list_dst.clear();
    if (kind == Vector::Copy) {
        if (auto st = read_lba_list(s, ctx, f.dlbal, count, ctx.lba_list_dst, "CDW14/15.DLBAL", 56,
                                    section);
            !st.ok())
            return st;
    }
    if (kind == Vector::Write || kind == Vector::Read) {
        ctx.direction = kind == Vector::Write ? spec::DataDirection::HostToController
                                              : spec::DataDirection::ControllerToHost;
        ctx.transfer_bytes = uint64_t{count} * ns.lba_size();
        ctx.metadata_bytes = uint64_t{count} * ns.metadata_size();
    }
    return spec::success();
}

// The vector command's result: bitmap in DW0-1, the NAND time after the list's DMA.
spec::Status finish(CommandContext &ctx, const OcssdOutcome &o, Vector kind) {
    ctx.dw0 = spec::ocssd::bitmap_dw0(o.bitmap);
    ctx.dw1 = spec::ocssd::bitmap_dw1(o.bitmap);
    ctx.execute_ns = ctx.lba_list_ns + o.media_ns;
    ctx.event_addr = ctx.lba_list.empty() ? 0 : ctx.lba_list.front();
    ctx.event_len = ctx.lba_list.size();
    if (o.failed)
        return fail_with(ctx, o, kind == Vector::Copy ? "DLBAL" : "LBAL", section_of(kind));
    return spec::success();
}

spec::Status prepare_reset(DeviceState &s, CommandContext &ctx) {
    return prepare_vector(s, ctx, Vector::Reset);
}
spec::Status prepare_write(DeviceState &s, CommandContext &ctx) {
    return prepare_vector(s, ctx, Vector::Write);
}
spec::Status prepare_read(DeviceState &s, CommandContext &ctx) {
    return prepare_vector(s, ctx, Vector::Read);
}
spec::Status prepare_copy(DeviceState &s, CommandContext &ctx) {
    return prepare_vector(s, ctx, Vector::Copy);
}

spec::Status execute_reset(DeviceState &s, CommandContext &ctx) {
    OcssdNamespace &ns = *s.find_ocssd_namespace(ctx.sqe.nsid);
    const OcssdOutcome o = ocssd_reset_chunks(s, ns, ctx.lba_list);
    ctx.execute_event = EventKind::MediaWrite;
    // MPTR, when set, receives each entry's chunk descriptor after the reset (OC §7).
    if (ctx.sqe.mptr != 0) {
        std::vector<uint8_t> out(ctx.lba_list.size() * sizeof(spec::ocssd::ChunkDescriptor), 0);
        for (size_t i = 0; i < ctx.lba_list.size(); ++i) {
            const auto a = ns.decode(ctx.lba_list[i]);
            if (!a.valid) continue;
            const spec::ocssd::ChunkDescriptor d = ns.descriptor(ns.chunk_index(a));
            std::memcpy(out.data() + i * sizeof d, &d, sizeof d);
        }
        const std::optional<uint64_t> cost = Dma(s).write_host(ctx, ctx.sqe.mptr, out);
        if (!cost) {
            finish(ctx, o, Vector::Reset);
            return ctx.fail(spec::generic(spec::GenericStatus::DataTransferError), "MPTR",
                            ctx.sqe.mptr,
                            "the chunk descriptors' buffer is not in mapped host memory",
                            kResetSection, spec::param_error_location(16, 0));
        }
        ctx.lba_list_ns += *cost;
    }
    return finish(ctx, o, Vector::Reset);
}

spec::Status execute_write(DeviceState &s, CommandContext &ctx) {
    return finish(ctx, ocssd_host_write(s, ctx), Vector::Write);
}

spec::Status execute_read(DeviceState &s, CommandContext &ctx) {
    return finish(ctx, ocssd_host_read(s, ctx), Vector::Read);
}

spec::Status execute_copy(DeviceState &s, CommandContext &ctx) {
    OcssdNamespace &ns = *s.find_ocssd_namespace(ctx.sqe.nsid);
    // A read of the sources into the controller, then a write under the write rules (QEMU's
    // bounce buffer); a source that cannot be read (DULBE) fails the whole copy, nothing written.
    const size_t n = ctx.lba_list.size();
    std::vector<uint8_t> data(n * ns.lba_size());
    std::vector<uint8_t> metadata(n * ns.metadata_size());
    ctx.execute_event = EventKind::MediaWrite;
    const OcssdOutcome read = ocssd_read_lbas(s, ns, ctx.lba_list, data, metadata);
    if (read.failed) {
        finish(ctx, read, Vector::Copy);
        return fail_with(ctx, read, "LBAL", kCopySection);
    }
    OcssdOutcome write = ocssd_write_lbas(s, ns, ctx.lba_list_dst, data, metadata);
    write.media_ns += read.media_ns;
    return finish(ctx, write, Vector::Copy);
}
} // namespace

// Effects (§5.14.1.5): reset, write and copy change what blocks read back.
const CommandHandler kOcssdVectorReset{"Vector Chunk Reset", prepare_reset, execute_reset,
                                       NsidRule::Active,     kResetSection, {.lbcc = true}};
const CommandHandler kOcssdVectorWrite{"Vector Chunk Write", prepare_write, execute_write,
                                       NsidRule::Active,     kWriteSection, {.lbcc = true}};
const CommandHandler kOcssdVectorRead{"Vector Chunk Read", prepare_read, execute_read,
                                      NsidRule::Active, kReadSection};
const CommandHandler kOcssdVectorCopy{"Vector Chunk Copy", prepare_copy, execute_copy,
                                      NsidRule::Active,    kCopySection, {.lbcc = true}};

} // namespace nvmelab::commands
