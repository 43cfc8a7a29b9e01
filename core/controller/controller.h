#pragma once
// The NVMe controller: registers, doorbells, queues and the command pipeline, advanced one
// event at a time on a virtual clock. It never runs on its own: a front end calls step(),
// step_command() or run_until_idle(). Same inputs give the same trace on every platform.
//
// Life of a command (see docs/architecture.md): doorbell -> fetch (arbitration) -> decode
// (command set handler prepare) -> data in (PRP walk + DMA, one event per list page / segment)
// -> execute (handler) -> data out -> CQE post -> interrupt.
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include <boost/circular_buffer.hpp>

#include "core/controller/device_state.h"
#include "core/controller/event_queue.h"
#include "core/pi/protection_info.h"

namespace nvmelab {

// A read-only snapshot of one queue, for front ends.
struct QueueView {
    bool is_sq = true;
    uint16_t qid = 0;
    uint16_t cqid = 0; // SQs: their CQ
    uint32_t size = 0;
    uint32_t head = 0;
    uint32_t tail = 0;
    uint64_t base = 0;
    bool contiguous = true;
    std::vector<uint64_t> pages; // PC = 0: the queue's pages in queue order (from its PRP list)
    bool phase = true;           // CQs: phase tag the controller writes next
    bool ien = false;
    uint16_t iv = 0;
    uint8_t qprio = 0;
    uint32_t waiting = 0; // CQs: completions waiting for room
};

// A command the controller is working on, for front ends.
struct CommandView {
    uint16_t sqid = 0;
    uint16_t cid = 0;
    uint8_t opcode = 0;
    CommandPhase phase = CommandPhase::Free;
    uint64_t transfer_bytes = 0;
    uint64_t transferred = 0;
    spec::Sqe sqe{}; // the entry as fetched (front ends decode it and its PRPs)
};

// The last completion posted, with the explanation of a failure.
struct CompletionRecord {
    uint16_t sqid = 0;
    uint16_t cqid = 0;
    spec::Cqe cqe{};
    uint8_t opcode = 0;
    std::optional<Explanation> why;
    spec::Sqe sqe{}; // the command as fetched, for front ends that decode it
};

// One block's end-to-end protection information as a Read would find it (§8.3), for front ends.
struct BlockProtection {
    pi::Protection protection;     // the namespace's PI type and tuple place
    pi::BlockReport report;        // the tuple decoded and each check's result
    std::vector<uint8_t> metadata; // the block's whole metadata
};

enum class PowerOff : uint8_t { Clean, Unclean };

class Controller {
public:
    // Powers the device on: loads persistent state from the store and starts with CC.EN = 0.
    // Throws ConfigError if the configuration is invalid.
    Controller(const DeviceConfig &config, HostMemory &memory, BackingStore &store);
    ~Controller();
    Controller(const Controller &) = delete;
    Controller &operator=(const Controller &) = delete;

    // Register access as a host does it over PCIe (BAR0). Reads of reserved space return 0,
    // writes to read-only or reserved bits are ignored (§3.1).
    uint32_t read32(uint32_t offset) const;
    uint64_t read64(uint32_t offset) const;
    void write32(uint32_t offset, uint32_t value);
    void write64(uint32_t offset, uint64_t value);
    uint32_t sq_doorbell_offset(uint16_t qid) const;
    uint32_t cq_doorbell_offset(uint16_t qid) const;

    // Advancing virtual time.
    bool step();         // runs one scheduled event; false when idle
    bool step_command(); // runs until the next CQE is posted; false when idle first
    uint64_t run_until_idle(uint64_t max_events = 100'000'000);
    // Runs events up to a virtual time (idle time passes too, e.g. waiting for CSTS.RDY).
    void run_until(uint64_t time_ns);
    bool idle() const;
    // Virtual time of the next scheduled event (meaningless when idle).
    uint64_t next_event_time() const;
    uint64_t now_ns() const { return state_.now_ns; }
    // SMART Controller Busy Time before it is reported in whole minutes: the virtual time
    // during which an I/O command was outstanding, over the device's life (§5.14.1.2).
    uint64_t controller_busy_ns() const { return state_.health.busy_time_ns; }

    // Power.
    void power_off(PowerOff kind);
    bool powered() const { return powered_; }
    // Failures to make data or the persistent state durable that no command's status reported
    // (the cache write-back at shutdown or a clean power-off, a save of the persistent state),
    // with the store's reason, oldest first (the first kMaxDurabilityFailures since power-on).
    const std::vector<Explanation> &durability_failures() const { return durability_failures_; }
    static constexpr size_t kMaxDurabilityFailures = 8;

