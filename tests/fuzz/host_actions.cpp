// Host actions against a live controller, with invariants checked after every action
// (docs/fuzzing.md, "fuzz_host_actions"). Each action is done exactly the way the console
// command it is recorded as does it (console/console.cpp), so the recorded script replays to
// the same completions: the console is the learner's view of a fuzz input.
#include "tests/fuzz/host_actions.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "core/spec/status_text.h"
#include "driver/host_driver.h"
#include "tests/fuzz/allowed_status.h"

namespace nvmelab::fuzz {
namespace {

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_host_actions: INVARIANT VIOLATED: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// Bytes in order; past the end every value reads 0, so any input decodes.
class Reader {
public:
    Reader(const uint8_t *data, size_t size) : data_(data), size_(size) {}
    bool done() const { return pos_ >= size_; }
    uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
    uint32_t u32() { return u16() | (uint32_t{u16()} << 16); }
    uint64_t u64() { return u32() | (uint64_t{u32()} << 32); }

private:
    const uint8_t *data_;
    size_t size_;
    size_t pos_ = 0;
};

using Key = std::pair<uint16_t, uint16_t>; // (SQID, CID)

struct ShadowCq {
    uint64_t base = 0;
    uint32_t size = 0;
    uint32_t tail = 0;
    bool phase = true;
    bool contiguous = true;
};

// Follows the trace as it is recorded and keeps an independent model of what the host may
// see: commands fetched and not ended, each CQ's tail and phase, deleted queues.
class Checker {
public:
    Checker(bool enabled, std::vector<PostedCqe> *first_life)
        : enabled_(enabled), first_life_(first_life) {}

    void attach(Controller &ctrl, SparseHostMemory &mem) {
        ctrl_ = &ctrl;
        mem_ = &mem;
        open_.clear();
        cqs_.clear();
        sq_size_.clear();
        deleted_cqs_.clear();
        deleted_sqs_.clear();
        pending_sq_delete_.clear();
        ctrl.trace().set_listener([this](const TraceEvent &ev) { on_event(ev); });
    }
    void stop_recording_first_life() { first_life_ = nullptr; }
    // Bumps when queues appear or go, so the host re-reads a queue's state.
    uint64_t queue_epoch() const { return queue_epoch_; }

    void on_event(const TraceEvent &ev) {
        switch (ev.kind) {
        case EventKind::SqeFetch:
            ++open_[{ev.sqid, ev.cid}];
            break;
        case EventKind::CommandAborted:
            end_command(ev, "dropped");
            break;
        case EventKind::CqePost:
            on_cqe(ev);
            break;
        case EventKind::QueueCreated:
            ++queue_epoch_;
            if (ev.sqid == 0xFFFF) {
                ShadowCq cq;
                cq.size = static_cast<uint32_t>(ev.len);
                for (const QueueView &v : ctrl_->queues())
                    if (!v.is_sq && v.qid == ev.cqid) {
                        cq.base = v.base;
                        cq.contiguous = v.contiguous;
                    }
                cqs_[ev.cqid] = cq;
                deleted_cqs_.erase(ev.cqid);
            } else {
                sq_size_[ev.sqid] = static_cast<uint32_t>(ev.len);
                deleted_sqs_.erase(ev.sqid);
            }
            break;
        case EventKind::QueueDeleted:
            ++queue_epoch_;
            if (ev.sqid == 0xFFFF) {
                cqs_.erase(ev.cqid);
                deleted_cqs_.insert(ev.cqid);
            } else {
                pending_sq_delete_[ev.cid] = ev.sqid;
            }
            break;
        case EventKind::ControllerEnable: {
            ++queue_epoch_;
            forget_io_queues();
            const spec::AqaReg aqa{ctrl_->read32(static_cast<uint32_t>(spec::Reg::Aqa))};
            ShadowCq admin;
            admin.base = ctrl_->read64(static_cast<uint32_t>(spec::Reg::Acq));
            admin.size = aqa.acqs() + 1u;
            cqs_[0] = admin;
            sq_size_[0] = aqa.asqs() + 1u;
            break;
        }
        case EventKind::ControllerReset:
        case EventKind::PowerOff:
            ++queue_epoch_;
            forget_io_queues();
            cqs_.erase(0);
            break;
        default:
            break;
        }
    }

    // After every action: the controller's own view agrees with the model.
    void after_action(size_t action_index) {
        if (!enabled_) return;
        check_open_commands(action_index);
        check_queues(action_index);
        check_statuses(action_index);
    }

