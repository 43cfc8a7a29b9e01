#include "core/commands/ocssd_chunk_rules.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include <fmt/format.h>

namespace nvmelab::commands {

namespace {
// Time on each parallel unit: units of work x the typical time of one (OC §3 timings; FEMU's
// model: each PU busy for its own work, the command done when the busiest is).
struct PuClock {
    std::map<uint64_t, uint64_t> busy_ns;
    void add(uint64_t pu, uint64_t ns) { busy_ns[pu] += ns; }
    uint64_t longest() const {
        uint64_t m = 0;
        for (const auto &[pu, ns] : busy_ns)
            m = std::max(m, ns);
        return m;
    }
};

uint64_t write_units(uint64_t sectors, uint32_t ws_min) {
    return (sectors + ws_min - 1) / ws_min;
}

bool dulbe(const DeviceState &s) {
    return spec::ErrorRecoveryFeature::decode(s.feature(spec::FeatureId::ErrorRecovery)).dulbe;
}

// A command that posted chunk notifications raises one Asynchronous Event: vendor specific
// (7h), log page D0h (OC §5; information 00h as QEMU †).
void announce_notifications(DeviceState &s, const OcssdNamespace &ns, uint64_t count_before) {
    if (ns.notification_count() != count_before)
        s.post_async_event(spec::AsyncEventType::Vendor, 0x00,
                           static_cast<uint8_t>(spec::ocssd::LogId::ChunkNotification));
}

std::string where(const OcssdNamespace::Address &a) {
    return fmt::format("{}/{}/{}/{}", a.grp, a.pu, a.chk, a.lbk);
}
} // namespace

void OcssdOutcome::fail(size_t i, uint64_t lba, spec::Status s, std::string why) {
    if (i < 64) bitmap |= uint64_t{1} << i;
    if (failed) return;
    failed = true;
    status = s;
    first_failed = i;
    first_failed_lba = lba;
    rule = std::move(why);
}

OcssdOutcome ocssd_write_lbas(DeviceState &s, OcssdNamespace &ns, std::span<const uint64_t> lbas,
                              std::span<const uint8_t> data, std::span<const uint8_t> metadata) {
    OcssdOutcome out;
    const uint64_t notes_before = ns.notification_count();
    const uint32_t bs = ns.lba_size();
    const uint32_t ms = ns.metadata_size();
    // The entries of each chunk, chunks in the order they first appear.
    std::vector<std::pair<uint64_t, std::vector<size_t>>> groups;
    for (size_t i = 0; i < lbas.size(); ++i) {
        const auto a = ns.decode(lbas[i]);
        if (!a.valid) {
            // QEMU and liblightnvm's tests: a write outside the geometry is a Write Fault.
            out.fail(i, lbas[i], spec::media(spec::MediaStatus::WriteFault, true),
                     fmt::format("LBA {:#x} is outside the geometry (grp/pu/chk/sector {})",
                                 lbas[i], where(a)));
            continue;
        }
        const uint64_t ci = ns.chunk_index(a);
        auto g = std::find_if(groups.begin(), groups.end(),
                              [ci](const auto &e) { return e.first == ci; });
        if (g == groups.end()) g = groups.insert(groups.end(), {ci, {}});
        g->second.push_back(i);
    }
    PuClock clock;
    std::vector<uint8_t> gathered, gathered_md;
    for (const auto &[ci, entries] : groups) {
        const uint32_t first = ns.decode(lbas[entries.front()]).lbk;
        bool consecutive = true;
        bool adjacent = true; // the entries sit one after another in the command's data
        for (size_t k = 1; k < entries.size(); ++k) {
            consecutive = consecutive && ns.decode(lbas[entries[k]]).lbk == first + k;
            adjacent = adjacent && entries[k] == entries.front() + k;
        }
        const uint64_t n = entries.size();
        const OcssdNamespace::Verdict v = ns.check_write(ci, first, n, consecutive);
        if (!v.ok()) {
            for (size_t i : entries)
                out.fail(i, lbas[i], v.status, v.rule);
            continue;
        }
        if (ns.write_fails(ci, first, n)) {
            // Injected (fail_write): the program fails, the chunk is closed early at its WP and
            // none of this write's sectors of it are written (QEMU's writefail).
            if (!ns.close_early(s.store, ci)) ++s.health.media_errors;
            ++s.health.media_errors;
            const auto a = ns.chunk_address(ci);
            for (size_t i : entries)
                out.fail(i, lbas[i], spec::ocssd::media(spec::ocssd::MediaStatus::ChunkEarlyClose),
                         fmt::format("chunk {}/{}/{}: the write failed in the media (fault "
                                     "injected by fail_write); the chunk is CLOSED at WP {}",
                                     a.grp, a.pu, a.chk, ns.chunk(ci).wp));
            continue;
        }
        std::span<const uint8_t> d = data.subspan(entries.front() * bs, n * bs);
        std::span<const uint8_t> md =
            metadata.empty() ? metadata : metadata.subspan(entries.front() * ms, n * ms);
        if (!adjacent) {
            gathered.resize(n * bs);
            gathered_md.resize(metadata.empty() ? 0 : n * ms);
            for (size_t k = 0; k < n; ++k) {
                std::memcpy(gathered.data() + k * bs, data.data() + entries[k] * bs, bs);
                if (!metadata.empty())
                    std::memcpy(gathered_md.data() + k * ms, metadata.data() + entries[k] * ms, ms);
            }
            d = gathered;
            md = gathered_md;
        }
        if (!ns.write(s.store, ci, first, n, d, md)) {
            ++s.health.media_errors;
            const std::string why = s.store.failure();
            for (size_t i : entries)
                out.fail(i, lbas[i], spec::media(spec::MediaStatus::WriteFault, true),
                         why.empty() ? "the backing store could not be written"
                                     : "the backing store could not be written: " + why);
            continue;
        }
        clock.add(ci / ns.params().num_chk, write_units(n, ns.params().ws_min) * ns.params().tprt);
    }
    out.media_ns = clock.longest();
    announce_notifications(s, ns, notes_before);
    return out;
}

OcssdOutcome ocssd_read_lbas(DeviceState &s, OcssdNamespace &ns, std::span<const uint64_t> lbas,
                             std::span<uint8_t> data, std::span<uint8_t> metadata) {
    OcssdOutcome out;
    const uint32_t bs = ns.lba_size();
    const uint32_t ms = ns.metadata_size();
    const bool report_unwritten = dulbe(s);
    std::map<uint64_t, uint64_t> sectors_per_pu;
    for (size_t i = 0; i < lbas.size(); ++i) {
        std::span<uint8_t> d = data.subspan(i * bs, bs);
        std::span<uint8_t> md = metadata.empty() ? metadata : metadata.subspan(i * ms, ms);
        std::fill(d.begin(), d.end(), uint8_t{0});
        std::fill(md.begin(), md.end(), uint8_t{0});
        const auto a = ns.decode(lbas[i]);
        const uint64_t ci = a.valid ? ns.chunk_index(a) : 0;
        if (a.valid && ns.chunk(ci).state == OcssdNamespace::ChunkState::Offline &&
            ns.params().offline_read == "offline_error") {
            // † offline_read = offline_error: the read of an OFFLINE chunk fails as its reset
            // would (QEMU returns predefined data instead, the default).
            out.fail(i, lbas[i], spec::ocssd::media(spec::ocssd::MediaStatus::OfflineChunk),
                     fmt::format("sector {} is in an OFFLINE chunk (offline_read = "
                                 "offline_error)",
                                 where(a)));
            continue;
        }
        if (!a.valid || !ns.readable(ci, a.lbk)) {
            // Predefined data (zeros, DLFEAT 001b), or 2h/87h when the host asked for it with
            // DULBE (OC §8.3).
            if (report_unwritten) {
                std::string why;
                if (!a.valid)
                    why = fmt::format("LBA {:#x} is outside the geometry", lbas[i]);
                else if (ns.chunk(ci).state == OcssdNamespace::ChunkState::Open &&
                         a.lbk < ns.chunk(ci).wp)
                    why = fmt::format("sector {} is written but within MW_CUNITS ({}) of the "
                                      "OPEN chunk's write pointer {}",
                                      where(a), ns.params().mw_cunits, ns.chunk(ci).wp);
                else
                    why = fmt::format("sector {} is not written (chunk WP {}) and DULBE is set",
                                      where(a), ns.chunk(ci).wp);
                out.fail(i, lbas[i],
                         spec::media(spec::MediaStatus::DeallocatedOrUnwrittenBlock, true), why);
            }
            continue;
        }
        if (!ns.read(s.store, ci, a.lbk, d, md)) {
            ++s.health.media_errors;
            out.fail(i, lbas[i], spec::media(spec::MediaStatus::UnrecoveredReadError, true),
                     "the backing store could not be read");
            continue;
        }
        ++sectors_per_pu[ci / ns.params().num_chk];
    }
    PuClock clock;
    for (const auto &[pu, sectors] : sectors_per_pu)
        clock.add(pu, write_units(sectors, ns.params().ws_min) * ns.params().trdt);
    out.media_ns = clock.longest();
    return out;
}

OcssdOutcome ocssd_reset_chunks(DeviceState &s, OcssdNamespace &ns,
                                std::span<const uint64_t> lbas) {
    OcssdOutcome out;
    const uint64_t notes_before = ns.notification_count();
    PuClock clock;
    for (size_t i = 0; i < lbas.size(); ++i) {
        const auto a = ns.decode(lbas[i]);
        // A reset names a chunk by its first LBA (OC §7); an address outside the geometry names
        // no chunk: Invalid Reset (liblightnvm's test, QEMU).
        if (!a.valid || a.lbk != 0) {
            out.fail(i, lbas[i], spec::ocssd::media(spec::ocssd::MediaStatus::InvalidReset),
                     !a.valid ? fmt::format("LBA {:#x} names no chunk of the geometry", lbas[i])
                              : fmt::format("LBA {:#x} is sector {} of its chunk: a reset names "
                                            "the chunk's first LBA (sector 0)",
                                            lbas[i], a.lbk));
            continue;
        }
        const uint64_t ci = ns.chunk_index(a);
        const auto before = ns.chunk(ci).state;
        bool store_ok = true;
        const OcssdNamespace::Verdict v = ns.reset(s.store, ci, store_ok);
        if (!store_ok) ++s.health.media_errors;
        if (!v.ok()) out.fail(i, lbas[i], v.status, v.rule);
        // The erase took place when the reset succeeded, or when it wore the chunk out.
        const bool erased =
            store_ok && (v.ok() || (before != OcssdNamespace::ChunkState::Offline &&
                                    ns.chunk(ci).state == OcssdNamespace::ChunkState::Offline));
        if (!erased) continue;
        clock.add(ci / ns.params().num_chk, ns.params().tbet);
    }
    out.media_ns = clock.longest();
    announce_notifications(s, ns, notes_before);
    return out;
}

spec::Status fail_with(CommandContext &ctx, const OcssdOutcome &o, const char *list_field,
                       const char *section) {
    ctx.error_lba = o.first_failed_lba;
    return ctx.fail(o.status, fmt::format("{}[{}]", list_field, o.first_failed), o.first_failed_lba,
                    o.rule, section);
}

OcssdOutcome ocssd_host_read(DeviceState &s, CommandContext &ctx) {
    OcssdNamespace &ns = *s.find_ocssd_namespace(ctx.sqe.nsid);
    const OcssdOutcome o = ocssd_read_lbas(s, ns, ctx.lba_list, ctx.buffer, ctx.metadata_buffer);
    ctx.execute_event = EventKind::MediaRead;
    ++s.health.host_read_commands;
    s.health.data_units_read += ctx.transfer_bytes / 512;
    return o;
}

OcssdOutcome ocssd_host_write(DeviceState &s, CommandContext &ctx) {
    OcssdNamespace &ns = *s.find_ocssd_namespace(ctx.sqe.nsid);
    const OcssdOutcome o = ocssd_write_lbas(s, ns, ctx.lba_list, ctx.buffer, ctx.metadata_buffer);
    ctx.execute_event = EventKind::MediaWrite;
    ++s.health.host_write_commands;
    s.health.data_units_written += ctx.transfer_bytes / 512;
    return o;
}

} // namespace nvmelab::commands
