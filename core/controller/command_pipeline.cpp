// A fetched command's way through the controller: decode (common checks, the command set's
// prepare), execute (the handler), and what the engine does after a handler has run.

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

void Controller::run_command(uint32_t slot) {
    CommandContext &ctx = slots_[slot];
    switch (ctx.phase) {
    case CommandPhase::Decode:
        decode(ctx);
        break;
    case CommandPhase::TransferIn:
        transfer(ctx, true);
        break;
    case CommandPhase::Execute:
        execute(ctx);
        break;
    case CommandPhase::TransferOut:
        transfer(ctx, false);
        break;
    case CommandPhase::Complete:
        complete(ctx);
        break;
    case CommandPhase::Interrupt:
        raise_interrupt(ctx);
        break;
    case CommandPhase::WaitCq:
    case CommandPhase::Outstanding:
    case CommandPhase::Free:
        break;
    }
}

void Controller::reschedule(CommandContext &ctx, CommandPhase phase, uint64_t delay_ns) {
    ctx.phase = phase;
    ++ctx.generation; // an event scheduled for the command's earlier phase is now stale
    schedule(state_.now_ns + delay_ns, Pending::Kind::Command, ctx.slot, ctx.generation);
}

const CommandSet &Controller::command_set_for(uint16_t sqid, uint32_t nsid) const {
    if (sqid == 0) return admin_command_set();
    const Namespace *ns = state_.find_namespace(nsid);
    // NSID 0, FFFFFFFFh or an inactive one: the controller's own rules decide (decode), with
    // the I/O command set every namespace of this controller shares.
    return ns != nullptr ? ns->command_set() : nvm_command_set();
}

namespace {
constexpr uint32_t kAllNamespaces = 0xFFFFFFFFu;

// CDW1.NSID of an I/O command against the handler's rule. Only an active namespace may be named
// (Invalid Namespace or Format, NVMe 1.3 §4.2, §4.6.1.2.1); FFFFFFFFh means every namespace for
// the commands that allow it (Flush, §6.8). Checked after the opcode: an opcode no command set of
// the controller supports is Invalid Command Opcode whatever its NSID (QEMU checks the NSID
// first; the spec orders neither, and the opcode is what makes the command meaningless).
spec::Status check_nsid(const DeviceState &s, CommandContext &ctx) {
    const uint32_t nsid = ctx.sqe.nsid;
    const NsidRule rule = ctx.handler->nsid;
    if (rule == NsidRule::HandlerChecks || s.find_namespace(nsid) != nullptr)
        return spec::success();
    if (rule == NsidRule::ActiveOrAll && nsid == kAllNamespaces) return spec::success();
    return ctx.fail(spec::generic(GenericStatus::InvalidNamespaceOrFormat, true), "NSID", nsid,
                    nsid == kAllNamespaces
                        ? "FFFFFFFFh (all namespaces) is not allowed for this command"
                        : fmt::format("valid namespace IDs are 1..{}", s.namespaces.size()),
                    ctx.handler->section, spec::param_error_location(4, 0));
}
} // namespace

void Controller::decode(CommandContext &ctx) {
    const bool admin = ctx.sqid == 0;
    const spec::Sqe &sqe = ctx.sqe;
    const CommandSet &set = command_set_for(ctx.sqid, sqe.nsid);

    // Another live command of this SQ with the same CID (cid_keys_ mirrors the slots' phase,
    // sq_deleted, sqid and CID; this slot's own key is skipped).
    const uint64_t key = cid_key(ctx.sqid, sqe.cid);
    bool cid_in_use = false;
    for (size_t i = 0; i < cid_keys_.size(); ++i)
        cid_in_use |= cid_keys_[i] == key && i != ctx.slot;
    const auto abort_opcode = static_cast<uint8_t>(spec::AdminOpcode::Abort);
    const auto other_aborts = [&] {
        return std::count_if(slots_.begin(), slots_.end(), [&](const auto &other) {
            return &other != &ctx && other.phase != CommandPhase::Free && other.sqid == 0 &&
                   other.sqe.opc == abort_opcode;
        });
    };
    if (cid_in_use) {
        ctx.fail(spec::generic(GenericStatus::CommandIdConflict), "CDW0.CID", sqe.cid,
                 "another command with this identifier is still outstanding on this SQ",
                 "NVMe 1.3 §4.2", spec::param_error_location(2, 0));
    } else if (admin && sqe.opc == abort_opcode &&
               other_aborts() >= DeviceState::kMaxConcurrentAborts) {
        ctx.fail(spec::command_specific(CommandSpecificStatus::AbortCommandLimitExceeded),
                 "outstanding Aborts", DeviceState::kMaxConcurrentAborts,
                 fmt::format("no more than ACL + 1 = {} Abort commands may run at once",
                             DeviceState::kMaxConcurrentAborts),
                 "NVMe 1.3 §5.1");
    } else if (sqe.fuse() != 0) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "CDW0.FUSE", sqe.fuse(),
                 "fused operations are not supported (Identify FUSES = 0)", "NVMe 1.3 §4.2",
                 spec::param_error_location(1, 0));
    } else if (const auto refused =
                   choose_data_pointers(sqe, admin, state_.page_size(), ctx.data_path)) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "CDW0.PSDT", sqe.psdt(),
                 refused->rule, "NVMe 1.3 §4.2", spec::param_error_location(1, 6));
    } else if ((sqe.flags & 0x3C) != 0) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "CDW0 bits 13:10",
                 (sqe.flags >> 2) & 0xF, "reserved bits must be 0", "NVMe 1.3 §4.2",
                 spec::param_error_location(1, 2));
    } else if ((ctx.handler = set.find(sqe.opc)) == nullptr) {
        ctx.fail(spec::generic(GenericStatus::InvalidOpcode, true), "CDW0.OPC", sqe.opc,
                 fmt::format("opcode is not supported in the {} command set", set.name()),
                 "NVMe 1.3 §5, §6", spec::param_error_location(0, 0));
    } else if (check_nsid(state_, ctx).ok() && ctx.handler->prepare(state_, ctx).ok()) {
        prepare_data_transfer(ctx);
    }

    record_event(EventKind::CommandDecode, ctx, 0, ctx.transfer_bytes, 0, sqe.opc);
    if (ctx.failed()) return reschedule(ctx, CommandPhase::Complete);
    if (ctx.transfer_bytes > 0 && ctx.direction == DataDirection::HostToController)
        return reschedule(ctx, CommandPhase::TransferIn, 50);
    reschedule(ctx, CommandPhase::Execute, 50);
}