    // At the end of a controller's life (after its power-off): nothing fetched is left open.
    void end_of_life() {
        if (!enabled_) return;
        for (const auto &[key, n] : open_)
            if (n != 0)
                violation(fmt::format("SQ {} CID {} was fetched but never ended: no CQE and no "
                                      "explained drop, even after power-off ({} open)",
                                      key.first, key.second, n));
    }

private:
    void forget_io_queues() {
        for (const auto &[qid, cq] : cqs_)
            if (qid != 0) deleted_cqs_.insert(qid);
        for (auto it = cqs_.begin(); it != cqs_.end();)
            it = it->first == 0 ? std::next(it) : cqs_.erase(it);
        for (const auto &[qid, size] : sq_size_)
            if (qid != 0) deleted_sqs_.insert(qid);
        pending_sq_delete_.clear();
    }

    void end_command(const TraceEvent &ev, const char *how) {
        if (!enabled_) return;
        auto it = open_.find({ev.sqid, ev.cid});
        if (it == open_.end() || it->second == 0)
            violation(fmt::format("SQ {} CID {} {} at {} ns, but no fetched command of that SQ "
                                  "and CID is open: a command ended twice, or one never fetched "
                                  "ended\n  event: {}",
                                  ev.sqid, ev.cid, how, ev.time_ns, ctrl_->trace().format(ev)));
        --it->second;
    }

    void on_cqe(const TraceEvent &ev) {
        if (first_life_)
            first_life_->push_back(
                PostedCqe{ev.time_ns, ev.sqid, ev.cqid, ev.cid, static_cast<uint16_t>(ev.value)});
        ++cqes_in_action_;
        if (!enabled_) return;
        end_command(ev, "completed");
        const std::string line = ctrl_->trace().format(ev);
        // (d) a deleted queue receives nothing.
        if (deleted_sqs_.count(ev.sqid))
            violation(fmt::format("a CQE for SQ {} was posted after the Delete I/O SQ of that "
                                  "queue completed (or a reset deleted it)\n  event: {}",
                                  ev.sqid, line));
        auto cq_it = cqs_.find(ev.cqid);
        if (cq_it == cqs_.end())
            violation(fmt::format("a CQE was posted to CQ {}, which {}\n  event: {}", ev.cqid,
                                  deleted_cqs_.count(ev.cqid) ? "was deleted" : "was never created",
                                  line));
        ShadowCq &cq = cq_it->second;
        // (c) phase tags and positions.
        if (cq.contiguous && ev.addr != cq.base + uint64_t{cq.tail} * 16)
            violation(fmt::format("CQE of CQ {} written at 0x{:x}, but the CQ tail is {} (entry "
                                  "at 0x{:x})\n  event: {}",
                                  ev.cqid, ev.addr, cq.tail, cq.base + uint64_t{cq.tail} * 16,
                                  line));
        if ((ev.u32 != 0) != cq.phase)
            violation(fmt::format("CQE of CQ {} entry {} posted with phase {}, but this lap of "
                                  "the CQ writes phase {}\n  event: {}",
                                  ev.cqid, cq.tail, ev.u32, cq.phase ? 1 : 0, line));
        std::array<uint8_t, 16> raw{};
        if (mem_->read(ev.addr, raw)) {
            spec::Cqe cqe{};
            std::memcpy(&cqe, raw.data(), sizeof cqe);
            if (cqe.phase() != cq.phase || cqe.cid != ev.cid || cqe.sqid != ev.sqid ||
                cqe.status_field() != ev.value)
                violation(fmt::format("the CQE in host memory at 0x{:x} (cid {} sqid {} status "
                                      "0x{:x} phase {}) is not the one the trace posted\n  "
                                      "event: {}",
                                      ev.addr, cqe.cid, cqe.sqid, cqe.status_field(),
                                      cqe.phase() ? 1 : 0, line));
            auto sq = sq_size_.find(ev.sqid);
            if (sq != sq_size_.end() && cqe.sqhd >= sq->second)
                violation(fmt::format("CQE reports SQ head {} for SQ {} of {} entries\n  event: "
                                      "{}",
                                      cqe.sqhd, ev.sqid, sq->second, line));
        }
        cq.tail = (cq.tail + 1) % cq.size;
        if (cq.tail == 0) cq.phase = !cq.phase;
        // The Delete I/O SQ's own completion: from now on the SQ ID receives nothing.
        if (ev.sqid == 0) {
            auto d = pending_sq_delete_.find(ev.cid);
            if (d != pending_sq_delete_.end()) {
                deleted_sqs_.insert(d->second);
                pending_sq_delete_.erase(d);
            }
        }
    }

