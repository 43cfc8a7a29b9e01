// Host memory labels (see memory_labels.h).
#include "ui/model/memory_labels.h"

#include <algorithm>

#include <fmt/format.h>

namespace nvmelab::ui {

std::vector<LabelledRange> memory_labels(const SparseHostMemory &memory,
                                         const std::vector<QueueView> &queues,
                                         const PrpWalkView *walk) {
    std::vector<LabelledRange> out;
    for (const auto &[base, r] : memory.regions())
        out.push_back({LabelledRange::Kind::Region, base, r.size,
                       r.label.empty() ? std::string("(no label)") : r.label});
    for (const QueueView &q : queues) {
        // Entries are 64 bytes in an SQ and 16 in a CQ (CC.IOSQES / IOCQES as the host sets them).
        const uint64_t entry = q.is_sq ? 64 : 16;
        out.push_back(
            {LabelledRange::Kind::Queue, q.base, uint64_t{q.size} * entry,
             fmt::format("{} {} ({} x {} B)", q.is_sq ? "SQ" : "CQ", q.qid, q.size, entry)});
    }
    if (walk) {
        for (const PrpEntryView &e : walk->entries) {
            const std::string from = e.source == PrpEntryView::Source::Prp1 ? "PRP1"
                                     : e.source == PrpEntryView::Source::Prp2
                                         ? "PRP2"
                                         : fmt::format("list {}[{}]", e.list, e.index);
            out.push_back(
                {LabelledRange::Kind::Data, e.data_addr, e.len,
                 fmt::format("data bytes {}..{} ({})", e.position, e.position + e.len - 1, from)});
        }
        for (size_t i = 0; i < walk->lists.size(); ++i)
            out.push_back({LabelledRange::Kind::PrpList, walk->lists[i].addr,
                           uint64_t{walk->lists[i].entries} * 8,
                           fmt::format("PRP list {} ({} entries)", i, walk->lists[i].entries)});
    }
    std::sort(out.begin(), out.end(), [](const LabelledRange &a, const LabelledRange &b) {
        return a.base != b.base ? a.base < b.base : a.size > b.size;
    });
    return out;
}

const LabelledRange *label_at(const std::vector<LabelledRange> &labels, uint64_t addr) {
    const LabelledRange *best = nullptr;
    for (const LabelledRange &l : labels) {
        if (l.base > addr) break;
        if (l.contains(addr) && (!best || l.size <= best->size)) best = &l;
    }
    return best;
}

} // namespace nvmelab::ui
