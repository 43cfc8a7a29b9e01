#pragma once
// An Open-Channel SSD 2.0 namespace (../shared/reference/ocssd-2.0.md, "OC §n" below): media cut
// into groups x parallel units x chunks of CLBA logical blocks, each chunk with a state (FREE,
// OPEN, CLOSED, OFFLINE), a write pointer, a wear-level index and a reset count. Its I/O
// commands are the OCSSD command set (vector commands 90h-93h, and Read, Write and Dataset
// Management under the chunk rules): ocssd_command_set(), handlers in core/commands/ocssd_*.cpp.
//
// Durability: the namespace has no volatile write cache. A write's data, then the chunk's
// record (state, WP, wear), go to the backing store before the command completes, so chunk
// state follows the same rule as data: what a completed command wrote survives a clean
// shutdown and an unclean power cut alike, and a command cut off before its record was written
// leaves the WP where it was (the sectors past it read as unwritten). MW_CUNITS is therefore
// modelled as the read rule hosts see (a sector of an OPEN chunk is readable only once it is
// MW_CUNITS blocks behind the WP), not as data a power cut can lose.
//
// Store layout from store_offset: data (chunk index x CLBA + sector, 2^lbads bytes each),
// metadata (ms bytes per sector, same index), then the chunk table: one 32-byte record per
// chunk in Chunk Information log order. An all-zero record is a chunk never touched since the
// image was made, whose state comes from the properties (offline_chunks, worn_chunks); a record
// that is neither zero nor consistent makes power-on fail naming the chunk.
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/media/backing_store.h"
#include "core/namespaces/namespace.h"
#include "core/spec/ocssd_spec.h"

namespace nvmelab {

class OcssdNamespace : public Namespace {
public:
    using ChunkState = spec::ocssd::ChunkState;
    struct Chunk {
        ChunkState state = ChunkState::Free;
        uint32_t wp = 0;     // logical blocks written from the chunk's start
        uint32_t resets = 0; // successful resets (P/E cycles)
    };
    // A decoded address (OC §2); `valid` when every field is inside the geometry.
    struct Address {
        uint32_t grp = 0, pu = 0, chk = 0, lbk = 0;
        bool valid = false;
    };
    // The result of one rule check: success, or the status and the rule it broke.
    struct Verdict {
        spec::Status status = spec::success();
        std::string rule;
        bool ok() const { return status.ok(); }
    };

    OcssdNamespace(uint32_t nsid, const NamespaceConfig &config, uint64_t store_offset);
    NamespaceType type() const override { return NamespaceType::Ocssd; }
    void identify(spec::IdentifyNamespace &id) const override;
    void power_on(BackingStore &store) override;
    static uint64_t store_bytes(const OcssdParams &p, const LbaFormatInfo &format);

    const OcssdParams &params() const { return p_; }
    spec::ocssd::LbaFormat lbaf() const { return lbaf_; }
    // The Geometry (E2h) structure (OC §3).
    spec::ocssd::Geometry geometry() const;
    uint64_t chunk_count() const { return chunks_.size(); }
    // Sectors a host can address and use: chunks x CLBA (NCAP).
    uint64_t usable_sectors() const { return chunk_count() * p_.clba; }

    Address decode(uint64_t lba) const;
    uint64_t encode(uint32_t grp, uint32_t pu, uint32_t chk, uint32_t lbk) const;
    // Linear chunk index (Chunk Information log order): (grp x NUM_PU + pu) x NUM_CHK + chk.
    uint64_t chunk_index(const Address &a) const {
        return (uint64_t{a.grp} * p_.num_pu + a.pu) * p_.num_chk + a.chk;
    }
    Address chunk_address(uint64_t ci) const;
    const Chunk &chunk(uint64_t ci) const { return chunks_[ci]; }
    uint8_t wear_index(uint64_t ci) const;
    spec::ocssd::ChunkDescriptor descriptor(uint64_t ci) const;
    uint64_t open_chunks() const { return open_total_; }
    uint32_t open_chunks_in_pu(uint32_t grp, uint32_t pu) const {
        return open_per_pu_[uint64_t{grp} * p_.num_pu + pu];
    }

