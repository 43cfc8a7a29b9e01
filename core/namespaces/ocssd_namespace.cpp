#include "core/namespaces/ocssd_namespace.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "core/controller/command.h"

namespace nvmelab {

using spec::ocssd::ChunkDescriptor;
using spec::ocssd::MediaStatus;

namespace {
constexpr uint64_t kRecordSize = 32;
constexpr uint8_t kRecordTag = 'C';
// The chunk table ends on a 4 KiB boundary, so the next namespace starts aligned.
constexpr uint64_t kTableAlignment = 4096;
// The Chunk Notification log's 64 entries of 64 bytes, after the chunk table.
constexpr uint64_t kNotificationRegion = 64 * 64;

// FNV-1a over a record's first 24 bytes: a record torn or overwritten by something else does
// not pass for a chunk's state.
uint64_t record_check(const uint8_t *r) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 24; ++i)
        h = (h ^ r[i]) * 1099511628211ull;
    return h;
}

const char *state_name(OcssdNamespace::ChunkState s) {
    switch (s) {
    case OcssdNamespace::ChunkState::Free:
        return "FREE";
    case OcssdNamespace::ChunkState::Open:
        return "OPEN";
    case OcssdNamespace::ChunkState::Closed:
        return "CLOSED";
    case OcssdNamespace::ChunkState::Offline:
        return "OFFLINE";
    }
    return "?";
}

spec::Status write_fault() {
    return spec::media(spec::MediaStatus::WriteFault, true);
}
} // namespace

uint64_t OcssdNamespace::store_bytes(const OcssdParams &p, const LbaFormatInfo &format) {
    const uint64_t chunks = uint64_t{p.num_grp} * p.num_pu * p.num_chk;
    const uint64_t sectors = chunks * p.clba;
    const uint64_t table =
        (chunks * kRecordSize + kTableAlignment - 1) / kTableAlignment * kTableAlignment;
    return sectors * format.data_size + sectors * format.metadata_size + table +
           kNotificationRegion;
}

OcssdNamespace::OcssdNamespace(uint32_t nsid, const NamespaceConfig &config, uint64_t store_offset)
    : Namespace(nsid, config, ocssd_command_set()), p_(config.ocssd), store_offset_(store_offset) {
    lbaf_.grp_len = address_bits(p_.num_grp);
    lbaf_.pu_len = address_bits(p_.num_pu);
    lbaf_.chk_len = address_bits(p_.num_chk);
    lbaf_.lbk_len = address_bits(p_.clba);
    const uint64_t chunks = uint64_t{p_.num_grp} * p_.num_pu * p_.num_chk;
    metadata_offset_ = store_offset_ + chunks * p_.clba * lba_size_;
    table_offset_ = metadata_offset_ + chunks * p_.clba * metadata_size();
    notification_offset_ = table_offset_ + (chunks * kRecordSize + kTableAlignment - 1) /
                                               kTableAlignment * kTableAlignment;
    for (const ChunkCount &f : parse_chunk_list(p_.fail_reset, false, "fail_reset"))
        fail_reset_.insert(chunk_index(Address{f.chunk.grp, f.chunk.pu, f.chunk.chk, 0, true}));
    for (const ChunkCount &f : parse_chunk_list(p_.fail_write, true, "fail_write"))
        fail_write_[chunk_index(Address{f.chunk.grp, f.chunk.pu, f.chunk.chk, 0, true})].insert(
            f.count);
    // NSZE covers the whole (possibly sparse) address space, as QEMU reports it (OC §1).
    nsze_ = uint64_t{1} << (lbaf_.grp_len + lbaf_.pu_len + lbaf_.chk_len + lbaf_.lbk_len);
    chunks_.resize(chunks);
    open_per_pu_.assign(uint64_t{p_.num_grp} * p_.num_pu, 0);
    initial_state();
}

