#pragma once
// Open-Channel SSD 2.0 structures, opcodes and status codes, layered on NVMe 1.3. The OCSSD 2.0
// specification (rev 2.0, 2018-01-29) is reconstructed in ../shared/reference/ocssd-2.0.md from
// the code that implements it; section numbers below ("OC §n") refer to that sheet. Offsets are
// asserted against the layout of SPDK's spdk_ocssd_geometry_data / spdk_ocssd_chunk_information
// / spdk_ocssd_chunk_notification_entry (sizes 4096, 32 and 64 bytes).
#include <cstddef>
#include <cstdint>

#include "core/spec/nvme_spec.h"

namespace nvmelab::spec::ocssd {

// Major version in Geometry byte 0: hosts switch on it (1 = OCSSD 1.2, 2 = OCSSD 2.0, OC §1).
inline constexpr uint8_t kMajorVersion = 2;
inline constexpr uint8_t kMinorVersion = 0;
// Identify Namespace vendor-specific byte 0 (byte offset 384) = 01h marks a namespace an
// Open-Channel host may take over (Linux, SPDK; OC §1).
inline constexpr uint8_t kIdentifyVsMarker = 0x01;
// PCI IDs hosts match before looking at the namespace (CNEX Labs vendor, emulated device).
inline constexpr uint16_t kPciVendorId = 0x1D1D;
inline constexpr uint16_t kPciDeviceId = 0x1F1F;
// At most 64 LBAs in one vector command (OC §7, SPDK/Linux limit).
inline constexpr uint32_t kMaxLbalEntries = 64;

enum class AdminOpcode : uint8_t { Geometry = 0xE2 };
enum class IoOpcode : uint8_t {
    VectorReset = 0x90,
    VectorWrite = 0x91,
    VectorRead = 0x92,
    VectorCopy = 0x93,
};
enum class LogId : uint8_t { ChunkInformation = 0xCA, ChunkNotification = 0xD0 };
enum class FeatureId : uint8_t { MediaFeedback = 0xCA };

// SCT 2h (media and data integrity) codes OCSSD 2.0 defines (OC §9).
enum class MediaStatus : uint8_t {
    OfflineChunk = 0xC0,
    InvalidReset = 0xC1,
    ReadHighEcc = 0xD0,
    WriteNextUnit = 0xF0,
    ChunkEarlyClose = 0xF1,
    OutOfOrderWrite = 0xF2,
};
constexpr Status media(MediaStatus s, bool dnr = true) {
    return Status{static_cast<uint8_t>(StatusCodeType::MediaError), static_cast<uint8_t>(s), false,
                  dnr};
}

// Geometry LBAF (bytes 8-15): the widths of the address fields, packed from bit 0 upward in
// the order logical block, chunk, PU, group (OC §2).
struct LbaFormat {
    uint8_t grp_len;
    uint8_t pu_len;
    uint8_t chk_len;
    uint8_t lbk_len;
    uint8_t reserved[4];

