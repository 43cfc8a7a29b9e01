#pragma once
// A command's data path (NVMe 1.3 §4.2-§4.4): a data transfer and a metadata transfer, each
// stepped by the walker of its data-pointer kind, one traced event per list read and per DMA
// segment. CDW0.PSDT chooses the kind in one place, choose_data_pointers(); the DMA service
// (dma.h) moves the bytes of each step.
//
// Adding a data-pointer kind: write its walker with the step interface below (start,
// check_entries, next, done, entry_field, section), add it to DataWalker, and accept its PSDT
// value in choose_data_pointers(), as SglWalker (sgl_walker.h) was.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/controller/prp_walker.h"
#include "core/controller/sgl_walker.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

// One physically contiguous buffer at one address: the metadata buffer MPTR names when PSDT is
// 00b or 01b (§4.2, Figure 11). Its whole length is one segment.
class ContiguousWalker {
public:
    ContiguousWalker() = default;
    // `alignment`: what MPTR's address must be a multiple of (PSDT 00b: a dword, §4.2 Figure
    // 11; PSDT 01b: any byte, SGLS bit 17).
    explicit ContiguousWalker(uint64_t addr, uint64_t alignment = 1)
        : addr_(addr), alignment_(alignment) {}
    void start(uint64_t length) { remaining_ = length; }
    std::optional<WalkStep> check_entries() const {
        if (remaining_ == 0 || addr_ % alignment_ == 0) return std::nullopt;
        return WalkStep{WalkStep::Kind::Error, addr_, 0,
                        spec::generic(spec::GenericStatus::InvalidField, true),
                        Explanation{"MPTR", addr_,
                                    "the metadata pointer must be dword aligned with PRPs "
                                    "(PSDT 00b): bits 1:0 must be 0",
                                    "NVMe 1.3 §4.2"}};
    }
    WalkStep next(const HostMemory &) {
        if (remaining_ == 0) return WalkStep{};
        const uint64_t n = remaining_;
        remaining_ = 0;
        return WalkStep{WalkStep::Kind::Segment, addr_, n, spec::success(), {}};
    }
    bool done() const { return remaining_ == 0; }
    static const char *entry_field() { return "MPTR"; }
    static const char *section() { return "NVMe 1.3 §4.2"; }

private:
    uint64_t addr_ = 0;
    uint64_t alignment_ = 1;
    uint64_t remaining_ = 0;
};

// The walkers a transfer can use: one per data-pointer kind.
using DataWalker = std::variant<PrpWalker, ContiguousWalker, SglWalker>;

// One transfer between host memory and the controller.
struct DataTransfer {
    uint64_t bytes = 0; // its length
    uint64_t moved = 0; // bytes the DMA has moved so far: the position of the next segment
    DataWalker walker;

    // Sets the length and rewinds the walker (the walker was chosen at decode, the length is
    // known once the handler's prepare has run).
    void start(uint64_t length);
    std::optional<WalkStep> check_entries() const;
    WalkStep next(const HostMemory &memory);
    bool done() const;
    // What a DMA failure names as the bad pointer ("PRP entry", "MPTR"), and its rules' section.
    const char *entry_field() const;
    const char *section() const;
};

// The two transfers of a command, walked data first, then metadata.
struct DataPath {
    DataTransfer data;
    DataTransfer metadata; // MPTR; empty while no LBA format has metadata (issue 18)

    DataTransfer &current() { return data.done() ? metadata : data; }
    bool done() const { return data.done() && metadata.done(); }
};

// Why a command's PSDT was refused.
struct DataPointerRefusal {
    std::string rule;
};

// The one place CDW0.PSDT is read (§4.2): builds the walkers of both transfers for the kind it
// names, or says why this device refuses it: 00b PRPs; 01b an SGL and MPTR a contiguous
// buffer; 10b an SGL and MPTR the address of a one-descriptor metadata SGL; 11b is reserved.
// Admin commands always use PRPs (SGLs over PCIe are for I/O commands, §4.4).
std::optional<DataPointerRefusal> choose_data_pointers(const spec::Sqe &sqe, bool admin,
                                                       uint64_t page_size, DataPath &path);

} // namespace nvmelab