void OcssdNamespace::initial_state() {
    std::fill(chunks_.begin(), chunks_.end(), Chunk{});
    for (const ChunkCount &c : parse_chunk_list(p_.worn_chunks, true, "worn_chunks"))
        chunks_[chunk_index(Address{c.chunk.grp, c.chunk.pu, c.chunk.chk, 0, true})].resets =
            c.count;
    for (const ChunkCount &c : parse_chunk_list(p_.offline_chunks, false, "offline_chunks"))
        chunks_[chunk_index(Address{c.chunk.grp, c.chunk.pu, c.chunk.chk, 0, true})].state =
            ChunkState::Offline;
    open_total_ = 0;
    std::fill(open_per_pu_.begin(), open_per_pu_.end(), 0);
    notes_.clear();
    last_nc_ = 0;
    wli_sum_ = 0;
    for (uint64_t ci = 0; ci < chunks_.size(); ++ci)
        wli_sum_ += wear_index(ci);
}

void OcssdNamespace::identify(spec::IdentifyNamespace &id) const {
    Namespace::identify(id);
    id.nsze = nsze_;
    id.ncap = usable_sectors();
    id.nuse = usable_sectors();
    // NSFEAT bit 2: DULBE supported (unwritten sectors may be reported as 2h/87h, OC §6).
    id.nsfeat = 0x04;
    // DLFEAT 001b: a sector that cannot be read returns zeros (liblightnvm expects 00h).
    id.dlfeat = 0x01;
    // MC bit 1: metadata in a separate buffer (MPTR), as QEMU's OCSSD device.
    if (metadata_size() > 0) id.mc = 0x02;
    // Hosts take the namespace for Open-Channel when vs[0] = 01h (OC §1).
    id.vs[0] = spec::ocssd::kIdentifyVsMarker;
}

spec::ocssd::Geometry OcssdNamespace::geometry() const {
    spec::ocssd::Geometry g{};
    g.mjr = spec::ocssd::kMajorVersion;
    g.mnr = spec::ocssd::kMinorVersion;
    g.lbaf = lbaf_;
    g.mccap = p_.mccap;
    g.wit = p_.wit;
    g.num_grp = static_cast<uint16_t>(p_.num_grp);
    g.num_pu = static_cast<uint16_t>(p_.num_pu);
    g.num_chk = p_.num_chk;
    g.clba = p_.clba;
    g.ws_min = p_.ws_min;
    g.ws_opt = p_.ws_opt;
    g.mw_cunits = p_.mw_cunits;
    g.maxoc = p_.maxoc;
    g.maxocpu = p_.maxocpu;
    g.trdt = p_.trdt;
    g.trdm = p_.trdm;
    g.twrt = p_.tprt;
    g.twrm = p_.tprm;
    g.tcrst = p_.tbet;
    g.tcrsm = p_.tbem;
    return g;
}

OcssdNamespace::Address OcssdNamespace::decode(uint64_t lba) const {
    const auto field = [lba](unsigned off, unsigned len) {
        return static_cast<uint32_t>(len == 0 ? 0 : (lba >> off) & ((uint64_t{1} << len) - 1));
    };
    Address a;
    a.lbk = field(lbaf_.lbk_off(), lbaf_.lbk_len);
    a.chk = field(lbaf_.chk_off(), lbaf_.chk_len);
    a.pu = field(lbaf_.pu_off(), lbaf_.pu_len);
    a.grp = field(lbaf_.grp_off(), lbaf_.grp_len);
    // Bits above the group field are unused and must be 0; each field must be inside the
    // geometry when a count is not a power of two (OC §2).
    const unsigned total = lbaf_.grp_off() + lbaf_.grp_len;
    const bool high_clear = total >= 64 || (lba >> total) == 0;
    a.valid = high_clear && a.lbk < p_.clba && a.chk < p_.num_chk && a.pu < p_.num_pu &&
              a.grp < p_.num_grp;
    return a;
}

uint64_t OcssdNamespace::encode(uint32_t grp, uint32_t pu, uint32_t chk, uint32_t lbk) const {
    return uint64_t{grp} << lbaf_.grp_off() | uint64_t{pu} << lbaf_.pu_off() |
           uint64_t{chk} << lbaf_.chk_off() | lbk;
}

OcssdNamespace::Address OcssdNamespace::chunk_address(uint64_t ci) const {
    Address a;
    a.chk = static_cast<uint32_t>(ci % p_.num_chk);
    a.pu = static_cast<uint32_t>(ci / p_.num_chk % p_.num_pu);
    a.grp = static_cast<uint32_t>(ci / p_.num_chk / p_.num_pu);
    a.valid = true;
    return a;
}

