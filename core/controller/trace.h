#pragma once
// The typed event trace: everything the controller does, one event at a time, stamped with
// virtual time. Front ends (CLI --trace, UI timeline, lessons, tests) read it; two runs with the
// same inputs give the same trace on every platform, so it is also the determinism check.
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/circular_buffer.hpp>

namespace nvmelab {

enum class EventKind : uint8_t {
    RegisterWrite,      // value = new value, addr = register offset
    ControllerEnable,   // CC.EN 0->1 accepted, ready follows
    ControllerReady,    // CSTS.RDY = 1
    ControllerFatal,    // CSTS.CFS = 1 (explanation says why)
    ControllerReset,    // CC.EN 1->0: queues dropped
    ShutdownStart,      // CC.SHN written: SHST = processing
    ShutdownComplete,   // SHST = complete
    SubsystemReset,     // NSSR written with "NVMe"
    DoorbellSq,         // value = new tail
    DoorbellCq,         // value = new head
    DoorbellInvalid,    // write ignored (explanation says why)
    SqeFetch,           // value = SQ head after the fetch; u32 = opcode
    CommandDecode,      // u32 = opcode; command accepted for execution
    PrpListRead,        // addr = list address, len = entries read
    DmaToDevice,        // host -> controller, addr/len
    DmaToHost,          // controller -> host, addr/len
    MediaRead,          // addr = first LBA, len = blocks
    CacheRead,          // addr = first LBA, len = blocks (all of them in the write cache)
    MediaWrite,         // addr = first LBA, len = blocks (to the media)
    CacheWrite,         // addr = first LBA, len = blocks (into the volatile write cache)
    CacheFlush,         // len = blocks written back from the cache
    AdminExecute,       // an admin command's effect
    CqFull,             // completion waits for room in its CQ
    CqePost,            // addr = CQE address, value = status field, u32 = phase
    Interrupt,          // u32 = vector
    InterruptMasked,    // u32 = vector (INTMS masks it)
    InterruptCoalesced, // u32 = vector, value = completions waiting
    QueueCreated,       // sqid/cqid
    QueueDeleted,
    CommandAborted, // dropped without a completion (controller reset) or aborted
    PowerOn,
    PowerOff, // u32 = 1 clean, 0 unclean (cache lost)
    // A cached write found the write cache full: len = blocks its oldest data moved to the
    // media first, u32 = nsid (NvmNamespace::make_room). Last, so older kinds keep their values.
    CacheDestage,
    // Data or persistent state the device could not make durable outside a command (the cache
    // write-back at shutdown or power-off, a state save); the explanation has the reason.
    DurabilityFailure,
    // An SGL segment read (§4.4): addr = where, len = descriptors read. Like a PRP list read.
    SglSegmentRead,
    // A Bit Bucket in a read (§4.4): addr = offset in the transfer, len = bytes discarded.
    SglBitBucket,
};

const char *event_kind_name(EventKind kind);

// Why a command failed, in terms a learner can act on.
struct Explanation {
    std::string field; // e.g. "CDW10.QSIZE", "PRP2", "CC.MPS"
    uint64_t value = 0;
    std::string rule;    // the rule, in words
    std::string section; // spec section, e.g. "NVMe 1.3 §5.3"
};

struct TraceEvent {
    uint64_t seq = 0;
    uint64_t time_ns = 0;
    EventKind kind{};
    // SqeFetch, CommandDecode: the command set the opcode belongs to (spec::CommandSetId), so
    // the text names it as decode does (in the byte after kind: no size change).
    uint8_t command_set = 0;
    uint16_t sqid = 0xFFFF; // 0xFFFF = not tied to a queue
    uint16_t cqid = 0xFFFF;
    uint16_t cid = 0xFFFF;
    uint32_t u32 = 0;
    uint64_t addr = 0;
    uint64_t len = 0;
    uint64_t value = 0;
    int64_t explanation = -1; // id into Trace::explanation()
};

class Trace {
public:
    // 256 Ki events (16 MiB): a long history for the timeline and lessons, small enough to
    // stay cheap in a browser tab. Front ends may set another capacity.
    explicit Trace(size_t capacity = size_t{1} << 18) : capacity_(capacity) {}

    // Inline, taking a reference: the event is then written into the ring where it is built,
    // not built on the stack and copied field by field (a per-event cost in the 4 KiB read
    // profile of nvmelab-bench, issue 17).
    void record(const TraceEvent &ev) {
        if (!enabled_) return;
        if (events_.full() && events_.capacity() < capacity_) grow();
        events_.push_back(ev); // when full at the capacity, this replaces the oldest event
        TraceEvent &stored = events_.back();
        stored.seq = next_seq_++;
        if (listener_) listener_(stored);
    }
    int64_t add_explanation(Explanation e);
    const Explanation *explanation(int64_t id) const;

    // Events still held, oldest first (the oldest are dropped beyond the capacity). A ring:
    // memory grows with use up to the capacity and is then reused, nothing is allocated per
    // event. Random access; iterators are invalidated by the next record().
    using Events = boost::circular_buffer<TraceEvent>;
    const Events &events() const { return events_; }
    uint64_t total_recorded() const { return next_seq_; }
    void clear();
    void set_capacity(size_t capacity);
    void set_enabled(bool on) { enabled_ = on; }
    bool enabled() const { return enabled_; }
    // Called with each event as it is recorded, sequence number set. The ring forgets its
    // oldest events; a front end that keeps a summary of the whole history (the Namespace
    // window's map of written blocks) follows them here instead. It only reads: it must not
    // record events or change the controller.
    using Listener = std::function<void(const TraceEvent &)>;
    void set_listener(Listener listener) { listener_ = std::move(listener); }

    // One readable line per event, the same on every platform.
    std::string format(const TraceEvent &ev) const;
    std::string format_all() const;
    std::string format_since(uint64_t seq) const;

private:
    void grow(); // doubles the ring (at least 4096 events), up to capacity_

    Events events_;
    std::deque<Explanation> explanations_;
    int64_t first_explanation_ = 0;
    uint64_t next_seq_ = 0;
    size_t capacity_;
    bool enabled_ = true;
    Listener listener_;
};

} // namespace nvmelab
