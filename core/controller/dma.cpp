#include "core/controller/dma.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace nvmelab {

using spec::GenericStatus;

uint64_t Dma::cost(uint64_t bytes) const {
    return std::max<uint64_t>(1, bytes * s_.config.dma_ns_per_kib / 1024);
}

void Dma::prepare_buffers(CommandContext &ctx) {
    // Host-to-controller data is DMA'd over every byte before execute() reads it (a failed DMA
    // fails the command), so only buffers the handler fills start zeroed (memset: libc++'s
    // assign(n, 0) stores byte by byte). A held Read stages nothing: its DMA reads the media.
    const bool zeroed = ctx.direction != spec::DataDirection::HostToController;
    auto stage = [&](std::vector<uint8_t> &buffer, uint64_t bytes) {
        buffer.resize(bytes);
        if (zeroed && bytes > 0) std::memset(buffer.data(), 0, bytes);
    };
    if (ctx.extents.requested())
        ctx.extents.allocate();
    else if (!ctx.held_read.requested)
        stage(ctx.buffer, ctx.transfer_bytes);
    if (ctx.metadata_bytes > 0) stage(ctx.metadata_buffer, ctx.metadata_bytes);
}

void Dma::record(EventKind kind, const CommandContext &ctx, uint64_t addr, uint64_t len,
                 int64_t explanation) {
    s_.trace.record(TraceEvent{.time_ns = s_.now_ns,
                               .kind = kind,
                               .sqid = ctx.sqid,
                               .cqid = 0xFFFF,
                               .cid = ctx.sqe.cid,
                               .addr = addr,
                               .len = len,
                               .explanation = explanation});
}

Dma::Outcome Dma::to_host(CommandContext &ctx, bool metadata, uint64_t pos, uint64_t addr,
                          uint64_t len) {
    if (metadata || !ctx.held_read.active()) {
        const std::vector<uint8_t> &from = metadata ? ctx.metadata_buffer : ctx.buffer;
        return s_.memory.dma_write(addr, std::span<const uint8_t>(from.data() + pos, len))
                   ? Outcome::Moved
                   : Outcome::HostUnmapped;
    }
    // A Read's data, from the cache or the media straight into the host page.
    HeldRead &held = ctx.held_read;
    if (const std::span<uint8_t> host = s_.memory.dma_span(addr, len); !host.empty())
        return held.source->read_held(held.hold, pos, host) ? Outcome::Moved
                                                            : Outcome::SourceFailed;
    // Not one region (unmapped, or a page across adjacent host regions): through a bounce
    // buffer, so an unmapped byte still leaves host memory untouched.
    std::vector<uint8_t> bounce(len);
    if (!held.source->read_held(held.hold, pos, bounce)) return Outcome::SourceFailed;
    return s_.memory.dma_write(addr, bounce) ? Outcome::Moved : Outcome::HostUnmapped;
}

Dma::Outcome Dma::from_host(CommandContext &ctx, bool metadata, uint64_t pos, uint64_t addr,
                            uint64_t len) {
    auto dma = [&](std::span<uint8_t> part) {
        const bool done = s_.memory.dma_read(addr, part);
        addr += part.size();
        return done;
    };
    // A segment that straddles two media extents of a large Write is moved in two pieces
    // (still one traced event).
    const bool ok = !metadata && ctx.extents.active()
                        ? ctx.extents.for_each_piece(pos, len, dma)
                        : dma(std::span<uint8_t>(
                              (metadata ? ctx.metadata_buffer : ctx.buffer).data() + pos, len));
    return ok ? Outcome::Moved : Outcome::HostUnmapped;
}

Dma::Step Dma::step(CommandContext &ctx, bool to_device) {
    DataTransfer &t = ctx.data_path.current();
    const bool metadata = &t == &ctx.data_path.metadata;
    const WalkStep w = t.next(s_.memory);
    switch (w.kind) {
    case WalkStep::Kind::ListRead:
        record(EventKind::PrpListRead, ctx, w.addr, w.len);
        return Step{Step::Kind::ListRead, cost(w.len * 8)};
    case WalkStep::Kind::Segment: {
        const Outcome done = to_device ? from_host(ctx, metadata, t.moved, w.addr, w.len)
                                       : to_host(ctx, metadata, t.moved, w.addr, w.len);
        int64_t why = -1;
        if (done == Outcome::HostUnmapped) {
            ctx.fail(spec::generic(GenericStatus::DataTransferError), t.entry_field(), w.addr,
                     "the data buffer is not in mapped host memory", t.section());
            why = s_.trace.add_explanation(*ctx.why);
        } else if (done == Outcome::SourceFailed) {
            ++s_.health.media_errors;
            ctx.fail(spec::media(spec::MediaStatus::UnrecoveredReadError), "data offset", t.moved,
                     "the backing store could not be read", "NVMe 1.3 §6.9");
            why = s_.trace.add_explanation(*ctx.why);
        }
        record(to_device ? EventKind::DmaToDevice : EventKind::DmaToHost, ctx, w.addr, w.len, why);
        t.moved += w.len;
        return Step{done == Outcome::Moved ? Step::Kind::Moved : Step::Kind::Failed, cost(w.len)};
    }
    case WalkStep::Kind::SegmentRead:
        record(EventKind::SglSegmentRead, ctx, w.addr, w.len);
        return Step{Step::Kind::ListRead, cost(w.len * sizeof(spec::SglDescriptor))};
    case WalkStep::Kind::Discard:
        // A Bit Bucket: the read data at this position goes nowhere (§4.4).
        record(EventKind::SglBitBucket, ctx, t.moved, w.len);
        t.moved += w.len;
        return Step{Step::Kind::Moved, cost(0)};
    case WalkStep::Kind::Error:
        ctx.status = w.status;
        ctx.why = w.why;
        return Step{Step::Kind::WalkError, 0};
    case WalkStep::Kind::Done:
        break;
    }
    return Step{};
}

WalkStep Dma::walk(const CommandContext &ctx, PrpWalker &walker, uint64_t &cost_ns) {
    const WalkStep w = walker.next(s_.memory);
    cost_ns = 0;
    if (w.kind == WalkStep::Kind::ListRead) {
        record(EventKind::PrpListRead, ctx, w.addr, w.len);
        cost_ns = cost(w.len * 8);
    }
    return w;
}

std::optional<uint64_t> Dma::read_host(const CommandContext &ctx, uint64_t addr,
                                       std::span<uint8_t> out) {
    if (!s_.memory.dma_read(addr, out)) return std::nullopt;
    record(EventKind::DmaToDevice, ctx, addr, out.size());
    return cost(out.size());
}

std::optional<uint64_t> Dma::write_host(const CommandContext &ctx, uint64_t addr,
                                        std::span<const uint8_t> in) {
    if (!s_.memory.dma_write(addr, in)) return std::nullopt;
    record(EventKind::DmaToHost, ctx, addr, in.size());
    return cost(in.size());
}

} // namespace nvmelab
