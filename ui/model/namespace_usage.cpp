// LBA usage of namespace 1 for the Namespace window (see namespace_usage.h).
#include "ui/model/namespace_usage.h"

#include <algorithm>

namespace nvmelab::ui {

void ExtentSet::add(uint64_t first, uint64_t count) {
    if (count == 0) return;
    const uint64_t lo = first;
    const uint64_t hi = first + count;
    // The range that takes the new blocks: the one holding or touching `lo`, grown in place
    // (most writes land inside or next to a written range, so no node is allocated), or a new
    // one. Ranges stay disjoint and never touch.
    auto next = ranges_.upper_bound(lo);
    std::map<uint64_t, uint64_t>::iterator range;
    if (next != ranges_.begin() && std::prev(next)->second >= lo) {
        range = std::prev(next);
        if (range->second >= hi) return; // already written
        blocks_ += hi - range->second;
        range->second = hi;
    } else {
        range = ranges_.emplace_hint(next, lo, hi);
        blocks_ += hi - lo;
    }
    // Absorb the ranges that start inside or right after it; their blocks below `hi` were
    // counted twice.
    while (next != ranges_.end() && next->first <= range->second) {
        blocks_ -= std::min(next->second, hi) - next->first;
        range->second = std::max(range->second, next->second);
        next = ranges_.erase(next);
    }
}

void ExtentSet::remove(uint64_t first, uint64_t count) {
    if (count == 0) return;
    const uint64_t lo = first;
    const uint64_t hi = first + count;
    auto it = ranges_.upper_bound(lo);
    if (it != ranges_.begin()) --it;
    while (it != ranges_.end() && it->first < hi) {
        const uint64_t a = it->first;
        const uint64_t b = it->second;
        if (b <= lo) {
            ++it;
            continue;
        }
        it = ranges_.erase(it);
        blocks_ -= b - a;
        if (a < lo) {
            ranges_[a] = lo;
            blocks_ += lo - a;
        }
        if (b > hi) {
            ranges_[hi] = b;
            blocks_ += b - hi;
        }
    }
}

bool ExtentSet::contains(uint64_t lba) const {
    return intersects(lba, 1);
}

bool ExtentSet::intersects(uint64_t first, uint64_t count) const {
    if (count == 0) return false;
    auto it = ranges_.upper_bound(first);
    if (it != ranges_.begin() && std::prev(it)->second > first) return true;
    return it != ranges_.end() && it->first < first + count;
}

void NamespaceUsage::observe(const TraceEvent &ev) {
    // Namespace 1's writes (u32 = NSID); one that failed (it carries an explanation) left its
    // range undefined, not written.
    const bool write = ev.kind == EventKind::CacheWrite || ev.kind == EventKind::MediaWrite;
    if (!write || ev.u32 != 1 || ev.explanation >= 0) return;
    written_.add(ev.addr, ev.len);
    lost_.remove(ev.addr, ev.len);
}

void NamespaceUsage::power_cycled(const std::vector<uint64_t> &lost_in_power_cut) {
    // What was cached is on the media after a clean shutdown, and gone after a power cut.
    for (uint64_t lba : lost_in_power_cut) {
        written_.remove(lba, 1);
        lost_.add(lba, 1);
    }
    cached_.clear();
}

void NamespaceUsage::clear() {
    written_.clear();
    lost_.clear();
    cached_.clear();
}

void NamespaceUsage::sample_cache(const Controller &ctrl) {
    cached_ = ctrl.cached_lbas(1);
}

bool NamespaceUsage::cached_in(uint64_t first, uint64_t count) const {
    auto it = std::lower_bound(cached_.begin(), cached_.end(), first);
    return it != cached_.end() && *it < first + count;
}

BlockState NamespaceUsage::state(uint64_t lba) const {
    if (cached_in(lba, 1)) return BlockState::Cached;
    if (lost_.contains(lba)) return BlockState::Lost;
    if (written_.contains(lba)) return BlockState::Written;
    return BlockState::Unwritten;
}

NamespaceMap NamespaceUsage::map(uint64_t first, uint64_t count, size_t cells) const {
    NamespaceMap m;
    m.first = first;
    if (cells == 0 || count == 0) return m;
    m.blocks_per_cell = std::max<uint64_t>(1, (count + cells - 1) / cells);
    const uint64_t n = (count + m.blocks_per_cell - 1) / m.blocks_per_cell;
    m.cells.resize(n, BlockState::Unwritten);
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t a = first + i * m.blocks_per_cell;
        const uint64_t len = std::min(m.blocks_per_cell, first + count - a);
        if (cached_in(a, len))
            m.cells[i] = BlockState::Cached;
        else if (lost_.intersects(a, len))
            m.cells[i] = BlockState::Lost;
        else if (written_.intersects(a, len))
            m.cells[i] = BlockState::Written;
    }
    return m;
}

} // namespace nvmelab::ui
