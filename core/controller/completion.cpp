// The end of a command: its completion queue entry, the Error Information log, the interrupt,
// and the commands of a deleted SQ.

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

namespace {
Explanation sq_deleted_no_room(uint16_t sqid) {
    return {"SQID", sqid,
            "its submission queue was deleted while the completion queue was full: the entry is "
            "dropped",
            "NVMe 1.3 §5.6"};
}
} // namespace

// Commands of a deleted SQ still in the controller complete with Command Aborted due to SQ
// Deletion before the Delete I/O SQ command does (NVMe 1.3 §5.6). Their entries, and those of
// its finished commands, are posted where the CQ has room; the rest are dropped (the spec lets
// aborted commands end without an entry; QEMU drops them too). So no entry of a deleted SQ
// arrives after the Delete's own, where it could be taken for one of a new SQ with the same ID.
void Controller::abort_deleted_sq(uint16_t qid) {
    for (auto &other : slots_) {
        if (other.phase == CommandPhase::Free || other.sqid != qid) continue;
        other.sq_deleted = true;        // its entry is posted now if the CQ has room, or dropped
        cid_keys_[other.slot] = kNoCid; // a new command may reuse its CID (§5.6)
        if (other.phase == CommandPhase::WaitCq) {
            // Done, but its CQ is full: no room will come before the Delete completes.
            if (auto &cq = state_.cqs[other.cqid]) std::erase(cq->waiting, other.slot);
            drop_completion(other, sq_deleted_no_room(qid));
            continue;
        }
        if (other.phase == CommandPhase::Interrupt) continue; // its entry is posted
        if (other.phase == CommandPhase::Complete) {
            // Done, its entry due later (the media time of a write): posted now instead,
            // before the Delete's own.
            reschedule(other, CommandPhase::Complete);
            continue;
        }
        other.fail(spec::generic(GenericStatus::AbortedSqDeletion), "SQID", qid,
                   "its submission queue was deleted", "NVMe 1.3 §5.6");
        reschedule(other, CommandPhase::Complete);
    }
    recount_io_outstanding(); // the deleted SQ's unfetched entries are gone
}

void Controller::log_error(const CommandContext &ctx) {
    spec::ErrorLogEntry e{};
    e.sqid = ctx.sqid;
    e.cid = ctx.sqe.cid;
    e.status_field = static_cast<uint16_t>(ctx.status.field() << 1);
    e.param_error_location = ctx.error_location;
    e.lba = ctx.error_lba;
    e.nsid = ctx.sqe.nsid;
    log_error(e);
}

void Controller::log_error(spec::ErrorLogEntry e) {
    e.error_count = ++state_.error_count;
    state_.error_log.push_front(e);
    if (state_.error_log.size() > DeviceState::kErrorLogEntries) state_.error_log.pop_back();
    ++state_.health.error_log_entries;
}

void Controller::drop_completion(CommandContext &ctx, const Explanation &why) {
    record_event(EventKind::CommandAborted, ctx, 0, 0, 0, 0, state_.trace.add_explanation(why));
    if (ctx.sqid != 0) --io_outstanding_; // no CQE will come: no longer outstanding
    finish(ctx);
}

void Controller::complete(CommandContext &ctx) {
    auto &cq_slot = state_.cqs[ctx.cqid];
    if (!cq_slot)
        return drop_completion(
            ctx, Explanation{"CQID", ctx.cqid,
                             "the completion queue was deleted before this entry could be posted",
                             "NVMe 1.3 §5.5"});
    CompletionQueue &cq = *cq_slot;
    if (cq.full() && ctx.sq_deleted) return drop_completion(ctx, sq_deleted_no_room(ctx.sqid));
    if (cq.full()) {
        ctx.phase = CommandPhase::WaitCq;
        cq.waiting.push_back(ctx.slot);
        record_event(EventKind::CqFull, ctx, 0, 0, cq.head);
        return;
    }
    spec::Cqe cqe{};
    cqe.dw0 = ctx.dw0;
    cqe.dw1 = ctx.dw1;
    // SQHD is the SQ head at the time the entry is posted (§4.6).
    const auto &sq = state_.sqs[ctx.sqid];
    cqe.sqhd = sq ? static_cast<uint16_t>(sq->head) : ctx.sqhd;
    cqe.sqid = ctx.sqid;
    cqe.cid = ctx.sqe.cid;
    if (ctx.failed()) {
        // Every failure gets an Error Information log entry, so the More bit says so (§4.6.1).
        ctx.status = ctx.status.with_more(true);
        log_error(ctx);
        // The entry's Status Field bit 0 is the Phase Tag posted for the command (Figure 93).
        if (cq.phase) state_.error_log.front().status_field |= 1u;
    }
    cqe.set_status(ctx.status, cq.phase);
    const uint64_t addr = cq.memory.entry_address(cq.tail, 16);
    std::array<uint8_t, 16> raw{};
    std::memcpy(raw.data(), &cqe, sizeof cqe);
    if (!state_.memory.dma_write(addr, raw)) {
        const Explanation why{fmt::format("CQ{} entry {}", cq.qid, cq.tail), addr,
                              "the completion queue entry is not in mapped host memory",
                              "NVMe 1.3 §4.6"};
        set_fatal(why);
        // The command ends without an entry: the trace says so, as for every completion that
        // cannot be posted, and it stops counting as outstanding I/O (SMART busy time).
        return drop_completion(ctx, why);
    }
    const int64_t why = ctx.why ? state_.trace.add_explanation(*ctx.why) : -1;
    TraceEvent ev{.time_ns = state_.now_ns,
                  .kind = EventKind::CqePost,
                  .sqid = ctx.sqid,
                  .cqid = cq.qid,
                  .cid = ctx.sqe.cid,
                  .u32 = cq.phase ? 1u : 0u,
                  .addr = addr,
                  .len = 16,
                  .value = ctx.status.field(),
                  .explanation = why};
    state_.trace.record(ev);
    if (ctx.sqid != 0) --io_outstanding_;
    cq.tail = (cq.tail + 1) % cq.size;
    if (cq.tail == 0) cq.phase = !cq.phase; // the phase tag inverts on each wrap (§4.6)
    ++cq.posted;
    posted_in_step_ = true;

    CompletionRecord rec{ctx.sqid, cq.qid, cqe, ctx.sqe.opc, ctx.why, ctx.sqe};
    last_completion_ = rec;
    completions_.push_back(std::move(rec)); // once full, replaces the oldest record

    if (!cq.ien) return finish(ctx);
    reschedule(ctx, CommandPhase::Interrupt);
}

