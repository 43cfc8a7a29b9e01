#pragma once
// The data path of one command, rebuilt for the Data path window: where PRP1 and PRP2 point,
// the PRP list pages and each list entry's page, with offsets and the first error. It runs the
// core's own PrpWalker over (a read-only view of) host memory, so it finds the same errors the
// controller does (NVMe 1.3 §4.3), plus data pages that are not mapped (the DMA would fail).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/controller/trace.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab::ui {

struct PrpEntryView {
    enum class Source : uint8_t { Prp1, Prp2, ListEntry };
    Source source = Source::Prp1;
    uint32_t list = 0;       // ListEntry: which list page (0 = the one PRP2 points to)
    uint32_t index = 0;      // ListEntry: entry number in that page
    uint64_t entry_addr = 0; // ListEntry: where the entry itself is stored in host memory
    uint64_t data_addr = 0;  // the data it points to
    uint64_t len = 0;        // bytes of the transfer in that page
    uint64_t offset = 0;     // data_addr's offset in its memory page
    uint64_t position = 0;   // where these bytes sit in the command's data
    std::string region;      // label of the host region the data is in ("" if unmapped)
    bool mapped = true;
};

struct PrpListView {
    uint64_t addr = 0;
    uint32_t entries = 0; // entries the controller reads from this page
    bool chained = false; // its last entry points to the next list page
    std::string region;
    bool mapped = true;
};

struct PrpWalkView {
    uint64_t prp1 = 0;
    uint64_t prp2 = 0;
    uint64_t length = 0;
    uint64_t page_size = 4096;
    bool prp2_is_list = false; // more than two pages: PRP2 points to a PRP list
    bool prp2_used = false;    // false: the data fits in PRP1's page and PRP2 is ignored
    std::vector<PrpEntryView> entries;
    std::vector<PrpListView> lists;
    // The first problem: a rule of §4.3 the controller enforces, or an unmapped page.
    std::optional<Explanation> error;
    // Entries stopped early at `error` (the rest of the walk is not shown).
    bool ok() const { return !error.has_value(); }
};

// Walks the PRPs of a transfer of `length` bytes with memory pages of `page_size` bytes.
PrpWalkView walk_prps(uint64_t prp1, uint64_t prp2, uint64_t length, uint64_t page_size,
                      const SparseHostMemory &memory);

// Bytes of data a command moves, from its fields (0: none, or a command this does not know):
// Read / Write / Compare (NLB + 1 blocks), Identify (4096), Get Log Page (NUMD + 1 dwords).
uint64_t command_data_length(const spec::Sqe &sqe, bool admin, uint32_t lba_size);

} // namespace nvmelab::ui