    void check_open_commands(size_t action_index) {
        std::map<Key, uint32_t> in_controller;
        for (const CommandView &c : ctrl_->commands())
            if (c.phase != CommandPhase::Interrupt) ++in_controller[{c.sqid, c.cid}];
        for (const auto &[key, n] : open_) {
            const uint32_t have = in_controller.count(key) ? in_controller[key] : 0;
            if (have != n)
                violation(fmt::format("after action {}: the trace has {} command(s) of SQ {} CID "
                                      "{} fetched and not ended, the controller works on {}",
                                      action_index, n, key.first, key.second, have));
        }
        for (const auto &[key, n] : in_controller)
            if (!open_.count(key))
                violation(fmt::format("after action {}: the controller works on SQ {} CID {}, "
                                      "which the trace never fetched",
                                      action_index, key.first, key.second));
    }

    void check_queues(size_t action_index) {
        std::set<uint16_t> seen_cqs;
        for (const QueueView &v : ctrl_->queues()) {
            if (v.size == 0 || v.head >= v.size || v.tail >= v.size)
                violation(fmt::format("after action {}: {} {} has head {} tail {} for size {}",
                                      action_index, v.is_sq ? "SQ" : "CQ", v.qid, v.head, v.tail,
                                      v.size));
            if (v.is_sq) continue;
            seen_cqs.insert(v.qid);
            auto it = cqs_.find(v.qid);
            if (it == cqs_.end())
                violation(fmt::format("after action {}: the controller has CQ {}, which the "
                                      "trace never created",
                                      action_index, v.qid));
            if (it->second.tail != v.tail || it->second.phase != v.phase ||
                it->second.size != v.size)
                violation(fmt::format("after action {}: CQ {} is at tail {} phase {} size {}, "
                                      "but its posted CQEs put it at tail {} phase {} size {}",
                                      action_index, v.qid, v.tail, v.phase ? 1 : 0, v.size,
                                      it->second.tail, it->second.phase ? 1 : 0, it->second.size));
        }
        for (const auto &[qid, cq] : cqs_)
            if (!seen_cqs.count(qid))
                violation(fmt::format("after action {}: CQ {} was created and not deleted, but "
                                      "the controller does not have it",
                                      action_index, qid));
    }

    // (b) every completion of the action has a status the spec allows for its opcode.
    void check_statuses(size_t action_index) {
        const auto &all = ctrl_->completions();
        const size_t n = std::min<size_t>(cqes_in_action_, all.size());
        for (size_t i = all.size() - n; i < all.size(); ++i) {
            const CompletionRecord &r = all[i];
            const std::string why = status_violation(r.sqid == 0, r.sqe, r.cqe.status_field());
            if (!why.empty())
                violation(fmt::format("after action {}: SQ {} CID {}: {}{}", action_index, r.sqid,
                                      r.cqe.cid, why,
                                      r.why ? fmt::format(" (controller's reason: {}={:#x}: {})",
                                                          r.why->field, r.why->value, r.why->rule)
                                            : std::string()));
        }
        cqes_in_action_ = 0;
    }

    bool enabled_;
    std::vector<PostedCqe> *first_life_;
    Controller *ctrl_ = nullptr;
    SparseHostMemory *mem_ = nullptr;
    std::map<Key, uint32_t> open_;
    std::map<uint16_t, ShadowCq> cqs_;
    std::map<uint16_t, uint32_t> sq_size_;
    std::set<uint16_t> deleted_cqs_;
    std::set<uint16_t> deleted_sqs_;
    std::map<uint16_t, uint16_t> pending_sq_delete_; // admin CID of a Delete I/O SQ -> its QID
    size_t cqes_in_action_ = 0;
    uint64_t queue_epoch_ = 0;
};

struct HostSq {
    uint64_t epoch = ~uint64_t{0};
    uint64_t base = 0;
    uint32_t size = 0;
    uint32_t tail = 0;
    uint16_t next_cid = 0;
    uint16_t last_cid = 0;
};

struct Buffer {
    uint64_t base = 0;
    uint64_t size = 0;
};

constexpr std::array<uint8_t, 20> kAdminOpcodes{0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08,
                                                0x09, 0x0A, 0x0C, 0x06, 0x02, 0x09, 0x0A,
                                                0x80, 0x03, 0x10, 0x11, 0x14, 0x7C};
constexpr std::array<uint8_t, 12> kIoOpcodes{0x00, 0x01, 0x02, 0x01, 0x02, 0x01,
                                             0x02, 0x04, 0x05, 0x08, 0x09, 0x03};

// Register table of the console (`reg write NAME`): offset, width.
struct NamedReg {
    const char *name;
    uint32_t offset;
    bool wide;
};
constexpr std::array<NamedReg, 10> kRegs{{{"CAP", 0x00, true},
                                          {"VS", 0x08, false},
                                          {"INTMS", 0x0C, false},
                                          {"INTMC", 0x10, false},
                                          {"CC", 0x14, false},
                                          {"CSTS", 0x1C, false},
                                          {"NSSR", 0x20, false},
                                          {"AQA", 0x24, false},
                                          {"ASQ", 0x28, true},
                                          {"ACQ", 0x30, true}}};

class Run {
public:
    Run(const uint8_t *data, size_t size, const HostActionsOptions &options)
        : in_(data, size), options_(options),
          checker_(options.check_invariants, &result_.first_life_cqes) {
        result_.config = device_config(in_.u8());
        store_ = std::make_unique<MemoryBackingStore>(result_.config.size);
        power_on();
        if (options_.record_script) {
            line("# nvmelab fuzz_host_actions input as a console script (nvmelab_fuzz_replay).");
            line("# Device: {}", result_.config.to_json().dump());
            line("# Run it line by line (the UI console, or 'nvmelab exec' on an image created "
                 "with these properties); lines the device refuses are part of the input.");
        }
    }

