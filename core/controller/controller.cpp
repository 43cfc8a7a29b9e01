// The command pipeline and the event scheduler. Register and doorbell handling is in
// registers.cpp; what each command does is in core/commands/.
#include "core/controller/controller.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace nvmelab {

namespace {
// A rule a store failure broke, with the store's reason (the OS error) when it gives one.
std::string with_store_reason(const BackingStore &store, std::string what) {
    const std::string why = store.failure();
    return why.empty() ? what : what + ": " + why;
}

Explanation sq_deleted_no_room(uint16_t sqid) {
    return {"SQID", sqid,
            "its submission queue was deleted while the completion queue was full: the entry is "
            "dropped",
            "NVMe 1.3 §5.6"};
}
} // namespace

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
    state_.trace.record(TraceEvent{.kind = EventKind::PowerOn});
    save_state_or_report("at power-on");
}

Controller::~Controller() = default;

void Controller::schedule(uint64_t at, Pending::Kind kind, uint32_t id, uint32_t generation) {
    pending_.push(Pending{at, pending_seq_++, kind, id, generation});
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
    }
    return false;
}

void Controller::record_event(EventKind kind, const CommandContext &ctx, uint64_t addr,
                              uint64_t len, uint64_t value, uint32_t u32, int64_t explanation) {
    state_.trace.record(TraceEvent{.time_ns = state_.now_ns,
                                   .kind = kind,
                                   .sqid = ctx.sqid,
                                   .cqid = 0xFFFF,
                                   .cid = ctx.sqe.cid,
                                   .u32 = u32,
                                   .addr = addr,
                                   .len = len,
                                   .value = value,
                                   .explanation = explanation});
}

// ---------------------------------------------------------------------------------------------
// Fetch and arbitration (NVMe 1.3 §4.11)

void Controller::schedule_fetch() {
    if (fetch_scheduled_ || !state_.csts.rdy() || state_.csts.cfs() || state_.csts.shst() != 0)
        return;
    if (!can_fetch()) return;
    const bool work = std::any_of(state_.sqs.begin(), state_.sqs.end(),
                                  [](const auto &sq) { return sq && !sq->empty(); });
    if (!work) return;
    fetch_scheduled_ = true;
    schedule(state_.now_ns + state_.config.fetch_ns, Pending::Kind::Fetch, 0, epoch_);
}

std::optional<uint16_t> Controller::arbitrate() {
    // Up to 65536 SQs (the admin SQ and 65535 I/O SQs): a 16-bit count would wrap to 0.
    const auto count = static_cast<uint32_t>(state_.sqs.size());
    auto has_work = [&](uint16_t q) { return state_.sqs[q] && !state_.sqs[q]->empty(); };
    // Next SQ after `last` (cyclic) with work that `in_class` accepts.
    auto next_after = [&](uint16_t last, auto in_class) -> std::optional<uint16_t> {
        for (uint32_t i = 1; i <= count; ++i) {
            const auto q = static_cast<uint16_t>((last + i) % count);
            if (has_work(q) && in_class(q)) return q;
        }
        return std::nullopt;
    };
    const auto arb = spec::ArbitrationFeature::decode(state_.feature(spec::FeatureId::Arbitration));
    // Arbitration Burst: 2^AB commands at a time from one SQ; 111b means no limit (§5.21.1.1).
    const uint32_t burst = arb.ab == 7 ? UINT32_MAX : (1u << arb.ab);
    auto take = [&](uint16_t q) {
        if (q != arb_current_ || arb_burst_left_ == 0) arb_burst_left_ = burst;
        arb_current_ = q;
        --arb_burst_left_;
        return q;
    };

    if (state_.cc.ams() == 0) { // round robin: every SQ, the admin SQ included, is a peer
        if (arb_burst_left_ > 0 && has_work(arb_current_)) return take(arb_current_);
        arb_burst_left_ = 0;
        if (auto q = next_after(arb_current_, [](uint16_t) { return true; })) return take(*q);
        return std::nullopt;
    }

    // Weighted round robin with urgent priority class (§4.11.2): three strict priority levels,
    // admin, then urgent, then the high/medium/low classes by their weights. Every fetch is an
    // arbitration decision, and strict priority means a higher level's command goes before any
    // of a lower level's: admin or urgent work that arrives in the middle of a weighted SQ's
    // burst goes next. The Arbitration Burst is the most the controller takes from one SQ at a
    // time, not a promise to take that many (§4.11, §5.21.1.1); the cut burst (arb_current_,
    // arb_burst_left_) resumes once the higher levels are empty.
    if (has_work(0)) return uint16_t{0};
    auto prio = [&](uint16_t q) { return state_.sqs[q]->qprio; };
    auto urgent = [&](uint16_t q) { return q != 0 && prio(q) == 0; };
    if (urgent_burst_left_ > 0 && has_work(urgent_current_) && urgent(urgent_current_)) {
        --urgent_burst_left_;
        return urgent_current_;
    }
    if (auto q = next_after(class_last_[0], urgent)) {
        class_last_[0] = urgent_current_ = *q;
        urgent_burst_left_ = burst - 1;
        return *q;
    }
    urgent_burst_left_ = 0;
    if (arb_burst_left_ > 0 && arb_current_ != 0 && has_work(arb_current_) &&
        !urgent(arb_current_)) {
        const uint8_t cls = prio(arb_current_);
        if (wrr_credits_[cls - 1] > 0) {
            --wrr_credits_[cls - 1];
            return take(arb_current_);
        }
    }
    arb_burst_left_ = 0;
    for (int attempt = 0; attempt < 2; ++attempt) {
        for (uint8_t cls = 1; cls <= 3; ++cls) {
            if (wrr_credits_[cls - 1] <= 0) continue;
            if (auto q = next_after(class_last_[cls],
                                    [&](uint16_t s) { return s != 0 && prio(s) == cls; })) {
                --wrr_credits_[cls - 1];
                class_last_[cls] = *q;
                return take(*q);
            }
        }
        // All classes with work have used their weight: start a new round.
        wrr_credits_ = {arb.hpw + 1, arb.mpw + 1, arb.lpw + 1};
    }
    return std::nullopt;
}

