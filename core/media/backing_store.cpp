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
    if (!in_range(offset, data.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < data.size()) {
        const uint64_t pos = offset + done;
        const uint64_t within = pos % kChunkSize;
        const uint64_t n = std::min<uint64_t>(kChunkSize - within, data.size() - done);
        Chunk &chunk = chunks_[pos / kChunkSize];
        if (!chunk.bytes) {
            chunk.bytes = new_media_chunk(); // contents unspecified: no piece written yet
            if (fill_) std::memset(chunk.bytes.get(), *fill_, kChunkSize);
        }
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
    if (!in_range(index * kChunkSize, kChunkSize, media_size_)) return false;
    // Swap: the store keeps the caller's buffer, the caller gets the old one (null when the
    // chunk was never written) to reuse.
    Chunk &chunk = chunks_[index];
    std::swap(chunk.bytes, data);
    chunk.written = kAllPieces;
    return true;
}

} // namespace nvmelab