uint8_t OcssdNamespace::wear_index(uint64_t ci) const {
    // QEMU's rule: WLI = P/E cycles x 255 / the P/E cycles a chunk survives.
    return static_cast<uint8_t>(
        std::min<uint64_t>(255, uint64_t{chunks_[ci].resets} * 255 / p_.pe_cycles));
}

ChunkDescriptor OcssdNamespace::descriptor(uint64_t ci) const {
    ChunkDescriptor d{};
    const Chunk &c = chunks_[ci];
    d.cs = static_cast<uint8_t>(c.state);
    d.ct = spec::ocssd::chunk_type::kSequentialWrite;
    d.wli = wear_index(ci);
    const Address a = chunk_address(ci);
    d.slba = encode(a.grp, a.pu, a.chk, 0);
    d.cnlb = p_.clba;
    d.wp = c.wp;
    return d;
}

void OcssdNamespace::set_state(uint64_t ci, ChunkState to) {
    Chunk &c = chunks_[ci];
    const uint64_t pu = ci / p_.num_chk;
    if (c.state == ChunkState::Open) {
        --open_total_;
        --open_per_pu_[pu];
    }
    if (to == ChunkState::Open) {
        ++open_total_;
        ++open_per_pu_[pu];
    }
    c.state = to;
}

OcssdNamespace::Verdict OcssdNamespace::check_write(uint64_t ci, uint32_t lbk, uint64_t n,
                                                    bool lbas_consecutive) const {
    const Chunk &c = chunks_[ci];
    const Address a = chunk_address(ci);
    const std::string name = fmt::format("chunk {}/{}/{}", a.grp, a.pu, a.chk);
    if (c.state == ChunkState::Closed || c.state == ChunkState::Offline) {
        // † QEMU and liblightnvm's tests: Write Fault; SPDK's text of 2h/F2h names these too.
        const bool ooo = p_.closed_write_status == "out_of_order";
        return {ooo ? spec::ocssd::media(MediaStatus::OutOfOrderWrite) : write_fault(),
                fmt::format("{} is {}: only FREE and OPEN chunks take writes (closed_write_status "
                            "= {})",
                            name, state_name(c.state), p_.closed_write_status)};
    }
    if (!lbas_consecutive || lbk != c.wp)
        return {spec::ocssd::media(MediaStatus::OutOfOrderWrite),
                lbas_consecutive
                    ? fmt::format("{}: the write starts at sector {}, but its write pointer is {}",
                                  name, lbk, c.wp)
                    : fmt::format("{}: the command's sectors of this chunk are not consecutive "
                                  "ascending from its write pointer {}",
                                  name, c.wp)};
    if (n % p_.ws_min != 0)
        return {spec::generic(spec::GenericStatus::InvalidField, true),
                fmt::format("{}: {} sectors is not a multiple of WS_MIN ({})", name, n, p_.ws_min)};
    if (lbk + n > p_.clba)
        return {write_fault(), fmt::format("{}: sectors {}..{} run past the chunk's {} sectors "
                                           "(CNLB)",
                                           name, lbk, lbk + n - 1, p_.clba)};
    if (c.state == ChunkState::Free) {
        // † No source gives the status of one open chunk too many: Invalid Field, the host
        // broke a limit the Geometry told it (MAXOC, MAXOCPU; 0 = no limit).
        if (p_.maxoc != 0 && open_total_ >= p_.maxoc)
            return {spec::generic(spec::GenericStatus::InvalidField, true),
                    fmt::format("{} would be OPEN chunk number {}: MAXOC is {}", name,
                                open_total_ + 1, p_.maxoc)};
        if (p_.maxocpu != 0 && open_chunks_in_pu(a.grp, a.pu) >= p_.maxocpu)
            return {spec::generic(spec::GenericStatus::InvalidField, true),
                    fmt::format("{} would be OPEN chunk number {} of PU {}/{}: MAXOCPU is {}", name,
                                open_chunks_in_pu(a.grp, a.pu) + 1, a.grp, a.pu, p_.maxocpu)};
    }
    return {};
}

