#pragma once
// One NVM namespace: its LBAs on the backing store, plus the volatile write cache in front of
// them. Cached blocks are what an unclean power cut loses (NVMe 1.3 §5.21.1.6, Volatile Write
// Cache); Flush and a clean shutdown write them to the media.
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/media/backing_store.h"

namespace nvmelab {

class NvmNamespace {
public:
    NvmNamespace(uint32_t nsid, uint64_t store_offset, uint64_t nsze, uint32_t lba_size,
                 uint32_t cache_blocks);

    uint32_t nsid() const { return nsid_; }
    uint64_t nsze() const { return nsze_; }
    uint32_t lba_size() const { return lba_size_; }

    // Reads blocks, newest data first from the cache. False on a backing-store failure.
    bool read(BackingStore &store, uint64_t slba, uint64_t nlb, std::span<uint8_t> out) const;
    // Writes blocks through the cache (cache=true) or straight to the media (FUA, or cache
    // disabled). A cached write that overflows the cache destages it first.
    bool write(BackingStore &store, uint64_t slba, uint64_t nlb, std::span<const uint8_t> in,
               bool cache);
    // Writes the cached blocks of one range to the media and drops them from the cache.
    bool commit_range(BackingStore &store, uint64_t slba, uint64_t nlb);
    // Writes every cached block to the media; returns the number written or -1 on failure.
    int64_t flush(BackingStore &store);
    // An unclean power cut: cached data is gone.
    uint64_t drop_cache();

    bool is_cached(uint64_t lba) const { return cache_index_.count(lba) != 0; }
    uint64_t cached_blocks() const { return cache_index_.size(); }

private:
    uint8_t *cache_slot(uint32_t slot) { return cache_arena_.data() + uint64_t{slot} * lba_size_; }
    const uint8_t *cache_slot(uint32_t slot) const {
        return cache_arena_.data() + uint64_t{slot} * lba_size_;
    }

    uint32_t nsid_;
    uint64_t store_offset_;
    uint64_t nsze_;
    uint32_t lba_size_;
    uint32_t cache_capacity_;
    std::unordered_map<uint64_t, uint32_t> cache_index_; // LBA -> arena slot
    std::vector<uint8_t> cache_arena_;                   // allocated on first cached write
    std::vector<uint32_t> free_slots_;
};

} // namespace nvmelab
