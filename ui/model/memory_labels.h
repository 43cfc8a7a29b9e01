#pragma once
// Labels for the Host memory window: every mapped region (with the label the host gave it),
// the queues (base + entries x entry size) and, for the selected command, its data pages and
// PRP list pages. The most specific label wins where they nest (a queue inside its region).
#include <cstdint>
#include <string>
#include <vector>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "ui/model/prp_map.h"

namespace nvmelab::ui {

struct LabelledRange {
    enum class Kind : uint8_t { Region, Queue, Data, PrpList };
    Kind kind = Kind::Region;
    uint64_t base = 0;
    uint64_t size = 0;
    std::string label;
    bool contains(uint64_t addr) const { return addr >= base && addr - base < size; }
};

// Sorted by base, then by size (largest first).
std::vector<LabelledRange> memory_labels(const SparseHostMemory &memory,
                                         const std::vector<QueueView> &queues,
                                         const PrpWalkView *selected_walk);

// The smallest labelled range containing addr, or null.
const LabelledRange *label_at(const std::vector<LabelledRange> &labels, uint64_t addr);

} // namespace nvmelab::ui
