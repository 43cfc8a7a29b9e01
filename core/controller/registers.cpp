// Controller registers (NVMe 1.3 §3.1), doorbells, enable/reset/shutdown.
#include <algorithm>

#include <fmt/format.h>

#include "core/controller/controller.h"

namespace nvmelab {

using spec::Reg;

namespace {
constexpr uint32_t reg(Reg r) {
    return static_cast<uint32_t>(r);
}
} // namespace

uint32_t Controller::sq_doorbell_offset(uint16_t qid) const {
    return spec::sq_tail_doorbell(qid, state_.cap.dstrd());
}
uint32_t Controller::cq_doorbell_offset(uint16_t qid) const {
    return spec::cq_head_doorbell(qid, state_.cap.dstrd());
}

uint32_t Controller::read32(uint32_t offset) const {
    const auto &s = state_;
    switch (offset) {
    case reg(Reg::Cap):
        return static_cast<uint32_t>(s.cap.raw);
    case reg(Reg::Cap) + 4:
        return static_cast<uint32_t>(s.cap.raw >> 32);
    case reg(Reg::Vs):
        return s.vs;
    case reg(Reg::Intms):
    case reg(Reg::Intmc):
        return s.intms;
    case reg(Reg::Cc):
        return s.cc.raw;
    case reg(Reg::Csts):
        return s.csts.raw;
    case reg(Reg::Nssr):
        return 0; // reads of NSSR return 0 (§3.1.7)
    case reg(Reg::Aqa):
        return s.aqa.raw;
    case reg(Reg::Asq):
        return static_cast<uint32_t>(s.asq);
    case reg(Reg::Asq) + 4:
        return static_cast<uint32_t>(s.asq >> 32);
    case reg(Reg::Acq):
        return static_cast<uint32_t>(s.acq);
    case reg(Reg::Acq) + 4:
        return static_cast<uint32_t>(s.acq >> 32);
    default:
        return 0; // CMB, boot partitions: not supported; reserved space reads 0
    }
}

uint64_t Controller::read64(uint32_t offset) const {
    return read32(offset) | (uint64_t{read32(offset + 4)} << 32);
}

void Controller::write64(uint32_t offset, uint64_t value) {
    write32(offset, static_cast<uint32_t>(value));
    write32(offset + 4, static_cast<uint32_t>(value >> 32));
}

void Controller::write32(uint32_t offset, uint32_t value) {
    if (!powered_) return;
    if (offset >= reg(Reg::Doorbells)) return ring_doorbell(offset, value);
    // INTMS/INTMC mask pin-based and MSI interrupts. With MSI-X, host software shall not
    // access them and what an access does is undefined (§3.1.3, §3.1.4): MSI-X masks each
    // vector in its own table. This device then ignores the write (both keep reading 0) and
    // says so in the trace. QEMU's hw/nvme logs such a write as a guest error and keeps the
    // value, but masks no MSI-X vector either.
    const bool mask_register = offset == reg(Reg::Intms) || offset == reg(Reg::Intmc);
    const int64_t why =
        mask_register && state_.config.msix
            ? state_.trace.add_explanation(Explanation{
                  offset == reg(Reg::Intms) ? "INTMS" : "INTMC", value,
                  "ignored: with MSI-X interrupts the host must not use INTMS/INTMC (the access "
                  "is undefined); MSI-X masks vectors in its own table",
                  "NVMe 1.3 §3.1.3, §3.1.4"})
            : -1;
    state_.trace.record(TraceEvent{.time_ns = state_.now_ns,
                                   .kind = EventKind::RegisterWrite,
                                   .addr = offset,
                                   .value = value,
                                   .explanation = why});
    auto &s = state_;
    const bool enabled = s.cc.en();
    switch (offset) {
    case reg(Reg::Intms):
        return write_intms(value, true);
    case reg(Reg::Intmc):
        return write_intms(value, false);
    case reg(Reg::Cc):
        return write_cc(value);
    case reg(Reg::Csts):
        // Only NSSRO is writable, and it is write-1-to-clear (§3.1.6).
        if (value & 0x10u) s.csts.set_nssro(false);
        return;
    case reg(Reg::Nssr):
        // Only the value "NVMe" starts an NVM subsystem reset; others have no effect (§3.1.7).
        if (s.cap.nssrs() && value == spec::kNssrResetValue) subsystem_reset();
        return;
    // The admin queue attributes are only taken while the controller is disabled: the host
    // programs them before setting CC.EN (§7.6.1); later writes are ignored.
    case reg(Reg::Aqa):
        if (!enabled) s.aqa.raw = value & 0x0FFF0FFFu;
        return;
    case reg(Reg::Asq):
        if (!enabled) s.asq = (s.asq & ~uint64_t{0xFFFFFFFF}) | (value & ~0xFFFu);
        return;
    case reg(Reg::Asq) + 4:
        if (!enabled) s.asq = (s.asq & 0xFFFFFFFFu) | (uint64_t{value} << 32);
        return;
    case reg(Reg::Acq):
        if (!enabled) s.acq = (s.acq & ~uint64_t{0xFFFFFFFF}) | (value & ~0xFFFu);
        return;
    case reg(Reg::Acq) + 4:
        if (!enabled) s.acq = (s.acq & 0xFFFFFFFFu) | (uint64_t{value} << 32);
        return;
    default:
        return; // CAP, VS and reserved registers are read-only
    }
}

void Controller::write_intms(uint32_t value, bool set) {
    if (state_.config.msix) return; // undefined with MSI-X: ignored (write32)
    if (set) {
        state_.intms |= value;
        return;
    }
    state_.intms &= ~value;
    // Interrupts held while masked are delivered once unmasked.
    for (uint16_t v = 0; v < 32 && v < vector_asserted_.size(); ++v) {
        if ((value >> v) & 1u && vector_asserted_[v]) {
            vector_asserted_[v] = false;
            ++vector_count_[v];
            state_.trace.record(
                TraceEvent{.time_ns = state_.now_ns, .kind = EventKind::Interrupt, .u32 = v});
        }
    }
}

void Controller::write_cc(uint32_t value) {
    auto &s = state_;
    const spec::CcReg old = s.cc;
    spec::CcReg next{value & spec::CcReg::writable_mask()};
    if (old.en() && next.en()) {
        // While enabled, CSS, MPS and AMS must not change (§3.1.5); keep the values in use.
        next.set_css(old.css()).set_mps(old.mps()).set_ams(old.ams());
    }
    s.cc = next;
    // SHN written together with EN 0 -> 1 is not acted on: the controller is being brought up,
    // not shut down (a host clears and rewrites SHN to shut it down later).
    if (!old.en() && next.en()) return enable();
    const bool shutting_down = s.csts.shst() == static_cast<uint8_t>(spec::Shst::Processing);
    if (old.en() && !next.en()) controller_reset("CC.EN cleared");
    // A shutdown notification is acted on whether the controller is enabled or not: §3.1.5
    // puts no condition on CC.EN for SHN, and QEMU's hw/nvme shuts down on the SHN write alone.
    // With EN = 0 there is nothing to fetch or finish, so the cache is written back at once.
    // A reset during shutdown processing with SHN still set goes on with the shutdown (§7.6.2
    // only warns that the reset may delay it).
    // SHN = 11b is reserved: not a notification.
    const auto notifies = [](spec::CcReg cc) { return cc.shn() == 1 || cc.shn() == 2; };
    if (notifies(next) && (!notifies(old) || (shutting_down && old.en() && !next.en())))
        start_shutdown(next.shn());
}

void Controller::set_fatal(Explanation why) {
    state_.csts.set_cfs(true);
    const int64_t id = state_.trace.add_explanation(std::move(why));
    state_.trace.record(TraceEvent{
        .time_ns = state_.now_ns, .kind = EventKind::ControllerFatal, .explanation = id});
}

void Controller::enable() {
    auto &s = state_;
    // Settings the controller cannot work with: it reports Controller Fatal Status instead of
    // becoming ready. The spec leaves the reaction to invalid CC values to the implementation
    // (§3.1.5, §7.6.1); CFS tells the host at once rather than letting CAP.TO expire.
    auto refuse = [&](std::string field, uint64_t value, std::string rule) {
        set_fatal(Explanation{std::move(field), value, std::move(rule), "NVMe 1.3 §3.1.5, §7.6.1"});
    };
    const spec::CcReg cc = s.cc;
    if (cc.mps() < s.cap.mpsmin() || cc.mps() > s.cap.mpsmax())
        return refuse("CC.MPS", cc.mps(),
                      fmt::format("memory page size must be within CAP.MPSMIN..MPSMAX ({}..{})",
                                  s.cap.mpsmin(), s.cap.mpsmax()));
    if (cc.css() != 0)
        return refuse("CC.CSS", cc.css(), "only the NVM command set (000b) is supported");
    if (cc.ams() != 0 && !(cc.ams() == 1 && (s.cap.ams() & 1)))
        return refuse("CC.AMS", cc.ams(), "arbitration mechanism not advertised in CAP.AMS");
    if (s.aqa.asqs() == 0)
        return refuse("AQA.ASQS", 0, "the admin SQ needs at least 2 entries (ASQS >= 1)");
    if (s.aqa.acqs() == 0)
        return refuse("AQA.ACQS", 0, "the admin CQ needs at least 2 entries (ACQS >= 1)");
    const uint64_t page = s.page_size();
    if (s.asq == 0 || (s.asq & (page - 1)) != 0)
        return refuse("ASQ", s.asq, "the admin SQ base must be a non-zero, page-aligned address");
    if (s.acq == 0 || (s.acq & (page - 1)) != 0)
        return refuse("ACQ", s.acq, "the admin CQ base must be a non-zero, page-aligned address");

    SubmissionQueue asq;
    asq.qid = 0;
    asq.cqid = 0;
    asq.size = s.aqa.asqs() + 1u;
    asq.memory.base = s.asq;
    asq.memory.page_size = page;
    CompletionQueue acq;
    acq.qid = 0;
    acq.size = s.aqa.acqs() + 1u;
    acq.memory.base = s.acq;
    acq.memory.page_size = page;
    acq.sq_count = 1;
    s.sqs[0] = asq;
    s.cqs[0] = acq;
    arb_current_ = 0;
    arb_burst_left_ = 0;
    urgent_burst_left_ = 0;
    const auto arb = spec::ArbitrationFeature::decode(s.feature(spec::FeatureId::Arbitration));
    wrr_credits_ = {arb.hpw + 1, arb.mpw + 1, arb.lpw + 1};
    // A shutdown done (or under way) while disabled ends here: an enabled controller is in
    // service again, and a pending write-back finds SHST no longer "processing".
    s.csts.set_shst(0);
    shutdown_waiting_ = false;
    // Back in service after a shutdown: losing power is unsafe again until the next shutdown
    // notification (SMART Unsafe Shutdowns, §5.14.1.2).
    if (s.clean_shutdown) {
        s.clean_shutdown = false;
        s.save_persistent_state();
    }
    s.trace.record(TraceEvent{.time_ns = s.now_ns, .kind = EventKind::ControllerEnable});
    schedule(s.now_ns + s.config.ready_ns, Pending::Kind::Ready, 0, epoch_);
}

// Controller reset (CC.EN 1 -> 0, §7.3.2): outstanding commands are dropped without
// completions, all I/O queues are deleted, the admin queue pointers reset. AQA/ASQ/ACQ keep their
// values.
void Controller::controller_reset(const char *why) {
    auto &s = state_;
    drop_all_commands();
    // Outstanding AERs are dropped with the other commands; queued events go too.
    s.aer_slots.clear();
    s.async_events.clear();
    s.async_masked_types = 0;
    s.io_queues_ever_created = false;
    // Feature values are controller state too: each returns to its saved value, or its default
    // (§7.3.2, §7.8).
    s.reset_feature_values();
    // INTMS/INTMC return to their defaults (§7.3.2). CC keeps what the host wrote (EN = 0),
    // so a host reading it back sees its own write; AQA/ASQ/ACQ keep their values.
    s.intms = 0;
    for (auto &sq : s.sqs)
        sq.reset();
    for (auto &cq : s.cqs)
        cq.reset();
    s.csts.set_rdy(false).set_cfs(false).set_shst(0);
    s.trace.record(TraceEvent{
        .time_ns = s.now_ns,
        .kind = EventKind::ControllerReset,
        .explanation = s.trace.add_explanation(Explanation{"CC.EN", 0, why, "NVMe 1.3 §7.3.2"})});
}

// Shutdown notification, normal or abrupt (CC.SHN, §3.1.5; §7.6.2). The rule, so that no
// write the host was told succeeded is lost by a power cut after CSTS.SHST = 10b:
//  1. SHST = 01b (processing) and nothing new is fetched from any SQ (schedule_fetch, fetch);
//  2. the commands already fetched run to the end of their execution (§7.6.2 asks the host to
//     let outstanding commands complete; a host that does not is still not lied to). Those
//     waiting only for room in a full CQ, and parked AERs, have nothing left to execute;
//  3. then the volatile write cache is written back and the persistent state saved (marked
//     clean), and only then SHST = 10b. A write-back or save that fails is reported
//     (report_durability_failure) and SHST still becomes 10b: the shutdown is over.
// QEMU's hw/nvme flushes and reports 10b at once, without stopping its SQs; this device instead
// finishes what it fetched first.
void Controller::start_shutdown(uint8_t shn) {
    auto &s = state_;
    s.csts.set_shst(static_cast<uint8_t>(spec::Shst::Processing));
    s.trace.record(TraceEvent{.time_ns = s.now_ns, .kind = EventKind::ShutdownStart, .u32 = shn});
    shutdown_waiting_ = true;
    schedule_shutdown_write_back();
}

bool Controller::commands_in_work() const {
    return std::any_of(slots_.begin(), slots_.end(), [](const CommandContext &ctx) {
        return ctx.phase != CommandPhase::Free && ctx.phase != CommandPhase::WaitCq &&
               ctx.phase != CommandPhase::Outstanding;
    });
}

void Controller::schedule_shutdown_write_back() {
    if (!shutdown_waiting_ || commands_in_work()) return;
    shutdown_waiting_ = false;
    auto &s = state_;
    uint64_t cached = 0;
    for (const auto &ns : s.namespaces)
        cached += ns->cached_blocks();
    const uint64_t delay = 10'000 + cached * s.config.write_ns / 64;
    schedule(s.now_ns + delay, Pending::Kind::ShutdownDone, 0, epoch_);
}

void Controller::subsystem_reset() {
    state_.trace.record(TraceEvent{.time_ns = state_.now_ns, .kind = EventKind::SubsystemReset});
    controller_reset("NVM subsystem reset");
    // The whole subsystem resets, as after a conventional reset (§7.3.1): unlike a controller
    // reset (CC.EN 1 -> 0), the admin queue registers are cleared too.
    state_.cc = spec::CcReg{0};
    state_.aqa = spec::AqaReg{0};
    state_.asq = 0;
    state_.acq = 0;
    state_.csts.set_nssro(true); // NVM Subsystem Reset Occurred (§3.1.6)
}

void Controller::ring_doorbell(uint32_t offset, uint32_t value) {
    auto &s = state_;
    const uint32_t stride = 4u << s.cap.dstrd();
    // An invalid doorbell write is reported as an Error event: info 00h = invalid register,
    // 01h = invalid value (§5.2, Figure 46). The event points at the Error Information log,
    // so it gets an entry there; no command caused it, so SQID, CID and the parameter error
    // location are FFFFh (§5.14.1.1, Figure 93).
    auto invalid = [&](std::string rule, uint8_t info = 0) {
        if (s.csts.rdy()) {
            spec::ErrorLogEntry entry{};
            entry.sqid = 0xFFFF;
            entry.cid = 0xFFFF;
            entry.param_error_location = spec::kParamErrorLocationNone;
            log_error(entry);
            s.post_async_event(spec::AsyncEventType::Error, info,
                               static_cast<uint8_t>(spec::LogId::ErrorInformation));
            deliver_async_events();
        }
        s.trace.record(
            TraceEvent{.time_ns = s.now_ns,
                       .kind = EventKind::DoorbellInvalid,
                       .addr = offset,
                       .value = value,
                       .explanation = s.trace.add_explanation(Explanation{
                           "doorbell", value, std::move(rule), "NVMe 1.3 §3.1.10, §4.1"})});
    };
    if ((offset - 0x1000u) % stride != 0) return invalid("offset is not on a doorbell stride");
    const uint32_t index = (offset - 0x1000u) / stride;
    const uint32_t qid = index / 2;
    const bool is_cq = index % 2 == 1;
    if (!s.csts.rdy()) return invalid("the controller is not ready (CSTS.RDY = 0)");
    const uint32_t new_value = value & 0xFFFFu;
    if (!is_cq) {
        if (qid >= s.sqs.size() || !s.sqs[qid])
            return invalid(fmt::format("submission queue {} does not exist", qid));
        SubmissionQueue &sq = *s.sqs[qid];
        if (new_value >= sq.size)
            return invalid(
                fmt::format("SQ tail {} is not below the queue size {}", new_value, sq.size), 1);
        // The entries this write issues (or takes back) change the I/O commands outstanding.
        if (qid != 0) io_outstanding_ -= sq.depth();
        sq.tail = new_value;
        if (qid != 0) io_outstanding_ += sq.depth();
        s.trace.record(TraceEvent{.time_ns = s.now_ns,
                                  .kind = EventKind::DoorbellSq,
                                  .sqid = static_cast<uint16_t>(qid),
                                  .value = new_value});
        schedule_fetch();
        return;
    }
    if (qid >= s.cqs.size() || !s.cqs[qid])
        return invalid(fmt::format("completion queue {} does not exist", qid));
    CompletionQueue &cq = *s.cqs[qid];
    if (new_value >= cq.size)
        return invalid(fmt::format("CQ head {} is not below the queue size {}", new_value, cq.size),
                       1);
    // The new head may only consume entries the controller has posted.
    const uint32_t advance = (new_value + cq.size - cq.head) % cq.size;
    if (advance > cq.used())
        return invalid(
            fmt::format("CQ head {} moves past the entries posted (tail {})", new_value, cq.tail),
            1);
    cq.head = new_value;
    s.trace.record(TraceEvent{.time_ns = s.now_ns,
                              .kind = EventKind::DoorbellCq,
                              .cqid = static_cast<uint16_t>(qid),
                              .value = new_value});
    if (cq.empty() && cq.iv < vector_asserted_.size()) vector_asserted_[cq.iv] = false;
    // Completions waiting for room get another chance, oldest first.
    std::vector<uint32_t> waiting;
    waiting.swap(cq.waiting);
    for (const uint32_t slot : waiting) {
        reschedule(slots_[slot], CommandPhase::Complete);
    }
}

} // namespace nvmelab
