#pragma once
// Per-block metadata on the backing store (NVMe 1.3 §8.2): `ms` bytes for each LBA, in LBA order,
// in an area of its own beside the namespace's data, so the data keeps its addresses (and its
// zero-copy extent path) whatever the format. The host sees metadata in either layout (extended
// LBAs or a separate buffer); the media keeps it one way.
//
// Metadata is as durable as the data of its block, by the same rules: while the block's data is
// in a volatile write cache, its metadata is kept here in a volatile copy (cache()), and it goes
// to the store exactly when that data does (commit(), commit_all()); an unclean power cut drops
// both (drop()). A namespace with a write cache calls these beside its own cache's steps.
#include <array>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "core/media/backing_store.h"

namespace nvmelab {

class MetadataArea {
public:
    static constexpr uint16_t kMaxMetadataSize = 64;

    // The area starts at store address `offset` and holds `capacity` bytes; `ms` bytes per block
    // (0: the format has no metadata and every call below does nothing).
    void configure(uint64_t offset, uint64_t capacity, uint16_t ms) {
        offset_ = offset;
        capacity_ = capacity;
        ms_ = ms;
        cached_.clear();
    }
    uint16_t size() const { return ms_; }
    uint64_t offset() const { return offset_; }
    uint64_t capacity() const { return capacity_; }
    uint64_t address(uint64_t lba) const { return offset_ + lba * ms_; }

    // Metadata of [slba, slba + nlb), newest first from the volatile copy (out: nlb x ms bytes).
    bool read(BackingStore &store, uint64_t slba, uint64_t nlb, std::span<uint8_t> out) const;
    // To the store now (a write-through or FUA write); volatile copies of the range are stale.
    bool write_through(BackingStore &store, uint64_t slba, uint64_t nlb,
                       std::span<const uint8_t> in);
    // Kept volatile, beside the block's cached data.
    void cache(uint64_t slba, uint64_t nlb, std::span<const uint8_t> in);
    // The volatile copies of a range go to the store (their data just went to the media).
    bool commit(BackingStore &store, uint64_t slba, uint64_t nlb);
    // Every volatile copy goes to the store, in LBA order (Flush, shutdown).
    bool commit_all(BackingStore &store);
    // An unclean power cut (or a format): the volatile copies are gone.
    void drop() { cached_.clear(); }
    size_t cached() const { return cached_.size(); }
    bool is_cached(uint64_t lba) const { return cached_.count(lba) != 0; }

private:
    uint64_t offset_ = 0;
    uint64_t capacity_ = 0;
    uint16_t ms_ = 0;
    std::unordered_map<uint64_t, std::array<uint8_t, kMaxMetadataSize>> cached_;
};

} // namespace nvmelab