void Controller::raise_interrupt(CommandContext &ctx) {
    const auto &cq_slot = state_.cqs[ctx.cqid];
    if (!cq_slot) return finish(ctx);
    const uint16_t v = cq_slot->iv;
    // Interrupt Coalescing applies to I/O completion queues only, and not to vectors whose
    // Interrupt Vector Configuration sets CD (§5.21.1.8, §5.21.1.9).
    const auto coal = spec::InterruptCoalescingFeature::decode(
        state_.feature(spec::FeatureId::InterruptCoalescing));
    const bool coalescing_disabled =
        ctx.cqid == 0 || v >= state_.vector_config.size() ||
        spec::InterruptVectorConfigFeature::decode(state_.vector_config[v].current).cd;
    ++vector_pending_[v];
    if (coalescing_disabled || vector_pending_[v] >= uint32_t{coal.thr} + 1u) {
        signal_vector(v, ctx.cqid, ctx.sqe.cid);
    } else {
        state_.trace.record(TraceEvent{.time_ns = state_.now_ns,
                                       .kind = EventKind::InterruptCoalesced,
                                       .sqid = ctx.sqid,
                                       .cqid = ctx.cqid,
                                       .cid = ctx.sqe.cid,
                                       .u32 = v,
                                       .value = vector_pending_[v]});
        if (coal.time != 0 && !coalesce_armed_[v]) {
            coalesce_armed_[v] = true;
            schedule(state_.now_ns + uint64_t{coal.time} * 100'000, Pending::Kind::Coalesce, v,
                     epoch_);
        }
    }
    finish(ctx);
}

void Controller::signal_vector(uint16_t vector, uint16_t cqid, uint16_t cid) {
    vector_pending_[vector] = 0;
    coalesce_armed_[vector] = false;
    // INTMS masks vectors 0..31 (§3.1.3); a masked interrupt is held until INTMC unmasks it.
    const bool masked = vector < 32 && (state_.intms >> vector) & 1u;
    TraceEvent ev{.time_ns = state_.now_ns,
                  .kind = masked ? EventKind::InterruptMasked : EventKind::Interrupt,
                  .cqid = cqid,
                  .cid = cid,
                  .u32 = vector};
    state_.trace.record(ev);
    if (masked) {
        vector_asserted_[vector] = true;
    } else {
        ++vector_count_[vector];
    }
}

void Controller::finish(CommandContext &ctx) {
    ctx.release_data();
    ctx.phase = CommandPhase::Free;
    cid_keys_[ctx.slot] = kNoCid;
    ++ctx.generation;
    free_slots_.push_back(ctx.slot);
    --inflight_;
    schedule_fetch();
}

void Controller::drop_all_commands() {
    for (auto &ctx : slots_) {
        if (ctx.phase == CommandPhase::Free) continue;
        // A command whose CQE is posted has completed (NVMe 1.3 §4.6); only its interrupt is
        // not raised. The trace must not end it a second time.
        if (ctx.phase != CommandPhase::Interrupt) record_event(EventKind::CommandAborted, ctx);
        ctx.release_data();
        ctx.phase = CommandPhase::Free;
        cid_keys_[ctx.slot] = kNoCid;
        ++ctx.generation;
        free_slots_.push_back(ctx.slot);
    }
    inflight_ = 0;
    io_outstanding_ = 0;
    shutdown_waiting_ = false;
    std::sort(free_slots_.begin(), free_slots_.end(), std::greater<>());
    pending_.clear();
    fetch_scheduled_ = false;
    std::fill(vector_pending_.begin(), vector_pending_.end(), 0);
    std::fill(vector_asserted_.begin(), vector_asserted_.end(), false);
    std::fill(coalesce_armed_.begin(), coalesce_armed_.end(), false);
    ++epoch_;
}

} // namespace nvmelab
