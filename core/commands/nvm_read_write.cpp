// NVM command set Read, Write and Flush (NVMe 1.3 §6.9, §6.15, §6.8), through the volatile
// write cache when it is enabled.
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/commands/nvm_protection.h"

namespace nvmelab::commands {

using spec::GenericStatus;

namespace {
constexpr uint32_t kBroadcastNsid = 0xFFFFFFFFu;

spec::Status prepare_rw(DeviceState &s, CommandContext &ctx, bool write) {
    const char *section = write ? "NVMe 1.3 §6.15" : "NVMe 1.3 §6.9";
    const spec::Sqe &q = ctx.sqe;
    // CDW1.NSID names an active NVM namespace: decode checked it (NsidRule::Active).
    if (auto st = check_read_write_dwords(ctx, write, section); !st.ok()) return st;
    const auto f = spec::ReadWriteFields::decode(q);
    NvmNamespace &ns = *s.find_nvm_namespace(q.nsid);
    const uint64_t blocks = uint64_t{f.nlb} + 1;
    if (f.slba >= ns.nsze() || blocks > ns.nsze() - f.slba) {
        ctx.error_lba = f.slba;
        // Named without the sum when SLBA is past the end: SLBA + blocks can wrap past 2^64.
        const std::string rule =
            f.slba >= ns.nsze()
                ? fmt::format("SLBA {} is past the namespace's last LBA {} (NSZE {})", f.slba,
                              ns.nsze() - 1, ns.nsze())
                : fmt::format("SLBA + NLB + 1 = {} exceeds the namespace size {} (NSZE)",
                              f.slba + blocks, ns.nsze());
        return ctx.fail(spec::generic(GenericStatus::LbaOutOfRange, true), "CDW10/11.SLBA", f.slba,
                        rule, section, spec::param_error_location(40, 0));
    }
    if (auto st = validate_protection(ns, ctx, f); !st.ok()) return st;
    ctx.direction =
        write ? spec::DataDirection::HostToController : spec::DataDirection::ControllerToHost;
    ctx.format_generation = ns.format_generation();
    if (ns.metadata_size() != 0) {
        // Metadata travels at the end of each block's data (extended LBA: it counts against
        // MDTS with the data) or in the separate buffer MPTR names, which MDTS does not count
        // (§8.2, §5.15 MDTS). Such commands are staged: the media keeps data and metadata
        // apart, so they are interleaved or split at execute.
        const uint64_t host_ms = host_metadata_per_block(ns, f.pract());
        ctx.transfer_bytes = blocks * (ns.lba_size() + (ns.extended_lba() ? host_ms : 0));
        ctx.metadata_bytes = ns.extended_lba() ? 0 : blocks * host_ms;
        return spec::success();
    }
    ctx.transfer_bytes = blocks * ns.lba_size();
    // A write that covers at least one whole media extent is received on the extent grid, so
    // those extents reach the cache or the media without another copy (core/media/media_extent.h).
    const uint64_t start = ns.store_address(f.slba);
    const uint64_t first_whole =
        (start + kMediaExtentSize - 1) / kMediaExtentSize * kMediaExtentSize;
    if (write && first_whole + kMediaExtentSize <= start + ctx.transfer_bytes)
        ctx.extents.request(ns.extent_pool(), start, ctx.transfer_bytes);
    // A Read over a store whose reads cannot fail leaves its data where it is until the
    // data-out DMA copies it into host memory (a hold, taken at execute): one copy, no staging.
    if (!write && s.store.reads_cannot_fail()) ctx.held_read.requested = true;
    return spec::success();
}

spec::Status prepare_read(DeviceState &s, CommandContext &ctx) {
    return prepare_rw(s, ctx, false);
}
spec::Status prepare_write(DeviceState &s, CommandContext &ctx) {
    return prepare_rw(s, ctx, true);
}

// The rule a store failure breaks, with the store's reason when it gives one.
std::string with_store_failure(const DeviceState &s, const char *what) {
    const std::string why = s.store.failure();
    return why.empty() ? std::string(what) : std::string(what) + ": " + why;
}

// A Format NVM ran between this command's prepare and its execute: its sizes are the old
// format's. (Format NVM asks to run alone on its namespace, CSE = 1; a host that did not wait
// gets this rather than data in the wrong layout.)
spec::Status check_format_unchanged(const NvmNamespace &ns, CommandContext &ctx,
                                    const char *section) {
    if (ns.format_generation() == ctx.format_generation) return spec::success();
    return ctx.fail(spec::generic(GenericStatus::InvalidNamespaceOrFormat, true), "NSID", ns.nsid(),
                    "the namespace was formatted (Format NVM) after this command was decoded: "
                    "its transfer was sized for the old LBA format",
                    section);
}

// A staged read of a format with metadata: ctx.buffer gets the data of each block and
// ctx.metadata_buffer the metadata of each (nlb x ms), from the cache or the media.
bool read_with_metadata(DeviceState &s, NvmNamespace &ns, CommandContext &ctx, uint64_t slba,
                        uint64_t blocks) {
    ctx.metadata_buffer.resize(blocks * ns.metadata_size());
    return ns.read(s.store, slba, blocks, ctx.buffer) &&
           ns.read_metadata(s.store, slba, blocks, ctx.metadata_buffer);
}

// Then, once the PI checks passed, the host's layout: metadata after each block's data
// (extended LBA), or left in the separate buffer the metadata transfer sends to MPTR.
void interleave_for_host(const NvmNamespace &ns, CommandContext &ctx, uint64_t blocks) {
    const uint64_t ds = ns.lba_size();
    const uint64_t ms = ns.metadata_size();
    const std::vector<uint8_t> &meta = ctx.metadata_buffer;
    const uint64_t host_ms = ns.extended_lba() ? ctx.transfer_bytes / blocks - ds : 0;
    if (host_ms == 0) return;
    // Spread in place, last block first: each block moves to a higher offset, past the data of
    // the blocks before it that have not moved yet.
    uint8_t *buf = ctx.buffer.data();
    for (uint64_t i = blocks; i-- > 0;) {
        std::memmove(buf + i * (ds + host_ms), buf + i * ds, ds);
        std::memcpy(buf + i * (ds + host_ms) + ds, meta.data() + i * ms, host_ms);
    }
}

// The other way for a staged write: extended LBAs are split in place (data packed at the front
// of ctx.buffer, metadata into ctx.metadata_buffer); a separate buffer is already apart. With
// PRACT and 8 bytes of metadata the host sent none: the metadata starts as zeros for the PI
// the controller generates.
void split_metadata(const NvmNamespace &ns, CommandContext &ctx, uint64_t blocks) {
    const uint64_t ds = ns.lba_size();
    const uint64_t ms = ns.metadata_size();
    std::vector<uint8_t> &meta = ctx.metadata_buffer;
    if (!ns.extended_lba()) {
        if (ctx.metadata_bytes == 0) meta.assign(blocks * ms, 0);
        return;
    }
    const uint64_t host_ms = ctx.transfer_bytes / blocks - ds;
    meta.assign(blocks * ms, 0);
    uint8_t *buf = ctx.buffer.data();
    for (uint64_t i = 0; i < blocks; ++i) {
        std::memcpy(meta.data() + i * ms, buf + i * (ds + host_ms) + ds, host_ms);
        std::memmove(buf + i * ds, buf + i * (ds + host_ms), ds);
    }
}

spec::Status execute_read(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::ReadWriteFields::decode(ctx.sqe);
    NvmNamespace &ns = *s.find_nvm_namespace(ctx.sqe.nsid);
    const uint64_t blocks = uint64_t{f.nlb} + 1;
    if (auto st = check_format_unchanged(ns, ctx, "NVMe 1.3 §6.9"); !st.ok()) return st;
    ctx.event_addr = f.slba;
    ctx.event_len = blocks;
    // FUA on a read: cached data for the range is first committed to the media, then the read
    // is served from the media (§6.9, CDW12 bit 30).
    if (f.fua && !ns.commit_range(s.store, f.slba, blocks)) {
        ++s.health.media_errors;
        ctx.error_lba = f.slba;
        return ctx.fail(
            spec::media(spec::MediaStatus::WriteFault), "SLBA", f.slba,
            with_store_failure(s, "cached data could not be committed to the backing store"),
            "NVMe 1.3 §6.9");
    }
    bool all_cached = ns.cached_blocks() != 0;
    for (uint64_t i = 0; all_cached && i < blocks; ++i)
        all_cached = ns.is_cached(f.slba + i);
    ctx.execute_event = all_cached ? EventKind::CacheRead : EventKind::MediaRead;
    ctx.execute_ns = all_cached ? s.config.cache_ns : s.config.read_ns;
    if (ctx.held_read.requested) {
        ctx.held_read.take(ns, ns.hold_read(s.store, f.slba, blocks));
    } else if (ns.metadata_size() != 0 ? !read_with_metadata(s, ns, ctx, f.slba, blocks)
                                       : !ns.read(s.store, f.slba, blocks, ctx.buffer)) {
        ++s.health.media_errors;
        ctx.error_lba = f.slba;
        return ctx.fail(spec::media(spec::MediaStatus::UnrecoveredReadError), "SLBA", f.slba,
                        "the backing store could not be read", "NVMe 1.3 §6.9");
    }
    if (ns.metadata_size() != 0) {
        // PRCHK with or without PRACT (§8.3.1); a failing block ends the read, no data sent.
        if (auto st = check_read(ns, ctx, f); !st.ok()) return st;
        interleave_for_host(ns, ctx, blocks);
    }
    // SMART counts the reads that delivered their data (as QEMU counts completed I/O), in
    // 512-byte units whatever the LBA size (§5.14.1.2).
    ++s.health.host_read_commands;
    s.health.data_units_read += blocks * ns.lba_size() / 512; // data only, not metadata
    return spec::success();
}

spec::Status execute_write(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::ReadWriteFields::decode(ctx.sqe);
    NvmNamespace &ns = *s.find_nvm_namespace(ctx.sqe.nsid);
    const uint64_t blocks = uint64_t{f.nlb} + 1;
    if (auto st = check_format_unchanged(ns, ctx, "NVMe 1.3 §6.15"); !st.ok()) return st;
    if (ns.metadata_size() != 0) {
        split_metadata(ns, ctx, blocks);
        // PRACT: the controller fills each block's tuple; else the host's are checked (§8.3.1).
        if (auto st = protect_write(ns, ctx, f); !st.ok()) return st;
    }
    // With the write cache enabled data may stay volatile until Flush; FUA writes to the media
    // before completing (§6.15). A write larger than the whole cache goes straight to the media
    // (NvmNamespace::write), so it is traced and timed as a media write.
    const bool cached = s.write_cache_enabled() && !f.fua && blocks <= s.config.cache_blocks;
    ctx.execute_event = cached ? EventKind::CacheWrite : EventKind::MediaWrite;
    ctx.event_addr = f.slba;
    ctx.event_len = blocks;
    ctx.execute_ns = cached ? s.config.cache_ns : s.config.write_ns;
    const uint64_t destaged_before = ns.destaged_blocks();
    const bool written =
        ctx.extents.active()
            ? ns.write(s.store, f.slba, blocks, ctx.extents, cached)
            : ns.write(s.store, f.slba, blocks, ctx.buffer, cached, ctx.metadata_buffer);
    // A full cache holds the write up while its oldest data goes to the media, at the rate a
    // Flush writes (execute_flush).
    ctx.destaged_blocks = ns.destaged_blocks() - destaged_before;
    ctx.execute_ns += ctx.destaged_blocks * s.config.write_ns / 64;
    if (!written) {
        ++s.health.media_errors;
        ctx.error_lba = f.slba;
        return ctx.fail(spec::media(spec::MediaStatus::WriteFault), "SLBA", f.slba,
                        with_store_failure(s, "the backing store could not be written"),
                        "NVMe 1.3 §6.15");
    }
    ++s.health.host_write_commands;
    s.health.data_units_written += blocks * ns.lba_size() / 512; // data only, not metadata
    return spec::success();
}

spec::Status prepare_flush(DeviceState &, CommandContext &ctx) {
    constexpr const char *kSection = "NVMe 1.3 §6.8";
    // CDW1.NSID is an active namespace or FFFFFFFFh: decode checked it (NsidRule::ActiveOrAll).
    return check_reserved_dwords(ctx, 10, 15, kSection);
}

spec::Status execute_flush(DeviceState &s, CommandContext &ctx) {
    const std::optional<uint64_t> flushed = write_back_cache(s, ctx, ctx.sqe.nsid, "NVMe 1.3 §6.8");
    if (!flushed) return ctx.status;
    ctx.execute_event = EventKind::CacheFlush;
    ctx.event_len = *flushed;
    ctx.execute_ns = 1'000 + *flushed * s.config.write_ns / 64;
    return spec::success();
}

} // namespace

// Effects (§5.14.1.5): only Write changes what the blocks read back. Flush makes cached data
// durable without changing it, so its LBCC is 0 (QEMU reports LBCC for Flush too).
const CommandHandler kRead{"Read", prepare_read, execute_read, NsidRule::Active, "NVMe 1.3 §6.9"};
const CommandHandler kWrite{"Write",          prepare_write,    execute_write,
                            NsidRule::Active, "NVMe 1.3 §6.15", {.lbcc = true}};
const CommandHandler kFlush{"Flush", prepare_flush, execute_flush, NsidRule::ActiveOrAll,
                            "NVMe 1.3 §6.8"};

std::optional<uint64_t> write_back_cache(DeviceState &s, CommandContext &ctx, uint32_t nsid,
                                         const char *section) {
    uint64_t flushed = 0;
    for (auto &ns : s.namespaces) {
        if (nsid != kBroadcastNsid && ns->nsid() != nsid) continue;
        const int64_t n = ns->flush(s.store);
        if (n < 0) {
            ++s.health.media_errors;
            ctx.fail(spec::media(spec::MediaStatus::WriteFault), "NSID", ns->nsid(),
                     with_store_failure(s, "the backing store could not be written"), section);
            return std::nullopt;
        }
        flushed += static_cast<uint64_t>(n);
    }
    return flushed;
}

} // namespace nvmelab::commands
