#include "core/namespaces/nvm_namespace.h"

#include <algorithm>
#include <cstring>

#include "core/controller/command.h"

namespace nvmelab {

NvmNamespace::NvmNamespace(uint32_t nsid, const NamespaceConfig &config, uint64_t store_offset)
    : Namespace(nsid, config, nvm_command_set()), store_offset_(store_offset),
      cache_capacity_(config.cache_blocks),
      // Enough spare buffers to refill a whole cache after a flush gave its extents to the store
      // (which hands back the extents it held), plus in-flight writes: steady overwrite traffic
      // then allocates nothing. They only replace memory the cache itself held.
      pool_(uint64_t{config.cache_blocks} * lba_size_ / kMediaExtentSize + 64) {
    metadata_.configure(store_offset + capacity_bytes_, metadata_area_, metadata_size());
}

void NvmNamespace::identify(spec::IdentifyNamespace &id) const {
    Namespace::identify(id);
    const bool any_metadata = std::any_of(lba_formats_.begin(), lba_formats_.end(),
                                          [](const LbaFormatInfo &f) { return f.metadata_size; });
    // MC: metadata at the end of each block (bit 0) and in a separate buffer (bit 1) (§5.15).
    id.mc = any_metadata ? 0x03 : 0x00;
    // DPC: PI types 1, 2 and 3 (bits 0-2), the tuple first or last in the metadata (bits 3-4),
    // for the formats with at least 8 bytes of metadata (§8.3).
    id.dpc = any_metadata ? 0x1F : 0x00;
}

void NvmNamespace::restore_format(const FormatRequest &request) {
    // Cache slots and metadata sizes follow the block size: nothing is cached at power-on.
    forget_cache();
    std::vector<uint8_t>().swap(cache_arena_);
    free_slots_.clear();
    set_format(request);
    metadata_.configure(store_offset_ + capacity_bytes_, metadata_area_, metadata_size());
}

bool NvmNamespace::format(BackingStore &store, const FormatRequest &request) {
    // Reads holding data of this namespace keep what they read (their DMA may still run).
    for (const Hold &h : holds_)
        if (h.in_use) keep_held_data(h.slba, h.nlb);
    // Erased first, switched after: a store failure leaves the old format (its data partly
    // erased, as a failed format may, §5.23).
    if (!store.discard(store_offset_, capacity_bytes_)) return false;
    if (metadata_area_ != 0 && !store.discard(store_offset_ + capacity_bytes_, metadata_area_))
        return false;
    restore_format(request);
    return store.sync();
}

NvmNamespace::NvmNamespace(uint32_t nsid, uint64_t store_offset, uint64_t nsze, uint32_t lba_size,
                           uint32_t cache_blocks)
    : NvmNamespace(nsid,
                   NamespaceConfig{.type = NamespaceType::Nvm,
                                   .nsze = nsze,
                                   .lba_formats = {LbaFormatInfo{lba_size, 0}},
                                   .format_in_use = 0,
                                   .cache_blocks = cache_blocks},
                   store_offset) {}

bool NvmNamespace::read(BackingStore &store, uint64_t slba, uint64_t nlb,
                        std::span<uint8_t> out) const {
    return read_bytes(store, slba, 0, out.first(nlb * lba_size_));
}

const uint8_t *NvmNamespace::cached_block(uint64_t lba) const {
    if (!cached_extents_.empty()) {
        const auto it = cached_extents_.find(extent_of(lba));
        if (it != cached_extents_.end())
            return it->second.data.get() + store_address(lba) % kMediaExtentSize;
    }
    if (!cache_index_.empty()) {
        const auto it = cache_index_.find(lba);
        if (it != cache_index_.end()) return cache_slot(it->second.slot);
    }
    return nullptr;
}

bool NvmNamespace::read_bytes(BackingStore &store, uint64_t slba, uint64_t offset,
                              std::span<uint8_t> out) const {
    const uint64_t begin = store_address(slba) + offset;
    if (cache_index_.empty() && cached_extents_.empty()) return store.read(begin, out);
    // Block by block from the newest copy; runs of uncached blocks in one store read.
    uint64_t done = 0;
    while (done < out.size()) {
        const uint64_t at = begin + done - store_offset_;
        const uint64_t lba = at / lba_size_;
        const uint64_t within = at % lba_size_;
        uint64_t n = std::min<uint64_t>(out.size() - done, lba_size_ - within);
        if (const uint8_t *cached = cached_block(lba)) {
            std::memcpy(out.data() + done, cached + within, n);
        } else {
            while (done + n < out.size() && !is_cached(lba + (within + n) / lba_size_))
                n += std::min<uint64_t>(out.size() - done - n, lba_size_);
            if (!store.read(begin + done, out.subspan(done, n))) return false;
        }
        done += n;
    }
    return true;
}

uint64_t NvmNamespace::hold_read(BackingStore &store, uint64_t slba, uint64_t nlb) {
    uint64_t id = holds_.size();
    if (free_holds_.empty()) {
        holds_.emplace_back();
    } else {
        id = free_holds_.back();
        free_holds_.pop_back();
    }
    Hold &h = holds_[id];
    h.in_use = true;
    h.slba = slba;
    h.nlb = nlb;
    h.store = &store;
    h.bytes = nlb * lba_size_;
    h.copied = false;
    h.copy_ok = true;
    ++holds_in_use_;
    return id;
}

bool NvmNamespace::read_held(uint64_t hold, uint64_t offset, std::span<uint8_t> out) {
    if (hold >= holds_.size() || !holds_[hold].in_use) return false;
    const Hold &h = holds_[hold];
    if (offset > h.bytes || out.size() > h.bytes - offset) return false;
    if (!h.copied) return read_bytes(*h.store, h.slba, offset, out);
    if (!h.copy_ok) return false;
    std::memcpy(out.data(), h.copy.data() + offset, out.size());
    return true;
}

void NvmNamespace::release_read(uint64_t hold) {
    if (hold >= holds_.size() || !holds_[hold].in_use) return;
    Hold &h = holds_[hold];
    h.in_use = false;
    std::vector<uint8_t>().swap(h.copy);
    free_holds_.push_back(hold);
    --holds_in_use_;
}

void NvmNamespace::keep_held_data(uint64_t slba, uint64_t nlb) {
    for (Hold &h : holds_) {
        if (!h.in_use || h.copied || h.slba >= slba + nlb || slba >= h.slba + h.nlb) continue;
        h.copy.resize(h.bytes);
        h.copy_ok = read(*h.store, h.slba, h.nlb, h.copy);
        h.copied = true;
    }
}

uint64_t NvmNamespace::uncached_blocks(uint64_t slba, uint64_t nlb) const {
    uint64_t n = 0;
    for (uint64_t i = 0; i < nlb; ++i)
        n += !is_cached(slba + i);
    return n;
}

std::vector<uint64_t> NvmNamespace::cached_lbas() const {
    std::vector<uint64_t> lbas;
    lbas.reserve(cached_blocks());
    for (const auto &entry : cache_index_)
        lbas.push_back(entry.first);
    for (const auto &[extent, cached] : cached_extents_)
        for (uint64_t i = 0, first = extent_first_lba(extent); i < blocks_per_extent(); ++i)
            lbas.push_back(first + i);
    std::sort(lbas.begin(), lbas.end());
    return lbas;
}

void NvmNamespace::drop_arena_blocks(uint64_t slba, uint64_t nlb) {
    for (uint64_t i = 0; i < nlb && !cache_index_.empty(); ++i) {
        auto it = cache_index_.find(slba + i);
        if (it != cache_index_.end()) {
            free_slots_.push_back(it->second.slot);
            cache_index_.erase(it);
        }
    }
}

bool NvmNamespace::admission_live(const Admission &a) const {
    if (a.whole_extent) {
        auto it = cached_extents_.find(a.key);
        return it != cached_extents_.end() && it->second.age == a.age;
    }
    auto it = cache_index_.find(a.key);
    return it != cache_index_.end() && it->second.age == a.age;
}

uint64_t NvmNamespace::admit(uint64_t key, bool whole_extent) {
    // Entries of blocks and extents that left the cache stay until destaging reaches them;
    // rewrites that keep replacing cached data with write-through data could pile them up.
    // Compacted before the new entry goes in: its block or extent has no age yet.
    const uint64_t live = cache_index_.size() + cached_extents_.size();
    if (admissions_.size() >= 2 * live + 64)
        std::erase_if(admissions_, [this](const Admission &e) { return !admission_live(e); });
    const uint64_t age = next_age_++;
    admissions_.push_back(Admission{key, age, whole_extent});
    return age;
}

void NvmNamespace::split_extent(uint64_t extent) {
    auto it = cached_extents_.find(extent);
    if (it == cached_extents_.end()) return;
    MediaExtent whole = std::move(it->second.data);
    cached_extents_.erase(it);
    put_in_arena(extent_first_lba(extent), blocks_per_extent(), whole.get());
    pool_.give(std::move(whole));
}

template <typename Fn>
bool NvmNamespace::for_each_cached_extent(uint64_t slba, uint64_t nlb, Fn &&fn) {
    if (cached_extents_.empty()) return true;
    const uint64_t last = extent_of(slba + nlb - 1);
    for (uint64_t c = extent_of(slba); c <= last; ++c) {
        if (cached_extents_.count(c) == 0) continue;
        const uint64_t lba = extent_first_lba(c);
        if (!fn(c, lba >= slba && lba + blocks_per_extent() <= slba + nlb)) return false;
    }
    return true;
}

void NvmNamespace::uncache_extents(uint64_t slba, uint64_t nlb) {
    for_each_cached_extent(slba, nlb, [&](uint64_t c, bool whole) {
        if (!whole) {
            split_extent(c);
            return true;
        }
        pool_.give(std::move(cached_extents_[c].data));
        cached_extents_.erase(c);
        return true;
    });
}

void NvmNamespace::put_in_arena(uint64_t slba, uint64_t nlb, const uint8_t *data) {
    if (cache_arena_.empty()) {
        cache_arena_.resize(uint64_t{cache_capacity_} * lba_size_);
        free_slots_.reserve(cache_capacity_);
        for (uint32_t s = cache_capacity_; s > 0; --s)
            free_slots_.push_back(s - 1);
    }
    for (uint64_t i = 0; i < nlb; ++i) {
        const uint64_t lba = slba + i;
        const uint8_t *block = data + i * lba_size_;
        if (!cached_extents_.empty()) {
            auto cached = cached_extents_.find(extent_of(lba));
            if (cached != cached_extents_.end()) {
                std::memcpy(cached->second.data.get() + store_address(lba) % kMediaExtentSize,
                            block, lba_size_);
                continue;
            }
        }
        auto [it, inserted] = cache_index_.try_emplace(lba, CachedBlock{});
        if (inserted) {
            it->second.slot = free_slots_.back();
            free_slots_.pop_back();
            it->second.age = admit(lba, false);
        }
        std::memcpy(cache_slot(it->second.slot), block, lba_size_);
    }
}

bool NvmNamespace::make_room(BackingStore &store, uint64_t slba, uint64_t nlb) {
    const uint64_t needed = cached_blocks() + uncached_blocks(slba, nlb);
    if (needed <= cache_capacity_) return true;
    // Destaging a block the write covers frees no room (the write brings it back), so only
    // blocks outside the range count against the excess. An empty cache ends the loop: the
    // write alone fits, being no larger than the cache.
    uint64_t excess = needed - low_watermark();
    while (excess > 0 && !admissions_.empty())
        if (!destage_oldest(store, slba, nlb, excess)) return false;
    return true;
}

bool NvmNamespace::destage_oldest(BackingStore &store, uint64_t slba, uint64_t nlb,
                                  uint64_t &excess) {
    const Admission oldest = admissions_.front();
    admissions_.pop_front();
    if (!admission_live(oldest)) return true;
    const auto outside_range = [&](uint64_t lba, uint64_t n) {
        const uint64_t lo = std::max(lba, slba);
        const uint64_t hi = std::min(lba + n, slba + nlb);
        return n - (hi > lo ? hi - lo : 0);
    };
    uint64_t freed = 0;
    if (oldest.whole_extent) {
        auto cached = cached_extents_.find(oldest.key);
        if (!store.write_extent(oldest.key, cached->second.data)) {
            admissions_.push_front(oldest);
            return false;
        }
        if (!metadata_.commit(store, extent_first_lba(oldest.key), blocks_per_extent())) {
            admissions_.push_front(oldest);
            return false;
        }
        pool_.give(std::move(cached->second.data));
        cached_extents_.erase(cached);
        destaged_blocks_ += blocks_per_extent();
        freed = outside_range(extent_first_lba(oldest.key), blocks_per_extent());
    } else {
        // The blocks of one multi-block write were admitted one after another into adjacent
        // slots, so they usually leave in one media write.
        const uint32_t slot = cache_index_.find(oldest.key)->second.slot;
        uint64_t run = 1;
        freed = outside_range(oldest.key, 1);
        while (freed < excess && run - 1 < admissions_.size()) {
            const Admission &next = admissions_[run - 1];
            auto block = cache_index_.find(next.key);
            if (next.whole_extent || next.key != oldest.key + run || block == cache_index_.end() ||
                block->second.age != next.age || block->second.slot != slot + run)
                break;
            freed += outside_range(next.key, 1);
            ++run;
        }
        if (!store.write(store_address(oldest.key),
                         std::span<const uint8_t>(cache_slot(slot), run * lba_size_))) {
            admissions_.push_front(oldest);
            return false;
        }
        // The blocks' metadata goes to the media with them (the cache keeps them until it did).
        if (!metadata_.commit(store, oldest.key, run)) {
            admissions_.push_front(oldest);
            return false;
        }
        admissions_.erase(admissions_.begin(), admissions_.begin() + (run - 1));
        destaged_blocks_ += run;
        // Slots go back so that the next blocks cached get them in ascending order again.
        for (uint64_t i = run; i > 0; --i) {
            cache_index_.erase(oldest.key + i - 1);
            free_slots_.push_back(static_cast<uint32_t>(slot + i - 1));
        }
    }
    excess -= std::min(excess, freed);
    return true;
}

bool NvmNamespace::write(BackingStore &store, uint64_t slba, uint64_t nlb,
                         std::span<const uint8_t> in, bool cache,
                         std::span<const uint8_t> metadata) {
    if (holds_in_use_ != 0) keep_held_data(slba, nlb);
    if (!cache || nlb > cache_capacity_) {
        // Write-through: the media gets the data; older cached copies are now stale.
        uncache_extents(slba, nlb);
        drop_arena_blocks(slba, nlb);
        return store.write(store_address(slba), in.first(nlb * lba_size_)) &&
               metadata_.write_through(store, slba, nlb, metadata);
    }
    if (!make_room(store, slba, nlb)) return false;
    put_in_arena(slba, nlb, in.data());
    metadata_.cache(slba, nlb, metadata);
    return true;
}

bool NvmNamespace::write(BackingStore &store, uint64_t slba, uint64_t nlb, ExtentData &in,
                         bool cache) {
    if (holds_in_use_ != 0) keep_held_data(slba, nlb);
    const uint64_t bpc = blocks_per_extent();
    const bool to_cache = cache && nlb <= cache_capacity_;
    if (to_cache && !make_room(store, slba, nlb)) return false;
    bool ok = true;
    for (size_t i = 0; ok && i < in.buffers.size(); ++i) {
        const uint64_t c = in.first_extent() + i;
        // The part of this extent the command writes, in LBAs and in bytes of the buffer.
        const uint64_t extent_start = c * kMediaExtentSize;
        const uint64_t from = std::max(extent_start, store_address(slba));
        const uint64_t to = std::min(extent_start + kMediaExtentSize, store_address(slba + nlb));
        const uint64_t first_lba = (from - store_offset_) / lba_size_;
        const uint64_t blocks = (to - from) / lba_size_;
        MediaExtent &buffer = in.buffers[i];
        if (blocks != bpc) {
            const std::span<const uint8_t> part(buffer.get() + from % kMediaExtentSize, to - from);
            ok = write(store, first_lba, blocks, part, to_cache);
            continue;
        }
        drop_arena_blocks(first_lba, blocks);
        if (to_cache) {
            auto [cached, inserted] = cached_extents_.try_emplace(c);
            if (inserted) cached->second.age = admit(c, true);
            pool_.give(std::move(cached->second.data)); // the older cached copy, if any
            cached->second.data = std::move(buffer);
        } else {
            uncache_extents(first_lba, blocks);
            ok = store.write_extent(c, buffer); // buffer now holds what the store gave back
        }
    }
    in.release();
    return ok;
}

bool NvmNamespace::commit_range(BackingStore &store, uint64_t slba, uint64_t nlb) {
    const bool extents_ok = for_each_cached_extent(slba, nlb, [&](uint64_t c, bool whole) {
        if (!whole) {
            split_extent(c); // only the range is committed: its blocks follow from the arena
            return true;
        }
        if (!store.write_extent(c, cached_extents_[c].data)) return false;
        pool_.give(std::move(cached_extents_[c].data));
        cached_extents_.erase(c);
        return true;
    });
    if (!extents_ok) return false;
    for (uint64_t i = 0; i < nlb && !cache_index_.empty(); ++i) {
        auto it = cache_index_.find(slba + i);
        if (it == cache_index_.end()) continue;
        if (!store.write(store_address(slba + i),
                         std::span<const uint8_t>(cache_slot(it->second.slot), lba_size_)))
            return false;
        free_slots_.push_back(it->second.slot);
        cache_index_.erase(it);
    }
    return metadata_.commit(store, slba, nlb);
}

int64_t NvmNamespace::flush(BackingStore &store) {
    const auto written = static_cast<int64_t>(cached_blocks());
    if (written == 0) return 0;
    // Whole extents go to the store by hand-over, in extent order (the same order on every
    // platform, whatever the hash table's iteration order).
    std::vector<uint64_t> whole;
    whole.reserve(cached_extents_.size());
    for (const auto &entry : cached_extents_)
        whole.push_back(entry.first);
    std::sort(whole.begin(), whole.end());
    for (const uint64_t c : whole) {
        MediaExtent &data = cached_extents_[c].data;
        if (!store.write_extent(c, data)) return -1;
        pool_.give(std::move(data));
        cached_extents_.erase(c);
    }
    // Single blocks in LBA order, merging blocks into one write while their LBAs follow each
    // other and so do their arena slots, so the media sees few large writes. (forget_cache()
    // hands slots out in arena order, so blocks written together are usually adjacent there.)
    std::vector<std::pair<uint64_t, uint32_t>> blocks;
    blocks.reserve(cache_index_.size());
    for (const auto &[lba, block] : cache_index_)
        blocks.emplace_back(lba, block.slot);
    std::sort(blocks.begin(), blocks.end());
    size_t i = 0;
    while (i < blocks.size()) {
        size_t j = i + 1;
        while (j < blocks.size() && blocks[j].first == blocks[i].first + (j - i) &&
               blocks[j].second == blocks[i].second + (j - i))
            ++j;
        const std::span<const uint8_t> run(cache_slot(blocks[i].second), (j - i) * lba_size_);
        if (!store.write(store_address(blocks[i].first), run)) return -1;
        i = j;
    }
    if (!metadata_.commit_all(store)) return -1;
    forget_cache(); // every block is on the media now: holds read the same data from there
    if (!store.sync()) return -1;
    return written;
}

uint64_t NvmNamespace::drop_cache() {
    // Held reads of cached data would read the media's older copy after the drop.
    for (const Hold &h : holds_)
        if (h.in_use) keep_held_data(h.slba, h.nlb);
    return forget_cache();
}

uint64_t NvmNamespace::forget_cache() {
    const uint64_t dropped = cached_blocks();
    for (auto &entry : cached_extents_)
        pool_.give(std::move(entry.second.data));
    cached_extents_.clear();
    cache_index_.clear();
    admissions_.clear();
    metadata_.drop();
    // Every slot is free again. Hand them out from the start of the arena again, so blocks
    // cached together sit together and flush() can write their runs straight from the arena.
    free_slots_.clear();
    if (!cache_arena_.empty())
        for (uint32_t s = cache_capacity_; s > 0; --s)
            free_slots_.push_back(s - 1);
    return dropped;
}

} // namespace nvmelab