bool OcssdNamespace::write(BackingStore &store, uint64_t ci, uint32_t lbk, uint64_t n,
                           std::span<const uint8_t> data, std::span<const uint8_t> metadata) {
    if (!store.write(data_address(ci, lbk), data.first(n * lba_size_))) return false;
    if (metadata_size() > 0 && !metadata.empty() &&
        !store.write(metadata_address(ci, lbk), metadata.first(n * metadata_size())))
        return false;
    const Chunk before = chunks_[ci];
    chunks_[ci].wp = static_cast<uint32_t>(lbk + n);
    set_state(ci, chunks_[ci].wp == p_.clba ? ChunkState::Closed : ChunkState::Open);
    if (persist(store, ci)) return true;
    // The record did not reach the store: the chunk stays as the store has it.
    set_state(ci, before.state);
    chunks_[ci] = before;
    return false;
}

bool OcssdNamespace::readable(uint64_t ci, uint32_t lbk) const {
    const Chunk &c = chunks_[ci];
    switch (c.state) {
    case ChunkState::Closed:
        return lbk < c.wp; // after an early close WP < CNLB
    case ChunkState::Open:
        // The last MW_CUNITS sectors written may still be in the device's write buffer: a read
        // keeps that distance from the WP (OC §8.3, QEMU, liblightnvm's read rule test).
        return uint64_t{lbk} + p_.mw_cunits < c.wp;
    case ChunkState::Free:
    case ChunkState::Offline:
        return false;
    }
    return false;
}

bool OcssdNamespace::read(BackingStore &store, uint64_t ci, uint32_t lbk, std::span<uint8_t> data,
                          std::span<uint8_t> metadata) const {
    if (!store.read(data_address(ci, lbk), data.first(lba_size_))) return false;
    if (metadata_size() > 0 && !metadata.empty())
        return store.read(metadata_address(ci, lbk), metadata.first(metadata_size()));
    return true;
}

OcssdNamespace::Verdict OcssdNamespace::reset(BackingStore &store, uint64_t ci, bool &store_ok) {
    store_ok = true;
    Chunk &c = chunks_[ci];
    const Address a = chunk_address(ci);
    const std::string name = fmt::format("chunk {}/{}/{}", a.grp, a.pu, a.chk);
    switch (c.state) {
    case ChunkState::Offline:
        return {spec::ocssd::media(MediaStatus::OfflineChunk),
                fmt::format("{} is OFFLINE: it cannot be reset", name)};
    case ChunkState::Free:
        if ((p_.mccap & spec::ocssd::mccap::kMultipleResets) == 0)
            return {spec::ocssd::media(MediaStatus::InvalidReset),
                    fmt::format("{} is FREE and MCCAP bit 1 (multiple resets) is 0", name)};
        break;
    case ChunkState::Open:
        // Standard OCSSD 2.0 refuses it (SPDK's description of 2h/C1h, liblightnvm's test);
        // QEMU and FEMU's non-standard MCCAP bit 2 allows an early reset.
        if ((p_.mccap & spec::ocssd::mccap::kEarlyReset) == 0)
            return {
                spec::ocssd::media(MediaStatus::InvalidReset),
                fmt::format("{} is OPEN (WP {}) and MCCAP bit 2 (early reset) is 0", name, c.wp)};
        break;
    case ChunkState::Closed:
        break;
    }
    if (fail_reset_.count(ci) != 0) {
        // Injected: the erase fails in the media and the chunk is lost (SPDK's description of
        // 2h/C0h; QEMU's resetfail answers 2h/C1h instead †).
        if (!take_offline(store, ci)) {
            store_ok = false;
            return {write_fault(), "the chunk's record could not be written to the backing store"};
        }
        notify_chunk(store, ci, spec::ocssd::notification_state::kUnrecoverable);
        return {spec::ocssd::media(MediaStatus::OfflineChunk),
                fmt::format("{}: the reset failed in the media (fault injected by fail_reset); "
                            "the chunk is OFFLINE",
                            name)};
    }
    const Chunk before = c;
    const uint8_t wli_before = wear_index(ci);
    ++c.resets;
    c.wp = 0;
    // End of life: the reset that wears the chunk out (WLI reaches 255, QEMU's rule) takes it
    // OFFLINE and fails with Offline Chunk (OC §8.5, §9).
    const bool worn_out = c.resets >= p_.pe_cycles;
    set_state(ci, worn_out ? ChunkState::Offline : ChunkState::Free);
    // The chunk's old data is gone: its sectors read as unwritten from now on, by the rules,
    // without touching the store's data.
    if (!persist(store, ci)) {
        set_state(ci, before.state);
        c = before;
        store_ok = false;
        return {write_fault(), "the chunk's record could not be written to the backing store"};
    }
    wli_sum_ = wli_sum_ - wli_before + wear_index(ci);
    if (worn_out) {
        notify_chunk(store, ci, spec::ocssd::notification_state::kUnrecoverable);
        return {spec::ocssd::media(MediaStatus::OfflineChunk),
                fmt::format("{} reached its {} P/E cycles (pe_cycles): the reset took it OFFLINE",
                            name, p_.pe_cycles)};
    }
    check_wear_band(store, ci);
    return {};
}