    // Write rules (OC §8.2) for `n` consecutive sectors starting at sector `lbk` of chunk `ci`,
    // given in `lbas_consecutive` (false when the command's LBAs of this chunk are not
    // consecutive ascending sectors).
    Verdict check_write(uint64_t ci, uint32_t lbk, uint64_t n, bool lbas_consecutive) const;
    // Writes sectors that passed check_write (data n x lba_size, metadata n x ms or empty),
    // advances the WP and the state (FREE -> OPEN -> CLOSED), then records the chunk. False on
    // a store failure (the chunk is unchanged).
    bool write(BackingStore &store, uint64_t ci, uint32_t lbk, uint64_t n,
               std::span<const uint8_t> data, std::span<const uint8_t> metadata);
    // Read rules (OC §8.3): whether sector `lbk` of chunk `ci` holds data a host may read.
    bool readable(uint64_t ci, uint32_t lbk) const;
    // Reads one sector (and its metadata) that is readable. False on a store failure.
    bool read(BackingStore &store, uint64_t ci, uint32_t lbk, std::span<uint8_t> data,
              std::span<uint8_t> metadata) const;
    // Vector Chunk Reset of one chunk (OC §8.1): the state table, wear, end of life. On success
    // or on a reset that takes the chunk OFFLINE the chunk's record is written. `store_ok` is
    // set false on a store failure.
    Verdict reset(BackingStore &store, uint64_t ci, bool &store_ok);
    // An early close (Write Fail - Chunk Early Close): the chunk becomes CLOSED at its WP.
    bool close_early(BackingStore &store, uint64_t ci);
    // A grown-bad chunk: it becomes OFFLINE.
    bool take_offline(BackingStore &store, uint64_t ci);

    // Fault injection (properties fail_reset, fail_write): whether a write of sectors
    // [lbk, lbk + n) of chunk ci reaches a failing sector.
    bool write_fails(uint64_t ci, uint32_t lbk, uint64_t n) const;

    // Chunk Notification log (D0h, OC §5): the newest 64 entries, newest first; NC counts every
    // notification ever posted (the first is 1). Entries are kept on the store and survive
    // power cycles.
    std::vector<spec::ocssd::ChunkNotificationEntry> notifications() const;
    uint64_t notification_count() const { return last_nc_; }
    static constexpr size_t kNotificationEntries = 64;

private:
    void set_state(uint64_t ci, ChunkState to);
    bool persist(BackingStore &store, uint64_t ci) const;
    uint64_t data_address(uint64_t ci, uint32_t lbk) const {
        return store_offset_ + (ci * p_.clba + lbk) * lba_size_;
    }
    uint64_t metadata_address(uint64_t ci, uint32_t lbk) const {
        return metadata_offset_ + (ci * p_.clba + lbk) * metadata_size();
    }
    void initial_state();
    // Posts a notification about chunk ci (MASK chunk) with STATE bits `state`.
    void notify_chunk(BackingStore &store, uint64_t ci, uint16_t state);
    // After a reset: a WLI outside the WIT band around the average posts a notification (QEMU).
    void check_wear_band(BackingStore &store, uint64_t ci);

    OcssdParams p_;
    spec::ocssd::LbaFormat lbaf_{};
    uint64_t store_offset_;
    uint64_t metadata_offset_;
    uint64_t table_offset_;
    uint64_t notification_offset_; // 64 entries of 64 bytes after the chunk table
    std::vector<spec::ocssd::ChunkNotificationEntry> notes_; // oldest first, at most 64
    uint64_t last_nc_ = 0;
    uint64_t wli_sum_ = 0; // sum of every chunk's WLI, for the WIT band's average
    std::set<uint64_t> fail_reset_;
    std::map<uint64_t, std::set<uint32_t>> fail_write_;
    std::vector<Chunk> chunks_;
    uint64_t open_total_ = 0;
    std::vector<uint32_t> open_per_pu_;
};

} // namespace nvmelab