    HostActionsResult run() {
        while (!in_.done() && result_.actions < kMaxActions && events() < kMaxEvents) {
            action(in_.u8());
            ++result_.actions;
            checker_.after_action(result_.actions);
        }
        not_replayable(); // the final power cut
        end_life(PowerOff::Unclean, false);
        result_.events = events_before_;
        return std::move(result_);
    }

private:
    static DeviceConfig device_config(uint8_t variant) {
        DeviceConfig c;
        c.size = uint64_t{1} << 20;
        c.mqes = 255;
        c.max_ioqpairs = 8;
        c.cache_blocks = 32;
        c.msix_vectors = 9;
        c.max_inflight = 16;
        c.vwc = (variant & 1) == 0;
        c.dstrd = (variant >> 1) & 1;
        c.cqr = (variant & 4) == 0;
        c.wrr = (variant & 8) == 0;
        c.lbads = (variant & 16) ? 9 : 12;
        c.mdts = (variant & 32) ? 2 : 5;
        return c;
    }

    template <typename... Args> void line(fmt::format_string<Args...> f, Args &&...args) {
        if (!options_.record_script) return;
        result_.script += fmt::format(f, std::forward<Args>(args)...);
        result_.script += '\n';
    }

    uint64_t events() const { return events_before_ + ctrl_->trace().total_recorded(); }

    void power_on() {
        ctrl_ = std::make_unique<Controller>(result_.config, mem_, *store_);
        drv_ = std::make_unique<HostDriver>(*ctrl_, mem_);
        drv_->max_wait_events = kDriverMaxWaitEvents;
        checker_.attach(*ctrl_, mem_);
        host_sqs_.clear();
    }

    void end_life(PowerOff kind, bool power_on_again) {
        ctrl_->power_off(kind);
        checker_.end_of_life();
        result_.trace += ctrl_->trace().format_all();
        events_before_ += ctrl_->trace().total_recorded();
        ctrl_->trace().set_listener(nullptr);
        if (!power_on_again) return;
        ++result_.power_cycles;
        checker_.stop_recording_first_life();
        drv_.reset();
        ctrl_.reset();
        power_on();
    }

    void not_replayable() {
        result_.replayable_cqes = std::min(result_.replayable_cqes, result_.first_life_cqes.size());
    }

    // ---- console-equivalent primitives -----------------------------------------------------

    uint32_t reg32(spec::Reg r) const { return ctrl_->read32(static_cast<uint32_t>(r)); }
    bool cc_enabled() const { return spec::CcReg{reg32(spec::Reg::Cc)}.en(); }

    // `reg write NAME VALUE` (console reg_write + after_register_write).
    void reg_write(const NamedReg &r, uint64_t value, const std::string &shown) {
        line("reg write {} 0x{:x}", shown, value);
        if (r.wide)
            ctrl_->write64(r.offset, value);
        else
            ctrl_->write32(r.offset, static_cast<uint32_t>(value));
        if (!cc_enabled() && drv_->has_queue(0)) driver([&] { drv_->disable(); });
    }

