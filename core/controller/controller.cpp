// The event scheduler, the controller's life (power-on, power-off, busy time) and its views
// for front ends. The pipeline a command runs through is split by stage: command_fetch.cpp
// (arbitration), command_pipeline.cpp (decode, execute, engine follow-ups), data_transfer.cpp
// (PRP walk and DMA), completion.cpp (CQE, interrupt); registers.cpp has registers and
// doorbells, durability.cpp the shutdown write-back; what each command does is in
// core/commands/.

#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

using spec::CommandSpecificStatus;
using spec::DataDirection;
using spec::GenericStatus;

const char *command_phase_name(CommandPhase phase) {
    switch (phase) {
    case CommandPhase::Free:
        return "free";
    case CommandPhase::Decode:
        return "fetched";
    case CommandPhase::TransferIn:
        return "data-in";
    case CommandPhase::Execute:
        return "executing";
    case CommandPhase::TransferOut:
        return "data-out";
    case CommandPhase::Complete:
        return "completing";
    case CommandPhase::WaitCq:
        return "waiting-for-cq";
    case CommandPhase::Interrupt:
        return "completed";
    case CommandPhase::Outstanding:
        return "outstanding";
    }
    return "?";
}

Controller::Controller(const DeviceConfig &config, HostMemory &memory, BackingStore &store)
    : state_((config.validate(), config), memory, store) {
    // Parked Asynchronous Event Requests keep their slots without counting against
    // max_inflight, so a host that posts all AERL + 1 of them can still run commands.
    const uint32_t slots = uint32_t{config.max_inflight} + DeviceState::kMaxOutstandingAers;
    slots_.resize(slots);
    cid_keys_.assign(slots, kNoCid);
    for (uint32_t i = slots; i > 0; --i) {
        slots_[i - 1].slot = i - 1;
        free_slots_.push_back(i - 1);
    }
    vector_pending_.assign(config.msix_vectors, 0);
    vector_count_.assign(config.msix_vectors, 0);
    vector_asserted_.assign(config.msix_vectors, false);
    coalesce_armed_.assign(config.msix_vectors, false);

    // Power-on: count the cycle, and an unsafe shutdown if the last power-off was not clean
    // (SMART / Health log, NVMe 1.3 §5.14.1.2). The state is marked dirty until a clean
    // shutdown marks it clean again.
    state_.load_persistent_state(store.load_state());
    // Namespaces that keep state on the media (an OCSSD chunk table) load it.
    for (auto &ns : state_.namespaces)
        ns->power_on(store);
    state_.trace.record(TraceEvent{.kind = EventKind::PowerOn});
    save_state_or_report("at power-on");
}

Controller::~Controller() = default;

void Controller::schedule(uint64_t at, Pending::Kind kind, uint32_t id, uint32_t generation) {
    pending_.push(Pending{at, pending_seq_++, kind, id, generation}, state_.now_ns);
}

bool Controller::idle() const {
    return pending_.empty();
}

uint64_t Controller::next_event_time() const {
    return pending_.empty() ? state_.now_ns : pending_.top().time;
}

bool Controller::step() {
    posted_in_step_ = false;
    while (!pending_.empty()) {
        const Pending p = pending_.top();
        pending_.pop();
        if (run_pending(p)) return true;
    }
    return false;
}

bool Controller::step_command() {
    while (step()) {
        if (posted_in_step_) return true;
    }
    return false;
}

uint64_t Controller::run_until_idle(uint64_t max_events) {
    uint64_t n = 0;
    while (n < max_events && step())
        ++n;
    return n;
}

void Controller::run_until(uint64_t time_ns) {
    while (true) {
        // Entries cancelled by a reset or a rescheduled command are dropped first, so the
        // event step() runs is never one later than time_ns.
        while (!pending_.empty() && stale(pending_.top()))
            pending_.pop();
        if (pending_.empty() || pending_.top().time > time_ns) break;
        step();
    }
    advance_time(time_ns);
}