void Controller::fetch() {
    // A fetch scheduled before a shutdown notification fetches nothing (§7.6.2, start_shutdown).
    if (!state_.csts.rdy() || state_.csts.cfs() || state_.csts.shst() != 0 || !can_fetch()) return;
    const auto qid = arbitrate();
    if (!qid) return;
    SubmissionQueue &sq = *state_.sqs[*qid];
    const uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    ++inflight_;
    CommandContext &ctx = slots_[slot];
    const uint32_t generation = ctx.generation + 1;
    // Keep the staging buffer (allocation and size): decode() sizes it for the new command.
    std::vector<uint8_t> buffer = std::move(ctx.buffer);
    ctx = CommandContext{};
    ctx.buffer = std::move(buffer);
    ctx.slot = slot;
    ctx.generation = generation;
    ctx.sqid = *qid;
    ctx.cqid = sq.cqid;
    ctx.fetch_time_ns = state_.now_ns;

    // Every SQ entry is 64 bytes: Create I/O SQ accepts only CC.IOSQES = 6 (Identify SQES
    // min = max = 6), and the queue keeps the size it was created with even if the host
    // rewrites CC.IOSQES later (§3.1.5, §5.4).
    constexpr uint32_t entry_size = sizeof(spec::Sqe);
    const uint64_t addr = sq.memory.entry_address(sq.head, entry_size);
    std::array<uint8_t, 64> raw{};
    if (!state_.memory.dma_read(addr, raw)) {
        free_slots_.push_back(slot);
        --inflight_;
        ctx.phase = CommandPhase::Free;
        set_fatal(Explanation{fmt::format("SQ{} entry {}", *qid, sq.head), addr,
                              "the submission queue entry is not in mapped host memory",
                              "NVMe 1.3 §4.1"});
        return;
    }
    std::memcpy(&ctx.sqe, raw.data(), sizeof ctx.sqe);
    sq.head = (sq.head + 1) % sq.size;
    ++sq.fetched;
    ctx.sqhd = static_cast<uint16_t>(sq.head);
    ctx.phase = CommandPhase::Decode;
    record_event(EventKind::SqeFetch, ctx, addr, 64, sq.head, ctx.sqe.opc);
    ++ctx.generation;
    schedule(state_.now_ns + state_.config.fetch_ns, Pending::Kind::Command, slot, ctx.generation);
    schedule_fetch();
}

// ---------------------------------------------------------------------------------------------
// The pipeline

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

