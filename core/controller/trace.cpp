#include "core/controller/trace.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/spec/status_text.h"

namespace nvmelab {

const char *event_kind_name(EventKind kind) {
    switch (kind) {
    case EventKind::RegisterWrite:
        return "reg-write";
    case EventKind::ControllerEnable:
        return "enable";
    case EventKind::ControllerReady:
        return "ready";
    case EventKind::ControllerFatal:
        return "fatal";
    case EventKind::ControllerReset:
        return "reset";
    case EventKind::ShutdownStart:
        return "shutdown-start";
    case EventKind::ShutdownComplete:
        return "shutdown-done";
    case EventKind::SubsystemReset:
        return "nvm-subsystem-reset";
    case EventKind::DoorbellSq:
        return "doorbell-sq";
    case EventKind::DoorbellCq:
        return "doorbell-cq";
    case EventKind::DoorbellInvalid:
        return "doorbell-invalid";
    case EventKind::SqeFetch:
        return "fetch";
    case EventKind::CommandDecode:
        return "decode";
    case EventKind::PrpListRead:
        return "prp-list";
    case EventKind::DmaToDevice:
        return "dma-in";
    case EventKind::DmaToHost:
        return "dma-out";
    case EventKind::MediaRead:
        return "media-read";
    case EventKind::CacheRead:
        return "cache-read";
    case EventKind::MediaWrite:
        return "media-write";
    case EventKind::CacheWrite:
        return "cache-write";
    case EventKind::CacheFlush:
        return "cache-flush";
    case EventKind::CacheDestage:
        return "cache-destage";
    case EventKind::DurabilityFailure:
        return "durability-failure";
    case EventKind::SglSegmentRead:
        return "sgl-segment";
    case EventKind::SglBitBucket:
        return "sgl-bit-bucket";
    case EventKind::AdminExecute:
        return "execute";
    case EventKind::CqFull:
        return "cq-full";
    case EventKind::CqePost:
        return "cqe";
    case EventKind::Interrupt:
        return "interrupt";
    case EventKind::InterruptMasked:
        return "interrupt-masked";
    case EventKind::InterruptCoalesced:
        return "interrupt-coalesced";
    case EventKind::QueueCreated:
        return "queue-created";
    case EventKind::QueueDeleted:
        return "queue-deleted";
    case EventKind::CommandAborted:
        return "aborted";
    case EventKind::PowerOn:
        return "power-on";
    case EventKind::PowerOff:
        return "power-off";
    }
    return "?";
}

void Trace::grow() {
    events_.set_capacity(std::min(capacity_, std::max<size_t>(4096, events_.capacity() * 2)));
}

int64_t Trace::add_explanation(Explanation e) {
    explanations_.push_back(std::move(e));
    // Keep explanations bounded like the events they belong to.
    while (explanations_.size() > 4096) {
        explanations_.pop_front();
        ++first_explanation_;
    }
    return first_explanation_ + static_cast<int64_t>(explanations_.size()) - 1;
}

const Explanation *Trace::explanation(int64_t id) const {
    if (id < first_explanation_) return nullptr;
    const auto index = static_cast<size_t>(id - first_explanation_);
    return index < explanations_.size() ? &explanations_[index] : nullptr;
}

void Trace::clear() {
    events_.clear();
}

void Trace::set_capacity(size_t capacity) {
    capacity_ = std::max<size_t>(capacity, 1);
    if (events_.capacity() > capacity_) events_.rset_capacity(capacity_); // keeps the newest
}

namespace {
std::string opcode_label(uint8_t command_set, uint32_t opc) {
    const auto name =
        spec::opcode_name(static_cast<spec::CommandSetId>(command_set), static_cast<uint8_t>(opc));
    if (name.empty()) return fmt::format("opc=0x{:02x}", opc);
    return fmt::format("opc=0x{:02x} ({})", opc, name);
}
} // namespace

std::string Trace::format(const TraceEvent &ev) const {
    std::string out = fmt::format("[{:>12.3f} us] {:<19}", static_cast<double>(ev.time_ns) / 1000.0,
                                  event_kind_name(ev.kind));
    if (ev.sqid != 0xFFFF) out += fmt::format(" sq={}", ev.sqid);
    if (ev.cqid != 0xFFFF) out += fmt::format(" cq={}", ev.cqid);
    if (ev.cid != 0xFFFF) out += fmt::format(" cid={}", ev.cid);
    switch (ev.kind) {
    case EventKind::RegisterWrite:
        out += fmt::format(" offset=0x{:x} value=0x{:x}", ev.addr, ev.value);
        break;
    case EventKind::DoorbellSq:
        out += fmt::format(" tail={}", ev.value);
        break;
    case EventKind::DoorbellCq:
        out += fmt::format(" head={}", ev.value);
        break;
    case EventKind::DoorbellInvalid:
        out += fmt::format(" offset=0x{:x} value={}", ev.addr, ev.value);
        break;
    case EventKind::SqeFetch:
        out += fmt::format(" addr=0x{:x} {} head={}", ev.addr, opcode_label(ev.command_set, ev.u32),
                           ev.value);
        break;
    case EventKind::CommandDecode:
        out += fmt::format(" {} bytes={}", opcode_label(ev.command_set, ev.u32), ev.len);
        break;
    case EventKind::PrpListRead:
        out += fmt::format(" list=0x{:x} entries={}", ev.addr, ev.len);
        break;
    case EventKind::DmaToDevice:
    case EventKind::DmaToHost:
        out += fmt::format(" addr=0x{:x} len={}", ev.addr, ev.len);
        break;
    case EventKind::SglSegmentRead:
        out += fmt::format(" segment=0x{:x} descriptors={}", ev.addr, ev.len);
        break;
    case EventKind::SglBitBucket:
        out += fmt::format(" offset={} discarded={}", ev.addr, ev.len);
        break;
    case EventKind::MediaRead:
    case EventKind::CacheRead:
    case EventKind::MediaWrite:
    case EventKind::CacheWrite:
        out += fmt::format(" nsid={} slba={} blocks={}", ev.u32, ev.addr, ev.len);
        break;
    case EventKind::CacheFlush:
        out += fmt::format(" blocks={}", ev.len);
        break;
    case EventKind::CacheDestage:
        out += fmt::format(" nsid={} blocks={}", ev.u32, ev.len);
        break;
    case EventKind::AdminExecute:
        out += fmt::format(" {}",
                           opcode_label(static_cast<uint8_t>(spec::CommandSetId::Admin), ev.u32));
        break;
    case EventKind::CqePost: {
        const auto status = static_cast<uint16_t>(ev.value);
        out += fmt::format(" addr=0x{:x} phase={} status=0x{:04x}", ev.addr, ev.u32, status);
        if (status != 0)
            out += fmt::format(" ({})", spec::status_name((status >> 8) & 0x7, status & 0xFF));
        break;
    }
    case EventKind::Interrupt:
    case EventKind::InterruptMasked:
        out += fmt::format(" vector={}", ev.u32);
        break;
    case EventKind::InterruptCoalesced:
        out += fmt::format(" vector={} pending={}", ev.u32, ev.value);
        break;
    case EventKind::QueueCreated:
    case EventKind::QueueDeleted:
        out += fmt::format(" entries={}", ev.len);
        break;
    case EventKind::PowerOff:
        out += ev.u32 ? " clean" : " unclean (volatile cache lost)";
        break;
    default:
        break;
    }
    if (const Explanation *e = explanation(ev.explanation)) {
        out += fmt::format(" -- {}=0x{:x}: {} ({})", e->field, e->value, e->rule, e->section);
    }
    return out;
}

std::string Trace::format_all() const {
    return format_since(0);
}

std::string Trace::format_since(uint64_t seq) const {
    std::string out;
    for (const auto &ev : events_) {
        if (ev.seq < seq) continue;
        out += format(ev);
        out += '\n';
    }
    return out;
}

} // namespace nvmelab