    // `reg write CC.FIELD VALUE`: read-modify-write of one field.
    void cc_field_write(const char *field, uint32_t hi, uint32_t lo, uint32_t value) {
        const uint32_t before = reg32(spec::Reg::Cc);
        const uint32_t raw = spec::detail::with_bits<uint32_t>(before, hi, lo, value);
        line("reg write CC.{} {}", field, value);
        ctrl_->write32(static_cast<uint32_t>(spec::Reg::Cc), raw);
        if (!cc_enabled() && drv_->has_queue(0)) driver([&] { drv_->disable(); });
    }

    void doorbell(bool sq, uint16_t qid, uint32_t value) {
        line("doorbell {} {} {}", sq ? "sq" : "cq", qid, value);
        ctrl_->write32(sq ? ctrl_->sq_doorbell_offset(qid) : ctrl_->cq_doorbell_offset(qid), value);
    }

    bool mem_write(uint64_t addr, std::span<const uint8_t> bytes) {
        if (!mem_.is_mapped(addr, bytes.size())) return false;
        std::string hex;
        for (uint8_t b : bytes)
            hex += fmt::format("{:02x}", b);
        line("mem write 0x{:x} {}", addr, hex);
        mem_.write(addr, bytes);
        return true;
    }

    std::optional<uint64_t> mem_alloc(const std::string &name, uint64_t bytes) {
        try {
            const uint64_t base = mem_.alloc(bytes, name);
            line("mem alloc {} {}", name, bytes);
            return base;
        } catch (const std::exception &) {
            return std::nullopt;
        }
    }

    // A host-driver command of the console: its DriverError is the console's error line.
    template <typename F> void driver(F &&f) {
        try {
            f();
        } catch (const DriverError &e) {
            line("# (the console reports: {})", e.what());
        } catch (const std::invalid_argument &e) {
            line("# (the console reports: {})", e.what());
        }
    }

    void step(uint64_t n) {
        line("step {}", n);
        for (uint64_t i = 0; i < n && ctrl_->step(); ++i) {
        }
    }

    void run_for(uint64_t us) {
        line("run for {}", us);
        const uint64_t target = ctrl_->now_ns() + us * 1000;
        while (!ctrl_->idle() && ctrl_->next_event_time() <= target && events() < kMaxEvents)
            ctrl_->step();
        if (events() < kMaxEvents) ctrl_->run_until(target);
    }

    // ---- decoding --------------------------------------------------------------------------

    uint64_t pointer() {
        const uint8_t mode = in_.u8();
        if (buffers_.empty()) return mode % 2 ? in_.u64() : (mode & 0xF0u) << 12;
        const Buffer &b = buffers_[(mode >> 3) % buffers_.size()];
        switch (mode % 8) {
        case 0:
        case 1:
            return b.base + (in_.u8() % (b.size / 4096)) * 4096; // a page of the buffer
        case 2:
            return b.base + (in_.u16() % b.size & ~uint64_t{3}); // dword-aligned offset
        case 3:
            return b.base + in_.u16() % b.size; // any offset
        case 4:
            return 0;
        case 5:
            return in_.u64();
        case 6:
            return b.base + b.size; // just past the buffer
        default:
            return buffers_.back().base;
        }
    }

    uint32_t dword() {
        switch (in_.u8() % 5) {
        case 0:
            return 0;
        case 1:
            return in_.u8();
        case 2:
            return in_.u16();
        case 3:
            return in_.u32();
        default:
            return in_.u8() | (uint32_t{in_.u8()} << 16); // two small halves: QID | QSIZE
        }
    }

    spec::Sqe sqe(bool admin, HostSq &sq) {
        spec::Sqe e{};
        const uint8_t pick = in_.u8();
        if (pick < 0xE0)
            e.opc = admin ? kAdminOpcodes[pick % kAdminOpcodes.size()]
                          : kIoOpcodes[pick % kIoOpcodes.size()];
        else
            e.opc = in_.u8();
        const uint8_t flags = in_.u8();
        e.flags = (flags & 0xF0) == 0xF0 ? in_.u8() : 0;
        switch (flags & 3) {
        case 2:
            e.cid = in_.u16();
            break;
        case 3:
            e.cid = sq.last_cid; // a CID still in use, maybe
            break;
        default:
            e.cid = sq.next_cid++;
        }
        sq.last_cid = e.cid;
        switch ((flags >> 2) & 3) {
        case 0:
            e.nsid = 1;
            break;
        case 1:
            e.nsid = admin ? 0 : 1;
            break;
        case 2:
            e.nsid = 0xFFFFFFFFu;
            break;
        default:
            e.nsid = in_.u32();
        }
        e.prp1 = pointer();
        e.prp2 = pointer();
        const bool rw = !admin && (e.opc == 0x01 || e.opc == 0x02 || e.opc == 0x04 ||
                                   e.opc == 0x05 || e.opc == 0x08);
        if (rw) {
            const uint8_t shape = in_.u8();
            e.cdw10 = shape & 0x80 ? in_.u32() : in_.u8();       // SLBA
            e.cdw11 = shape & 0x40 ? in_.u32() : 0;              // SLBA high
            e.cdw12 = (shape & 0x20 ? in_.u16() : in_.u8() % 40) // NLB
                      | (shape & 0x10 ? 0x40000000u : 0)         // FUA
                      | (shape & 0x08 ? in_.u32() & 0xBFFF0000u : 0);
            e.cdw13 = shape & 0x04 ? in_.u32() : 0;
        } else {
            e.cdw10 = dword();
            e.cdw11 = dword();
            e.cdw12 = dword();
            e.cdw13 = dword();
        }
        e.cdw14 = dword();
        e.cdw15 = dword();
        return e;
    }

