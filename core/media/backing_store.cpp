#include "core/media/backing_store.h"

#include <algorithm>
#include <cstring>

namespace nvmelab {

namespace {
bool in_range(uint64_t offset, uint64_t len, uint64_t size) {
    return offset <= size && len <= size - offset;
}
} // namespace

uint8_t *MemoryBackingStore::find_chunk(uint64_t chunk) const {
    auto it = chunks_.find(chunk);
    return it == chunks_.end() ? nullptr : it->second.get();
}

uint8_t *MemoryBackingStore::add_chunk(uint64_t chunk) {
    // Not zeroed here: write() zeroes what it does not cover.
    auto &slot = chunks_[chunk];
    slot = new_media_chunk();
    return slot.get();
}

bool MemoryBackingStore::read(uint64_t offset, std::span<uint8_t> out) {
    if (!in_range(offset, out.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < out.size()) {
        const uint64_t pos = offset + done;
        const uint64_t chunk = pos / kChunkSize;
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, out.size() - done);
        if (const uint8_t *bytes = find_chunk(chunk))
            std::memcpy(out.data() + done, bytes + within, n);
        else
            std::memset(out.data() + done, 0, n);
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
        uint8_t *bytes = find_chunk(chunk);
        if (bytes == nullptr) {
            // A new chunk reads as zeros where this write does not cover it.
            bytes = add_chunk(chunk);
            std::memset(bytes, 0, within);
            std::memset(bytes + within + n, 0, kChunkSize - within - n);
        }
        std::memcpy(bytes + within, data.data() + done, n);
        done += n;
    }
    return true;
}

bool MemoryBackingStore::write_chunk(uint64_t index, MediaChunk &data) {
    if (!in_range(index * kChunkSize, kChunkSize, media_size_)) return false;
    // Swap: the store keeps the caller's buffer, the caller gets the old one (null when the
    // chunk was never written) to reuse.
    std::swap(chunks_[index], data);
    return true;
}

} // namespace nvmelab
