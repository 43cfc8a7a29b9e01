// Moving a command's data between host memory and the controller: the data path's walk, one
// event per list page read and per DMA segment (NVMe 1.3 §4.3), through the DMA service.

#include "core/controller/controller.h"
#include "core/controller/dma.h"

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

namespace {
constexpr uint64_t kStagingLimit = uint64_t{256} << 20;
} // namespace

// After the handler's prepare: the transfer's size against MDTS, the data pointer's entries, and
// where the data lands. A failure is recorded in ctx.
void Controller::prepare_data_transfer(CommandContext &ctx) {
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
        DataPath &path = ctx.data_path;
        path.data.start(ctx.transfer_bytes);
        path.metadata.start(ctx.metadata_bytes);
        if (auto bad = path.data.check_entries()) {
            ctx.status = bad->status;
            ctx.why = bad->why;
            ctx.error_location = spec::param_error_location(bad->why.field == "PRP2" ? 32 : 24, 0);
            return;
        }
        if (auto bad = path.metadata.check_entries()) {
            ctx.status = bad->status;
            ctx.why = bad->why;
            ctx.error_location = spec::param_error_location(16, 0); // MPTR
            return;
        }
        Dma::prepare_buffers(ctx);
    }
}

// One step of the data path, through the DMA service; the next step comes after its cost.
void Controller::transfer(CommandContext &ctx, bool to_device) {
    const Dma::Step step = Dma(state_).step(ctx, to_device);
    if (step.kind == Dma::Step::Kind::WalkError) {
        ctx.phase = CommandPhase::Complete;
        return complete(ctx);
    }
    if (ctx.failed())
        ctx.phase = CommandPhase::Complete;
    else if (ctx.data_path.done())
        ctx.phase = to_device ? CommandPhase::Execute : CommandPhase::Complete;
    ++ctx.generation;
    schedule(state_.now_ns + step.cost_ns, Pending::Kind::Command, ctx.slot, ctx.generation);
}

} // namespace nvmelab
