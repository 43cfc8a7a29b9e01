#include "core/media/backing_store.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

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
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, out.size() - done);
        uint8_t *to = out.data() + done;
        const auto it = chunks_.find(pos / kChunkSize);
        if (it == chunks_.end()) {
            std::memset(to, 0, n);
        } else if (it->second.written == kAllPieces) {
            std::memcpy(to, it->second.bytes.get() + within, n);
        } else {
            // Piece by piece: pieces never written read as zeros.
            for (uint64_t at = within; at < within + n;) {
                const uint64_t piece = at / kPieceSize;
                const uint64_t end = std::min(within + n, (piece + 1) * kPieceSize);
                if (it->second.written & (uint32_t{1} << piece))
                    std::memcpy(to + (at - within), it->second.bytes.get() + at, end - at);
                else
                    std::memset(to + (at - within), 0, end - at);
                at = end;
            }
        }
        done += n;
    }
    return true;
}

bool MemoryBackingStore::write(uint64_t offset, std::span<const uint8_t> data) {
    failure_.clear();
    if (!in_range(offset, data.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < data.size()) {
        const uint64_t pos = offset + done;
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, data.size() - done);
        Chunk *found = chunk_for_write(pos / kChunkSize, true);
        if (!found) return false;
        Chunk &chunk = *found;
        if (chunk.written != kAllPieces) {
            // A piece written for the first time reads as zeros where this write misses it.
            for (uint64_t piece = within / kPieceSize; piece * kPieceSize < within + n; ++piece) {
                const uint32_t bit = uint32_t{1} << piece;
                if (chunk.written & bit) continue;
                const uint64_t begin = piece * kPieceSize, end = begin + kPieceSize;
                uint8_t *bytes = chunk.bytes.get();
                if (within > begin) std::memset(bytes + begin, 0, within - begin);
                if (within + n < end) std::memset(bytes + within + n, 0, end - (within + n));
                chunk.written |= bit;
            }
        }
        std::memcpy(chunk.bytes.get() + within, data.data() + done, n);
        done += n;
    }
    return true;
}

bool MemoryBackingStore::write_chunk(uint64_t index, MediaChunk &data) {
    failure_.clear();
    if (!in_range(index * kChunkSize, kChunkSize, media_size_)) return false;
    // Swap: the store keeps the caller's buffer, the caller gets the old one (null when the
    // chunk was never written) to reuse.
    Chunk *chunk = chunk_for_write(index, false);
    if (!chunk) return false;
    std::swap(chunk->bytes, data);
    chunk->written = kAllPieces;
    return true;
}

MemoryBackingStore::Chunk *MemoryBackingStore::chunk_for_write(uint64_t index, bool allocate) {
    if (const auto it = chunks_.find(index); it != chunks_.end()) return &it->second;
    if (memory_limit_ != 0 && resident_bytes() + kChunkSize > memory_limit_) {
        const bool mib = memory_limit_ >= (uint64_t{1} << 20);
        failure_ = "the emulator's memory for media data is full (" +
                   std::to_string(memory_limit_ >> (mib ? 20 : 10)) + (mib ? " MiB" : " KiB") +
                   " of written chunks in this build): write over data already written, or "
                   "use a smaller namespace or fewer random writes";
        return nullptr;
    }
    try {
        Chunk fresh;
        if (allocate) {
            fresh.bytes = new_media_chunk(); // contents unspecified: no piece written yet
            if (fill_) std::memset(fresh.bytes.get(), *fill_, kChunkSize);
        }
        return &chunks_.emplace(index, std::move(fresh)).first->second;
    } catch (const std::bad_alloc &) {
        failure_ = "out of memory for media data";
        return nullptr;
    }
}

} // namespace nvmelab