    // The SQ as the host drives it: adopted from the controller's view when it (re)appears.
    HostSq *host_sq(uint16_t qid) {
        for (const QueueView &v : ctrl_->queues()) {
            if (!v.is_sq || v.qid != qid) continue;
            if (!v.contiguous) return nullptr;
            HostSq &h = host_sqs_[qid];
            if (h.epoch != checker_.queue_epoch() || h.base != v.base || h.size != v.size) {
                const uint16_t cid = h.next_cid;
                h = HostSq{checker_.queue_epoch(), v.base, v.size, v.tail, cid, 0};
            }
            return &h;
        }
        return nullptr;
    }

    // Writes entries at the host's SQ tail (`mem write`) and maybe rings (`doorbell sq`).
    void submit(uint16_t qid, const std::vector<spec::Sqe> &entries, bool ring) {
        HostSq *sq = host_sq(qid);
        if (!sq) return;
        for (const spec::Sqe &e : entries) {
            line("# SQ {} entry {}: opc 0x{:02x} ({}) cid {} nsid 0x{:x} prp1 0x{:x} prp2 0x{:x} "
                 "cdw10 0x{:x} cdw11 0x{:x} cdw12 0x{:x}",
                 qid, sq->tail, e.opc,
                 qid == 0 ? spec::admin_opcode_name(e.opc) : spec::nvm_opcode_name(e.opc), e.cid,
                 e.nsid, e.prp1, e.prp2, e.cdw10, e.cdw11, e.cdw12);
            std::array<uint8_t, 64> raw{};
            std::memcpy(raw.data(), &e, sizeof e);
            if (!mem_write(sq->base + uint64_t{sq->tail} * 64, raw)) return;
            sq->tail = (sq->tail + 1) % sq->size;
        }
        if (ring) doorbell(true, qid, sq->tail);
    }

    std::vector<QueueView> queues_of(bool sqs) const {
        std::vector<QueueView> out;
        for (const QueueView &v : ctrl_->queues())
            if (v.is_sq == sqs) out.push_back(v);
        return out;
    }

