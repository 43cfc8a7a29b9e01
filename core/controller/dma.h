#pragma once
// The DMA service: the one way a command's bytes move between host memory and the controller
// (NVMe 1.3 §4.3, §4.4). Each move records its trace event (a PRP list read, a DMA segment to
// the device or to the host) and returns its cost in virtual time, dma_ns_per_kib per KiB
// (at least 1 ns), which the caller turns into the delay before the command's next step.
//
// The controller's side of a transfer is where the command's handler put it: the staging
// buffer (admin data, small writes, reads from a store whose reads can fail), the media extent
// grid (a large Write, ExtentData), or a Read's hold on the namespace (HeldRead), whose data is
// copied from the cache or the media straight into host memory, page by page.
#include <cstdint>
#include <optional>
#include <span>

#include "core/controller/device_state.h"

namespace nvmelab {

class Dma {
public:
    explicit Dma(DeviceState &state) : s_(state) {}

    // Once a command's transfers are started: readies where its data lands (extent buffers for
    // a large Write, nothing for a held Read, else the staging buffers).
    static void prepare_buffers(CommandContext &ctx);

    // Virtual nanoseconds to move `bytes`.
    uint64_t cost(uint64_t bytes) const;

    struct Step {
        enum class Kind : uint8_t {
            ListRead,  // a PRP list page or an SGL segment was read
            Moved,     // a segment was moved
            Failed,    // a segment could not be moved: ctx failed, the event names why
            WalkError, // the walker refused an entry: ctx failed, no event (nothing moved)
            Done,      // nothing left to walk
        } kind = Kind::Done;
        uint64_t cost_ns = 0;
    };
    // The next step of the command's data path (its data, then its metadata) in the direction
    // given: a list read or one segment moved, recorded in the trace.
    Step step(CommandContext &ctx, bool to_device);

    // A walker step for a handler that walks a PRP list of its own (the memory of a
    // non-contiguous queue): a list read is recorded as the data path's are, and its cost is
    // returned in `cost_ns`; segments only name pages, nothing is moved.
    WalkStep walk(const CommandContext &ctx, PrpWalker &walker, uint64_t &cost_ns);

    // A handler's own small transfer at one 64-bit host address, outside the data path (an
    // OCSSD vector command's LBA list, OC §7; a reset's chunk descriptors at MPTR): recorded as
    // one DMA segment; returns its cost, or nullopt when the range is not in mapped host memory
    // (nothing moved).
    std::optional<uint64_t> read_host(const CommandContext &ctx, uint64_t addr,
                                      std::span<uint8_t> out);
    std::optional<uint64_t> write_host(const CommandContext &ctx, uint64_t addr,
                                       std::span<const uint8_t> in);

private:
    enum class Outcome : uint8_t { Moved, HostUnmapped, SourceFailed };
    Outcome to_host(CommandContext &ctx, bool metadata, uint64_t pos, uint64_t addr, uint64_t len);
    Outcome from_host(CommandContext &ctx, bool metadata, uint64_t pos, uint64_t addr,
                      uint64_t len);
    void record(EventKind kind, const CommandContext &ctx, uint64_t addr, uint64_t len,
                int64_t explanation = -1);

    DeviceState &s_;
};

} // namespace nvmelab