namespace {
constexpr uint64_t kStagingLimit = uint64_t{256} << 20;

uint64_t dma_cost(const DeviceConfig &c, uint64_t bytes) {
    return std::max<uint64_t>(1, bytes * c.dma_ns_per_kib / 1024);
}
} // namespace

void Controller::decode(CommandContext &ctx) {
    const bool admin = ctx.sqid == 0;
    const CommandSet &set = admin ? admin_command_set() : nvm_command_set();
    const spec::Sqe &sqe = ctx.sqe;
    auto next = [&](CommandPhase phase, uint64_t delay) {
        ctx.phase = phase;
        ++ctx.generation;
        schedule(state_.now_ns + delay, Pending::Kind::Command, ctx.slot, ctx.generation);
    };

    const bool cid_in_use = std::any_of(slots_.begin(), slots_.end(), [&](const auto &other) {
        return &other != &ctx && other.phase != CommandPhase::Free && !other.sq_deleted &&
               other.sqid == ctx.sqid && other.sqe.cid == sqe.cid;
    });
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
    } else if (sqe.psdt() != 0) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "CDW0.PSDT", sqe.psdt(),
                 admin ? "admin commands must use PRPs (PSDT = 00b)"
                       : "SGLs are not supported (Identify SGLS = 0), PSDT must be 00b",
                 "NVMe 1.3 §4.2", spec::param_error_location(1, 6));
    } else if ((sqe.flags & 0x3C) != 0) {
        ctx.fail(spec::generic(GenericStatus::InvalidField, true), "CDW0 bits 13:10",
                 (sqe.flags >> 2) & 0xF, "reserved bits must be 0", "NVMe 1.3 §4.2",
                 spec::param_error_location(1, 2));
    } else if ((ctx.handler = set.find(sqe.opc)) == nullptr) {
        ctx.fail(spec::generic(GenericStatus::InvalidOpcode, true), "CDW0.OPC", sqe.opc,
                 fmt::format("opcode is not supported in the {} command set", set.name()),
                 "NVMe 1.3 §5, §6", spec::param_error_location(0, 0));
    } else if (ctx.handler->prepare(state_, ctx).ok()) {
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
                ctx.error_location =
                    spec::param_error_location(bad->why.field == "PRP1" ? 24 : 32, 0);
            } else {
                ctx.walker = walker;
                // Host-to-controller data is DMA'd over every byte before execute() reads it
                // (a failed DMA fails the command), so only buffers the handler fills start
                // zeroed (memset: libc++'s assign(n, 0) stores byte by byte).
                if (ctx.chunked.requested()) {
                    ctx.chunked.allocate();
                } else {
                    ctx.buffer.resize(ctx.transfer_bytes);
                    if (ctx.direction != DataDirection::HostToController)
                        std::memset(ctx.buffer.data(), 0, ctx.buffer.size());
                }
            }
        }
    }

    record_event(EventKind::CommandDecode, ctx, 0, ctx.transfer_bytes, 0, sqe.opc);
    if (ctx.failed()) return next(CommandPhase::Complete, 0);
    if (ctx.transfer_bytes > 0 && ctx.direction == DataDirection::HostToController)
        return next(CommandPhase::TransferIn, 50);
    next(CommandPhase::Execute, 50);
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
        // One DMA per PRP segment; a segment that straddles two media chunks of a chunked
        // Write is moved in two pieces (still one traced event).
        uint64_t host = s.addr;
        auto dma = [&](std::span<uint8_t> part) {
            const bool done = to_device ? state_.memory.dma_read(host, part)
                                        : state_.memory.dma_write(host, part);
            host += part.size();
            return done;
        };
        const bool ok = ctx.chunked.active()
                            ? ctx.chunked.for_each_piece(ctx.buffer_pos, s.len, dma)
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

