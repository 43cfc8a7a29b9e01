#pragma once
// Walks a command's PRP entries (NVMe 1.3 §4.3) one step at a time, so every list read and
// every page of DMA is its own traced event. Other data-pointer kinds (SGLs, §4.4) get their own
// walker with the same step interface and join the DataWalker variant in data_path.h.
#include <cstdint>
#include <optional>
#include <vector>

#include "core/controller/trace.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

// What one walker step produced.
struct WalkStep {
    // SegmentRead: an SGL segment read (len = descriptors); Discard: a Bit Bucket's len bytes
    // of read data dropped (SGL walker, sgl_walker.h).
    enum class Kind : uint8_t {
        Segment,
        ListRead,
        Error,
        Done,
        SegmentRead,
        Discard
    } kind = Kind::Done;
    // Which rule an Error broke, for a caller that words it its own way (queue memory).
    enum class Fault : uint8_t {
        None,
        EntryOffset,
        ListPointerOffset,
        ChainOffset,
        ListUnreadable
    };
    uint64_t addr = 0; // data segment address, or the list page / SGL segment read
    uint64_t len = 0;  // segment bytes, or list entries read
    spec::Status status = spec::success();
    Explanation why; // for Error
    Fault fault = Fault::None;
};

class PrpWalker {
public:
    PrpWalker() = default;
    // page_size is the host memory page size from CC.MPS.
    PrpWalker(uint64_t prp1, uint64_t prp2, uint64_t length, uint64_t page_size);
    // A transfer described by a PRP list alone, with no data entry before it: the memory of a
    // non-contiguous queue, whose PRP1 points to the list naming each of its pages (§5.3, §5.4).
    static PrpWalker list_only(uint64_t list, uint64_t length, uint64_t page_size);
    // Starts (again) a transfer of `length` bytes over the same entries.
    void start(uint64_t length);

    // Produces the next segment to transfer, or reads the next PRP list page from host memory.
    WalkStep next(const HostMemory &memory);
    bool done() const { return remaining_ == 0; }
    uint64_t remaining() const { return remaining_; }
    // What a failed DMA names as the bad pointer.
    static const char *entry_field() { return "PRP entry"; }
    static const char *section() { return "NVMe 1.3 §4.3"; }

    // Checks up front only what needs no host memory (PRP1 and PRP2 offsets), so a command can
    // fail at decode time like a real controller's first DMA setup would.
    std::optional<WalkStep> check_entries() const;

private:
    enum class Stage : uint8_t { First, Second, List };
    // A data entry from PRP2 (list_entry < 0) or from the current list page; the field name
    // for an explanation is only built when the entry is bad.
    WalkStep data_entry(uint64_t entry, int64_t list_entry);

    uint64_t prp1_ = 0;
    uint64_t prp2_ = 0;
    uint64_t remaining_ = 0;
    uint64_t page_size_ = 4096;
    Stage stage_ = Stage::First;
    Stage first_stage_ = Stage::First; // List for list_only (its list address is in prp1_)
    std::vector<uint64_t> list_;       // entries of the current list page not yet used
    size_t list_pos_ = 0;
    uint64_t list_addr_ = 0;  // where the current list page was read from
    uint32_t list_index_ = 0; // how many list pages read so far (for explanations)
};

} // namespace nvmelab
