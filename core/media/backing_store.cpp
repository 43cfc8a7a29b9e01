#include "core/media/backing_store.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace nvmelab {

namespace {
bool in_range(uint64_t offset, uint64_t len, uint64_t size) {
    return offset <= size && len <= size - offset;
}
} // namespace

bool BackingStore::discard(uint64_t offset, uint64_t len) {
    const std::vector<uint8_t> zeros(std::min<uint64_t>(len, kMediaExtentSize), 0);
    for (uint64_t done = 0; done < len;) {
        const uint64_t n = std::min<uint64_t>(len - done, zeros.size());
        if (!write(offset + done, std::span<const uint8_t>(zeros.data(), n))) return false;
        done += n;
    }
    return true;
}

bool MemoryBackingStore::discard(uint64_t offset, uint64_t len) {
    failure_.clear();
    if (!in_range(offset, len, media_size_)) return false;
    for (uint64_t done = 0; done < len;) {
        const uint64_t pos = offset + done;
        const uint64_t within = pos % kExtentSize;
        const uint64_t n = std::min<uint64_t>(kExtentSize - within, len - done);
        const uint64_t index = pos / kExtentSize;
        if (const Extent *held = find_extent(index)) {
            Extent &extent = const_cast<Extent &>(*held);
            if (n == kExtentSize) {
                extent = Extent{};
                --extent_count_;
            } else {
                const std::vector<uint8_t> zeros(n, 0);
                if (!write(pos, zeros)) return false;
            }
        }
        done += n;
    }
    return true;
}

bool MemoryBackingStore::read(uint64_t offset, std::span<uint8_t> out) {
    if (!in_range(offset, out.size(), media_size_)) return false;
    uint64_t done = 0;
    while (done < out.size()) {
        const uint64_t pos = offset + done;
        const uint64_t within = pos % kExtentSize;
        const uint64_t n = std::min<uint64_t>(kExtentSize - within, out.size() - done);
        uint8_t *to = out.data() + done;
        const Extent *extent = find_extent(pos / kExtentSize);
        if (extent == nullptr) {
            std::memset(to, 0, n);
        } else if (extent->written == kAllPieces) {
            std::memcpy(to, extent->bytes.get() + within, n);
        } else {
            // Piece by piece: pieces never written read as zeros.
            for (uint64_t at = within; at < within + n;) {
                const uint64_t piece = at / kPieceSize;
                const uint64_t end = std::min(within + n, (piece + 1) * kPieceSize);
                if (extent->written & (uint32_t{1} << piece))
                    std::memcpy(to + (at - within), extent->bytes.get() + at, end - at);
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
        const uint64_t within = pos % kExtentSize;
        const uint64_t n = std::min<uint64_t>(kExtentSize - within, data.size() - done);
        Extent *found = extent_for_write(pos / kExtentSize, true);
        if (!found) return false;
        Extent &extent = *found;
        if (extent.written != kAllPieces) {
            // A piece written for the first time reads as zeros where this write misses it.
            for (uint64_t piece = within / kPieceSize; piece * kPieceSize < within + n; ++piece) {
                const uint32_t bit = uint32_t{1} << piece;
                if (extent.written & bit) continue;
                const uint64_t begin = piece * kPieceSize, end = begin + kPieceSize;
                uint8_t *bytes = extent.bytes.get();
                if (within > begin) std::memset(bytes + begin, 0, within - begin);
                if (within + n < end) std::memset(bytes + within + n, 0, end - (within + n));
                extent.written |= bit;
            }
        }
        std::memcpy(extent.bytes.get() + within, data.data() + done, n);
        done += n;
    }
    return true;
}

bool MemoryBackingStore::write_extent(uint64_t index, MediaExtent &data) {
    failure_.clear();
    if (!in_range(index * kExtentSize, kExtentSize, media_size_)) return false;
    // Swap: the store keeps the caller's buffer, the caller gets the old one (null when the
    // extent was never written) to reuse.
    Extent *extent = extent_for_write(index, false);
    if (!extent) return false;
    std::swap(extent->bytes, data);
    extent->written = kAllPieces;
    return true;
}

MemoryBackingStore::Extent *MemoryBackingStore::extent_for_write(uint64_t index, bool allocate) {
    if (const Extent *held = find_extent(index)) return const_cast<Extent *>(held);
    if (memory_limit_ != 0 && resident_bytes() + kExtentSize > memory_limit_) {
        const bool mib = memory_limit_ >= (uint64_t{1} << 20);
        failure_ = "the emulator's memory for media data is full (" +
                   std::to_string(memory_limit_ >> (mib ? 20 : 10)) + (mib ? " MiB" : " KiB") +
                   " of written extents in this build): write over data already written, or "
                   "use a smaller namespace or fewer random writes";
        return nullptr;
    }
    try {
        const uint64_t leaf = index / kLeafExtents;
        if (leaf >= leaves_.size()) leaves_.resize(leaf + 1);
        if (!leaves_[leaf]) leaves_[leaf] = std::make_unique<Leaf>();
        Extent &fresh = (*leaves_[leaf])[index % kLeafExtents];
        if (allocate) {
            fresh.bytes = new_media_extent(); // contents unspecified: no piece written yet
            if (fill_) std::memset(fresh.bytes.get(), *fill_, kExtentSize);
        }
        fresh.present = true;
        ++extent_count_;
        return &fresh;
    } catch (const std::bad_alloc &) {
        failure_ = "out of memory for media data";
        return nullptr;
    }
}

} // namespace nvmelab
