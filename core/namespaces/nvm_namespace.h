#pragma once
// One NVM namespace: its LBAs on the backing store, plus the volatile write cache in front of
// them. Cached blocks are what an unclean power cut loses (NVMe 1.3 §5.21.1.6, Volatile Write
// Cache); Flush and a clean shutdown write them to the media.
//
// The cache holds blocks two ways: whole media extents (taken over from a Write's
// ExtentData without a copy and handed to the store the same way), and single blocks in an
// arena for writes that cover an extent only in part. A block is in at most one of the two.
//
// A write that would overflow the cache first destages the oldest cached data (in the order it
// entered the cache) down to a low watermark, as a drive's background destaging does, instead
// of emptying the whole cache at once: each overflow then moves an eighth of the cache, not all
// of it, so the work (and the time a front end spends on it) comes in small, even steps.
#include <cstdint>
#include <deque>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/media/backing_store.h"
#include "core/media/media_extent.h"
#include "core/media/metadata_area.h"
#include "core/media/read_source.h"
#include "core/namespaces/namespace.h"

namespace nvmelab {

class NvmNamespace : public Namespace, public ReadSource {
public:
    NvmNamespace(uint32_t nsid, const NamespaceConfig &config, uint64_t store_offset);
    // One namespace in one LBA format of `lba_size` data bytes and no metadata.
    NvmNamespace(uint32_t nsid, uint64_t store_offset, uint64_t nsze, uint32_t lba_size,
                 uint32_t cache_blocks);

    NamespaceType type() const override { return NamespaceType::Nvm; }
    // MC and DPC: which metadata layouts and protection settings its formats allow.
    void identify(spec::IdentifyNamespace &id) const override;
    // Format NVM: the cache and every block's data and metadata are erased on the store.
    bool can_format() const override { return true; }
    bool format(BackingStore &store, const FormatRequest &request) override;
    void restore_format(const FormatRequest &request) override;

    // Reads blocks, newest data first from the cache. False on a backing-store failure.
    bool read(BackingStore &store, uint64_t slba, uint64_t nlb, std::span<uint8_t> out) const;
    // Bytes [offset, offset + out.size()) of the range starting at LBA slba, each copied once
    // from where its newest copy is (a cached extent, the arena, or the store).
    bool read_bytes(BackingStore &store, uint64_t slba, uint64_t offset,
                    std::span<uint8_t> out) const;
    // A Read's hold on [slba, slba + nlb) (see ReadSource): its data-out DMA reads the range
    // with read_held() and the command's end releases it. A write, or an unclean power cut's
    // cache drop, over a held range first copies the range aside for the hold.
    uint64_t hold_read(BackingStore &store, uint64_t slba, uint64_t nlb);
    bool read_held(uint64_t hold, uint64_t offset, std::span<uint8_t> out) override;
    void release_read(uint64_t hold) override;
    size_t reads_held() const { return holds_in_use_; }
    // The metadata of blocks (nlb x metadata_size() bytes), newest first from the cache.
    bool read_metadata(BackingStore &store, uint64_t slba, uint64_t nlb,
                       std::span<uint8_t> out) const {
        return metadata_.read(store, slba, nlb, out);
    }
    // Writes blocks through the cache (cache=true) or straight to the media (FUA, or cache
    // disabled). A cached write that overflows the cache destages it first. `metadata` holds
    // nlb x metadata_size() bytes when the format has metadata: it goes where the data goes
    // (MetadataArea), so a power cut keeps or loses both together.
    bool write(BackingStore &store, uint64_t slba, uint64_t nlb, std::span<const uint8_t> in,
               bool cache, std::span<const uint8_t> metadata = {});
    // The same for data laid out on the media extent grid (see ExtentData, whose media_offset
    // must be this range's store address): extents the range covers whole move into the cache,
    // or to the store when not caching, without a copy; the rest is written as above. The
    // buffers left over go back to extent_pool().
    bool write(BackingStore &store, uint64_t slba, uint64_t nlb, ExtentData &in, bool cache);
    // Store address of an LBA, and the pool a Write's ExtentData takes its buffers from.
    uint64_t store_address(uint64_t lba) const { return store_offset_ + lba * lba_size_; }
    MediaExtentPool &extent_pool() { return pool_; }
    // Writes the cached blocks of one range to the media and drops them from the cache.
    bool commit_range(BackingStore &store, uint64_t slba, uint64_t nlb);
    // Writes every cached block to the media; returns the number written or -1 on failure.
    int64_t flush(BackingStore &store) override;
    // An unclean power cut: cached data is gone.
    uint64_t drop_cache() override;

