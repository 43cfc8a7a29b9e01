// Read (02h), Write (01h) and Dataset Management (09h) on an Open-Channel SSD 2.0 namespace
// (OC §7 of ../shared/reference/ocssd-2.0.md): the "scalar" commands. SLBA is an OCSSD address
// and the command's LBAs are SLBA, SLBA + 1, ..., SLBA + NLB as integers, so consecutive sectors
// of one chunk; the same chunk rules as the vector commands apply (ocssd_chunk_rules.cpp), but
// there is no bitmap. A Dataset Management deallocate range names one chunk and resets it.
#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/commands/ocssd_chunk_rules.h"

namespace nvmelab::commands {

namespace {
constexpr const char *kReadSection = "NVMe 1.3 §6.9, OCSSD 2.0 scalar read";
constexpr const char *kWriteSection = "NVMe 1.3 §6.15, OCSSD 2.0 scalar write";
constexpr const char *kDsmSection = "NVMe 1.3 §6.7, OCSSD 2.0 scalar reset";

spec::Status prepare_rw(DeviceState &s, CommandContext &ctx, bool write) {
    const char *section = write ? kWriteSection : kReadSection;
    const spec::Sqe &q = ctx.sqe;
    // The same dwords as on an NVM namespace.
    if (auto st = check_read_write_dwords(ctx, write, section); !st.ok()) return st;
    const auto f = spec::ReadWriteFields::decode(q);
    OcssdNamespace &ns = *s.find_ocssd_namespace(q.nsid);
    const uint64_t blocks = uint64_t{f.nlb} + 1;
    if (f.slba >= ns.nsze() || blocks > ns.nsze() - f.slba) {
        ctx.error_lba = f.slba;
        return ctx.fail(spec::generic(spec::GenericStatus::LbaOutOfRange, true), "CDW10/11.SLBA",
                        f.slba,
                        fmt::format("SLBA {:#x} + {} blocks leaves the {}-bit address space "
                                    "(NSZE {})",
                                    f.slba, blocks, std::countr_zero(ns.nsze()), ns.nsze()),
                        section, spec::param_error_location(40, 0));
    }
    // The LBAs are consecutive integers: past the chunk's last sector they would spill into the
    // next chunk's address, which a write must not (QEMU: Write Fault).
    const auto first = ns.decode(f.slba);
    if (write && first.valid && first.lbk + blocks > ns.params().clba) {
        ctx.error_lba = f.slba;
        return ctx.fail(spec::media(spec::MediaStatus::WriteFault, true), "CDW12.NLB", f.nlb,
                        fmt::format("sectors {}..{} run past the chunk's {} sectors (CNLB)",
                                    first.lbk, first.lbk + blocks - 1, ns.params().clba),
                        section, spec::param_error_location(48, 0));
    }
    ctx.lba_list.resize(blocks);
    for (uint64_t i = 0; i < blocks; ++i)
        ctx.lba_list[i] = f.slba + i;
    ctx.lba_list_ns = 0;
    ctx.direction =
        write ? spec::DataDirection::HostToController : spec::DataDirection::ControllerToHost;
    ctx.transfer_bytes = blocks * ns.lba_size();
    ctx.metadata_bytes = blocks * ns.metadata_size();
    return spec::success();
}

spec::Status prepare_read(DeviceState &s, CommandContext &ctx) {
    return prepare_rw(s, ctx, false);
}
spec::Status prepare_write(DeviceState &s, CommandContext &ctx) {
    return prepare_rw(s, ctx, true);
}

spec::Status finish(CommandContext &ctx, const OcssdOutcome &o, const char *section) {
    ctx.execute_ns = o.media_ns;
    ctx.event_addr = ctx.lba_list.front();
    ctx.event_len = ctx.lba_list.size();
    // A scalar command has no bitmap: DW0-1 stay 0.
    if (o.failed) return fail_with(ctx, o, "SLBA+", section);
    return spec::success();
}

spec::Status execute_read(DeviceState &s, CommandContext &ctx) {
    return finish(ctx, ocssd_host_read(s, ctx), kReadSection);
}

spec::Status execute_write(DeviceState &s, CommandContext &ctx) {
    return finish(ctx, ocssd_host_write(s, ctx), kWriteSection);
}

spec::Status prepare_dsm(DeviceState &, CommandContext &ctx) {
    const spec::Sqe &q = ctx.sqe;
    if (auto st = check_reserved(ctx, "CDW2", q.cdw2, 0, kDsmSection, 2); !st.ok()) return st;
    if (auto st = check_reserved(ctx, "CDW3", q.cdw3, 0, kDsmSection, 3); !st.ok()) return st;
    // CDW10: NR 7:0; CDW11: IDR 0, IDW 1, AD 2 (§6.7).
    if (auto st = check_reserved(ctx, "CDW10", q.cdw10, 0xFFu, kDsmSection, 10); !st.ok())
        return st;
    if (auto st = check_reserved(ctx, "CDW11", q.cdw11, 0x7u, kDsmSection, 11); !st.ok()) return st;
    if (auto st = check_reserved_dwords(ctx, 12, 15, kDsmSection); !st.ok()) return st;
    const auto f = spec::DatasetManagementFields::decode(q);
    ctx.direction = spec::DataDirection::HostToController;
    ctx.transfer_bytes = (uint64_t{f.nr} + 1) * sizeof(spec::DsmRange);
    return spec::success();
}

spec::Status execute_dsm(DeviceState &s, CommandContext &ctx) {
    OcssdNamespace &ns = *s.find_ocssd_namespace(ctx.sqe.nsid);
    const auto f = spec::DatasetManagementFields::decode(ctx.sqe);
    ctx.execute_event = EventKind::MediaWrite;
    ctx.execute_ns = 1'000;
    // Only deallocate acts: the IDR/IDW hints have nothing to tune here.
    if (!f.ad) return spec::success();
    OcssdOutcome all;
    for (uint32_t r = 0; r <= f.nr; ++r) {
        spec::DsmRange range{};
        std::memcpy(&range, ctx.buffer.data() + r * sizeof range, sizeof range);
        const auto a = ns.decode(range.slba);
        // Each range names one whole chunk (liblightnvm's scalar erase sends its SLBA and CLBA):
        // another length is out of range, an address that is no chunk start an Invalid Reset
        // (QEMU).
        if (a.valid && a.lbk == 0 && range.nlb != ns.params().clba) {
            all.fail(r, range.slba, spec::generic(spec::GenericStatus::LbaOutOfRange, true),
                     fmt::format("range {} has length {}: a deallocate range resets one whole "
                                 "chunk of CLBA = {} blocks",
                                 r, range.nlb, ns.params().clba));
            continue;
        }
        const uint64_t lba = range.slba;
        const OcssdOutcome one = ocssd_reset_chunks(s, ns, std::span<const uint64_t>(&lba, 1));
        if (one.failed) all.fail(r, lba, one.status, one.rule);
        all.media_ns = std::max(all.media_ns, one.media_ns);
    }
    ctx.execute_ns += all.media_ns;
    ctx.event_addr = f.nr + 1;
    if (all.failed) return fail_with(ctx, all, "range", kDsmSection);
    return spec::success();
}
} // namespace

const CommandHandler kOcssdRead{"Read", prepare_read, execute_read, NsidRule::Active, kReadSection};
const CommandHandler kOcssdWrite{"Write",          prepare_write, execute_write,
                                 NsidRule::Active, kWriteSection, {.lbcc = true}};
const CommandHandler kOcssdDatasetManagement{"Dataset Management", prepare_dsm, execute_dsm,
                                             NsidRule::Active,     kDsmSection, {.lbcc = true}};

} // namespace nvmelab::commands
