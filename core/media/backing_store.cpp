#include "core/media/backing_store.h"

#include <algorithm>
#include <cstring>

namespace nvmelab {

namespace {
bool in_range(uint64_t offset, uint64_t len, uint64_t size) {
    return offset <= size && len <= size - offset;
}
} // namespace

bool MemoryBackingStore::read(uint64_t offset, std::span<uint8_t> out) {
    if (!in_range(offset, out.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < out.size()) {
        const uint64_t pos = offset + done;
        const uint64_t chunk = pos / kChunkSize;
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, out.size() - done);
        auto it = chunks_.find(chunk);
        if (it == chunks_.end())
            std::memset(out.data() + done, 0, n);
        else
            std::memcpy(out.data() + done, it->second.get() + within, n);
        done += n;
    }
    return true;
}

bool MemoryBackingStore::write(uint64_t offset, std::span<const uint8_t> data) {
    if (!in_range(offset, data.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < data.size()) {
        const uint64_t pos = offset + done;
        const uint64_t chunk = pos / kChunkSize;
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, data.size() - done);
        auto& slot = chunks_[chunk];
        if (!slot) {
            slot = std::make_unique<uint8_t[]>(kChunkSize);
            std::memset(slot.get(), 0, kChunkSize);
        }
        std::memcpy(slot.get() + within, data.data() + done, n);
        done += n;
    }
    return true;
}

} // namespace nvmelab
