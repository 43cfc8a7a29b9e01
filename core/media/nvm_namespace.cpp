#include "core/media/nvm_namespace.h"

#include <algorithm>
#include <cstring>

namespace nvmelab {

NvmNamespace::NvmNamespace(uint32_t nsid, uint64_t store_offset, uint64_t nsze, uint32_t lba_size,
                           uint32_t cache_blocks)
    : nsid_(nsid), store_offset_(store_offset), nsze_(nsze), lba_size_(lba_size),
      cache_capacity_(cache_blocks) {}

bool NvmNamespace::read(BackingStore &store, uint64_t slba, uint64_t nlb,
                        std::span<uint8_t> out) const {
    if (!store.read(store_offset_ + slba * lba_size_, out.first(nlb * lba_size_))) return false;
    if (cache_index_.empty()) return true;
    for (uint64_t i = 0; i < nlb; ++i) {
        auto it = cache_index_.find(slba + i);
        if (it != cache_index_.end())
            std::memcpy(out.data() + i * lba_size_, cache_slot(it->second), lba_size_);
    }
    return true;
}

bool NvmNamespace::write(BackingStore &store, uint64_t slba, uint64_t nlb,
                         std::span<const uint8_t> in, bool cache) {
    if (!cache || nlb > cache_capacity_) {
        // Write-through: the media gets the data and any older cached copy is now stale.
        for (uint64_t i = 0; i < nlb && !cache_index_.empty(); ++i) {
            auto it = cache_index_.find(slba + i);
            if (it != cache_index_.end()) {
                free_slots_.push_back(it->second);
                cache_index_.erase(it);
            }
        }
        return store.write(store_offset_ + slba * lba_size_, in.first(nlb * lba_size_));
    }
    uint64_t new_blocks = 0;
    for (uint64_t i = 0; i < nlb; ++i)
        new_blocks += cache_index_.count(slba + i) == 0;
    if (cache_index_.size() + new_blocks > cache_capacity_ && flush(store) < 0) return false;
    if (cache_arena_.empty()) {
        cache_arena_.resize(uint64_t{cache_capacity_} * lba_size_);
        free_slots_.reserve(cache_capacity_);
        for (uint32_t s = cache_capacity_; s > 0; --s)
            free_slots_.push_back(s - 1);
    }
    for (uint64_t i = 0; i < nlb; ++i) {
        auto [it, inserted] = cache_index_.try_emplace(slba + i, 0);
        if (inserted) {
            it->second = free_slots_.back();
            free_slots_.pop_back();
        }
        std::memcpy(cache_slot(it->second), in.data() + i * lba_size_, lba_size_);
    }
    return true;
}

bool NvmNamespace::commit_range(BackingStore &store, uint64_t slba, uint64_t nlb) {
    for (uint64_t i = 0; i < nlb && !cache_index_.empty(); ++i) {
        auto it = cache_index_.find(slba + i);
        if (it == cache_index_.end()) continue;
        if (!store.write(store_offset_ + (slba + i) * lba_size_,
                         std::span<const uint8_t>(cache_slot(it->second), lba_size_)))
            return false;
        free_slots_.push_back(it->second);
        cache_index_.erase(it);
    }
    return true;
}

int64_t NvmNamespace::flush(BackingStore &store) {
    if (cache_index_.empty()) return 0;
    // Destage in LBA order, merging blocks into one write while their LBAs follow each other
    // and so do their cache slots, so the media sees few large writes, straight from the cache
    // arena, in the same order on every platform. (drop_cache() hands slots out in arena
    // order, so blocks written together are usually adjacent there.)
    std::vector<std::pair<uint64_t, uint32_t>> blocks(cache_index_.begin(), cache_index_.end());
    std::sort(blocks.begin(), blocks.end());
    size_t i = 0;
    while (i < blocks.size()) {
        size_t j = i + 1;
        while (j < blocks.size() && blocks[j].first == blocks[i].first + (j - i) &&
               blocks[j].second == blocks[i].second + (j - i))
            ++j;
        const std::span<const uint8_t> run(cache_slot(blocks[i].second), (j - i) * lba_size_);
        if (!store.write(store_offset_ + blocks[i].first * lba_size_, run)) return -1;
        i = j;
    }
    const auto written = static_cast<int64_t>(blocks.size());
    drop_cache();
    if (!store.sync()) return -1;
    return written;
}

uint64_t NvmNamespace::drop_cache() {
    const uint64_t dropped = cache_index_.size();
    cache_index_.clear();
    // Every slot is free again. Hand them out from the start of the arena again, so blocks
    // cached together sit together and flush() can write their runs straight from the arena.
    free_slots_.clear();
    if (!cache_arena_.empty())
        for (uint32_t s = cache_capacity_; s > 0; --s)
            free_slots_.push_back(s - 1);
    return dropped;
}

} // namespace nvmelab
