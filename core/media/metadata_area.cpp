#include "core/media/metadata_area.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nvmelab {

bool MetadataArea::read(BackingStore &store, uint64_t slba, uint64_t nlb,
                        std::span<uint8_t> out) const {
    if (ms_ == 0 || nlb == 0) return true;
    if (cached_.empty()) return store.read(address(slba), out.first(nlb * ms_));
    // Block by block from the newest copy; runs of blocks not cached in one store read.
    uint64_t i = 0;
    while (i < nlb) {
        if (const auto it = cached_.find(slba + i); it != cached_.end()) {
            std::memcpy(out.data() + i * ms_, it->second.data(), ms_);
            ++i;
            continue;
        }
        uint64_t run = 1;
        while (i + run < nlb && cached_.count(slba + i + run) == 0)
            ++run;
        if (!store.read(address(slba + i), out.subspan(i * ms_, run * ms_))) return false;
        i += run;
    }
    return true;
}

bool MetadataArea::write_through(BackingStore &store, uint64_t slba, uint64_t nlb,
                                 std::span<const uint8_t> in) {
    if (ms_ == 0 || nlb == 0) return true;
    for (uint64_t i = 0; i < nlb && !cached_.empty(); ++i)
        cached_.erase(slba + i);
    if (in.size() >= nlb * ms_) return store.write(address(slba), in.first(nlb * ms_));
    // A write that brought no metadata (or too little) leaves zeros, never stale bytes.
    std::vector<uint8_t> padded(nlb * ms_, 0);
    std::copy(in.begin(), in.end(), padded.begin());
    return store.write(address(slba), padded);
}

void MetadataArea::cache(uint64_t slba, uint64_t nlb, std::span<const uint8_t> in) {
    if (ms_ == 0) return;
    for (uint64_t i = 0; i < nlb; ++i) {
        auto &bytes = cached_[slba + i];
        bytes.fill(0);
        const uint64_t at = i * ms_;
        if (at < in.size())
            std::memcpy(bytes.data(), in.data() + at, std::min<uint64_t>(ms_, in.size() - at));
    }
}

bool MetadataArea::commit(BackingStore &store, uint64_t slba, uint64_t nlb) {
    for (uint64_t i = 0; i < nlb && !cached_.empty(); ++i) {
        const auto it = cached_.find(slba + i);
        if (it == cached_.end()) continue;
        if (!store.write(address(slba + i), std::span<const uint8_t>(it->second.data(), ms_)))
            return false;
        cached_.erase(it);
    }
    return true;
}

bool MetadataArea::commit_all(BackingStore &store) {
    if (cached_.empty()) return true;
    std::vector<uint64_t> lbas;
    lbas.reserve(cached_.size());
    for (const auto &entry : cached_)
        lbas.push_back(entry.first);
    std::sort(lbas.begin(), lbas.end());
    // Runs of adjacent LBAs in one store write.
    std::vector<uint8_t> run;
    size_t i = 0;
    while (i < lbas.size()) {
        size_t j = i;
        run.clear();
        while (j < lbas.size() && lbas[j] == lbas[i] + (j - i)) {
            const auto &bytes = cached_[lbas[j]];
            run.insert(run.end(), bytes.begin(), bytes.begin() + ms_);
            ++j;
        }
        if (!store.write(address(lbas[i]), run)) return false;
        i = j;
    }
    cached_.clear();
    return true;
}

} // namespace nvmelab