    constexpr unsigned lbk_off() const { return 0; }
    constexpr unsigned chk_off() const { return lbk_len; }
    constexpr unsigned pu_off() const { return lbk_len + chk_len; }
    constexpr unsigned grp_off() const { return lbk_len + chk_len + pu_len; }
};
static_assert(sizeof(LbaFormat) == 8);

// The 4096-byte structure Geometry (E2h) returns (OC §3). Timing fields use the OCSSD 2.0 names
// (SPDK, Linux id20); QEMU calls the write and reset pairs tprt/tprm and tbet/tbem.
struct Geometry {
    uint8_t mjr;
    uint8_t mnr;
    uint8_t reserved2[6];
    LbaFormat lbaf;
    uint32_t mccap; // b0 vector copy, b1 multiple resets, b2 early reset of OPEN chunks (QEMU)
    uint8_t reserved20[12];
    uint8_t wit; // wear-level index delta threshold
    uint8_t reserved33[31];
    // Geometry related (64-127).
    uint16_t num_grp;
    uint16_t num_pu;
    uint32_t num_chk;
    uint32_t clba;
    uint8_t reserved76[52];
    // Write data requirements (128-191).
    uint32_t ws_min;
    uint32_t ws_opt;
    uint32_t mw_cunits;
    uint32_t maxoc;
    uint32_t maxocpu;
    uint8_t reserved148[44];
    // Performance related (192-255), nanoseconds.
    uint32_t trdt;
    uint32_t trdm;
    uint32_t twrt;
    uint32_t twrm;
    uint32_t tcrst;
    uint32_t tcrsm;
    uint8_t reserved216[40];
    uint8_t reserved256[2816];
    uint8_t vs[1024];
};
static_assert(sizeof(Geometry) == 4096);
static_assert(offsetof(Geometry, lbaf) == 8);
static_assert(offsetof(Geometry, mccap) == 16);
static_assert(offsetof(Geometry, wit) == 32);
static_assert(offsetof(Geometry, num_grp) == 64);
static_assert(offsetof(Geometry, num_pu) == 66);
static_assert(offsetof(Geometry, num_chk) == 68);
static_assert(offsetof(Geometry, clba) == 72);
static_assert(offsetof(Geometry, ws_min) == 128);
static_assert(offsetof(Geometry, ws_opt) == 132);
static_assert(offsetof(Geometry, mw_cunits) == 136);
static_assert(offsetof(Geometry, maxoc) == 140);
static_assert(offsetof(Geometry, maxocpu) == 144);
static_assert(offsetof(Geometry, trdt) == 192);
static_assert(offsetof(Geometry, trdm) == 196);
static_assert(offsetof(Geometry, twrt) == 200);
static_assert(offsetof(Geometry, twrm) == 204);
static_assert(offsetof(Geometry, tcrst) == 208);
static_assert(offsetof(Geometry, tcrsm) == 212);
static_assert(offsetof(Geometry, vs) == 3072);

namespace mccap {
inline constexpr uint32_t kVectorCopy = 1u << 0;
inline constexpr uint32_t kMultipleResets = 1u << 1;
inline constexpr uint32_t kEarlyReset = 1u << 2; // non-standard: QEMU/FEMU only (OC §3)
inline constexpr uint32_t kDefined = kVectorCopy | kMultipleResets | kEarlyReset;
} // namespace mccap

// Chunk state (descriptor byte 0): exactly one bit set (OC §4).
enum class ChunkState : uint8_t {
    Free = 1u << 0,
    Closed = 1u << 1,
    Open = 1u << 2,
    Offline = 1u << 3
};
// Chunk type (descriptor byte 1).
namespace chunk_type {
inline constexpr uint8_t kSequentialWrite = 1u << 0;
inline constexpr uint8_t kRandomWrite = 1u << 1;
inline constexpr uint8_t kSizeDeviates = 1u << 4;
} // namespace chunk_type

// One Chunk Information log entry (LID CAh, OC §4). WP counts logical blocks from the chunk's
// start (0 when FREE, CNLB when full), not an absolute address.
struct ChunkDescriptor {
    uint8_t cs;
    uint8_t ct;
    uint8_t wli;
    uint8_t reserved3[5];
    uint64_t slba;
    uint64_t cnlb;
    uint64_t wp;
};
static_assert(sizeof(ChunkDescriptor) == 32);
static_assert(offsetof(ChunkDescriptor, wli) == 2);
static_assert(offsetof(ChunkDescriptor, slba) == 8);
static_assert(offsetof(ChunkDescriptor, cnlb) == 16);
static_assert(offsetof(ChunkDescriptor, wp) == 24);

// One Chunk Notification log entry (LID D0h, OC §5).
struct ChunkNotificationEntry {
    uint64_t nc; // notification count: 1 for the first, +1 per event
    uint64_t lba;
    uint32_t nsid;
    uint16_t state;
    uint8_t mask;
    uint8_t reserved23[9];
    uint16_t nlb; // 0's based, when mask bit 0 is set
    uint8_t reserved34[30];
};
static_assert(sizeof(ChunkNotificationEntry) == 64);
static_assert(offsetof(ChunkNotificationEntry, lba) == 8);
static_assert(offsetof(ChunkNotificationEntry, nsid) == 16);
static_assert(offsetof(ChunkNotificationEntry, state) == 20);
static_assert(offsetof(ChunkNotificationEntry, mask) == 22);
static_assert(offsetof(ChunkNotificationEntry, nlb) == 32);

namespace notification_state {
inline constexpr uint16_t kErrorRateLow = 1u << 0;
inline constexpr uint16_t kErrorRateMedium = 1u << 1;
inline constexpr uint16_t kErrorRateHigh = 1u << 2;
inline constexpr uint16_t kUnrecoverable = 1u << 3;
inline constexpr uint16_t kRefreshed = 1u << 4;
inline constexpr uint16_t kWearLevelOutsideWit = 1u << 8;
} // namespace notification_state
namespace notification_mask {
inline constexpr uint8_t kLogicalBlocks = 1u << 0;
inline constexpr uint8_t kChunk = 1u << 1;
inline constexpr uint8_t kParallelUnit = 1u << 2;
} // namespace notification_mask

// Media Feedback feature (FID CAh, CDW11 / DW0): b0 HECC (report Read High ECC on Read 02h),
// b1 VHECC (the same on Vector Chunk Read 92h); 31:2 reserved (OC §6).
struct MediaFeedbackFeature {
    bool hecc;
    bool vhecc;
    static constexpr uint32_t kDefinedBits = 0x3;
    static constexpr MediaFeedbackFeature decode(uint32_t v) {
        return MediaFeedbackFeature{(v & 1u) != 0, (v & 2u) != 0};
    }
    constexpr uint32_t encode() const { return (hecc ? 1u : 0u) | (vhecc ? 2u : 0u); }
};

// Vector command fields (OC §7): CDW10-11 LBAL (the LBA itself when NLB = 0, else the address of
// NLB + 1 64-bit LBAs), CDW12 5:0 NLB (0's based), 30 FUA, 31 LR; CDW14-15 the destination LBAL
// of Vector Chunk Copy. MPTR (CDW4-5) is the metadata buffer, or for a reset an optional
// buffer receiving one chunk descriptor per entry.
struct VectorFields {
    uint64_t lbal;
    uint64_t dlbal;
    uint32_t nlb; // 0's based count of LBAs, 0..63
    bool fua;
    bool lr;
    // CDW12 bits the command defines: 5:0, 30, 31.
    static constexpr uint32_t kCdw12Defined = 0xC000003Fu;
    static VectorFields decode(const Sqe &q) {
        return VectorFields{uint64_t{q.cdw10} | uint64_t{q.cdw11} << 32,
                            uint64_t{q.cdw14} | uint64_t{q.cdw15} << 32, q.cdw12 & 0x3Fu,
                            (q.cdw12 & (1u << 30)) != 0, (q.cdw12 & (1u << 31)) != 0};
    }
};

// A vector command's completion: DW0-1 = a 64-bit bitmap, bit i set when LBAL entry i failed.
constexpr uint32_t bitmap_dw0(uint64_t bitmap) {
    return static_cast<uint32_t>(bitmap);
}
constexpr uint32_t bitmap_dw1(uint64_t bitmap) {
    return static_cast<uint32_t>(bitmap >> 32);
}

} // namespace nvmelab::spec::ocssd
