#include "core/controller/sgl_walker.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <span>

#include <fmt/format.h>

namespace nvmelab {

using spec::GenericStatus;
using spec::SglType;

namespace {
// A segment is read at most this many descriptors (one 4 KiB page) at a time: each read is one
// traced event, and a long segment needs no buffer of its own size.
constexpr uint64_t kDescriptorsPerRead = 256;
// Beyond one descriptor per dword of data, this many more (zero-length ones, segment pointers,
// ignored Bit Buckets) may be walked before the list counts as invalid: a chain that loops
// back on itself must end, not hang the controller.
constexpr uint64_t kSpareDescriptors = 4096;

spec::Status refuse(GenericStatus s) {
    return spec::generic(s, true);
}
} // namespace

SglWalker::SglWalker(spec::SglDescriptor sgl1, bool to_device, Role role)
    : sgl1_(sgl1), to_device_(to_device), role_(role) {}

SglWalker SglWalker::metadata_at(uint64_t mptr, bool to_device) {
    SglWalker w({}, to_device, Role::Metadata);
    w.mptr_ = mptr;
    w.from_mptr_ = true;
    return w;
}

void SglWalker::start(uint64_t length) {
    length_ = length;
    remaining_ = length;
    // No data, no list: the SGL is not looked at (§4.4 describes data buffers).
    ended_ = length == 0;
    started_ = false;
    walked_ = 0;
    limit_ = length / 4 + kSpareDescriptors;
    segment_ = 0;
    seg_addr_ = seg_count_ = seg_pos_ = read_first_ = 0;
    seg_is_last_ = false;
    read_.clear();
    place_ = SglDescriptorPlace{0, 0, 0, sgl1_};
}

std::string SglWalker::name() const {
    const char *list = role_ == Role::Data ? "SGL" : "metadata SGL";
    if (place_.segment == 0)
        return from_mptr_ ? fmt::format("{} descriptor at MPTR @0x{:x}", list, mptr_)
                          : std::string("SGL1");
    return fmt::format("{} segment {} descriptor {} @0x{:x}", list, place_.segment, place_.index,
                       place_.addr);
}

WalkStep SglWalker::fail(spec::Status status, const std::string &what, uint64_t value,
                         std::string rule) const {
    WalkStep s;
    s.kind = WalkStep::Kind::Error;
    s.status = status;
    s.addr = place_.addr;
    s.why = Explanation{name() + " " + what, value, std::move(rule), section()};
    return s;
}

// Too long or too short: Data SGL Length Invalid, or its metadata twin (§4.4, Figure 31).
WalkStep SglWalker::length_invalid(const std::string &what, uint64_t value,
                                   std::string rule) const {
    return fail(refuse(role_ == Role::Data ? GenericStatus::DataSglLengthInvalid
                                           : GenericStatus::MetadataSglLengthInvalid),
                what, value, std::move(rule));
}

std::optional<WalkStep> SglWalker::check_identifier(const spec::SglDescriptor &d) const {
    const uint8_t type = d.type();
    const bool known = type <= static_cast<uint8_t>(SglType::LastSegment);
    if (known && d.subtype() == static_cast<uint8_t>(spec::SglSubtype::Offset))
        return fail(refuse(GenericStatus::SglOffsetInvalid), "subtype", d.subtype(),
                    "the Offset subtype is for NVMe over Fabrics; over PCIe a descriptor holds a "
                    "host memory address (SGLS bit 20 = 0)");
    if (type == static_cast<uint8_t>(SglType::KeyedDataBlock))
        return fail(refuse(GenericStatus::SglDescriptorTypeInvalid), "type", type,
                    "Keyed SGL Data Blocks are for NVMe over Fabrics (SGLS bit 2 = 0)");
    if (!known || d.subtype() != 0)
        return fail(refuse(GenericStatus::SglDescriptorTypeInvalid), "identifier", d.identifier,
                    "this controller knows Data Block (0h), Bit Bucket (1h), Segment (2h) and "
                    "Last Segment (3h) descriptors, each with subtype 0h (address)");
    return std::nullopt;
}

// SGLS 1:0 = 10b (§5.15): Data Blocks start and end on dword boundaries.
std::optional<WalkStep> SglWalker::check_granularity(const spec::SglDescriptor &d) const {
    const bool address = (d.address & 0x3) != 0;
    if (!address && (d.length & 0x3) == 0) return std::nullopt;
    return fail(refuse(GenericStatus::SglDataBlockGranularityInvalid),
                address ? "address" : "length", address ? d.address : d.length,
                "SGLS = 10b: a Data Block's address and length must be dword granular");
}

std::optional<WalkStep> SglWalker::check_segment_pointer(const spec::SglDescriptor &d) const {
    // A segment is an array of 16-byte descriptors, qword aligned in memory (§4.4).
    if (d.length == 0 || d.length % sizeof(spec::SglDescriptor) != 0)
        return fail(refuse(GenericStatus::InvalidSglSegmentDescriptor), "length", d.length,
                    "a segment holds whole 16-byte descriptors: its length must be a non-zero "
                    "multiple of 16");
    if ((d.address & 0x7) != 0)
        return fail(refuse(GenericStatus::InvalidSglSegmentDescriptor), "address", d.address,
                    "an SGL segment must be qword aligned");
    if (d.address > std::numeric_limits<uint64_t>::max() - d.length)
        return length_invalid("address", d.address,
                              "the segment runs past the end of the address space");
    return std::nullopt;
}

std::optional<WalkStep> SglWalker::check_entries() const {
    if (length_ == 0) return std::nullopt;
    if (from_mptr_) {
        // With PSDT 10b MPTR is the address of a segment: qword aligned like every segment.
        if ((mptr_ & 0x7) != 0)
            return fail(refuse(GenericStatus::InvalidField), "(MPTR)", mptr_,
                        "with PSDT 10b MPTR points to an SGL segment, which must be qword "
                        "aligned");
        return std::nullopt;
    }
    const spec::SglDescriptor &d = sgl1_;
    if (auto bad = check_identifier(d)) return bad;
    const uint8_t type = d.type();
    switch (static_cast<SglType>(type)) {
    case SglType::DataBlock:
        if (auto bad = check_granularity(d)) return bad;
        if (d.length != length_)
            return length_invalid("length", d.length,
                                  fmt::format("SGL1 is the whole list, so it must describe the "
                                              "transfer's {} bytes exactly (SGLS bit 18 = 0)",
                                              length_));
        return std::nullopt;
    case SglType::BitBucket:
        return std::nullopt; // its length is checked when the walk reaches it
    default:
        return check_segment_pointer(d);
    }
}

std::optional<WalkStep> SglWalker::end_of_list() {
    ended_ = true;
    if (remaining_ == 0) return std::nullopt;
    return length_invalid("(end of list)", length_ - remaining_,
                          fmt::format("the SGL ends after describing {} of the transfer's {} "
                                      "bytes",
                                      length_ - remaining_, length_));
}

std::optional<WalkStep> SglWalker::take(const spec::SglDescriptor &d, bool last_in_segment) {
    if (++walked_ > limit_)
        return fail(refuse(GenericStatus::InvalidNumberOfSglDescriptors), "(count)", walked_,
                    fmt::format("more than {} descriptors for a {}-byte transfer: the chain "
                                "never ends (a segment points back into the list?)",
                                limit_, length_));
    if (auto bad = check_identifier(d)) return bad;
    const uint8_t type = d.type();

    const bool pointer = type == static_cast<uint8_t>(SglType::Segment) ||
                         type == static_cast<uint8_t>(SglType::LastSegment);
    if (pointer) {
        if (segment_ > 0 && seg_is_last_)
            return fail(refuse(GenericStatus::InvalidSglSegmentDescriptor), "type", type,
                        "the segment a Last Segment descriptor points to holds no further "
                        "Segment or Last Segment descriptor");
        if (!last_in_segment)
            return fail(refuse(GenericStatus::InvalidNumberOfSglDescriptors), "type", type,
                        "a Segment or Last Segment descriptor may only be the last descriptor of "
                        "its segment");
        if (auto bad = check_segment_pointer(d)) return bad;
        seg_addr_ = d.address;
        seg_count_ = d.length / sizeof(spec::SglDescriptor);
        seg_is_last_ = type == static_cast<uint8_t>(SglType::LastSegment);
        seg_pos_ = 0;
        read_.clear();
        read_first_ = 0;
        ++segment_;
        return std::nullopt;
    }

    // A Data Block or Bit Bucket ends a segment only in the last segment (or as SGL1): a
    // segment a Segment descriptor points to continues in another (§4.4).
    if (segment_ > 0 && !seg_is_last_ && last_in_segment)
        return fail(refuse(GenericStatus::InvalidSglSegmentDescriptor), "type", type,
                    "the last descriptor of a segment a Segment descriptor points to must be a "
                    "Segment or Last Segment descriptor (the final segment is named by a Last "
                    "Segment descriptor)");

    const bool bucket = type == static_cast<uint8_t>(SglType::BitBucket);
    // NVMe 1.3d §4.4: a Bit Bucket only discards data the controller returns. In a write (host
    // to controller) there is nothing to discard, so it is ignored: it neither supplies bytes
    // nor counts toward the transfer (the reading of 1.3d QEMU followed; newer revisions refuse
    // it, which SGLS cannot say for one direction only).
    if (bucket && to_device_) return std::nullopt;
    // A zero-length descriptor describes nothing and is skipped (as QEMU does).
    if (d.length == 0) return std::nullopt;
    if (!bucket)
        if (auto bad = check_granularity(d)) return bad;
    if (d.length > remaining_)
        return length_invalid("length", d.length,
                              fmt::format("the list describes more than the transfer: {} bytes "
                                          "left, this descriptor has {} (SGLS bit 18 = 0)",
                                          remaining_, d.length));
    if (!bucket && d.address > std::numeric_limits<uint64_t>::max() - d.length)
        return length_invalid("address", d.address,
                              "the Data Block runs past the end of the address space");
    remaining_ -= d.length;
    WalkStep s;
    s.kind = bucket ? WalkStep::Kind::Discard : WalkStep::Kind::Segment;
    s.addr = bucket ? 0 : d.address;
    s.len = d.length;
    return s;
}

WalkStep SglWalker::next(const HostMemory &memory) {
    while (!done()) {
        if (!started_) {
            if (auto bad = check_entries()) return *bad;
            if (from_mptr_ && read_.empty()) {
                // The one-descriptor segment MPTR points to is read first (§4.2, PSDT 10b).
                std::array<uint8_t, sizeof(spec::SglDescriptor)> raw{};
                if (!memory.dma_read(mptr_, raw))
                    return fail(spec::generic(GenericStatus::DataTransferError), "(MPTR)", mptr_,
                                "the metadata SGL descriptor is not in mapped host memory");
                spec::SglDescriptor d{};
                std::memcpy(&d, raw.data(), sizeof d);
                read_.assign(1, d);
                place_ = SglDescriptorPlace{0, 0, mptr_, d};
                return WalkStep{WalkStep::Kind::SegmentRead, mptr_, 1, spec::success(), {}};
            }
            started_ = true;
            const spec::SglDescriptor d = from_mptr_ ? read_.front() : sgl1_;
            read_.clear();
            place_ = SglDescriptorPlace{0, 0, from_mptr_ ? mptr_ : 0, d};
            if (auto step = take(d, true)) {
                // SGL1's data is the whole list: done() without another step.
                if (step->kind != WalkStep::Kind::Error && segment_ == 0 && remaining_ == 0)
                    ended_ = true;
                return *step;
            }
            continue;
        }
        if (segment_ == 0) { // the list was SGL1 alone
            if (auto bad = end_of_list()) return *bad;
            break;
        }
        if (seg_pos_ == seg_count_) {
            // The last descriptor of this segment was data: the list is over.
            if (auto bad = end_of_list()) return *bad;
            break;
        }
        if (seg_pos_ >= read_first_ + read_.size()) {
            // Read the next part of the segment from host memory.
            const uint64_t count = std::min(kDescriptorsPerRead, seg_count_ - seg_pos_);
            const uint64_t addr = seg_addr_ + seg_pos_ * sizeof(spec::SglDescriptor);
            read_.assign(count, spec::SglDescriptor{});
            const std::span<uint8_t> raw(reinterpret_cast<uint8_t *>(read_.data()),
                                         count * sizeof(spec::SglDescriptor));
            place_ = SglDescriptorPlace{segment_, seg_pos_, addr, {}};
            if (!memory.dma_read(addr, raw))
                return fail(spec::generic(GenericStatus::DataTransferError), "(segment)", addr,
                            "the SGL segment is not in mapped host memory");
            read_first_ = seg_pos_;
            return WalkStep{WalkStep::Kind::SegmentRead, addr, count, spec::success(), {}};
        }
        const spec::SglDescriptor d = read_[seg_pos_ - read_first_];
        const uint64_t index = seg_pos_++;
        place_ =
            SglDescriptorPlace{segment_, index, seg_addr_ + index * sizeof(spec::SglDescriptor), d};
        const bool last = seg_pos_ == seg_count_;
        const uint32_t segment_before = segment_;
        if (auto step = take(d, last)) {
            // The list ends with this descriptor's data: done() without another step.
            if (step->kind != WalkStep::Kind::Error && last && segment_ == segment_before &&
                remaining_ == 0)
                ended_ = true;
            return *step;
        }
    }
    return WalkStep{};
}

} // namespace nvmelab