    void action(uint8_t kind) {
        switch (kind % 18) {
        case 0: { // a named register, any value
            const NamedReg &r = kRegs[in_.u8() % kRegs.size()];
            uint64_t v = 0;
            const uint8_t mode = in_.u8();
            if (std::string_view(r.name) == "CC") {
                const uint32_t base = 0x00460000u | ((mode >> 4) & 1u) << 11 | // AMS WRR
                                      uint32_t{(mode >> 5) & 1u} << 7;         // MPS 1
                v = mode % 4 == 0   ? base | 1u
                    : mode % 4 == 1 ? base
                    : mode % 4 == 2 ? reg32(spec::Reg::Cc) | uint32_t{(mode >> 2) & 3u} << 14
                                    : in_.u32();
            } else if (std::string_view(r.name) == "NSSR") {
                v = mode & 1 ? spec::kNssrResetValue : in_.u32();
            } else if (std::string_view(r.name) == "AQA") {
                v = mode & 1 ? in_.u32() : in_.u8() | uint32_t{in_.u8()} << 16;
            } else if (r.wide && mode & 1) {
                v = pointer();
            } else {
                v = r.wide ? in_.u64() : in_.u32();
            }
            line("# a register write");
            reg_write(r, v, r.name);
            break;
        }
        case 1: { // reset, enable, shutdown by one CC field
            line("# controller reset, enable or shutdown notification through one CC field");
            const uint8_t which = in_.u8() % 5;
            if (which < 2)
                cc_field_write("EN", 0, 0, which);
            else
                cc_field_write("SHN", 15, 14, which - 2u);
            break;
        }
        case 2: { // any BAR0 offset, 32 or 64 bits wide
            const uint8_t mode = in_.u8();
            const uint32_t offset = mode & 1 ? 0x1000u + in_.u16() : in_.u16() % 0x1000u;
            const bool wide = mode & 2;
            const uint64_t value = wide ? in_.u64() : in_.u32();
            raw_write(offset, wide, value);
            break;
        }
        case 3: { // doorbell, valid or not
            const uint8_t mode = in_.u8();
            const bool sq = mode & 1;
            const uint16_t qid = mode & 0x80 ? in_.u16() : (mode >> 1) % 10;
            uint32_t value = in_.u16();
            if (mode & 0x40)
                value = in_.u32();
            else if (mode & 0x20)
                value %= 64;
            line("# a doorbell write, valid or not");
            doorbell(sq, qid, value);
            break;
        }
        case 4:
        case 5:
        case 6: { // raw SQEs on an SQ, then maybe its doorbell
            const auto sqs = queues_of(true);
            const uint8_t mode = in_.u8();
            if (sqs.empty()) break;
            const uint16_t qid = sqs[mode % sqs.size()].qid;
            HostSq *sq = host_sq(qid);
            if (!sq) break;
            std::vector<spec::Sqe> entries;
            for (int i = 0; i <= (mode >> 4) % 3; ++i)
                entries.push_back(sqe(qid == 0, *sq));
            submit(qid, entries, (mode & 8) == 0);
            break;
        }
        case 7: { // the host consumes CQEs: CQ head doorbell
            const auto cqs = queues_of(false);
            const uint8_t mode = in_.u8();
            if (cqs.empty()) break;
            const QueueView &cq = cqs[mode % cqs.size()];
            const uint32_t used = (cq.tail + cq.size - cq.head) % cq.size;
            const uint32_t advance = in_.u8() % (used + 2);
            line("# the host consumes {} CQE(s) of CQ {} ({} posted and not consumed)", advance,
                 cq.qid, used);
            doorbell(false, cq.qid, (cq.head + advance) % cq.size);
            break;
        }
        case 8:
            step(1 + in_.u8() % 64);
            break;
        case 9: {
            const uint8_t n = in_.u8();
            static constexpr std::array<uint64_t, 4> scale{1, 10, 100, 1000};
            run_for((1 + (n >> 2)) * scale[n & 3]);
            break;
        }
        case 10: { // bring-up with the host driver
            const uint8_t mode = in_.u8();
            const uint16_t entries = 2 + in_.u8() % 63;
            const uint8_t mps = mode & 1 ? (mode >> 1) % 5 : 0;
            const bool wrr = mode & 0x80;
            line("enable entries={} mps={} ams={}", entries, mps, wrr ? "wrr" : "rr");
            BringUpOptions o;
            o.admin_entries = entries;
            o.mps = mps;
            o.ams = wrr ? 1 : 0;
            driver([&] { drv_->enable(o); });
            break;
        }
        case 11: { // an I/O queue pair through the driver
            const uint8_t mode = in_.u8();
            if (!drv_->has_queue(0)) break;
            const uint32_t entries = 2 + in_.u8() % 64;
            const uint8_t prio = mode & 3;
            const uint16_t iv = (mode >> 2) % 10;
            static constexpr std::array<const char *, 4> names{"urgent", "high", "medium", "low"};
            line("queue create entries={} prio={} iv={}", entries, names[prio], iv);
            driver([&] { drv_->create_io_queue_pair(entries, prio, iv); });
            break;
        }
        case 12: { // delete a driver's queue pair
            const uint8_t mode = in_.u8();
            const auto ids = drv_->io_queue_ids();
            if (ids.empty()) break;
            const uint16_t qid = ids[mode % ids.size()];
            line("queue delete {}", qid);
            driver([&] { drv_->delete_io_queue_pair(qid); });
            break;
        }
        case 13: { // normal shutdown or a reset through the driver
            if (in_.u8() & 1) {
                line("shutdown");
                driver([&] { drv_->shutdown(); });
            } else {
                line("disable");
                driver([&] { drv_->disable(); });
            }
            break;
        }
        case 14: { // host memory for data, PRP lists and queues
            const uint64_t pages = 1 + in_.u8() % 16;
            if (buffers_.size() >= 16) break;
            const std::string name = fmt::format("b{}", buffers_.size());
            line("# host memory for data, PRP lists or queues");
            if (auto base = mem_alloc(name, pages * 4096))
                buffers_.push_back({*base, pages * 4096});
            break;
        }
        case 15: { // PRP list entries (or anything) into a buffer
            if (buffers_.empty()) break;
            const Buffer &b = buffers_[in_.u8() % buffers_.size()];
            const uint64_t offset = (in_.u16() % b.size) & ~uint64_t{7};
            const size_t n = std::min<uint64_t>(1 + in_.u8() % 8, (b.size - offset) / 8);
            std::vector<uint8_t> bytes(n * 8);
            for (size_t i = 0; i < n; ++i) {
                const uint64_t p = pointer();
                std::memcpy(bytes.data() + i * 8, &p, 8);
            }
            line("# {} pointer(s) (PRP list entries) into the buffer at 0x{:x}", n, b.base);
            mem_write(b.base + offset, bytes);
            break;
        }
        case 16: { // queues made with raw admin commands
            const uint8_t mode = in_.u8();
            const uint16_t qid = 1 + in_.u8() % 8;
            const uint32_t qsize = 1 + in_.u8() % 64; // 0's based
            auto cq = mem_alloc(fmt::format("cq{}", qid), (uint64_t{qsize} + 1) * 16);
            auto sq = mem_alloc(fmt::format("sq{}", qid), (uint64_t{qsize} + 1) * 64);
            if (!cq || !sq) break;
            HostSq *admin = host_sq(0);
            if (!admin) break;
            spec::Sqe create_cq{};
            create_cq.opc = 0x05;
            create_cq.cid = admin->next_cid++;
            create_cq.prp1 = *cq;
            create_cq.cdw10 = qid | qsize << 16;
            create_cq.cdw11 = 1u | (mode & 2u) | uint32_t{(mode >> 2) % 10u} << 16; // PC IEN IV
            spec::Sqe create_sq{};
            create_sq.opc = 0x01;
            create_sq.cid = admin->next_cid++;
            create_sq.prp1 = *sq;
            create_sq.cdw10 = qid | qsize << 16;
            const uint16_t cqid = mode & 0x40 ? qid + 1 : qid;
            create_sq.cdw11 = 1u | uint32_t{(mode >> 4) & 3u} << 1 | uint32_t{cqid} << 16;
            line("# Create I/O CQ {} then Create I/O SQ (CQ {}) as raw admin commands", qid, cqid);
            submit(0, {create_cq, create_sq}, (mode & 0x80) == 0);
            break;
        }
        default: { // power cut or clean power-off, then power on again
            const bool clean = in_.u8() & 1;
            line("# power {} here: the console cannot do this (lessons: 'power-cycle {}'); a new "
                 "controller starts on the same media, host memory stays",
                 clean ? "off (clean)" : "cut", clean ? "clean" : "cut");
            not_replayable();
            end_life(clean ? PowerOff::Clean : PowerOff::Unclean, true);
            break;
        }
        }
    }