void Controller::execute(CommandContext &ctx) {
    if (ctx.handler->execute != nullptr) ctx.handler->execute(state_, ctx);
    int64_t why = ctx.why ? state_.trace.add_explanation(*ctx.why) : -1;
    if (ctx.destaged_blocks > 0)
        record_event(EventKind::CacheDestage, ctx, 0, ctx.destaged_blocks, 0, ctx.sqe.nsid, -1);
    const uint32_t u32 = ctx.execute_event == EventKind::AdminExecute ? ctx.sqe.opc : ctx.sqe.nsid;
    record_event(ctx.execute_event, ctx, ctx.event_addr, ctx.event_len, 0, u32, why);
    if (!state_.deleted_sqs.empty()) abort_deleted_sqs();
    // A deleted CQ's waiting completions: complete() finds no CQ, records the command as
    // aborted and frees its slot.
    for (const uint32_t slot : state_.orphaned_completions) {
        CommandContext &orphan = slots_[slot];
        orphan.phase = CommandPhase::Complete;
        ++orphan.generation;
        schedule(state_.now_ns, Pending::Kind::Command, slot, orphan.generation);
    }
    state_.orphaned_completions.clear();
    if (state_.abort_request) resolve_abort(ctx);
    if (ctx.outstanding && !ctx.failed()) {
        ctx.phase = CommandPhase::Outstanding;
        state_.aer_slots.push_back(ctx.slot);
        deliver_async_events();
        return;
    }
    deliver_async_events();
    if (ctx.failed() || ctx.transfer_bytes == 0 ||
        ctx.direction != DataDirection::ControllerToHost) {
        ctx.phase = CommandPhase::Complete;
    } else {
        ctx.phase = CommandPhase::TransferOut;
    }
    ++ctx.generation;
    schedule(state_.now_ns + ctx.execute_ns, Pending::Kind::Command, ctx.slot, ctx.generation);
}

// Commands of a deleted SQ still in the controller complete with Command Aborted due to SQ
// Deletion before the Delete I/O SQ command does (NVMe 1.3 §5.6). Their entries, and those of
// its finished commands, are posted where the CQ has room; the rest are dropped (the spec lets
// aborted commands end without an entry; QEMU drops them too). So no entry of a deleted SQ
// arrives after the Delete's own, where it could be taken for one of a new SQ with the same ID.
void Controller::abort_deleted_sqs() {
    for (const uint16_t qid : state_.deleted_sqs) {
        for (auto &other : slots_) {
            if (other.phase == CommandPhase::Free || other.sqid != qid) continue;
            other.sq_deleted = true; // its entry is posted now if the CQ has room, or dropped
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
                ++other.generation;
                schedule(state_.now_ns, Pending::Kind::Command, other.slot, other.generation);
                continue;
            }
            other.fail(spec::generic(GenericStatus::AbortedSqDeletion), "SQID", qid,
                       "its submission queue was deleted", "NVMe 1.3 §5.6");
            other.phase = CommandPhase::Complete;
            ++other.generation;
            schedule(state_.now_ns, Pending::Kind::Command, other.slot, other.generation);
        }
    }
    state_.deleted_sqs.clear();
    recount_io_outstanding(); // the deleted SQs' unfetched entries are gone
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

// Abort (§5.1): a command still being decoded or receiving its data can be stopped; one that
// is executing or done cannot. Completion DW0 bit 0 = 0 means aborted.
void Controller::resolve_abort(CommandContext &abort_ctx) {
    const auto [sqid, cid] = *state_.abort_request;
    state_.abort_request.reset();
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
        target.phase = CommandPhase::Complete;
        ++target.generation;
        schedule(state_.now_ns, Pending::Kind::Command, target.slot, target.generation);
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
        ctx.phase = CommandPhase::Complete;
        ++ctx.generation;
        schedule(s.now_ns, Pending::Kind::Command, ctx.slot, ctx.generation);
    }
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
    completions_.push_back(std::move(rec));
    if (completions_.size() > 4096) completions_.pop_front();

    if (!cq.ien) return finish(ctx);
    ctx.phase = CommandPhase::Interrupt;
    ++ctx.generation;
    schedule(state_.now_ns, Pending::Kind::Command, ctx.slot, ctx.generation);
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
    ctx.chunked.release();
    ctx.phase = CommandPhase::Free;
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
        ctx.chunked.release();
        ctx.phase = CommandPhase::Free;
        ++ctx.generation;
        free_slots_.push_back(ctx.slot);
    }
    inflight_ = 0;
    io_outstanding_ = 0;
    shutdown_waiting_ = false;
    std::sort(free_slots_.begin(), free_slots_.end(), std::greater<>());
    pending_ = {};
    fetch_scheduled_ = false;
    std::fill(vector_pending_.begin(), vector_pending_.end(), 0);
    std::fill(vector_asserted_.begin(), vector_asserted_.end(), false);
    std::fill(coalesce_armed_.begin(), coalesce_armed_.end(), false);
    ++epoch_;
}