void Controller::execute(CommandContext &ctx) {
    if (ctx.handler->execute != nullptr) {
        if (ctx.sqid == 0) {
            ctx.handler->execute(state_, ctx);
        } else {
            // What an I/O command adds to the SMART counters is also its namespace's (LPA bit 0).
            const HealthCounters before = state_.health;
            ctx.handler->execute(state_, ctx);
            state_.count_namespace_io(ctx.sqe.nsid, before);
        }
    }
    if (state_.keep_alive_generation != keep_alive_armed_) arm_keep_alive();
    int64_t why = ctx.why ? state_.trace.add_explanation(*ctx.why) : -1;
    if (ctx.destaged_blocks > 0)
        record_event(EventKind::CacheDestage, ctx, 0, ctx.destaged_blocks, 0, ctx.sqe.nsid, -1);
    const uint32_t u32 = ctx.execute_event == EventKind::AdminExecute ? ctx.sqe.opc : ctx.sqe.nsid;
    record_event(ctx.execute_event, ctx, ctx.event_addr, ctx.event_len, 0, u32, why);
    const bool stays_outstanding = apply_effects(ctx);
    if (stays_outstanding && !ctx.failed()) {
        ctx.phase = CommandPhase::Outstanding;
        state_.aer_slots.push_back(ctx.slot);
        deliver_async_events();
        return;
    }
    deliver_async_events();
    const bool data_out =
        !ctx.failed() && ctx.transfer_bytes > 0 && ctx.direction == DataDirection::ControllerToHost;
    reschedule(ctx, data_out ? CommandPhase::TransferOut : CommandPhase::Complete, ctx.execute_ns);
}

// The one place the engine acts on what a handler asked of it (HandlerEffect, command.h), in
// the order the handler emitted it. True if the command is to stay outstanding (AER).
bool Controller::apply_effects(CommandContext &ctx) {
    bool stays_outstanding = false;
    for (HandlerEffect &e : ctx.effects) {
        if (auto *deleted = std::get_if<effect::SqDeleted>(&e)) {
            abort_deleted_sq(deleted->sqid);
        } else if (auto *orphaned = std::get_if<effect::CompletionsOrphaned>(&e)) {
            // A deleted CQ's waiting completions: complete() finds no CQ, records the command
            // as aborted and frees its slot.
            for (const uint32_t slot : orphaned->slots)
                reschedule(slots_[slot], CommandPhase::Complete);
        } else if (auto *abort = std::get_if<effect::AbortCommand>(&e)) {
            resolve_abort(ctx, abort->sqid, abort->cid);
        } else if (std::holds_alternative<effect::StayOutstanding>(e)) {
            stays_outstanding = true;
        }
    }
    ctx.effects.clear();
    return stays_outstanding;
}

// Abort (§5.1): a command still being decoded or receiving its data can be stopped; one that
// is executing or done cannot. Completion DW0 bit 0 = 0 means aborted.
void Controller::resolve_abort(CommandContext &abort_ctx, uint16_t sqid, uint16_t cid) {
    abort_ctx.dw0 = 1;
    for (auto &target : slots_) {
        if (&target == &abort_ctx || target.phase == CommandPhase::Free || target.sq_deleted ||
            target.sqid != sqid || target.sqe.cid != cid)
            continue;
        const bool abortable = target.phase == CommandPhase::Decode ||
                               target.phase == CommandPhase::TransferIn ||
                               target.phase == CommandPhase::Outstanding;
        if (!abortable) break;
        if (target.phase == CommandPhase::Outstanding) std::erase(state_.aer_slots, target.slot);
        target.fail(spec::generic(GenericStatus::AbortRequested), "CID", cid,
                    fmt::format("aborted by Abort command CID {}", abort_ctx.sqe.cid),
                    "NVMe 1.3 §5.1");
        reschedule(target, CommandPhase::Complete);
        abort_ctx.dw0 = 0;
        break;
    }
}

// Completes outstanding AERs with queued events of unmasked types, oldest first (§5.2). After
// an event is reported its type stays masked until the host reads its log page with RAE = 0.
void Controller::deliver_async_events() {
    auto &s = state_;
    while (!s.aer_slots.empty()) {
        auto it = std::find_if(s.async_events.begin(), s.async_events.end(), [&](uint32_t dw0) {
            return ((s.async_masked_types >> (dw0 & 0x7)) & 1u) == 0;
        });
        if (it == s.async_events.end()) return;
        const uint32_t dw0 = *it;
        s.async_events.erase(it);
        s.async_masked_types |= static_cast<uint8_t>(1u << (dw0 & 0x7));
        CommandContext &ctx = slots_[s.aer_slots.front()];
        s.aer_slots.erase(s.aer_slots.begin());
        ctx.dw0 = dw0;
        reschedule(ctx, CommandPhase::Complete);
    }
}

} // namespace nvmelab