bool OcssdNamespace::write_fails(uint64_t ci, uint32_t lbk, uint64_t n) const {
    const auto it = fail_write_.find(ci);
    if (it == fail_write_.end()) return false;
    const auto s = it->second.lower_bound(lbk);
    return s != it->second.end() && *s < lbk + n;
}

void OcssdNamespace::check_wear_band(BackingStore &store, uint64_t ci) {
    // QEMU posts a notification when, after a reset, the chunk's WLI leaves [avg - WIT,
    // avg + WIT] (OC §5). Compared in whole units times the chunk count, to stay exact.
    const uint64_t n = chunks_.size();
    const uint64_t wli = wear_index(ci) * n;
    const uint64_t band = uint64_t{p_.wit} * n;
    if (wli > wli_sum_ + band || wli + band < wli_sum_)
        notify_chunk(store, ci, spec::ocssd::notification_state::kWearLevelOutsideWit);
}

void OcssdNamespace::notify_chunk(BackingStore &store, uint64_t ci, uint16_t state) {
    spec::ocssd::ChunkNotificationEntry e{};
    e.nc = ++last_nc_;
    const Address a = chunk_address(ci);
    e.lba = encode(a.grp, a.pu, a.chk, 0);
    e.nsid = nsid_;
    e.state = state;
    e.mask = spec::ocssd::notification_mask::kChunk;
    if (notes_.size() == kNotificationEntries) notes_.erase(notes_.begin());
    notes_.push_back(e);
    // Slot (NC - 1) mod 64 of the region: the entry survives power cycles as data does (a
    // failed store write loses only the notification, which the command's status reports).
    store.write(notification_offset_ + (e.nc - 1) % kNotificationEntries * sizeof e,
                std::span<const uint8_t>(reinterpret_cast<const uint8_t *>(&e), sizeof e));
}

std::vector<spec::ocssd::ChunkNotificationEntry> OcssdNamespace::notifications() const {
    return {notes_.rbegin(), notes_.rend()};
}

bool OcssdNamespace::close_early(BackingStore &store, uint64_t ci) {
    set_state(ci, ChunkState::Closed);
    if (!persist(store, ci)) return false;
    notify_chunk(store, ci, spec::ocssd::notification_state::kErrorRateHigh);
    return true;
}

bool OcssdNamespace::take_offline(BackingStore &store, uint64_t ci) {
    set_state(ci, ChunkState::Offline);
    return persist(store, ci);
}

bool OcssdNamespace::persist(BackingStore &store, uint64_t ci) const {
    uint8_t r[kRecordSize] = {};
    const Chunk &c = chunks_[ci];
    r[0] = kRecordTag;
    r[1] = static_cast<uint8_t>(c.state);
    std::memcpy(r + 4, &c.resets, 4);
    const uint64_t wp = c.wp;
    std::memcpy(r + 8, &wp, 8);
    const uint64_t cnlb = p_.clba;
    std::memcpy(r + 16, &cnlb, 8);
    const uint64_t check = record_check(r);
    std::memcpy(r + 24, &check, 8);
    return store.write(table_offset_ + ci * kRecordSize, std::span<const uint8_t>(r, kRecordSize));
}

