#pragma once
// What the Namespace window shows about each LBA of namespace 1: never written, written (on
// the media), in the volatile write cache (not on the media yet), or lost (it was in the cache
// when the power was cut: the media keeps whatever it had before). Built from the trace's
// cache-write and media-write events, a sample of the cache's contents and the blocks a power
// cut lost; kept across power cycles of the same media, forgotten when the device is replaced.
// The Session keeps one (Session::namespace_usage()) and feeds it every trace event.
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
    // Follows one trace event of the device's controller. The Session passes it every event as
    // it is recorded (Trace::set_listener), so the map knows every write however many events
    // pass between two looks at it, the window is hidden or a saved state is replayed: the
    // trace's ring keeps only the newest 256 Ki.
    void observe(const TraceEvent &ev);
    // The same media after a power cycle: the controller and its cache are new, and the blocks
    // that were only in the cache at a power cut (Session::lost_in_power_cut(), empty after a
    // clean cycle) are lost.
    void power_cycled(const std::vector<uint64_t> &lost_in_power_cut);
    // A new device: nothing written.
    void clear();
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
};

} // namespace nvmelab::ui
