#pragma once
// Where a device keeps what survives a power cycle: the media bytes of its namespaces and a
// small persistent-state document (log pages, saved features, SMART counters). The core sees
// only this interface; the native CLI stores it in an image file, tests and the web build in
// memory.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/media/media_extent.h"

namespace nvmelab {

class BackingStore {
public:
    virtual ~BackingStore() = default;
    // Size of the media area in bytes.
    virtual uint64_t media_size() const = 0;
    // Reads media bytes; never-written ranges read as zeros. False on an I/O failure or a range
    // outside the media (the controller turns that into a media error status).
    virtual bool read(uint64_t offset, std::span<uint8_t> out) = 0;
    // True when a read inside the media cannot fail (memory). A Read's data is then copied
    // straight into host memory by its data-out DMA; a store whose reads can fail (a file) is
    // read at execute instead, into the command's staging buffer, so a failure fails the
    // command there with Unrecovered Read Error.
    virtual bool reads_cannot_fail() const { return false; }
    virtual bool write(uint64_t offset, std::span<const uint8_t> data) = 0;
    // Why the last write failed, for the command's error message ("" when the store has
    // nothing to add to "the backing store could not be written").
    virtual std::string failure() const { return {}; }
    // Writes one whole extent of the media extent grid (extent `index`, kMediaExtentSize bytes from
    // `data`). A store that keeps media in memory may take the buffer instead of copying it;
    // `data` then holds the buffer the store gave up (or null), for the caller to reuse.
    virtual bool write_extent(uint64_t index, MediaExtent &data) {
        return write(index * kMediaExtentSize,
                     std::span<const uint8_t>(data.get(), kMediaExtentSize));
    }
    // Makes [offset, offset + len) read as zeros again (Format NVM's erase, §5.23). The default
    // writes zeros; stores that can drop or punch out the range do that instead.
    virtual bool discard(uint64_t offset, uint64_t len);
    // Makes every earlier write durable.
    virtual bool sync() = 0;
    // The controller's persistent state as a JSON document ("" when none was saved yet).
    virtual std::string load_state() = 0;
    // Replaces the persistent state atomically: after a crash either the old or the new one
    // is found, never a mix.
    virtual bool save_state(std::string_view json) = 0;
};

// Sparse in-memory store: only extents that were written take memory, and within an extent only
// the 4 KiB pieces that were written are ever touched. The rest of an extent reads as zeros
// without being zeroed: a random 4 KiB write to a new extent then costs one page of memory, not
// sixteen (zeroing them made the web app stall while the write cache destaged).
class MemoryBackingStore final : public BackingStore {
public:
    static constexpr uint64_t kExtentSize = kMediaExtentSize;
    static constexpr uint64_t kPieceSize = 4096;

    // The media memory a store may hold by default: a 32-bit address space (the web build's
    // 2 GiB heap) gets 1.25 GiB of it, leaving the rest to the app; a 64-bit one is limited
    // only by the machine. A write that needs more fails (the command gets Write Fault) rather
    // than throwing out of the controller in the middle of a command.
    static constexpr uint64_t kDefaultMemoryLimit = sizeof(void *) == 4 ? uint64_t{5} << 28 : 0;

    // memory_limit: bytes of extents the store may hold, 0 for no limit.
    explicit MemoryBackingStore(uint64_t media_size, uint64_t memory_limit = kDefaultMemoryLimit)
        : media_size_(media_size), memory_limit_(memory_limit) {}
    uint64_t media_size() const override { return media_size_; }
    bool read(uint64_t offset, std::span<uint8_t> out) override;
    bool reads_cannot_fail() const override { return true; }
    bool write(uint64_t offset, std::span<const uint8_t> data) override;
    bool write_extent(uint64_t index, MediaExtent &data) override;
    // Extents the range covers whole are freed; the rest is overwritten with zeros.
    bool discard(uint64_t offset, uint64_t len) override;
    bool sync() override { return true; }
    std::string load_state() override { return state_; }
    bool save_state(std::string_view json) override {
        state_ = json;
        return true;
    }
    // Bytes of media memory held (for the benchmark and the UI).
    uint64_t resident_bytes() const { return extent_count_ * kExtentSize; }
    uint64_t memory_limit() const { return memory_limit_; }
    std::string failure() const override { return failure_; }
    // Tests: fill each new extent's buffer with `byte` first, so that bytes the store failed to
    // zero cannot read as zeros by luck (fresh memory from the system is zero).
    void fill_new_extents(uint8_t byte) { fill_ = byte; }

private:
    static constexpr uint32_t kPieces = kExtentSize / kPieceSize;
    static_assert(kExtentSize % kPieceSize == 0 && kPieces <= 32);
    static constexpr uint32_t kAllPieces =
        kPieces == 32 ? ~uint32_t{0} : (uint32_t{1} << kPieces) - 1;
    struct Extent {
        MediaExtent bytes;
        uint32_t written = 0; // bit i: piece i holds data; the others read as zeros
        bool present = false; // a write reached this extent
    };
    // Extent number -> its entry, in leaves of kLeafExtents entries made when a write first
    // reaches their range: the lookup every read and write makes is two array loads, not a
    // hash-node chase (it was a seventh of a 4 KiB read's time).
    static constexpr uint64_t kLeafExtents = 64;
    using Leaf = std::array<Extent, kLeafExtents>;
    const Extent *find_extent(uint64_t index) const {
        const uint64_t leaf = index / kLeafExtents;
        if (leaf >= leaves_.size() || !leaves_[leaf]) return nullptr;
        const Extent &e = (*leaves_[leaf])[index % kLeafExtents];
        return e.present ? &e : nullptr;
    }

    // An extent's entry, made when a write reaches it for the first time (with a buffer when
    // `allocate`, else empty for the caller's); null when the memory limit or the allocator
    // refuses (failure_ says which).
    Extent *extent_for_write(uint64_t index, bool allocate);

    uint64_t media_size_;
    uint64_t memory_limit_;
    std::string failure_;
    std::optional<uint8_t> fill_;
    std::vector<std::unique_ptr<Leaf>> leaves_;
    uint64_t extent_count_ = 0; // extents present
    std::string state_;
};

} // namespace nvmelab
