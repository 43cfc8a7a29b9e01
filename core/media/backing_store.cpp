#include "core/media/backing_store.h"

#include <algorithm>
#include <cstring>

namespace nvmelab {

namespace {
bool in_range(uint64_t offset, uint64_t len, uint64_t size) {
    return offset <= size && len <= size - offset;
}
} // namespace

size_t MemoryBackingStore::home_slot(uint64_t chunk) const {
    // Fibonacci hashing: the top table_bits_ bits of the product.
    return static_cast<size_t>((chunk * 0x9E3779B97F4A7C15ull) >> (64 - table_bits_));
}

uint8_t *MemoryBackingStore::find_chunk(uint64_t chunk) const {
    if (table_.empty()) return nullptr;
    const size_t mask = table_.size() - 1;
    for (size_t i = home_slot(chunk);; i = (i + 1) & mask) {
        const ChunkEntry &e = table_[i];
        if (e.bytes == nullptr) return nullptr;
        if (e.chunk == chunk) return e.bytes;
    }
}

uint8_t *MemoryBackingStore::add_chunk(uint64_t chunk) {
    if ((chunks_.size() + 1) * 2 > table_.size()) {
        std::vector<ChunkEntry> old = std::move(table_);
        table_bits_ = old.empty() ? 10 : table_bits_ + 1;
        table_.assign(size_t{1} << table_bits_, ChunkEntry{});
        const size_t mask = table_.size() - 1;
        for (const ChunkEntry &e : old) {
            if (e.bytes == nullptr) continue;
            size_t i = home_slot(e.chunk);
            while (table_[i].bytes != nullptr)
                i = (i + 1) & mask;
            table_[i] = e;
        }
    }
    chunks_.push_back(std::unique_ptr<uint8_t[]>(new uint8_t[kChunkSize]));
    uint8_t *bytes = chunks_.back().get();
    const size_t mask = table_.size() - 1;
    size_t i = home_slot(chunk);
    while (table_[i].bytes != nullptr)
        i = (i + 1) & mask;
    table_[i] = ChunkEntry{chunk, bytes};
    return bytes;
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

} // namespace nvmelab