// ---------------------------------------------------------------------------------------------
// Power

void Controller::complete_shutdown() {
    auto &s = state_;
    const uint64_t flushed =
        write_back_or_report("the shutdown could not write the volatile write cache back ({} "
                             "blocks stay volatile)",
                             "NVMe 1.3 §7.6.2, §5.14.1.2");
    if (flushed > 0)
        s.trace.record(
            TraceEvent{.time_ns = s.now_ns, .kind = EventKind::CacheFlush, .len = flushed});
    s.clean_shutdown = true;
    save_state_or_report("at shutdown");
    s.csts.set_shst(static_cast<uint8_t>(spec::Shst::Complete));
    s.trace.record(TraceEvent{.time_ns = s.now_ns, .kind = EventKind::ShutdownComplete});
}

uint64_t Controller::write_back_or_report(const char *failed_means, const char *section) {
    uint64_t flushed = 0;
    for (auto &ns : state_.namespaces) {
        const int64_t n = ns.flush(state_.store);
        if (n >= 0) {
            flushed += static_cast<uint64_t>(n);
            continue;
        }
        report_durability_failure(
            Explanation{"NSID", ns.nsid(),
                        with_store_reason(state_.store, fmt::format(fmt::runtime(failed_means),
                                                                    ns.cached_blocks())),
                        section});
    }
    return flushed;
}

bool Controller::save_state_or_report(const char *when) {
    if (state_.save_persistent_state()) return true;
    report_durability_failure(Explanation{
        "persistent state", 0,
        with_store_reason(state_.store,
                          fmt::format("the persistent state (log pages, SMART counters, saved "
                                      "features) could not be saved {}",
                                      when)),
        "NVMe 1.3 §5.14.1.2"});
    return false;
}

void Controller::report_durability_failure(Explanation why) {
    auto &s = state_;
    spec::ErrorLogEntry entry{};
    entry.sqid = 0xFFFF;
    entry.cid = 0xFFFF;
    entry.status_field =
        static_cast<uint16_t>(spec::generic(GenericStatus::InternalError).field() << 1);
    entry.param_error_location = spec::kParamErrorLocationNone;
    entry.nsid = why.field == "NSID" ? static_cast<uint32_t>(why.value) : 0;
    log_error(entry);
    ++s.health.media_errors;
    const auto bit = static_cast<uint8_t>(spec::CriticalWarning::ReliabilityDegraded);
    const bool newly = !s.reliability_degraded;
    s.reliability_degraded = true;
    const auto aec =
        spec::AsyncEventConfigFeature::decode(s.feature(spec::FeatureId::AsyncEventConfig));
    if (newly && (aec.smart_warnings & bit)) {
        // SMART / Health status, information 00h: NVM subsystem reliability (§5.2, Figure 46).
        s.post_async_event(spec::AsyncEventType::SmartHealth, 0x00,
                           static_cast<uint8_t>(spec::LogId::SmartHealth));
        deliver_async_events();
    }
    s.trace.record(TraceEvent{.time_ns = s.now_ns,
                              .kind = EventKind::DurabilityFailure,
                              .explanation = s.trace.add_explanation(why)});
    if (durability_failures_.size() < kMaxDurabilityFailures)
        durability_failures_.push_back(std::move(why));
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
            ns.drop_cache();
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
                                  ctx.buffer_pos, ctx.sqe});
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
    return nsid >= 1 && nsid <= state_.namespaces.size()
               ? state_.namespaces[nsid - 1].cached_blocks()
               : 0;
}

bool Controller::lba_cached(uint32_t nsid, uint64_t lba) const {
    return nsid >= 1 && nsid <= state_.namespaces.size() &&
           state_.namespaces[nsid - 1].is_cached(lba);
}

std::vector<uint64_t> Controller::cached_lbas(uint32_t nsid) const {
    return nsid >= 1 && nsid <= state_.namespaces.size() ? state_.namespaces[nsid - 1].cached_lbas()
                                                         : std::vector<uint64_t>{};
}

uint32_t Controller::lba_size(uint32_t nsid) const {
    return nsid >= 1 && nsid <= state_.namespaces.size() ? state_.namespaces[nsid - 1].lba_size()
                                                         : 0;
}

} // namespace nvmelab
