#include "core/media/nvm_namespace.h"

#include <algorithm>
#include <cstring>

namespace nvmelab {

NvmNamespace::NvmNamespace(uint32_t nsid, uint64_t store_offset, uint64_t nsze, uint32_t lba_size,
                           uint32_t cache_blocks)
    : nsid_(nsid), store_offset_(store_offset), nsze_(nsze), lba_size_(lba_size),
      cache_capacity_(cache_blocks) {}

bool NvmNamespace::read(BackingStore& store, uint64_t slba, uint64_t nlb,
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

bool NvmNamespace::write(BackingStore& store, uint64_t slba, uint64_t nlb,
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
    for (uint64_t i = 0; i < nlb; ++i) new_blocks += cache_index_.count(slba + i) == 0;
    if (cache_index_.size() + new_blocks > cache_capacity_ && flush(store) < 0) return false;
    if (cache_arena_.empty()) {
        cache_arena_.resize(uint64_t{cache_capacity_} * lba_size_);
        free_slots_.reserve(cache_capacity_);
        for (uint32_t s = cache_capacity_; s > 0; --s) free_slots_.push_back(s - 1);
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

int64_t NvmNamespace::flush(BackingStore& store) {
    if (cache_index_.empty()) return 0;
    // Destage in LBA order, merging runs, so the media sees few large writes and the order is
    // the same on every platform.
    std::vector<std::pair<uint64_t, uint32_t>> blocks(cache_index_.begin(), cache_index_.end());
    std::sort(blocks.begin(), blocks.end());
    std::vector<uint8_t> run;
    size_t i = 0;
    while (i < blocks.size()) {
        size_t j = i;
        run.clear();
        while (j < blocks.size() && blocks[j].first == blocks[i].first + (j - i)) {
            const uint8_t* p = cache_slot(blocks[j].second);
            run.insert(run.end(), p, p + lba_size_);
            ++j;
        }
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
    for (const auto& [lba, slot] : cache_index_) free_slots_.push_back(slot);
    cache_index_.clear();
    return dropped;
}

} // namespace nvmelab
