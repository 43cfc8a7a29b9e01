// Moving a command's data between host memory and the controller: the PRP walk, one event per
// list page read and per DMA segment (NVMe 1.3 §4.3).

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

namespace {
constexpr uint64_t kStagingLimit = uint64_t{256} << 20;

uint64_t dma_cost(const DeviceConfig &c, uint64_t bytes) {
    return std::max<uint64_t>(1, bytes * c.dma_ns_per_kib / 1024);
}
} // namespace

// After the handler's prepare: the transfer's size against MDTS, the data pointer's entries, and
// the buffer the data lands in. A failure is recorded in ctx.
void Controller::prepare_data_transfer(CommandContext &ctx) {
    const spec::Sqe &sqe = ctx.sqe;
    const uint64_t limit = state_.max_transfer_bytes();
    if (ctx.transfer_bytes > 0 && limit == 0 && ctx.transfer_bytes > kStagingLimit) {
        // MDTS = 0 means the spec sets no limit, but this emulator stages every transfer in
        // memory; refusing is better than exhausting it.
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "data transfer length",
                 ctx.transfer_bytes,
                 fmt::format("exceeds this emulator's {} MiB staging limit (MDTS = 0)",
                             kStagingLimit >> 20),
                 "NVMe 1.3 §5.15 (MDTS)");
    } else if (ctx.transfer_bytes > 0 && limit != 0 && ctx.transfer_bytes > limit) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "data transfer length",
                 ctx.transfer_bytes,
                 fmt::format("exceeds MDTS ({} bytes = 2^{} x {}-byte pages)", limit,
                             state_.config.mdts, state_.min_page_size()),
                 "NVMe 1.3 §5.15 (MDTS)");
    } else if (ctx.transfer_bytes > 0) {
        PrpWalker walker(sqe.prp1, sqe.prp2, ctx.transfer_bytes, state_.page_size());
        if (auto bad = walker.check_entries()) {
            ctx.status = bad->status;
            ctx.why = bad->why;
            ctx.error_location = spec::param_error_location(bad->why.field == "PRP1" ? 24 : 32, 0);
        } else {
            ctx.walker = walker;
            // Host-to-controller data is DMA'd over every byte before execute() reads it
            // (a failed DMA fails the command), so only buffers the handler fills start
            // zeroed (memset: libc++'s assign(n, 0) stores byte by byte).
            if (ctx.extents.requested()) {
                ctx.extents.allocate();
            } else {
                ctx.buffer.resize(ctx.transfer_bytes);
                if (ctx.direction != DataDirection::HostToController)
                    std::memset(ctx.buffer.data(), 0, ctx.buffer.size());
            }
        }
    }
}

void Controller::transfer(CommandContext &ctx, bool to_device) {
    auto &walker = std::get<PrpWalker>(ctx.walker);
    const WalkStep s = walker.next(state_.memory);
    uint64_t delay = 0;
    switch (s.kind) {
    case WalkStep::Kind::ListRead:
        record_event(EventKind::PrpListRead, ctx, s.addr, s.len);
        delay = dma_cost(state_.config, s.len * 8);
        break;
    case WalkStep::Kind::Segment: {
        // One DMA per PRP segment; a segment that straddles two media extents of an extent-grid
        // Write is moved in two pieces (still one traced event).
        uint64_t host = s.addr;
        auto dma = [&](std::span<uint8_t> part) {
            const bool done = to_device ? state_.memory.dma_read(host, part)
                                        : state_.memory.dma_write(host, part);
            host += part.size();
            return done;
        };
        const bool ok = ctx.extents.active()
                            ? ctx.extents.for_each_piece(ctx.buffer_pos, s.len, dma)
                            : dma(std::span<uint8_t>(ctx.buffer.data() + ctx.buffer_pos, s.len));
        int64_t why = -1;
        if (!ok) {
            ctx.fail(spec::generic(GenericStatus::DataTransferError), "PRP entry", s.addr,
                     "the data buffer is not in mapped host memory", "NVMe 1.3 §4.3");
            why = state_.trace.add_explanation(*ctx.why);
        }
        record_event(to_device ? EventKind::DmaToDevice : EventKind::DmaToHost, ctx, s.addr, s.len,
                     0, 0, why);
        ctx.buffer_pos += s.len;
        delay = dma_cost(state_.config, s.len);
        break;
    }
    case WalkStep::Kind::Error:
        ctx.status = s.status;
        ctx.why = s.why;
        ctx.phase = CommandPhase::Complete;
        return complete(ctx);
    case WalkStep::Kind::Done:
        break;
    }
    if (ctx.failed())
        ctx.phase = CommandPhase::Complete;
    else if (walker.done())
        ctx.phase = to_device ? CommandPhase::Execute : CommandPhase::Complete;
    ++ctx.generation;
    schedule(state_.now_ns + delay, Pending::Kind::Command, ctx.slot, ctx.generation);
}

} // namespace nvmelab
