#pragma once
// Media data in extent-sized, extent-aligned pieces that move between a Write command, the write
// cache and the backing store without being copied. A Write that covers whole extents of the
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

// The media's extent grid: the unit of sparse allocation in a memory store and of zero-copy
// hand-over. Every LBA size (2^9 .. 2^16 bytes) divides it.
inline constexpr uint64_t kMediaExtentSize = 64 * 1024;

// Extent buffers start on a 4 KiB boundary, like the host pages DMA'd into them: copies between
// equally aligned buffers run at full speed (string moves slow down when source and
// destination are misaligned to each other).
inline constexpr std::align_val_t kMediaExtentAlign{4096};
struct MediaExtentDelete {
    void operator()(uint8_t *p) const { ::operator delete[](p, kMediaExtentAlign); }
};
using MediaExtent = std::unique_ptr<uint8_t[], MediaExtentDelete>;
inline MediaExtent new_media_extent() {
    return MediaExtent(
        static_cast<uint8_t *>(::operator new[](kMediaExtentSize, kMediaExtentAlign)));
}

// Spare extent buffers, so steady traffic allocates nothing. Bounded: buffers beyond the limit
// are freed, so a burst does not keep memory forever.
class MediaExtentPool {
public:
    explicit MediaExtentPool(size_t limit = 64) : limit_(limit) {}
    // A buffer of kMediaExtentSize bytes with unspecified contents.
    MediaExtent take() {
        if (spare_.empty()) return new_media_extent();
        MediaExtent c = std::move(spare_.back());
        spare_.pop_back();
        return c;
    }
    void give(MediaExtent c) {
        if (c && spare_.size() < limit_) spare_.push_back(std::move(c));
    }
    size_t spare() const { return spare_.size(); }

private:
    size_t limit_;
    std::vector<MediaExtent> spare_;
};

// The data of one Write laid out on the media extent grid: transfer byte 0 is media byte
// `media_offset` (store address), and buffers[i] holds extent (media_offset / kMediaExtentSize) +
// i. The first and last extent may be covered only in part; bytes outside the transfer are not data
// and are never read.
struct ExtentData {
    uint64_t media_offset = 0;
    uint64_t length = 0;
    std::vector<MediaExtent> buffers;
    MediaExtentPool *pool = nullptr; // where the buffers came from and go back to

    bool active() const { return !buffers.empty(); }
    bool requested() const { return pool != nullptr && length > 0; }
    uint64_t first_extent() const { return media_offset / kMediaExtentSize; }

    // A handler asks for the layout when it decodes the command; the pipeline allocates the
    // buffers only once every check on the command passed (a huge NLB must not allocate).
    void request(MediaExtentPool &from, uint64_t offset, uint64_t bytes) {
        release();
        pool = &from;
        media_offset = offset;
        length = bytes;
    }
    void allocate() {
        const uint64_t first = media_offset / kMediaExtentSize;
        const uint64_t last = (media_offset + length - 1) / kMediaExtentSize;
        buffers.clear();
        for (uint64_t c = first; c <= last; ++c)
            buffers.push_back(pool->take());
    }
    // Returns every buffer still held (moved-out ones are null) to the pool.
    void release() {
        for (auto &c : buffers)
            if (pool != nullptr) pool->give(std::move(c));
        buffers.clear();
        pool = nullptr;
        length = 0;
    }
    // Calls fn(std::span<uint8_t>) for each contiguous piece of transfer bytes [pos, pos+len).
    template <class Fn> bool for_each_piece(uint64_t pos, uint64_t len, Fn &&fn) {
        while (len > 0) {
            const uint64_t at = media_offset + pos;
            const uint64_t index = at / kMediaExtentSize - first_extent();
            const uint64_t within = at % kMediaExtentSize;
            const uint64_t n = std::min(len, kMediaExtentSize - within);
            if (!fn(std::span<uint8_t>(buffers[index].get() + within, n))) return false;
            pos += n;
            len -= n;
        }
        return true;
    }
};

} // namespace nvmelab