bool Controller::stale(const Pending &p) const {
    switch (p.kind) {
    case Pending::Kind::Command:
        return slots_[p.id].phase == CommandPhase::Free || slots_[p.id].generation != p.generation;
    case Pending::Kind::Coalesce:
        return p.generation != epoch_ || !coalesce_armed_[p.id] || vector_pending_[p.id] == 0;
    case Pending::Kind::KeepAlive: // restarted, stopped or reset since it was armed
        return p.generation != state_.keep_alive_generation || state_.keep_alive_deadline_ns == 0;
    default:
        return p.generation != epoch_;
    }
}

bool Controller::run_pending(const Pending &p) {
    switch (p.kind) {
    case Pending::Kind::Fetch:
        if (p.generation != epoch_) return false;
        fetch_scheduled_ = false;
        advance_time(p.time);
        fetch();
        return true;
    case Pending::Kind::Command: {
        CommandContext &ctx = slots_[p.id];
        if (ctx.phase == CommandPhase::Free || ctx.generation != p.generation) return false;
        advance_time(p.time);
        run_command(p.id);
        if (shutdown_waiting_) schedule_shutdown_write_back();
        return true;
    }
    case Pending::Kind::Ready:
        if (p.generation != epoch_) return false;
        advance_time(p.time);
        state_.csts.set_rdy(true);
        state_.trace.record(
            TraceEvent{.time_ns = state_.now_ns, .kind = EventKind::ControllerReady});
        schedule_fetch();
        return true;
    case Pending::Kind::ShutdownDone:
        // Stale after a reset, or when an enable (CC.EN 0 -> 1) ended the shutdown.
        if (p.generation != epoch_ ||
            state_.csts.shst() != static_cast<uint8_t>(spec::Shst::Processing))
            return false;
        advance_time(p.time);
        complete_shutdown();
        return true;
    case Pending::Kind::Coalesce:
        if (p.generation != epoch_ || !coalesce_armed_[p.id]) return false;
        advance_time(p.time);
        coalesce_armed_[p.id] = false;
        if (vector_pending_[p.id] == 0) return false;
        signal_vector(static_cast<uint16_t>(p.id), 0xFFFF, 0xFFFF);
        return true;
    case Pending::Kind::KeepAlive:
        if (stale(p) || !state_.csts.rdy() || state_.csts.cfs()) return false;
        advance_time(p.time);
        keep_alive_expired();
        return true;
    }
    return false;
}

void Controller::record_event(EventKind kind, const CommandContext &ctx, uint64_t addr,
                              uint64_t len, uint64_t value, uint32_t u32, int64_t explanation) {
    const bool names_opcode = kind == EventKind::SqeFetch || kind == EventKind::CommandDecode;
    state_.trace.record(TraceEvent{
        .time_ns = state_.now_ns,
        .kind = kind,
        .command_set = names_opcode
                           ? static_cast<uint8_t>(command_set_for(ctx.sqid, ctx.sqe.nsid).id())
                           : uint8_t{0},
        .sqid = ctx.sqid,
        .cqid = 0xFFFF,
        .cid = ctx.sqe.cid,
        .u32 = u32,
        .addr = addr,
        .len = len,
        .value = value,
        .explanation = explanation});
}

bool Controller::can_fetch() const {
    return !free_slots_.empty() && inflight_ - state_.aer_slots.size() < state_.config.max_inflight;
}

void Controller::recount_io_outstanding() {
    uint64_t n = 0;
    for (size_t qid = 1; qid < state_.sqs.size(); ++qid)
        if (state_.sqs[qid]) n += state_.sqs[qid]->depth();
    for (const auto &ctx : slots_)
        if (ctx.sqid != 0 && ctx.phase != CommandPhase::Free &&
            ctx.phase != CommandPhase::Interrupt)
            ++n;
    io_outstanding_ = n;
}

void Controller::advance_time(uint64_t time_ns) {
    if (time_ns <= state_.now_ns) return;
    if (io_outstanding_ > 0) state_.health.busy_time_ns += time_ns - state_.now_ns;
    state_.now_ns = time_ns;
}