    bool is_cached(uint64_t lba) const override {
        return cache_index_.count(lba) != 0 ||
               (!cached_extents_.empty() && cached_extents_.count(extent_of(lba)));
    }
    uint64_t cached_blocks() const override {
        return cache_index_.size() + cached_extents_.size() * blocks_per_extent();
    }
    // Every cached LBA, ascending (at most the cache's capacity of them).
    std::vector<uint64_t> cached_lbas() const override;
    // What an overflow destages down to: cached blocks plus the write's new ones fit in it.
    uint64_t low_watermark() const { return cache_capacity_ - cache_capacity_ / 8; }
    // Blocks overflows have moved to the media so far (a running count, for the trace).
    uint64_t destaged_blocks() const { return destaged_blocks_; }

private:
    struct CachedBlock {
        uint32_t slot; // in the arena
        uint64_t age;  // admission number: which entry of admissions_ is this block's
    };
    struct CachedExtent {
        MediaExtent data;
        uint64_t age = 0;
    };
    // A Read's hold; its id is its index in holds_, reused once it is released.
    struct Hold {
        bool in_use = false;
        uint64_t slba = 0;
        uint64_t nlb = 0;
        BackingStore *store = nullptr;
        uint64_t bytes = 0;  // nlb x the LBA size at hold_read()
        bool copied = false; // the range's data as it was at hold_read() is in `copy`
        bool copy_ok = true;
        std::vector<uint8_t> copy;
    };
    // The newest cached copy of an LBA (in a cached extent or the arena), or null.
    const uint8_t *cached_block(uint64_t lba) const;
    // Before the data of [slba, slba + nlb) changes: holds over it keep a copy of what they read.
    void keep_held_data(uint64_t slba, uint64_t nlb);
    // Empties the cache (flush, once its blocks are on the media; drop_cache); returns the
    // blocks it held.
    uint64_t forget_cache();
    // One block or whole extent entering the cache, oldest first. A block or whole extent that
    // leaves the cache leaves its entry behind; an entry counts only while its key is cached with
    // the same age (admission_live), so one that left and came back is destaged by its new entry.
    struct Admission {
        uint64_t key; // LBA of a block, or media extent index of a whole extent
        uint64_t age;
        bool whole_extent;
    };

    uint64_t extent_of(uint64_t lba) const { return store_address(lba) / kMediaExtentSize; }
    uint64_t blocks_per_extent() const { return kMediaExtentSize / lba_size_; }
    // Blocks of [slba, slba + nlb) not in the cache yet.
    uint64_t uncached_blocks(uint64_t slba, uint64_t nlb) const;
    // Puts blocks in the arena (or into their extent when it is cached whole).
    void put_in_arena(uint64_t slba, uint64_t nlb, const uint8_t *data);
    // Drops arena copies of a range (a newer copy went to a cached extent or to the media).
    void drop_arena_blocks(uint64_t slba, uint64_t nlb);
    // Before caching [slba, slba + nlb): when its new blocks would overflow the cache, the
    // oldest cached blocks and extents go to the media until the cache, with those new blocks,
    // is at the low watermark (or empty). False on a backing-store failure.
    bool make_room(BackingStore &store, uint64_t slba, uint64_t nlb);
    // Writes the oldest admission (a whole extent, or a run of blocks admitted together in adjacent
    // LBAs and slots, cut short once `excess` blocks outside [slba, slba + nlb) have left) to
    // the media and drops it from the cache; lowers `excess` by the blocks that left outside
    // the range.
    bool destage_oldest(BackingStore &store, uint64_t slba, uint64_t nlb, uint64_t &excess);
    bool admission_live(const Admission &a) const;
    // Queues the admission of a block or whole extent that just entered the cache; returns its age.
    uint64_t admit(uint64_t key, bool whole_extent);
    // Moves a whole cached extent's blocks into the arena, so single blocks of it can leave the
    // cache. (The arena has room: whole extents and arena blocks together never exceed the
    // capacity.)
    void split_extent(uint64_t extent);
    // Before [slba, slba + nlb) is written to the media directly: cached extents the range covers
    // whole are dropped, those it covers in part are split, so no cached copy of it remains.
    void uncache_extents(uint64_t slba, uint64_t nlb);
    // Calls fn(extent, whole) for each whole cached extent overlapping [slba, slba + nlb), where
    // whole says the range covers the extent entirely; stops early (returning false) when fn does.
    template <typename Fn> bool for_each_cached_extent(uint64_t slba, uint64_t nlb, Fn &&fn);
    // First LBA of a media extent (extents this namespace covers whole).
    uint64_t extent_first_lba(uint64_t extent) const {
        return (extent * kMediaExtentSize - store_offset_) / lba_size_;
    }

    uint8_t *cache_slot(uint32_t slot) { return cache_arena_.data() + uint64_t{slot} * lba_size_; }
    const uint8_t *cache_slot(uint32_t slot) const {
        return cache_arena_.data() + uint64_t{slot} * lba_size_;
    }

    uint64_t store_offset_;
    uint32_t cache_capacity_;
    std::unordered_map<uint64_t, CachedBlock> cache_index_; // LBA -> arena slot and age
    std::vector<uint8_t> cache_arena_;                      // allocated on first cached write
    std::vector<uint32_t> free_slots_;                      // handed out from the back
    std::unordered_map<uint64_t, CachedExtent>
        cached_extents_; // media extent index -> whole cached extent
    std::deque<Admission> admissions_;
    uint64_t next_age_ = 0;
    uint64_t destaged_blocks_ = 0;
    MediaExtentPool pool_;
    std::vector<Hold> holds_; // at most one in use per command in flight
    std::vector<uint64_t> free_holds_;
    size_t holds_in_use_ = 0;
    MetadataArea metadata_; // the format's metadata, on the store after the data area
};

} // namespace nvmelab
