#pragma once
// What the Namespace window shows about each LBA of namespace 1: never written, written (on
// the media), in the volatile write cache (not on the media yet), or lost (it was in the cache
// when the power was cut: the media keeps whatever it had before). Built from the trace's
// cache-write and media-write events, a sample of the cache's contents and the blocks a power
// cut lost; kept across power cycles of the same media, forgotten when the device is replaced.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "core/controller/controller.h"
#include "core/controller/trace.h"

namespace nvmelab::ui {

enum class BlockState : uint8_t { Unwritten, Written, Cached, Lost };

// Disjoint, merged [first, first + count) block ranges.
class ExtentSet {
public:
    void add(uint64_t first, uint64_t count);
    void remove(uint64_t first, uint64_t count);
    bool contains(uint64_t lba) const;
    bool intersects(uint64_t first, uint64_t count) const;
    // Kept up to date by add and remove: the Namespace window shows it every frame, and a
    // random-write workload leaves tens of thousands of ranges to sum.
    uint64_t blocks() const { return blocks_; }
    void clear() {
        ranges_.clear();
        blocks_ = 0;
    }
    // first -> end (exclusive)
    const std::map<uint64_t, uint64_t> &ranges() const { return ranges_; }

private:
    std::map<uint64_t, uint64_t> ranges_;
    uint64_t blocks_ = 0;
};

struct NamespaceMap {
    uint64_t first = 0; // first LBA shown
    uint64_t blocks_per_cell = 1;
    std::vector<BlockState> cells;
    // The most telling state of the blocks in a cell: cached > lost > written > unwritten.
};

class NamespaceUsage {
public:
    // Reads the trace events recorded since the last call. `device` identifies the media (the
    // same object across power cycles, a new one after a reset); a new `generation` means the
    // controller was rebuilt after a power cycle, and `lost_in_power_cut` lists the blocks that
    // cycle lost (Session::lost_in_power_cut()). Returns true when the device or generation
    // changed: the cache sample is then empty until the next sample_cache().
    bool update(const Controller &ctrl, const void *device, uint64_t generation,
                const std::vector<uint64_t> &lost_in_power_cut);
    // Takes a new sample of the blocks in the volatile cache. It sorts every cached LBA, so a
    // view of a busy controller calls it only now and then (see LiveRefresh).
    void sample_cache(const Controller &ctrl);

    BlockState state(uint64_t lba) const;
    NamespaceMap map(uint64_t first, uint64_t count, size_t cells) const;

    const ExtentSet &written() const { return written_; }
    const ExtentSet &lost() const { return lost_; }
    const std::vector<uint64_t> &cached() const { return cached_; }

private:
    bool cached_in(uint64_t first, uint64_t count) const;

    ExtentSet written_;
    ExtentSet lost_;
    std::vector<uint64_t> cached_; // LBAs in the cache at the last sample, ascending
    const void *device_ = nullptr;
    uint64_t generation_ = UINT64_MAX;
    uint64_t next_seq_ = 0; // first trace event not looked at yet
};

} // namespace nvmelab::ui