void Controller::power_off(PowerOff kind) {
    if (!powered_) return;
    drop_all_commands();
    if (kind == PowerOff::Clean) {
        write_back_or_report(
            "the power-off could not write the volatile write cache back: {} blocks are lost",
            "NVMe 1.3 §5.21.1.6");
        state_.clean_shutdown = true;
        save_state_or_report("at power-off");
    } else {
        for (auto &ns : state_.namespaces)
            ns->drop_cache();
    }
    state_.trace.record(TraceEvent{.time_ns = state_.now_ns,
                                   .kind = EventKind::PowerOff,
                                   .u32 = kind == PowerOff::Clean ? 1u : 0u});
    state_.csts = spec::CstsReg{0};
    powered_ = false;
}

// ---------------------------------------------------------------------------------------------
// Inspection

std::vector<QueueView> Controller::queues() const {
    std::vector<QueueView> out;
    for (const auto &sq : state_.sqs) {
        if (!sq) continue;
        out.push_back(
            QueueView{.is_sq = true,
                      .qid = sq->qid,
                      .cqid = sq->cqid,
                      .size = sq->size,
                      .head = sq->head,
                      .tail = sq->tail,
                      .base = sq->memory.contiguous() ? sq->memory.base : sq->memory.pages.front(),
                      .contiguous = sq->memory.contiguous(),
                      .pages = sq->memory.pages,
                      .qprio = sq->qprio});
    }
    for (const auto &cq : state_.cqs) {
        if (!cq) continue;
        out.push_back(
            QueueView{.is_sq = false,
                      .qid = cq->qid,
                      .cqid = cq->qid,
                      .size = cq->size,
                      .head = cq->head,
                      .tail = cq->tail,
                      .base = cq->memory.contiguous() ? cq->memory.base : cq->memory.pages.front(),
                      .contiguous = cq->memory.contiguous(),
                      .pages = cq->memory.pages,
                      .phase = cq->phase,
                      .ien = cq->ien,
                      .iv = cq->iv,
                      .waiting = static_cast<uint32_t>(cq->waiting.size())});
    }
    return out;
}

std::vector<CommandView> Controller::commands() const {
    std::vector<CommandView> out;
    for (const auto &ctx : slots_) {
        if (ctx.phase == CommandPhase::Free) continue;
        out.push_back(CommandView{ctx.sqid, ctx.sqe.cid, ctx.sqe.opc, ctx.phase, ctx.transfer_bytes,
                                  ctx.data_path.data.moved, ctx.sqe});
    }
    return out;
}

uint32_t Controller::interrupt_count(uint16_t vector) const {
    return vector < vector_count_.size() ? vector_count_[vector] : 0;
}

bool Controller::interrupt_pending(uint16_t vector) const {
    return vector < vector_asserted_.size() && vector_asserted_[vector];
}

uint32_t Controller::namespace_count() const {
    return static_cast<uint32_t>(state_.namespaces.size());
}

uint64_t Controller::namespace_blocks_cached(uint32_t nsid) const {
    const Namespace *ns = state_.find_namespace(nsid);
    return ns != nullptr ? ns->cached_blocks() : 0;
}

bool Controller::lba_cached(uint32_t nsid, uint64_t lba) const {
    const Namespace *ns = state_.find_namespace(nsid);
    return ns != nullptr && ns->is_cached(lba);
}

std::vector<uint64_t> Controller::cached_lbas(uint32_t nsid) const {
    const Namespace *ns = state_.find_namespace(nsid);
    return ns != nullptr ? ns->cached_lbas() : std::vector<uint64_t>{};
}

uint32_t Controller::lba_size(uint32_t nsid) const {
    const Namespace *ns = state_.find_namespace(nsid);
    return ns != nullptr ? ns->lba_size() : 0;
}

spec::CommandSetId Controller::command_set_of(uint16_t sqid, uint32_t nsid) const {
    return command_set_for(sqid, nsid).id();
}

std::string_view Controller::command_name(uint16_t sqid, uint32_t nsid, uint8_t opcode) const {
    return spec::opcode_name(command_set_of(sqid, nsid), opcode);
}

std::optional<NamespaceView> Controller::namespace_view(uint32_t nsid) const {
    const Namespace *ns = state_.find_namespace(nsid);
    if (ns == nullptr) return std::nullopt;
    return ns->view();
}

std::vector<NamespaceView> Controller::namespaces() const {
    std::vector<NamespaceView> out;
    for (const auto &ns : state_.namespaces)
        out.push_back(ns->view());
    return out;
}

} // namespace nvmelab
