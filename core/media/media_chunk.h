#pragma once
// Media data in chunk-sized, chunk-aligned pieces that move between a Write command, the write
// cache and the backing store without being copied. A Write that covers whole chunks of the
// media is DMA'd from host memory straight into such pieces; the cache keeps them as they are,
// and destaging hands them to the store, which gives back the buffer it held before. So a
// large aligned write costs one copy (host -> device), as it does in a real SSD's DRAM.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <span>
#include <vector>

namespace nvmelab {

// The media's chunk grid: the unit of sparse allocation in a memory store and of zero-copy
// hand-over. Every LBA size (2^9 .. 2^16 bytes) divides it.
inline constexpr uint64_t kMediaChunkSize = 64 * 1024;

// Chunk buffers start on a 4 KiB boundary, like the host pages DMA'd into them: copies between
// equally aligned buffers run at full speed (string moves slow down when source and
// destination are misaligned to each other).
inline constexpr std::align_val_t kMediaChunkAlign{4096};
struct MediaChunkDelete {
    void operator()(uint8_t *p) const { ::operator delete[](p, kMediaChunkAlign); }
};
using MediaChunk = std::unique_ptr<uint8_t[], MediaChunkDelete>;
inline MediaChunk new_media_chunk() {
    return MediaChunk(static_cast<uint8_t *>(::operator new[](kMediaChunkSize, kMediaChunkAlign)));
}

// Spare chunk buffers, so steady traffic allocates nothing. Bounded: buffers beyond the limit
// are freed, so a burst does not keep memory forever.
class MediaChunkPool {
public:
    explicit MediaChunkPool(size_t limit = 64) : limit_(limit) {}
    // A buffer of kMediaChunkSize bytes with unspecified contents.
    MediaChunk take() {
        if (spare_.empty()) return new_media_chunk();
        MediaChunk c = std::move(spare_.back());
        spare_.pop_back();
        return c;
    }
    void give(MediaChunk c) {
        if (c && spare_.size() < limit_) spare_.push_back(std::move(c));
    }
    size_t spare() const { return spare_.size(); }

private:
    size_t limit_;
    std::vector<MediaChunk> spare_;
};

// The data of one Write laid out on the media chunk grid: transfer byte 0 is media byte
// `media_offset` (store address), and chunks[i] holds chunk (media_offset / kMediaChunkSize) + i.
// The first and last chunk may be covered only in part; bytes outside the transfer are not
// data and are never read.
struct ChunkedData {
    uint64_t media_offset = 0;
    uint64_t length = 0;
    std::vector<MediaChunk> chunks;
    MediaChunkPool *pool = nullptr; // where the buffers came from and go back to

    bool active() const { return !chunks.empty(); }
    bool requested() const { return pool != nullptr && length > 0; }
    uint64_t first_chunk() const { return media_offset / kMediaChunkSize; }

    // A handler asks for the layout when it decodes the command; the pipeline allocates the
    // buffers only once every check on the command passed (a huge NLB must not allocate).
    void request(MediaChunkPool &from, uint64_t offset, uint64_t bytes) {
        release();
        pool = &from;
        media_offset = offset;
        length = bytes;
    }
    void allocate() {
        const uint64_t first = media_offset / kMediaChunkSize;
        const uint64_t last = (media_offset + length - 1) / kMediaChunkSize;
        chunks.clear();
        for (uint64_t c = first; c <= last; ++c)
            chunks.push_back(pool->take());
    }
    // Returns every buffer still held (moved-out ones are null) to the pool.
    void release() {
        for (auto &c : chunks)
            if (pool != nullptr) pool->give(std::move(c));
        chunks.clear();
        pool = nullptr;
        length = 0;
    }
    // Calls fn(std::span<uint8_t>) for each contiguous piece of transfer bytes [pos, pos+len).
    template <class Fn> bool for_each_piece(uint64_t pos, uint64_t len, Fn &&fn) {
        while (len > 0) {
            const uint64_t at = media_offset + pos;
            const uint64_t index = at / kMediaChunkSize - first_chunk();
            const uint64_t within = at % kMediaChunkSize;
            const uint64_t n = std::min(len, kMediaChunkSize - within);
            if (!fn(std::span<uint8_t>(chunks[index].get() + within, n))) return false;
            pos += n;
            len -= n;
        }
        return true;
    }
};

} // namespace nvmelab