void OcssdNamespace::power_on(BackingStore &store) {
    initial_state();
    std::vector<uint8_t> table(chunks_.size() * kRecordSize);
    if (!store.read(table_offset_, table))
        throw std::runtime_error(fmt::format("namespace {}: the OCSSD chunk table could not be "
                                             "read from the backing store",
                                             nsid_));
    for (uint64_t ci = 0; ci < chunks_.size(); ++ci) {
        const uint8_t *r = table.data() + ci * kRecordSize;
        // Never touched since the image was made: the initial state from the properties.
        if (std::all_of(r, r + kRecordSize, [](uint8_t b) { return b == 0; })) continue;
        const Address a = chunk_address(ci);
        const auto damaged = [&](const std::string &why) {
            return std::runtime_error(fmt::format(
                "the image is damaged: the record of OCSSD chunk {}/{}/{} (namespace {}, chunk "
                "index {}) {}; it is not repaired",
                a.grp, a.pu, a.chk, nsid_, ci, why));
        };
        uint64_t check = 0, wp = 0, cnlb = 0;
        uint32_t resets = 0;
        std::memcpy(&check, r + 24, 8);
        std::memcpy(&wp, r + 8, 8);
        std::memcpy(&cnlb, r + 16, 8);
        std::memcpy(&resets, r + 4, 4);
        if (r[0] != kRecordTag || check != record_check(r))
            throw damaged("fails its check (torn or overwritten)");
        const uint8_t cs = r[1];
        if (cs != 1 && cs != 2 && cs != 4 && cs != 8)
            throw damaged(fmt::format("has state {:#x}, not exactly one of FREE, CLOSED, OPEN, "
                                      "OFFLINE",
                                      cs));
        const auto state = static_cast<ChunkState>(cs);
        if (cnlb != p_.clba)
            throw damaged(fmt::format("has CNLB {}, but the geometry's CLBA is {}", cnlb, p_.clba));
        if (wp > cnlb) throw damaged(fmt::format("has WP {} past CNLB {}", wp, cnlb));
        if ((state == ChunkState::Free && wp != 0) ||
            (state == ChunkState::Open && (wp == 0 || wp == cnlb)) ||
            (state == ChunkState::Closed && wp == 0) || wp % p_.ws_min != 0)
            throw damaged(fmt::format("has WP {} which a {} chunk cannot have (WS_MIN {})", wp,
                                      state_name(state), p_.ws_min));
        if (resets > p_.pe_cycles)
            throw damaged(
                fmt::format("has {} resets, more than pe_cycles {}", resets, p_.pe_cycles));
        wli_sum_ -= wear_index(ci);
        chunks_[ci].wp = static_cast<uint32_t>(wp);
        chunks_[ci].resets = resets;
        chunks_[ci].state = ChunkState::Free;
        set_state(ci, state);
        wli_sum_ += wear_index(ci);
    }
    std::vector<spec::ocssd::ChunkNotificationEntry> region(kNotificationEntries);
    if (!store.read(notification_offset_,
                    std::span(reinterpret_cast<uint8_t *>(region.data()), kNotificationRegion)))
        throw std::runtime_error(fmt::format("namespace {}: the OCSSD chunk notification log "
                                             "could not be read from the backing store",
                                             nsid_));
    for (size_t slot = 0; slot < region.size(); ++slot) {
        const auto &e = region[slot];
        if (e.nc == 0) continue;
        // Entry NC lives in slot (NC - 1) mod 64, names this namespace and a chunk start.
        const Address a = decode(e.lba);
        if ((e.nc - 1) % kNotificationEntries != slot || e.nsid != nsid_ || !a.valid ||
            a.lbk != 0 || e.mask != spec::ocssd::notification_mask::kChunk)
            throw std::runtime_error(fmt::format(
                "the image is damaged: OCSSD chunk notification slot {} (namespace {}) holds an "
                "entry this device cannot have written (NC {}, NSID {}, LBA {:#x}); it is not "
                "repaired",
                slot, nsid_, e.nc, e.nsid, e.lba));
        notes_.push_back(e);
    }
    std::sort(notes_.begin(), notes_.end(),
              [](const auto &x, const auto &y) { return x.nc < y.nc; });
    // Slots hold the newest 64: consecutive NCs ending at the highest.
    for (size_t i = 1; i < notes_.size(); ++i)
        if (notes_[i].nc != notes_[i - 1].nc + 1)
            throw std::runtime_error(fmt::format(
                "the image is damaged: OCSSD chunk notifications of namespace {} skip from NC "
                "{} to {}; it is not repaired",
                nsid_, notes_[i - 1].nc, notes_[i].nc));
    last_nc_ = notes_.empty() ? 0 : notes_.back().nc;
}

} // namespace nvmelab