    // Inspection for front ends.
    const Trace &trace() const { return state_.trace; }
    Trace &trace() { return state_.trace; }
    const DeviceConfig &config() const { return state_.config; }
    std::vector<QueueView> queues() const;
    std::vector<CommandView> commands() const;
    const std::optional<CompletionRecord> &last_completion() const { return last_completion_; }
    // Completions posted since power-on, in order (the newest kCompletionHistory), with
    // explanations.
    static constexpr size_t kCompletionHistory = 4096;
    const boost::circular_buffer<CompletionRecord> &completions() const { return completions_; }
    uint32_t interrupt_count(uint16_t vector) const;
    bool interrupt_pending(uint16_t vector) const;
    uint64_t namespace_blocks_cached(uint32_t nsid) const;
    // Active namespaces are 1..namespace_count() (Identify Controller NN).
    uint32_t namespace_count() const;
    bool lba_cached(uint32_t nsid, uint64_t lba) const;
    // The LBAs of a namespace in the volatile write cache, ascending (empty for a bad nsid).
    std::vector<uint64_t> cached_lbas(uint32_t nsid) const;
    uint32_t lba_size(uint32_t nsid) const;
    // The command set a command is decoded by: admin on SQ 0, else that of the namespace NSID
    // names (the controller's I/O set when it names none), and the opcode's name in it ("" when
    // NVMe 1.3 names no such opcode). Every front end names commands through these.
    spec::CommandSetId command_set_of(uint16_t sqid, uint32_t nsid) const;
    std::string_view command_name(uint16_t sqid, uint32_t nsid, uint8_t opcode) const;
    // Active namespaces: their type, command set, size and LBA formats (nullopt: not active).
    std::optional<NamespaceView> namespace_view(uint32_t nsid) const;
    std::vector<NamespaceView> namespaces() const;
    // A block's protection information, checked against `expect` (PRCHK bits and tags; its SLBA
    // becomes `lba`); nullopt when the namespace has no PI, the LBA is past its end or the store
    // cannot be read (protection_view.cpp).
    std::optional<BlockProtection> block_protection(uint32_t nsid, uint64_t lba,
                                                    const pi::PiRequest &expect) const;
    // A teaching aid: flips the low bit of the guard, application tag or reference tag stored
    // for a block, as a media fault would, so the next Read that checks it fails. False, and
    // nothing changes, where block_protection() gives nullopt.
    bool corrupt_protection(uint32_t nsid, uint64_t lba, pi::Check field);

private:
    struct Pending {
        uint64_t time;
        uint64_t seq;
        enum class Kind : uint8_t { Fetch, Command, Ready, ShutdownDone, Coalesce, KeepAlive } kind;
        uint32_t id;
        uint32_t generation;
        bool operator>(const Pending &o) const {
            return time != o.time ? time > o.time : seq > o.seq;
        }
    };

    void schedule(uint64_t at, Pending::Kind kind, uint32_t id = 0, uint32_t generation = 0);
    void schedule_fetch();
    bool run_pending(const Pending &p);
    bool stale(const Pending &p) const;

    // Registers (registers.cpp).
    void write_cc(uint32_t value);
    void enable();
    void controller_reset(const char *why);
    void start_shutdown(uint8_t shn);
    // Schedules the shutdown's write-back once no fetched command is left to execute.
    void schedule_shutdown_write_back();
    // Fetched commands not yet done executing (those waiting for CQ room and parked AERs are).
    bool commands_in_work() const;
    // The shutdown's end: cache write-back, state save, SHST = 10b.
    void complete_shutdown();
    // Writes every namespace's volatile write cache back; a namespace whose write-back fails is
    // reported as below, `failed_means` saying what that leaves ("{} blocks stay volatile",
    // given the blocks still cached). Returns the blocks written back.
    uint64_t write_back_or_report(const char *failed_means, const char *section);
    // Saves the persistent state; a failure is reported as below. False on failure.
    bool save_state_or_report(const char *when);
    // Data or state the device could not make durable with no command to carry the status:
    // an Error Information entry (SQID/CID FFFFh), SMART critical warning bit 2 (reliability
    // degraded, §5.14.1.2) with its SMART/Health event if enabled, and durability_failures().
    void report_durability_failure(Explanation why);
    void subsystem_reset();
    void ring_doorbell(uint32_t offset, uint32_t value);
    void set_fatal(Explanation why);
    // Keep Alive (§7.12): arms a timer event when a command restarted the Keep Alive Timer, and
    // what its expiry does (an Error Information entry, CSTS.CFS = 1).
    void arm_keep_alive();
    void keep_alive_expired();
    uint32_t keep_alive_armed_ = 0;
    void write_intms(uint32_t value, bool set);

