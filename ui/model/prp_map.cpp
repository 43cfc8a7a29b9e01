// The PRP walk of one command, attributed entry by entry (see prp_map.h).
#include "ui/model/prp_map.h"

#include <fmt/format.h>

#include "core/controller/prp_walker.h"

namespace nvmelab::ui {

namespace {

std::string region_label(const SparseHostMemory &memory, uint64_t addr, bool *mapped) {
    const SparseHostMemory::Region *r = memory.region_at(addr);
    *mapped = r != nullptr;
    if (!r) return "";
    return r->label.empty() ? fmt::format("region at 0x{:x}", r->base) : r->label;
}

} // namespace

PrpWalkView walk_prps(uint64_t prp1, uint64_t prp2, uint64_t length, uint64_t page_size,
                      const SparseHostMemory &memory) {
    PrpWalkView v;
    v.prp1 = prp1;
    v.prp2 = prp2;
    v.length = length;
    v.page_size = page_size;
    if (length == 0 || page_size == 0 || (page_size & (page_size - 1)) != 0) return v;
    const uint64_t first = page_size - (prp1 & (page_size - 1));
    v.prp2_used = length > first;
    v.prp2_is_list = length > first + page_size;

    PrpWalker walker(prp1, prp2, length, page_size);
    uint64_t position = 0;
    bool saw_first = false;
    int64_t list = -1;  // index of the current list page
    uint32_t index = 0; // next entry index in it
    uint64_t list_base = 0;
    // One step per entry or list page; bounded so a corrupt walk cannot loop forever.
    const uint64_t max_steps = length / page_size * 2 + 16;
    for (uint64_t step = 0; step < max_steps && !walker.done(); ++step) {
        const WalkStep s = walker.next(memory);
        if (s.kind == WalkStep::Kind::Done) break;
        if (s.kind == WalkStep::Kind::Error) {
            v.error = s.why;
            break;
        }
        if (s.kind == WalkStep::Kind::ListRead) {
            if (!v.lists.empty()) v.lists.back().chained = true;
            PrpListView l;
            l.addr = s.addr;
            l.entries = static_cast<uint32_t>(s.len);
            l.region = region_label(memory, s.addr, &l.mapped);
            v.lists.push_back(std::move(l));
            ++list;
            index = 0;
            list_base = s.addr;
            continue;
        }
        PrpEntryView e;
        if (!saw_first) {
            e.source = PrpEntryView::Source::Prp1;
            saw_first = true;
        } else if (list < 0) {
            e.source = PrpEntryView::Source::Prp2;
        } else {
            e.source = PrpEntryView::Source::ListEntry;
            e.list = static_cast<uint32_t>(list);
            e.index = index;
            e.entry_addr = list_base + uint64_t{index} * 8;
            ++index;
        }
        e.data_addr = s.addr;
        e.len = s.len;
        e.offset = s.addr & (page_size - 1);
        e.position = position;
        position += s.len;
        e.region = region_label(memory, s.addr, &e.mapped);
        if (e.mapped && !memory.is_mapped(s.addr, s.len)) e.mapped = false;
        const bool bad = !e.mapped;
        v.entries.push_back(std::move(e));
        if (bad) {
            const PrpEntryView &b = v.entries.back();
            const std::string field = b.source == PrpEntryView::Source::Prp1 ? std::string("PRP1")
                                      : b.source == PrpEntryView::Source::Prp2
                                          ? std::string("PRP2")
                                          : fmt::format("PRP list {} entry {}", b.list, b.index);
            v.error = Explanation{field, s.addr,
                                  "the data page is not in mapped host memory: the DMA fails "
                                  "with Data Transfer Error",
                                  "NVMe 1.3 §4.6.1.2.1"};
            break;
        }
    }
    return v;
}

uint64_t command_data_length(const spec::Sqe &sqe, bool admin, uint32_t lba_size) {
    if (admin) {
        switch (static_cast<spec::AdminOpcode>(sqe.opc)) {
        case spec::AdminOpcode::Identify:
            return 4096;
        case spec::AdminOpcode::GetLogPage:
            return (uint64_t{spec::GetLogPageFields::decode(sqe).numd()} + 1) * 4;
        default:
            return 0;
        }
    }
    switch (static_cast<spec::NvmOpcode>(sqe.opc)) {
    case spec::NvmOpcode::Read:
    case spec::NvmOpcode::Write:
    case spec::NvmOpcode::Compare:
        return (uint64_t{spec::ReadWriteFields::decode(sqe).nlb} + 1) * lba_size;
    default:
        return 0;
    }
}

} // namespace nvmelab::ui
