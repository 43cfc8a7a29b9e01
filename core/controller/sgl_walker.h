#pragma once
// Walks a command's scatter gather list (NVMe 1.3 §4.4) one step at a time, with the step
// interface of PrpWalker (prp_walker.h): every segment read, every Data Block moved and every
// Bit Bucket discarded is its own traced event, and a descriptor that breaks a rule stops the
// walk with the status §4.4 gives it and an explanation naming that descriptor.
//
// What this controller supports is what Identify SGLS says (admin_identify.cpp, kSgls below):
// Data Block, Segment, Last Segment and Bit Bucket descriptors with the Address subtype, Data
// Blocks of dword granularity, an SGL exactly as long as its transfer (SGLS bit 18 = 0), and
// for metadata PSDT 01b (MPTR a byte-aligned buffer) and 10b (MPTR points to a one-descriptor
// segment). Keyed Data Blocks and the Offset subtype belong to NVMe over Fabrics.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/controller/prp_walker.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

// What Identify Controller SGLS advertises (§5.15): dword-granular SGLs (10b: a learner sees
// the SGL Data Block Granularity Invalid rule, the same dword rule PRP entries have; byte
// granularity is a fabrics-friendly extra nothing here needs), Bit Buckets, a byte-aligned
// contiguous MPTR (PSDT 01b) and MPTR pointing to an SGL (PSDT 10b).
inline constexpr uint32_t kSgls = spec::kSglsSupportedDwordAligned | spec::kSglsBitBucket |
                                  spec::kSglsByteAlignedMptr | spec::kSglsMptrSgl;

// Where a descriptor lies: SGL1 in the SQE (segment 0) or entry `index` of segment `segment`
// (1 = the segment SGL1 points to) at host address `addr`.
struct SglDescriptorPlace {
    uint32_t segment = 0;
    uint64_t index = 0;
    uint64_t addr = 0; // 0 for SGL1 in the SQE
    spec::SglDescriptor descriptor{};
};

class SglWalker {
public:
    // Which transfer the list describes: its errors name the data or the metadata SGL (§4.4:
    // Data SGL Length Invalid vs Metadata SGL Length Invalid).
    enum class Role : uint8_t { Data, Metadata };

    SglWalker() = default;
    // The list starting at SGL1 of the SQE. `to_device`: the data goes host -> controller (a
    // write), where Bit Buckets are ignored.
    SglWalker(spec::SglDescriptor sgl1, bool to_device, Role role = Role::Data);
    // The metadata list of PSDT 10b: MPTR is the address of a segment holding one descriptor.
    static SglWalker metadata_at(uint64_t mptr, bool to_device);

    void start(uint64_t length);
    // The rules that need no host memory (SGL1 alone, MPTR's alignment), so a command can fail
    // at decode like the PRP checks.
    std::optional<WalkStep> check_entries() const;
    // A data segment, a Bit Bucket's discard (Kind::Discard), a segment read (Kind::SegmentRead,
    // len = descriptors read), an error, or Done.
    WalkStep next(const HostMemory &memory);
    bool done() const { return remaining_ == 0 && ended_; }
    uint64_t remaining() const { return remaining_; }
    const char *entry_field() const {
        return role_ == Role::Data ? "SGL Data Block" : "metadata SGL Data Block";
    }
    static const char *section() { return "NVMe 1.3 §4.4"; }
    // The descriptor the last step came from (or the one that broke a rule), for a front end
    // drawing the walk.
    const SglDescriptorPlace &place() const { return place_; }

private:
    WalkStep fail(spec::Status status, const std::string &what, uint64_t value,
                  std::string rule) const;
    WalkStep length_invalid(const std::string &what, uint64_t value, std::string rule) const;
    // Handles one descriptor; nullopt when it produced no step (zero length, ignored Bit
    // Bucket, a segment pointer followed).
    std::optional<WalkStep> take(const spec::SglDescriptor &d, bool last_in_segment);
    std::optional<WalkStep> check_identifier(const spec::SglDescriptor &d) const;
    std::optional<WalkStep> check_granularity(const spec::SglDescriptor &d) const;
    std::optional<WalkStep> check_segment_pointer(const spec::SglDescriptor &d) const;
    std::string name() const; // of place_, e.g. "SGL segment 2 descriptor 3 @0x20030"
    // Ends the list: an error if it described less than the transfer.
    std::optional<WalkStep> end_of_list();

    spec::SglDescriptor sgl1_{};
    uint64_t mptr_ = 0;
    bool from_mptr_ = false;
    bool to_device_ = false;
    Role role_ = Role::Data;

    uint64_t length_ = 0;
    uint64_t remaining_ = 0;
    bool ended_ = true;
    bool started_ = false; // SGL1 (or the MPTR descriptor) taken
    uint64_t walked_ = 0;  // descriptors looked at, against limit_ (a looping chain ends)
    uint64_t limit_ = 0;

    // The segment being walked.
    uint32_t segment_ = 0;
    uint64_t seg_addr_ = 0;
    uint64_t seg_count_ = 0;
    bool seg_is_last_ = false;
    uint64_t seg_pos_ = 0;                  // next descriptor of the segment
    std::vector<spec::SglDescriptor> read_; // descriptors read, from entry read_first_
    uint64_t read_first_ = 0;
    SglDescriptorPlace place_;
};

} // namespace nvmelab