    // Pipeline: command_fetch.cpp, command_pipeline.cpp, data_transfer.cpp, completion.cpp.
    void fetch();
    std::optional<uint16_t> arbitrate();
    void run_command(uint32_t slot);
    void decode(CommandContext &ctx);
    const CommandSet &command_set_for(uint16_t sqid, uint32_t nsid) const;
    // Moves a command to its next phase, run `delay_ns` from now (events scheduled for it
    // before are stale from then on).
    void reschedule(CommandContext &ctx, CommandPhase phase, uint64_t delay_ns = 0);
    void prepare_data_transfer(CommandContext &ctx);
    void transfer(CommandContext &ctx, bool to_device);
    void execute(CommandContext &ctx);
    void complete(CommandContext &ctx);
    void raise_interrupt(CommandContext &ctx);
    void signal_vector(uint16_t vector, uint16_t cqid, uint16_t cid);
    void finish(CommandContext &ctx);
    // Frees a command whose completion entry can never be posted, with the reason in the trace.
    void drop_completion(CommandContext &ctx, const Explanation &why);
    // Handler effects (HandlerEffect, command.h), applied after execute in one place; true if
    // the command stays outstanding.
    bool apply_effects(CommandContext &ctx);
    void abort_deleted_sq(uint16_t sqid);
    void resolve_abort(CommandContext &abort_ctx, uint16_t sqid, uint16_t cid);
    void deliver_async_events();
    void log_error(const CommandContext &ctx);
    // Adds an entry to the Error Information log (its Error Count is assigned here).
    void log_error(spec::ErrorLogEntry entry);
    void record_event(EventKind kind, const CommandContext &ctx, uint64_t addr = 0,
                      uint64_t len = 0, uint64_t value = 0, uint32_t u32 = 0,
                      int64_t explanation = -1);
    void drop_all_commands();
    // Virtual time moves forward only through here, so SMART Controller Busy Time can add
    // the spans during which an I/O command is outstanding (§5.14.1.2).
    void advance_time(uint64_t time_ns);
    // Counts the I/O commands issued (SQ tail doorbell) whose completion is not posted yet.
    void recount_io_outstanding();
    // A free slot, and fewer than max_inflight commands in work (parked AERs do not count).
    bool can_fetch() const;

    DeviceState state_;
    bool powered_ = true;
    std::vector<CommandContext> slots_;
    std::vector<uint32_t> free_slots_;
    // Per slot, sqid << 16 | CID while the slot holds a command that a newly fetched one can
    // conflict with (not Free, its SQ not deleted), else kNoCid. Decode's Command ID Conflict
    // check (§4.2) scans this small array instead of every slot's whole context, which showed
    // in the 4 KiB read profile of nvmelab-bench (issue 17).
    static constexpr uint64_t kNoCid = UINT64_MAX;
    std::vector<uint64_t> cid_keys_;
    static uint64_t cid_key(uint16_t sqid, uint16_t cid) { return uint64_t{sqid} << 16 | cid; }
    uint32_t inflight_ = 0;
    // I/O commands between their SQ tail doorbell and their CQE: entries of I/O SQs not
    // fetched yet plus I/O commands in the controller whose CQE is not posted.
    uint64_t io_outstanding_ = 0;
    EventQueue<Pending> pending_;
    uint64_t pending_seq_ = 0;
    bool fetch_scheduled_ = false;
    uint32_t epoch_ = 0; // bumps on every reset so stale timers are ignored
    // Shutdown processing started and waits for fetched commands before its write-back.
    bool shutdown_waiting_ = false;
    std::vector<Explanation> durability_failures_;

    // Arbitration state (§4.11).
    uint16_t arb_current_ = 0;
    uint32_t arb_burst_left_ = 0;
    std::array<int32_t, 3> wrr_credits_{}; // high, medium, low
    std::array<uint16_t, 4> class_last_{}; // last SQ served per priority class
    // Weighted round robin: the urgent class's burst, kept apart from the weighted SQ's burst
    // (arb_current_) that urgent work cuts short.
    uint16_t urgent_current_ = 0;
    uint32_t urgent_burst_left_ = 0;

    // Interrupts: per vector, completions not yet signalled and the totals.
    std::vector<uint32_t> vector_pending_;
    std::vector<uint32_t> vector_count_;
    std::vector<bool> vector_asserted_;
    std::vector<bool> coalesce_armed_;

    std::optional<CompletionRecord> last_completion_;
    // A ring, not a deque: a deque of these records allocates and frees a node every couple of
    // completions, a visible cost per command in nvmelab-bench (issue 17).
    boost::circular_buffer<CompletionRecord> completions_{kCompletionHistory};
    bool posted_in_step_ = false;
};

} // namespace nvmelab