    // A BAR0 write at any offset and width; written as the console command that does the same,
    // where one does.
    void raw_write(uint32_t offset, bool wide, uint64_t value) {
        for (const NamedReg &r : kRegs)
            if (r.offset == offset && r.wide == wide) return reg_write(r, value, r.name);
        const uint32_t stride = 4u << ((ctrl_->read64(0) >> 32) & 0xF);
        if (!wide && offset >= 0x1000 && (offset - 0x1000) % stride == 0) {
            const uint32_t index = (offset - 0x1000) / stride;
            return doorbell(index % 2 == 0, static_cast<uint16_t>(index / 2),
                            static_cast<uint32_t>(value));
        }
        line("# BAR0 write{} at offset 0x{:x} <- 0x{:x}: no console command writes there",
             wide ? "64" : "32", offset, value);
        not_replayable();
        if (wide)
            ctrl_->write64(offset, value);
        else
            ctrl_->write32(offset, static_cast<uint32_t>(value));
    }

    Reader in_;
    HostActionsOptions options_;
    HostActionsResult result_;
    Checker checker_;
    SparseHostMemory mem_;
    std::unique_ptr<MemoryBackingStore> store_;
    std::unique_ptr<Controller> ctrl_;
    std::unique_ptr<HostDriver> drv_;
    std::map<uint16_t, HostSq> host_sqs_;
    std::vector<Buffer> buffers_;
    uint64_t events_before_ = 0;
};

} // namespace

HostActionsResult run_host_actions(const uint8_t *data, size_t size,
                                   const HostActionsOptions &options) {
    return Run(data, size, options).run();
}

} // namespace nvmelab::fuzz
