// NVMe 1.3 wire-level definitions: registers, queue entries, command fields,
// status codes and the Identify / log page data structures.
//
// Every structure here is a plain little-endian host layout (x86 and wasm are
// little-endian). Field types are chosen so natural alignment yields the spec
// layout without packing; each size and offset is pinned by a static_assert.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace nvmelab::spec {

namespace detail {

// Extract bits hi:lo of v (inclusive).
template <typename T> constexpr T bits(T v, unsigned hi, unsigned lo) {
    const unsigned width = hi - lo + 1;
    const T mask =
        width >= sizeof(T) * 8 ? static_cast<T>(~T{0}) : static_cast<T>((T{1} << width) - 1);
    return static_cast<T>((v >> lo) & mask);
}

// Return v with bits hi:lo replaced by x (x is truncated to the field width).
template <typename T, typename U> constexpr T with_bits(T v, unsigned hi, unsigned lo, U x) {
    const unsigned width = hi - lo + 1;
    const T mask =
        width >= sizeof(T) * 8 ? static_cast<T>(~T{0}) : static_cast<T>((T{1} << width) - 1);
    return static_cast<T>((v & ~static_cast<T>(mask << lo)) |
                          static_cast<T>((static_cast<T>(x) & mask) << lo));
}

template <typename T> constexpr bool bit(T v, unsigned n) {
    return ((v >> n) & 1u) != 0;
}

template <typename T> constexpr T with_bit(T v, unsigned n, bool on) {
    return on ? static_cast<T>(v | (T{1} << n)) : static_cast<T>(v & ~(T{1} << n));
}

} // namespace detail

// ---------------------------------------------------------------------------
// Controller registers (NVMe 1.3 §3.1)
// ---------------------------------------------------------------------------

enum class Reg : uint32_t {
    Cap = 0x00,
    Vs = 0x08,
    Intms = 0x0C,
    Intmc = 0x10,
    Cc = 0x14,
    Csts = 0x1C,
    Nssr = 0x20,
    Aqa = 0x24,
    Asq = 0x28,
    Acq = 0x30,
    Cmbloc = 0x38,
    Cmbsz = 0x3C,
    Bpinfo = 0x40,
    Bprsel = 0x44,
    Bpmbl = 0x48,
    Doorbells = 0x1000,
};

// VS value reported by a 1.3.0 controller.
inline constexpr uint32_t kVersion1_3 = 0x00010300;
constexpr uint32_t make_version(uint16_t mjr, uint8_t mnr, uint8_t ter) {
    return (uint32_t{mjr} << 16) | (uint32_t{mnr} << 8) | ter;
}
// Only this exact value written to NSSR starts a subsystem reset; "NVMe" in ASCII (§3.1).
inline constexpr uint32_t kNssrResetValue = 0x4E564D65;

// Doorbell stride is 2^(2+DSTRD) bytes; SQ y tail and CQ y head interleave (§3.1).
constexpr uint32_t sq_tail_doorbell(uint16_t qid, uint8_t dstrd) {
    return static_cast<uint32_t>(Reg::Doorbells) + (2u * qid) * (4u << dstrd);
}
constexpr uint32_t cq_head_doorbell(uint16_t qid, uint8_t dstrd) {
    return static_cast<uint32_t>(Reg::Doorbells) + (2u * qid + 1u) * (4u << dstrd);
}

enum class Shn : uint8_t { None = 0, Normal = 1, Abrupt = 2 };
enum class Shst : uint8_t { Normal = 0, Processing = 1, Complete = 2 };
enum class ArbitrationMechanism : uint8_t {
    RoundRobin = 0,
    WeightedRoundRobinUrgent = 1,
    Vendor = 7
};

// CAP (§3.1)
struct CapReg {
    uint64_t raw;

    constexpr uint16_t mqes() const {
        return static_cast<uint16_t>(detail::bits<uint64_t>(raw, 15, 0));
    }
    constexpr bool cqr() const { return detail::bit(raw, 16); }
    // Bit 0 of the result = WRR with urgent class, bit 1 = vendor specific.
    constexpr uint8_t ams() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 18, 17));
    }
    constexpr uint8_t to() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 31, 24));
    }
    constexpr uint8_t dstrd() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 35, 32));
    }
    constexpr bool nssrs() const { return detail::bit(raw, 36); }
    // Bit 0 of the result = NVM command set.
    constexpr uint8_t css() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 44, 37));
    }
    constexpr bool bps() const { return detail::bit(raw, 45); }
    constexpr uint8_t mpsmin() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 51, 48));
    }
    constexpr uint8_t mpsmax() const {
        return static_cast<uint8_t>(detail::bits<uint64_t>(raw, 55, 52));
    }

    constexpr CapReg &set_mqes(uint16_t v) {
        raw = detail::with_bits(raw, 15, 0, v);
        return *this;
    }
    constexpr CapReg &set_cqr(bool v) {
        raw = detail::with_bit(raw, 16, v);
        return *this;
    }
    constexpr CapReg &set_ams(uint8_t v) {
        raw = detail::with_bits(raw, 18, 17, v);
        return *this;
    }
    constexpr CapReg &set_to(uint8_t v) {
        raw = detail::with_bits(raw, 31, 24, v);
        return *this;
    }
    constexpr CapReg &set_dstrd(uint8_t v) {
        raw = detail::with_bits(raw, 35, 32, v);
        return *this;
    }
    constexpr CapReg &set_nssrs(bool v) {
        raw = detail::with_bit(raw, 36, v);
        return *this;
    }
    constexpr CapReg &set_css(uint8_t v) {
        raw = detail::with_bits(raw, 44, 37, v);
        return *this;
    }
    constexpr CapReg &set_bps(bool v) {
        raw = detail::with_bit(raw, 45, v);
        return *this;
    }
    constexpr CapReg &set_mpsmin(uint8_t v) {
        raw = detail::with_bits(raw, 51, 48, v);
        return *this;
    }
    constexpr CapReg &set_mpsmax(uint8_t v) {
        raw = detail::with_bits(raw, 55, 52, v);
        return *this;
    }
};
static_assert(sizeof(CapReg) == 8);

// CC (§3.1)
struct CcReg {
    uint32_t raw;

    constexpr bool en() const { return detail::bit(raw, 0); }
    constexpr uint8_t css() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 6, 4));
    }
    constexpr uint8_t mps() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 10, 7));
    }
    constexpr uint8_t ams() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 13, 11));
    }
    constexpr uint8_t shn() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 15, 14));
    }
    constexpr uint8_t iosqes() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 19, 16));
    }
    constexpr uint8_t iocqes() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 23, 20));
    }

    constexpr CcReg &set_en(bool v) {
        raw = detail::with_bit(raw, 0, v);
        return *this;
    }
    constexpr CcReg &set_css(uint8_t v) {
        raw = detail::with_bits(raw, 6, 4, v);
        return *this;
    }
    constexpr CcReg &set_mps(uint8_t v) {
        raw = detail::with_bits(raw, 10, 7, v);
        return *this;
    }
    constexpr CcReg &set_ams(uint8_t v) {
        raw = detail::with_bits(raw, 13, 11, v);
        return *this;
    }
    constexpr CcReg &set_shn(uint8_t v) {
        raw = detail::with_bits(raw, 15, 14, v);
        return *this;
    }
    constexpr CcReg &set_iosqes(uint8_t v) {
        raw = detail::with_bits(raw, 19, 16, v);
        return *this;
    }
    constexpr CcReg &set_iocqes(uint8_t v) {
        raw = detail::with_bits(raw, 23, 20, v);
        return *this;
    }

    // Bits 3:1 and 31:24 are reserved in 1.3 (CRIME is 1.4+).
    static constexpr uint32_t writable_mask() { return 0x00FFFFF1u; }
};
static_assert(sizeof(CcReg) == 4);
static_assert(CcReg::writable_mask() == 0x00FFFFF1u);

// CSTS (§3.1)
struct CstsReg {
    uint32_t raw;

    constexpr bool rdy() const { return detail::bit(raw, 0); }
    constexpr bool cfs() const { return detail::bit(raw, 1); }
    constexpr uint8_t shst() const {
        return static_cast<uint8_t>(detail::bits<uint32_t>(raw, 3, 2));
    }
    constexpr bool nssro() const { return detail::bit(raw, 4); }
    constexpr bool pp() const { return detail::bit(raw, 5); }

    constexpr CstsReg &set_rdy(bool v) {
        raw = detail::with_bit(raw, 0, v);
        return *this;
    }
    constexpr CstsReg &set_cfs(bool v) {
        raw = detail::with_bit(raw, 1, v);
        return *this;
    }
    constexpr CstsReg &set_shst(uint8_t v) {
        raw = detail::with_bits(raw, 3, 2, v);
        return *this;
    }
    constexpr CstsReg &set_nssro(bool v) {
        raw = detail::with_bit(raw, 4, v);
        return *this;
    }
    constexpr CstsReg &set_pp(bool v) {
        raw = detail::with_bit(raw, 5, v);
        return *this;
    }
};
static_assert(sizeof(CstsReg) == 4);

// AQA (§3.1); both sizes are 0's based.
struct AqaReg {
    uint32_t raw;

    constexpr uint16_t asqs() const {
        return static_cast<uint16_t>(detail::bits<uint32_t>(raw, 11, 0));
    }
    constexpr uint16_t acqs() const {
        return static_cast<uint16_t>(detail::bits<uint32_t>(raw, 27, 16));
    }
    constexpr AqaReg &set_asqs(uint16_t v) {
        raw = detail::with_bits(raw, 11, 0, v);
        return *this;
    }
    constexpr AqaReg &set_acqs(uint16_t v) {
        raw = detail::with_bits(raw, 27, 16, v);
        return *this;
    }
};
static_assert(sizeof(AqaReg) == 4);

// ---------------------------------------------------------------------------
// Opcodes and identifiers
// ---------------------------------------------------------------------------

enum class AdminOpcode : uint8_t {
    DeleteIoSq = 0x00,
    CreateIoSq = 0x01,
    GetLogPage = 0x02,
    DeleteIoCq = 0x04,
    CreateIoCq = 0x05,
    Identify = 0x06,
    Abort = 0x08,
    SetFeatures = 0x09,
    GetFeatures = 0x0A,
    AsyncEventRequest = 0x0C,
    NamespaceManagement = 0x0D,
    FirmwareCommit = 0x10,
    FirmwareImageDownload = 0x11,
    DeviceSelfTest = 0x14,
    NamespaceAttachment = 0x15,
    KeepAlive = 0x18,
    DirectiveSend = 0x19,
    DirectiveReceive = 0x1A,
    VirtualizationManagement = 0x1C,
    NvmeMiSend = 0x1D,
    NvmeMiReceive = 0x1E,
    DoorbellBufferConfig = 0x7C,
    FormatNvm = 0x80,
    SecuritySend = 0x81,
    SecurityReceive = 0x82,
    Sanitize = 0x84,
};

enum class NvmOpcode : uint8_t {
    Flush = 0x00,
    Write = 0x01,
    Read = 0x02,
    WriteUncorrectable = 0x04,
    Compare = 0x05,
    WriteZeroes = 0x08,
    DatasetManagement = 0x09,
    ReservationRegister = 0x0D,
    ReservationReport = 0x0E,
    ReservationAcquire = 0x11,
    ReservationRelease = 0x15,
};

// Opcode bits 1:0 encode the data direction (§4.2).
enum class DataDirection : uint8_t {
    None = 0,
    HostToController = 1,
    ControllerToHost = 2,
    Bidirectional = 3
};
constexpr DataDirection opcode_direction(uint8_t opc) {
    return static_cast<DataDirection>(opc & 0x3);
}

enum class FeatureId : uint8_t {
    Arbitration = 0x01,
    PowerManagement = 0x02,
    LbaRangeType = 0x03,
    TemperatureThreshold = 0x04,
    ErrorRecovery = 0x05,
    VolatileWriteCache = 0x06,
    NumberOfQueues = 0x07,
    InterruptCoalescing = 0x08,
    InterruptVectorConfig = 0x09,
    WriteAtomicityNormal = 0x0A,
    AsyncEventConfig = 0x0B,
    AutonomousPowerStateTransition = 0x0C,
    HostMemoryBuffer = 0x0D,
    Timestamp = 0x0E,
    KeepAliveTimer = 0x0F,
    HostControlledThermalManagement = 0x10,
    NonOperationalPowerStateConfig = 0x11,
    SoftwareProgressMarker = 0x80,
    HostIdentifier = 0x81,
    ReservationNotificationMask = 0x82,
    ReservationPersistence = 0x83,
};

// Get Features SEL (§5.9).
enum class FeatureSelect : uint8_t {
    Current = 0,
    Default = 1,
    Saved = 2,
    SupportedCapabilities = 3
};

enum class LogId : uint8_t {
    ErrorInformation = 0x01,
    SmartHealth = 0x02,
    FirmwareSlot = 0x03,
    ChangedNamespaceList = 0x04,
    CommandsSupportedEffects = 0x05,
    DeviceSelfTest = 0x06,
    TelemetryHostInitiated = 0x07,
    TelemetryControllerInitiated = 0x08,
    ReservationNotification = 0x80,
    SanitizeStatus = 0x81,
};

enum class Cns : uint8_t {
    Namespace = 0x00,
    Controller = 0x01,
    ActiveNamespaceList = 0x02,
    NamespaceIdDescriptorList = 0x03,
    AllocatedNamespaceList = 0x10,
    AllocatedNamespace = 0x11,
    NamespaceAttachedControllers = 0x12,
    AllControllers = 0x13,
    PrimaryControllerCapabilities = 0x14,
    SecondaryControllerList = 0x15,
};

// ---------------------------------------------------------------------------
// Status (NVMe 1.3 §4.6.1)
// ---------------------------------------------------------------------------

enum class StatusCodeType : uint8_t {
    Generic = 0,
    CommandSpecific = 1,
    MediaError = 2,
    Vendor = 7
};

enum class GenericStatus : uint8_t {
    Success = 0x00,
    InvalidOpcode = 0x01,
    InvalidField = 0x02,
    CommandIdConflict = 0x03,
    DataTransferError = 0x04,
    AbortedPowerLoss = 0x05,
    InternalError = 0x06,
    AbortRequested = 0x07,
    AbortedSqDeletion = 0x08,
    AbortedFailedFused = 0x09,
    AbortedMissingFused = 0x0A,
    InvalidNamespaceOrFormat = 0x0B,
    CommandSequenceError = 0x0C,
    InvalidSglSegmentDescriptor = 0x0D,
    InvalidNumberOfSglDescriptors = 0x0E,
    DataSglLengthInvalid = 0x0F,
    MetadataSglLengthInvalid = 0x10,
    SglDescriptorTypeInvalid = 0x11,
    InvalidUseOfCmb = 0x12,
    PrpOffsetInvalid = 0x13,
    AtomicWriteUnitExceeded = 0x14,
    OperationDenied = 0x15,
    SglOffsetInvalid = 0x16,
    HostIdInconsistentFormat = 0x18,
    KeepAliveTimeoutExpired = 0x19,
    KeepAliveTimeoutInvalid = 0x1A,
    AbortedPreemptAndAbort = 0x1B,
    SanitizeFailed = 0x1C,
    SanitizeInProgress = 0x1D,
    SglDataBlockGranularityInvalid = 0x1E,
    // NVM command set generic codes (§6)
    LbaOutOfRange = 0x80,
    CapacityExceeded = 0x81,
    NamespaceNotReady = 0x82,
    ReservationConflict = 0x83,
    FormatInProgress = 0x84,
};

enum class CommandSpecificStatus : uint8_t {
    CompletionQueueInvalid = 0x00,
    InvalidQueueIdentifier = 0x01,
    InvalidQueueSize = 0x02,
    AbortCommandLimitExceeded = 0x03,
    AsyncEventRequestLimitExceeded = 0x05,
    InvalidFirmwareSlot = 0x06,
    InvalidFirmwareImage = 0x07,
    InvalidInterruptVector = 0x08,
    InvalidLogPage = 0x09,
    InvalidFormat = 0x0A,
    FwActivationRequiresConventionalReset = 0x0B,
    InvalidQueueDeletion = 0x0C,
    FeatureIdNotSaveable = 0x0D,
    FeatureNotChangeable = 0x0E,
    FeatureNotNamespaceSpecific = 0x0F,
    FwActivationRequiresSubsystemReset = 0x10,
    FwActivationRequiresReset = 0x11,
    FwActivationRequiresMaxTimeViolation = 0x12,
    FwActivationProhibited = 0x13,
    OverlappingRange = 0x14,
    NamespaceInsufficientCapacity = 0x15,
    NamespaceIdUnavailable = 0x16,
    NamespaceAlreadyAttached = 0x18,
    NamespaceIsPrivate = 0x19,
    NamespaceNotAttached = 0x1A,
    ThinProvisioningNotSupported = 0x1B,
    ControllerListInvalid = 0x1C,
    DeviceSelfTestInProgress = 0x1D,
    BootPartitionWriteProhibited = 0x1E,
    InvalidControllerIdentifier = 0x1F,
    InvalidSecondaryControllerState = 0x20,
    InvalidNumberOfControllerResources = 0x21,
    InvalidResourceIdentifier = 0x22,
    // NVM command set specific codes
    ConflictingAttributes = 0x80,
    InvalidProtectionInformation = 0x81,
    WriteToReadOnlyRange = 0x82,
};

enum class MediaStatus : uint8_t {
    WriteFault = 0x80,
    UnrecoveredReadError = 0x81,
    GuardCheckError = 0x82,
    ApplicationTagCheckError = 0x83,
    ReferenceTagCheckError = 0x84,
    CompareFailure = 0x85,
    AccessDenied = 0x86,
    DeallocatedOrUnwrittenBlock = 0x87,
};

// Status field without the phase bit, in the 15-bit "SCT<<8 | SC" form Linux and QEMU use.
struct Status {
    uint8_t sct;
    uint8_t sc;
    bool more;
    bool dnr;

    constexpr uint16_t field() const {
        return static_cast<uint16_t>(sc | ((sct & 0x7u) << 8) | (more ? 0x2000u : 0u) |
                                     (dnr ? 0x4000u : 0u));
    }
    constexpr bool ok() const { return sct == 0 && sc == 0; }
    static constexpr Status from_field(uint16_t f) {
        return Status{static_cast<uint8_t>((f >> 8) & 0x7), static_cast<uint8_t>(f & 0xFF),
                      (f & 0x2000) != 0, (f & 0x4000) != 0};
    }
    constexpr Status with_dnr(bool v = true) const { return Status{sct, sc, more, v}; }
    constexpr Status with_more(bool v = true) const { return Status{sct, sc, v, dnr}; }
    friend constexpr bool operator==(const Status &, const Status &) = default;
};

constexpr Status success() {
    return Status{0, 0, false, false};
}
constexpr Status generic(GenericStatus s, bool dnr = false) {
    return Status{static_cast<uint8_t>(StatusCodeType::Generic), static_cast<uint8_t>(s), false,
                  dnr};
}
constexpr Status command_specific(CommandSpecificStatus s, bool dnr = false) {
    return Status{static_cast<uint8_t>(StatusCodeType::CommandSpecific), static_cast<uint8_t>(s),
                  false, dnr};
}
constexpr Status media(MediaStatus s, bool dnr = false) {
    return Status{static_cast<uint8_t>(StatusCodeType::MediaError), static_cast<uint8_t>(s), false,
                  dnr};
}

// ---------------------------------------------------------------------------
// Queue entries (§4.2, §4.6)
// ---------------------------------------------------------------------------

struct Sqe {
    uint8_t opc;
    uint8_t flags; // 1:0 FUSE, 7:6 PSDT (CDW0 bits 9:8 and 15:14)
    uint16_t cid;
    uint32_t nsid;
    uint32_t cdw2;
    uint32_t cdw3;
    uint64_t mptr;
    uint64_t prp1; // also bytes 0-7 of SGL1 when PSDT != 0
    uint64_t prp2; // also bytes 8-15 of SGL1
    uint32_t cdw10;
    uint32_t cdw11;
    uint32_t cdw12;
    uint32_t cdw13;
    uint32_t cdw14;
    uint32_t cdw15;

    constexpr uint8_t fuse() const { return flags & 0x3; }
    constexpr uint8_t psdt() const { return static_cast<uint8_t>(flags >> 6); }
    constexpr void set_fuse(uint8_t v) { flags = detail::with_bits<uint8_t>(flags, 1, 0, v); }
    constexpr void set_psdt(uint8_t v) { flags = detail::with_bits<uint8_t>(flags, 7, 6, v); }

    // Dword n (0..15) of the 64-byte entry; n outside that range reads 0 / writes nothing.
    uint32_t cdw(int n) const {
        if (n < 0 || n > 15) return 0;
        uint32_t v;
        std::memcpy(&v, reinterpret_cast<const unsigned char *>(this) + n * 4, 4);
        return v;
    }
    void set_cdw(int n, uint32_t v) {
        if (n < 0 || n > 15) return;
        std::memcpy(reinterpret_cast<unsigned char *>(this) + n * 4, &v, 4);
    }
};
static_assert(sizeof(Sqe) == 64);
static_assert(offsetof(Sqe, opc) == 0);
static_assert(offsetof(Sqe, flags) == 1);
static_assert(offsetof(Sqe, cid) == 2);
static_assert(offsetof(Sqe, nsid) == 4);
static_assert(offsetof(Sqe, cdw2) == 8);
static_assert(offsetof(Sqe, cdw3) == 12);
static_assert(offsetof(Sqe, mptr) == 16);
static_assert(offsetof(Sqe, prp1) == 24);
static_assert(offsetof(Sqe, prp2) == 32);
static_assert(offsetof(Sqe, cdw10) == 40);
static_assert(offsetof(Sqe, cdw11) == 44);
static_assert(offsetof(Sqe, cdw12) == 48);
static_assert(offsetof(Sqe, cdw13) == 52);
static_assert(offsetof(Sqe, cdw14) == 56);
static_assert(offsetof(Sqe, cdw15) == 60);

struct Cqe {
    uint32_t dw0;
    uint32_t dw1;
    uint16_t sqhd;
    uint16_t sqid;
    uint16_t cid;
    uint16_t status; // bit 0 phase, 15:1 status field

    constexpr bool phase() const { return (status & 1u) != 0; }
    constexpr uint16_t status_field() const { return static_cast<uint16_t>(status >> 1); }
    constexpr uint8_t sc() const { return static_cast<uint8_t>((status >> 1) & 0xFF); }
    constexpr uint8_t sct() const { return static_cast<uint8_t>((status >> 9) & 0x7); }
    constexpr bool m() const { return (status & 0x4000u) != 0; }
    constexpr bool dnr() const { return (status & 0x8000u) != 0; }
    constexpr Status decoded_status() const { return Status::from_field(status_field()); }

    constexpr void set_phase(bool p) { status = detail::with_bit<uint16_t>(status, 0, p); }
    // Writes the 15-bit status field and the phase tag together.
    constexpr void set_status(const Status &s, bool p) {
        status = static_cast<uint16_t>((s.field() << 1) | (p ? 1u : 0u));
    }
};
static_assert(sizeof(Cqe) == 16);
static_assert(offsetof(Cqe, dw0) == 0);
static_assert(offsetof(Cqe, dw1) == 4);
static_assert(offsetof(Cqe, sqhd) == 8);
static_assert(offsetof(Cqe, sqid) == 10);
static_assert(offsetof(Cqe, cid) == 12);
static_assert(offsetof(Cqe, status) == 14);

// ---------------------------------------------------------------------------
// Scatter gather lists (§4.4). SGL1 is SQE bytes 24-39 when CDW0.PSDT is 01b or 10b; with
// PSDT 10b, MPTR points to a one-descriptor segment for the metadata.
// ---------------------------------------------------------------------------

// SGL descriptor type: the high nibble of the SGL identifier, byte 15 (§4.4, Figure 20).
enum class SglType : uint8_t {
    DataBlock = 0x0,
    BitBucket = 0x1,
    Segment = 0x2,
    LastSegment = 0x3,
    KeyedDataBlock = 0x4, // NVMe over Fabrics only; 5h-Eh reserved, Fh vendor specific
    VendorSpecific = 0xF,
};
// SGL descriptor subtype: the low nibble of byte 15.
enum class SglSubtype : uint8_t {
    Address = 0x0, // the Address field is a host memory address (the only one over PCIe)
    Offset = 0x1,  // the Address field is an offset (fabrics, SGLS bit 20)
};

// One 16-byte SGL descriptor. Data Block, Segment and Last Segment use address and length;
// a Bit Bucket's address is reserved; a Keyed Data Block reuses bytes 8-14 as a 24-bit
// length and a key (not kept here: this transport does not accept it).
struct SglDescriptor {
    uint64_t address;
    uint32_t length;
    uint8_t rsvd12[3];
    uint8_t identifier; // 7:4 type (SglType), 3:0 subtype (SglSubtype)

    constexpr uint8_t type() const { return static_cast<uint8_t>(identifier >> 4); }
    constexpr uint8_t subtype() const { return identifier & 0xF; }
    static constexpr uint8_t make_identifier(SglType t, SglSubtype st = SglSubtype::Address) {
        return static_cast<uint8_t>(static_cast<uint8_t>(t) << 4 | static_cast<uint8_t>(st));
    }
    // SGL1 of a command, from the two quadwords of its DPTR.
    static constexpr SglDescriptor from_dptr(uint64_t qword0, uint64_t qword1) {
        return SglDescriptor{qword0,
                             static_cast<uint32_t>(qword1),
                             {static_cast<uint8_t>(qword1 >> 32),
                              static_cast<uint8_t>(qword1 >> 40),
                              static_cast<uint8_t>(qword1 >> 48)},
                             static_cast<uint8_t>(qword1 >> 56)};
    }
    // The second quadword (bytes 8-15) as PRP2 holds it.
    constexpr uint64_t qword1() const {
        return uint64_t{length} | uint64_t{rsvd12[0]} << 32 | uint64_t{rsvd12[1]} << 40 |
               uint64_t{rsvd12[2]} << 48 | uint64_t{identifier} << 56;
    }
};
static_assert(sizeof(SglDescriptor) == 16);
static_assert(offsetof(SglDescriptor, address) == 0);
static_assert(offsetof(SglDescriptor, length) == 8);
static_assert(offsetof(SglDescriptor, rsvd12) == 12);
static_assert(offsetof(SglDescriptor, identifier) == 15);

// Identify Controller SGLS (§5.15, Figure 109).
inline constexpr uint32_t kSglsSupportMask = 0x3;           // 1:0: 00b none
inline constexpr uint32_t kSglsSupportedByteAligned = 0x1;  // 01b: no alignment rule
inline constexpr uint32_t kSglsSupportedDwordAligned = 0x2; // 10b: Data Blocks dword granular
inline constexpr uint32_t kSglsKeyedDataBlock = 1u << 2;
inline constexpr uint32_t kSglsBitBucket = 1u << 16;
inline constexpr uint32_t kSglsByteAlignedMptr = 1u << 17; // PSDT 01b: MPTR byte aligned
inline constexpr uint32_t kSglsLongerThanTransfer = 1u << 18;
inline constexpr uint32_t kSglsMptrSgl = 1u << 19; // PSDT 10b: MPTR -> one-descriptor SGL
inline constexpr uint32_t kSglsAddressAsOffset = 1u << 20;

// ---------------------------------------------------------------------------
// Command-specific dword views. decode() reads an Sqe; apply() overwrites the
// dwords the command defines (whole dwords, so reserved bits become 0).
// Sizes (qsize, nlb, numd) stay 0's based as on the wire.
// ---------------------------------------------------------------------------

// Create I/O Completion Queue (§5.3)
struct CreateIoCqFields {
    uint16_t qid;
    uint16_t qsize;
    bool pc;
    bool ien;
    uint16_t iv;

    static constexpr CreateIoCqFields decode(const Sqe &s) {
        return CreateIoCqFields{static_cast<uint16_t>(s.cdw10 & 0xFFFF),
                                static_cast<uint16_t>(s.cdw10 >> 16), detail::bit(s.cdw11, 0),
                                detail::bit(s.cdw11, 1), static_cast<uint16_t>(s.cdw11 >> 16)};
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = qid | (uint32_t{qsize} << 16);
        s.cdw11 = (pc ? 1u : 0u) | (ien ? 2u : 0u) | (uint32_t{iv} << 16);
    }
};

// Create I/O Submission Queue (§5.4); QPRIO only matters under WRR arbitration.
struct CreateIoSqFields {
    uint16_t qid;
    uint16_t qsize;
    bool pc;
    uint8_t qprio; // 0 urgent, 1 high, 2 medium, 3 low
    uint16_t cqid;

    static constexpr CreateIoSqFields decode(const Sqe &s) {
        return CreateIoSqFields{static_cast<uint16_t>(s.cdw10 & 0xFFFF),
                                static_cast<uint16_t>(s.cdw10 >> 16), detail::bit(s.cdw11, 0),
                                static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw11, 2, 1)),
                                static_cast<uint16_t>(s.cdw11 >> 16)};
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = qid | (uint32_t{qsize} << 16);
        s.cdw11 = (pc ? 1u : 0u) | ((qprio & 0x3u) << 1) | (uint32_t{cqid} << 16);
    }
};

// Delete I/O Submission / Completion Queue (§5)
struct DeleteIoQueueFields {
    uint16_t qid;

    static constexpr DeleteIoQueueFields decode(const Sqe &s) {
        return DeleteIoQueueFields{static_cast<uint16_t>(s.cdw10 & 0xFFFF)};
    }
    constexpr void apply(Sqe &s) const { s.cdw10 = qid; }
};

// Identify (§5.15)
struct IdentifyFields {
    uint8_t cns;
    uint16_t cntid;

    static constexpr IdentifyFields decode(const Sqe &s) {
        return IdentifyFields{static_cast<uint8_t>(s.cdw10 & 0xFF),
                              static_cast<uint16_t>(s.cdw10 >> 16)};
    }
    constexpr void apply(Sqe &s) const { s.cdw10 = cns | (uint32_t{cntid} << 16); }
};

// Abort (§5.1); DW0 bit 0 of the completion is 1 when the command was not aborted.
struct AbortFields {
    uint16_t sqid;
    uint16_t cid;

    static constexpr AbortFields decode(const Sqe &s) {
        return AbortFields{static_cast<uint16_t>(s.cdw10 & 0xFFFF),
                           static_cast<uint16_t>(s.cdw10 >> 16)};
    }
    constexpr void apply(Sqe &s) const { s.cdw10 = sqid | (uint32_t{cid} << 16); }
};

// Get Log Page (§5.14). NUMDU and LPOL/LPOU are valid only if LPA bit 2 is set.
struct GetLogPageFields {
    uint8_t lid;
    uint8_t lsp; // 4 bits in 1.3
    bool rae;
    uint16_t numdl;
    uint16_t numdu;
    uint32_t lpol;
    uint32_t lpou;

    // Combined dword count, still 0's based.
    constexpr uint64_t numd() const { return (uint64_t{numdu} << 16) | numdl; }
    constexpr uint64_t length_bytes() const { return (numd() + 1) * 4; }
    constexpr uint64_t offset() const { return (uint64_t{lpou} << 32) | lpol; }
    // Sets NUMDL/NUMDU from a byte count (rounded up to whole dwords; 0 treated as 4).
    constexpr void set_length_bytes(uint64_t bytes) {
        const uint64_t dwords = bytes == 0 ? 1 : (bytes + 3) / 4;
        const uint64_t n = dwords - 1;
        numdl = static_cast<uint16_t>(n & 0xFFFF);
        numdu = static_cast<uint16_t>((n >> 16) & 0xFFFF);
    }
    constexpr void set_offset(uint64_t off) {
        lpol = static_cast<uint32_t>(off);
        lpou = static_cast<uint32_t>(off >> 32);
    }

    static constexpr GetLogPageFields decode(const Sqe &s) {
        return GetLogPageFields{static_cast<uint8_t>(s.cdw10 & 0xFF),
                                static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw10, 11, 8)),
                                detail::bit(s.cdw10, 15),
                                static_cast<uint16_t>(s.cdw10 >> 16),
                                static_cast<uint16_t>(s.cdw11 & 0xFFFF),
                                s.cdw12,
                                s.cdw13};
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = lid | ((lsp & 0xFu) << 8) | (rae ? 0x8000u : 0u) | (uint32_t{numdl} << 16);
        s.cdw11 = numdu;
        s.cdw12 = lpol;
        s.cdw13 = lpou;
    }
};

// Get Features (§5.9)
struct GetFeaturesFields {
    uint8_t fid;
    uint8_t sel; // FeatureSelect

    static constexpr GetFeaturesFields decode(const Sqe &s) {
        return GetFeaturesFields{static_cast<uint8_t>(s.cdw10 & 0xFF),
                                 static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw10, 10, 8))};
    }
    constexpr void apply(Sqe &s) const { s.cdw10 = fid | ((sel & 0x7u) << 8); }
};

// Set Features (§5.21); the feature value itself goes in CDW11+ (see *Feature views).
struct SetFeaturesFields {
    uint8_t fid;
    bool sv;

    static constexpr SetFeaturesFields decode(const Sqe &s) {
        return SetFeaturesFields{static_cast<uint8_t>(s.cdw10 & 0xFF), detail::bit(s.cdw10, 31)};
    }
    constexpr void apply(Sqe &s) const { s.cdw10 = fid | (sv ? 0x80000000u : 0u); }
};

// Read / Write / Compare / Write Zeroes / Write Uncorrectable (§6).
struct ReadWriteFields {
    uint64_t slba;
    uint16_t nlb;   // 0's based
    uint8_t dtype;  // CDW12 23:20, Write only
    bool deac;      // CDW12 b25, Write Zeroes only
    uint8_t prinfo; // CDW12 29:26: 8 PRACT, 4 guard, 2 app tag, 1 ref tag
    bool fua;
    bool lr;
    uint8_t dsm;      // CDW13 7:0
    uint16_t dspec;   // CDW13 31:16, Write only
    uint32_t reftag;  // CDW14 (E)ILBRT
    uint16_t apptag;  // CDW15 15:0 (E)LBAT
    uint16_t appmask; // CDW15 31:16 (E)LBATM

    constexpr uint32_t block_count() const { return uint32_t{nlb} + 1; }
    constexpr bool pract() const { return (prinfo & 0x8) != 0; }
    constexpr bool prchk_guard() const { return (prinfo & 0x4) != 0; }
    constexpr bool prchk_apptag() const { return (prinfo & 0x2) != 0; }
    constexpr bool prchk_reftag() const { return (prinfo & 0x1) != 0; }

    static constexpr ReadWriteFields decode(const Sqe &s) {
        ReadWriteFields f{};
        f.slba = (uint64_t{s.cdw11} << 32) | s.cdw10;
        f.nlb = static_cast<uint16_t>(s.cdw12 & 0xFFFF);
        f.dtype = static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw12, 23, 20));
        f.deac = detail::bit(s.cdw12, 25);
        f.prinfo = static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw12, 29, 26));
        f.fua = detail::bit(s.cdw12, 30);
        f.lr = detail::bit(s.cdw12, 31);
        f.dsm = static_cast<uint8_t>(s.cdw13 & 0xFF);
        f.dspec = static_cast<uint16_t>(s.cdw13 >> 16);
        f.reftag = s.cdw14;
        f.apptag = static_cast<uint16_t>(s.cdw15 & 0xFFFF);
        f.appmask = static_cast<uint16_t>(s.cdw15 >> 16);
        return f;
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = static_cast<uint32_t>(slba);
        s.cdw11 = static_cast<uint32_t>(slba >> 32);
        s.cdw12 = nlb | ((dtype & 0xFu) << 20) | (deac ? (1u << 25) : 0u) |
                  ((prinfo & 0xFu) << 26) | (fua ? (1u << 30) : 0u) | (lr ? (1u << 31) : 0u);
        s.cdw13 = dsm | (uint32_t{dspec} << 16);
        s.cdw14 = reftag;
        s.cdw15 = apptag | (uint32_t{appmask} << 16);
    }
};

// Dataset Management (§6)
struct DatasetManagementFields {
    uint8_t nr; // number of ranges, 0's based
    bool idr;
    bool idw;
    bool ad;

    static constexpr DatasetManagementFields decode(const Sqe &s) {
        return DatasetManagementFields{static_cast<uint8_t>(s.cdw10 & 0xFF),
                                       detail::bit(s.cdw11, 0), detail::bit(s.cdw11, 1),
                                       detail::bit(s.cdw11, 2)};
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = nr;
        s.cdw11 = (idr ? 1u : 0u) | (idw ? 2u : 0u) | (ad ? 4u : 0u);
    }
};

// Dataset Management range entry (16 B)
struct DsmRange {
    uint32_t cattr;
    uint32_t nlb; // not 0's based
    uint64_t slba;
};
static_assert(sizeof(DsmRange) == 16);
static_assert(offsetof(DsmRange, cattr) == 0);
static_assert(offsetof(DsmRange, nlb) == 4);
static_assert(offsetof(DsmRange, slba) == 8);

// Format NVM (§5)
struct FormatNvmFields {
    uint8_t lbaf;
    bool mset;
    uint8_t pi;
    bool pil;
    uint8_t ses;

    static constexpr FormatNvmFields decode(const Sqe &s) {
        return FormatNvmFields{
            static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw10, 3, 0)), detail::bit(s.cdw10, 4),
            static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw10, 7, 5)), detail::bit(s.cdw10, 8),
            static_cast<uint8_t>(detail::bits<uint32_t>(s.cdw10, 11, 9))};
    }
    constexpr void apply(Sqe &s) const {
        s.cdw10 = (lbaf & 0xFu) | (mset ? 0x10u : 0u) | ((pi & 0x7u) << 5) | (pil ? 0x100u : 0u) |
                  ((ses & 0x7u) << 9);
    }
};

// ---------------------------------------------------------------------------
// Feature values (§5.21.1). decode() takes CDW11 of Set Features (or DW0 of a
// Get Features completion); encode() produces that dword.
// ---------------------------------------------------------------------------

struct ArbitrationFeature {
    uint8_t ab; // burst 2^n, 7 = no limit
    uint8_t lpw;
    uint8_t mpw;
    uint8_t hpw;

    static constexpr ArbitrationFeature decode(uint32_t v) {
        return ArbitrationFeature{static_cast<uint8_t>(v & 0x7), static_cast<uint8_t>(v >> 8),
                                  static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
    }
    constexpr uint32_t encode() const {
        return (ab & 0x7u) | (uint32_t{lpw} << 8) | (uint32_t{mpw} << 16) | (uint32_t{hpw} << 24);
    }
};

struct PowerManagementFeature {
    uint8_t ps; // 4:0
    uint8_t wh; // 7:5

    static constexpr PowerManagementFeature decode(uint32_t v) {
        return PowerManagementFeature{static_cast<uint8_t>(v & 0x1F),
                                      static_cast<uint8_t>((v >> 5) & 0x7)};
    }
    constexpr uint32_t encode() const { return (ps & 0x1Fu) | ((wh & 0x7u) << 5); }
};

struct TemperatureThresholdFeature {
    uint16_t tmpth; // kelvin
    uint8_t tmpsel; // 0 composite, 1-8 sensor, Fh all
    uint8_t thsel;  // 0 over, 1 under

    static constexpr TemperatureThresholdFeature decode(uint32_t v) {
        return TemperatureThresholdFeature{static_cast<uint16_t>(v & 0xFFFF),
                                           static_cast<uint8_t>((v >> 16) & 0xF),
                                           static_cast<uint8_t>((v >> 20) & 0x3)};
    }
    constexpr uint32_t encode() const {
        return tmpth | ((tmpsel & 0xFu) << 16) | ((thsel & 0x3u) << 20);
    }
};

struct ErrorRecoveryFeature {
    uint16_t tler;
    bool dulbe;

    static constexpr ErrorRecoveryFeature decode(uint32_t v) {
        return ErrorRecoveryFeature{static_cast<uint16_t>(v & 0xFFFF), detail::bit(v, 16)};
    }
    constexpr uint32_t encode() const { return tler | (dulbe ? 0x10000u : 0u); }
};

struct VolatileWriteCacheFeature {
    bool wce;

    static constexpr VolatileWriteCacheFeature decode(uint32_t v) {
        return VolatileWriteCacheFeature{detail::bit(v, 0)};
    }
    constexpr uint32_t encode() const { return wce ? 1u : 0u; }
};

// Requested counts in CDW11 (NSQR/NCQR) and allocated counts in DW0 (NSQA/NCQA)
// share this layout; all 0's based.
struct NumberOfQueuesFeature {
    uint16_t nsqr;
    uint16_t ncqr;

    static constexpr NumberOfQueuesFeature decode(uint32_t v) {
        return NumberOfQueuesFeature{static_cast<uint16_t>(v & 0xFFFF),
                                     static_cast<uint16_t>(v >> 16)};
    }
    constexpr uint32_t encode() const { return nsqr | (uint32_t{ncqr} << 16); }
};

struct InterruptCoalescingFeature {
    uint8_t thr;  // 0's based
    uint8_t time; // 100 us units

    static constexpr InterruptCoalescingFeature decode(uint32_t v) {
        return InterruptCoalescingFeature{static_cast<uint8_t>(v & 0xFF),
                                          static_cast<uint8_t>((v >> 8) & 0xFF)};
    }
    constexpr uint32_t encode() const { return thr | (uint32_t{time} << 8); }
};

struct InterruptVectorConfigFeature {
    uint16_t iv;
    bool cd;

    static constexpr InterruptVectorConfigFeature decode(uint32_t v) {
        return InterruptVectorConfigFeature{static_cast<uint16_t>(v & 0xFFFF), detail::bit(v, 16)};
    }
    constexpr uint32_t encode() const { return iv | (cd ? 0x10000u : 0u); }
};

struct AsyncEventConfigFeature {
    uint8_t smart_warnings; // bit-for-bit with the SMART critical warning byte
    bool ns_attr;
    bool fw_activation;
    bool telemetry;

    static constexpr AsyncEventConfigFeature decode(uint32_t v) {
        return AsyncEventConfigFeature{static_cast<uint8_t>(v & 0xFF), detail::bit(v, 8),
                                       detail::bit(v, 9), detail::bit(v, 10)};
    }
    constexpr uint32_t encode() const {
        return smart_warnings | (ns_attr ? 0x100u : 0u) | (fw_activation ? 0x200u : 0u) |
               (telemetry ? 0x400u : 0u);
    }
};

// Asynchronous event completion DW0 (§5.2)
enum class AsyncEventType : uint8_t {
    Error = 0,
    SmartHealth = 1,
    Notice = 2,
    IoCommandSet = 6,
    Vendor = 7
};
constexpr uint32_t make_async_event_dw0(AsyncEventType type, uint8_t info, uint8_t lid) {
    return (static_cast<uint32_t>(type) & 0x7u) | (uint32_t{info} << 8) | (uint32_t{lid} << 16);
}

// ---------------------------------------------------------------------------
// Identify data structures (§5.15)
// ---------------------------------------------------------------------------

struct PowerStateDescriptor {
    uint16_t mp; // centiwatts, or 0.0001 W units if MXPS
    uint8_t rsvd2;
    uint8_t flags; // b0 MXPS, b1 NOPS
    uint32_t enlat;
    uint32_t exlat;
    uint8_t rrt;
    uint8_t rrl;
    uint8_t rwt;
    uint8_t rwl;
    uint16_t idlp;
    uint8_t ips; // 7:6
    uint8_t rsvd19;
    uint16_t actp;
    uint8_t apw_aps; // 2:0 APW, 7:6 APS
    uint8_t rsvd23[9];

    constexpr bool mxps() const { return (flags & 1u) != 0; }
    constexpr bool nops() const { return (flags & 2u) != 0; }
    constexpr uint8_t apw() const { return apw_aps & 0x7; }
    constexpr uint8_t aps() const { return static_cast<uint8_t>(apw_aps >> 6); }
};
static_assert(sizeof(PowerStateDescriptor) == 32);
static_assert(offsetof(PowerStateDescriptor, mp) == 0);
static_assert(offsetof(PowerStateDescriptor, rsvd2) == 2);
static_assert(offsetof(PowerStateDescriptor, flags) == 3);
static_assert(offsetof(PowerStateDescriptor, enlat) == 4);
static_assert(offsetof(PowerStateDescriptor, exlat) == 8);
static_assert(offsetof(PowerStateDescriptor, rrt) == 12);
static_assert(offsetof(PowerStateDescriptor, rrl) == 13);
static_assert(offsetof(PowerStateDescriptor, rwt) == 14);
static_assert(offsetof(PowerStateDescriptor, rwl) == 15);
static_assert(offsetof(PowerStateDescriptor, idlp) == 16);
static_assert(offsetof(PowerStateDescriptor, ips) == 18);
static_assert(offsetof(PowerStateDescriptor, rsvd19) == 19);
static_assert(offsetof(PowerStateDescriptor, actp) == 20);
static_assert(offsetof(PowerStateDescriptor, apw_aps) == 22);
static_assert(offsetof(PowerStateDescriptor, rsvd23) == 23);

struct IdentifyController {
    uint16_t vid;
    uint16_t ssvid;
    char sn[20];
    char mn[40];
    char fr[8];
    uint8_t rab;
    uint8_t ieee[3];
    uint8_t cmic;
    uint8_t mdts;
    uint16_t cntlid;
    uint32_t ver;
    uint32_t rtd3r;
    uint32_t rtd3e;
    uint32_t oaes;
    uint32_t ctratt;
    uint8_t rsvd100[12];
    uint8_t fguid[16];
    uint8_t rsvd128[112];
    uint8_t nvmemi[16];
    uint16_t oacs;
    uint8_t acl;
    uint8_t aerl;
    uint8_t frmw;
    uint8_t lpa;
    uint8_t elpe;
    uint8_t npss;
    uint8_t avscc;
    uint8_t apsta;
    uint16_t wctemp;
    uint16_t cctemp;
    uint16_t mtfa;
    uint32_t hmpre;
    uint32_t hmmin;
    uint8_t tnvmcap[16];
    uint8_t unvmcap[16];
    uint32_t rpmbs;
    uint16_t edstt;
    uint8_t dsto;
    uint8_t fwug;
    uint16_t kas;
    uint16_t hctma;
    uint16_t mntmt;
    uint16_t mxtmt;
    uint32_t sanicap;
    uint8_t rsvd332[180];
    uint8_t sqes;
    uint8_t cqes;
    uint16_t maxcmd;
    uint32_t nn;
    uint16_t oncs;
    uint16_t fuses;
    uint8_t fna;
    uint8_t vwc;
    uint16_t awun;
    uint16_t awupf;
    uint8_t nvscc;
    uint8_t rsvd531;
    uint16_t acwu;
    uint8_t rsvd534[2];
    uint32_t sgls;
    uint8_t rsvd540[228];
    char subnqn[256];
    uint8_t rsvd1024[768];
    uint8_t nvmeof[256];
    PowerStateDescriptor psd[32];
    uint8_t vs[1024];
};
static_assert(sizeof(IdentifyController) == 4096);
static_assert(offsetof(IdentifyController, vid) == 0);
static_assert(offsetof(IdentifyController, ssvid) == 2);
static_assert(offsetof(IdentifyController, sn) == 4);
static_assert(offsetof(IdentifyController, mn) == 24);
static_assert(offsetof(IdentifyController, fr) == 64);
static_assert(offsetof(IdentifyController, rab) == 72);
static_assert(offsetof(IdentifyController, ieee) == 73);
static_assert(offsetof(IdentifyController, cmic) == 76);
static_assert(offsetof(IdentifyController, mdts) == 77);
static_assert(offsetof(IdentifyController, cntlid) == 78);
static_assert(offsetof(IdentifyController, ver) == 80);
static_assert(offsetof(IdentifyController, rtd3r) == 84);
static_assert(offsetof(IdentifyController, rtd3e) == 88);
static_assert(offsetof(IdentifyController, oaes) == 92);
static_assert(offsetof(IdentifyController, ctratt) == 96);
static_assert(offsetof(IdentifyController, rsvd100) == 100);
static_assert(offsetof(IdentifyController, fguid) == 112);
static_assert(offsetof(IdentifyController, rsvd128) == 128);
static_assert(offsetof(IdentifyController, nvmemi) == 240);
static_assert(offsetof(IdentifyController, oacs) == 256);
static_assert(offsetof(IdentifyController, acl) == 258);
static_assert(offsetof(IdentifyController, aerl) == 259);
static_assert(offsetof(IdentifyController, frmw) == 260);
static_assert(offsetof(IdentifyController, lpa) == 261);
static_assert(offsetof(IdentifyController, elpe) == 262);
static_assert(offsetof(IdentifyController, npss) == 263);
static_assert(offsetof(IdentifyController, avscc) == 264);
static_assert(offsetof(IdentifyController, apsta) == 265);
static_assert(offsetof(IdentifyController, wctemp) == 266);
static_assert(offsetof(IdentifyController, cctemp) == 268);
static_assert(offsetof(IdentifyController, mtfa) == 270);
static_assert(offsetof(IdentifyController, hmpre) == 272);
static_assert(offsetof(IdentifyController, hmmin) == 276);
static_assert(offsetof(IdentifyController, tnvmcap) == 280);
static_assert(offsetof(IdentifyController, unvmcap) == 296);
static_assert(offsetof(IdentifyController, rpmbs) == 312);
static_assert(offsetof(IdentifyController, edstt) == 316);
static_assert(offsetof(IdentifyController, dsto) == 318);
static_assert(offsetof(IdentifyController, fwug) == 319);
static_assert(offsetof(IdentifyController, kas) == 320);
static_assert(offsetof(IdentifyController, hctma) == 322);
static_assert(offsetof(IdentifyController, mntmt) == 324);
static_assert(offsetof(IdentifyController, mxtmt) == 326);
static_assert(offsetof(IdentifyController, sanicap) == 328);
static_assert(offsetof(IdentifyController, rsvd332) == 332);
static_assert(offsetof(IdentifyController, sqes) == 512);
static_assert(offsetof(IdentifyController, cqes) == 513);
static_assert(offsetof(IdentifyController, maxcmd) == 514);
static_assert(offsetof(IdentifyController, nn) == 516);
static_assert(offsetof(IdentifyController, oncs) == 520);
static_assert(offsetof(IdentifyController, fuses) == 522);
static_assert(offsetof(IdentifyController, fna) == 524);
static_assert(offsetof(IdentifyController, vwc) == 525);
static_assert(offsetof(IdentifyController, awun) == 526);
static_assert(offsetof(IdentifyController, awupf) == 528);
static_assert(offsetof(IdentifyController, nvscc) == 530);
static_assert(offsetof(IdentifyController, rsvd531) == 531);
static_assert(offsetof(IdentifyController, acwu) == 532);
static_assert(offsetof(IdentifyController, rsvd534) == 534);
static_assert(offsetof(IdentifyController, sgls) == 536);
static_assert(offsetof(IdentifyController, rsvd540) == 540);
static_assert(offsetof(IdentifyController, subnqn) == 768);
static_assert(offsetof(IdentifyController, rsvd1024) == 1024);
static_assert(offsetof(IdentifyController, nvmeof) == 1792);
static_assert(offsetof(IdentifyController, psd) == 2048);
static_assert(offsetof(IdentifyController, vs) == 3072);

struct LbaFormat {
    uint16_t ms;   // metadata bytes per LBA
    uint8_t lbads; // LBA data size = 2^lbads (>= 9 when valid)
    uint8_t rp;    // bits 1:0 relative performance

    constexpr uint8_t relative_performance() const { return rp & 0x3; }
};
static_assert(sizeof(LbaFormat) == 4);
static_assert(offsetof(LbaFormat, ms) == 0);
static_assert(offsetof(LbaFormat, lbads) == 2);
static_assert(offsetof(LbaFormat, rp) == 3);

struct IdentifyNamespace {
    uint64_t nsze;
    uint64_t ncap;
    uint64_t nuse;
    uint8_t nsfeat;
    uint8_t nlbaf; // 0's based
    uint8_t flbas;
    uint8_t mc;
    uint8_t dpc;
    uint8_t dps;
    uint8_t nmic;
    uint8_t rescap;
    uint8_t fpi;
    uint8_t dlfeat;
    uint16_t nawun;
    uint16_t nawupf;
    uint16_t nacwu;
    uint16_t nabsn;
    uint16_t nabo;
    uint16_t nabspf;
    uint16_t noiob;
    uint8_t nvmcap[16];
    uint8_t rsvd64[40];
    uint8_t nguid[16];
    uint8_t eui64[8];
    LbaFormat lbaf[16];
    uint8_t rsvd192[192];
    uint8_t vs[3712];

    constexpr uint8_t flbas_index() const { return flbas & 0xF; }
    // FLBAS b4: metadata transferred at the end of each LBA (extended LBA) vs. a separate buffer.
    constexpr bool flbas_extended() const { return (flbas & 0x10) != 0; }
    constexpr uint8_t pi_type() const { return dps & 0x7; }
    constexpr bool pi_first() const { return (dps & 0x8) != 0; }
    constexpr const LbaFormat &current_format() const { return lbaf[flbas_index()]; }
    constexpr uint32_t lba_data_size() const { return uint32_t{1} << current_format().lbads; }
};
static_assert(sizeof(IdentifyNamespace) == 4096);
static_assert(offsetof(IdentifyNamespace, nsze) == 0);
static_assert(offsetof(IdentifyNamespace, ncap) == 8);
static_assert(offsetof(IdentifyNamespace, nuse) == 16);
static_assert(offsetof(IdentifyNamespace, nsfeat) == 24);
static_assert(offsetof(IdentifyNamespace, nlbaf) == 25);
static_assert(offsetof(IdentifyNamespace, flbas) == 26);
static_assert(offsetof(IdentifyNamespace, mc) == 27);
static_assert(offsetof(IdentifyNamespace, dpc) == 28);
static_assert(offsetof(IdentifyNamespace, dps) == 29);
static_assert(offsetof(IdentifyNamespace, nmic) == 30);
static_assert(offsetof(IdentifyNamespace, rescap) == 31);
static_assert(offsetof(IdentifyNamespace, fpi) == 32);
static_assert(offsetof(IdentifyNamespace, dlfeat) == 33);
static_assert(offsetof(IdentifyNamespace, nawun) == 34);
static_assert(offsetof(IdentifyNamespace, nawupf) == 36);
static_assert(offsetof(IdentifyNamespace, nacwu) == 38);
static_assert(offsetof(IdentifyNamespace, nabsn) == 40);
static_assert(offsetof(IdentifyNamespace, nabo) == 42);
static_assert(offsetof(IdentifyNamespace, nabspf) == 44);
static_assert(offsetof(IdentifyNamespace, noiob) == 46);
static_assert(offsetof(IdentifyNamespace, nvmcap) == 48);
static_assert(offsetof(IdentifyNamespace, rsvd64) == 64);
static_assert(offsetof(IdentifyNamespace, nguid) == 104);
static_assert(offsetof(IdentifyNamespace, eui64) == 120);
static_assert(offsetof(IdentifyNamespace, lbaf) == 128);
static_assert(offsetof(IdentifyNamespace, rsvd192) == 192);
static_assert(offsetof(IdentifyNamespace, vs) == 384);

// Namespace Identification Descriptor (CNS 03h); the list ends at a zero header.
enum class NidType : uint8_t { Eui64 = 1, Nguid = 2, Uuid = 3 };
constexpr uint8_t nid_length(NidType t) {
    return t == NidType::Eui64 ? 8 : 16;
}

struct NsIdDescriptorHeader {
    uint8_t nidt;
    uint8_t nidl;
    uint8_t rsvd[2];
};
static_assert(sizeof(NsIdDescriptorHeader) == 4);
static_assert(offsetof(NsIdDescriptorHeader, nidt) == 0);
static_assert(offsetof(NsIdDescriptorHeader, nidl) == 1);
static_assert(offsetof(NsIdDescriptorHeader, rsvd) == 2);

// ---------------------------------------------------------------------------
// Log pages (§5.14.1)
// ---------------------------------------------------------------------------

struct ErrorLogEntry {
    uint64_t error_count;
    uint16_t sqid;
    uint16_t cid;
    uint16_t status_field;         // bit 0 phase, 15:1 status
    uint16_t param_error_location; // 7:0 byte, 10:8 bit; FFFFh = not applicable
    uint64_t lba;
    uint32_t nsid;
    uint8_t vs; // vendor specific log page id
    uint8_t rsvd29[3];
    uint64_t cs;
    uint8_t rsvd40[24];
};
static_assert(sizeof(ErrorLogEntry) == 64);
static_assert(offsetof(ErrorLogEntry, error_count) == 0);
static_assert(offsetof(ErrorLogEntry, sqid) == 8);
static_assert(offsetof(ErrorLogEntry, cid) == 10);
static_assert(offsetof(ErrorLogEntry, status_field) == 12);
static_assert(offsetof(ErrorLogEntry, param_error_location) == 14);
static_assert(offsetof(ErrorLogEntry, lba) == 16);
static_assert(offsetof(ErrorLogEntry, nsid) == 24);
static_assert(offsetof(ErrorLogEntry, vs) == 28);
static_assert(offsetof(ErrorLogEntry, rsvd29) == 29);
static_assert(offsetof(ErrorLogEntry, cs) == 32);
static_assert(offsetof(ErrorLogEntry, rsvd40) == 40);

// Parameter Error Location encoding: byte offset in the SQE plus bit number.
constexpr uint16_t param_error_location(unsigned byte, unsigned bit) {
    return static_cast<uint16_t>((byte & 0xFFu) | ((bit & 0x7u) << 8));
}
inline constexpr uint16_t kParamErrorLocationNone = 0xFFFF;

// Critical warning bits (SMART byte 0 and Async Event Configuration 7:0).
enum class CriticalWarning : uint8_t {
    SpareBelowThreshold = 0x01,
    Temperature = 0x02,
    ReliabilityDegraded = 0x04,
    ReadOnly = 0x08,
    VolatileBackupFailed = 0x10,
};

struct SmartLog {
    uint8_t critical_warning;
    uint8_t composite_temperature[2]; // kelvin; unaligned, hence bytes
    uint8_t available_spare;
    uint8_t available_spare_threshold;
    uint8_t percentage_used;
    uint8_t rsvd6[26];
    uint8_t data_units_read[16]; // thousands of 512-byte units
    uint8_t data_units_written[16];
    uint8_t host_read_commands[16];
    uint8_t host_write_commands[16];
    uint8_t controller_busy_time[16]; // minutes
    uint8_t power_cycles[16];
    uint8_t power_on_hours[16];
    uint8_t unsafe_shutdowns[16];
    uint8_t media_errors[16];
    uint8_t num_error_log_entries[16];
    uint32_t warning_temp_time;  // minutes
    uint32_t critical_temp_time; // minutes
    uint16_t temp_sensor[8];     // kelvin, 0 = not implemented
    uint32_t tmt1_transition_count;
    uint32_t tmt2_transition_count;
    uint32_t tmt1_total_time;
    uint32_t tmt2_total_time;
    uint8_t rsvd232[280];

    constexpr uint16_t composite_temp() const {
        return static_cast<uint16_t>(composite_temperature[0] | (composite_temperature[1] << 8));
    }
    constexpr void set_composite_temp(uint16_t kelvin) {
        composite_temperature[0] = static_cast<uint8_t>(kelvin & 0xFF);
        composite_temperature[1] = static_cast<uint8_t>(kelvin >> 8);
    }
};
static_assert(sizeof(SmartLog) == 512);
static_assert(offsetof(SmartLog, critical_warning) == 0);
static_assert(offsetof(SmartLog, composite_temperature) == 1);
static_assert(offsetof(SmartLog, available_spare) == 3);
static_assert(offsetof(SmartLog, available_spare_threshold) == 4);
static_assert(offsetof(SmartLog, percentage_used) == 5);
static_assert(offsetof(SmartLog, rsvd6) == 6);
static_assert(offsetof(SmartLog, data_units_read) == 32);
static_assert(offsetof(SmartLog, data_units_written) == 48);
static_assert(offsetof(SmartLog, host_read_commands) == 64);
static_assert(offsetof(SmartLog, host_write_commands) == 80);
static_assert(offsetof(SmartLog, controller_busy_time) == 96);
static_assert(offsetof(SmartLog, power_cycles) == 112);
static_assert(offsetof(SmartLog, power_on_hours) == 128);
static_assert(offsetof(SmartLog, unsafe_shutdowns) == 144);
static_assert(offsetof(SmartLog, media_errors) == 160);
static_assert(offsetof(SmartLog, num_error_log_entries) == 176);
static_assert(offsetof(SmartLog, warning_temp_time) == 192);
static_assert(offsetof(SmartLog, critical_temp_time) == 196);
static_assert(offsetof(SmartLog, temp_sensor) == 200);
static_assert(offsetof(SmartLog, tmt1_transition_count) == 216);
static_assert(offsetof(SmartLog, tmt2_transition_count) == 220);
static_assert(offsetof(SmartLog, tmt1_total_time) == 224);
static_assert(offsetof(SmartLog, tmt2_total_time) == 228);
static_assert(offsetof(SmartLog, rsvd232) == 232);

struct FirmwareSlotLog {
    uint8_t afi; // 2:0 active slot, 6:4 slot activated at next reset
    uint8_t rsvd1[7];
    char frs[7][8]; // FRS1..FRS7
    uint8_t rsvd64[448];
};
static_assert(sizeof(FirmwareSlotLog) == 512);
static_assert(offsetof(FirmwareSlotLog, afi) == 0);
static_assert(offsetof(FirmwareSlotLog, rsvd1) == 1);
static_assert(offsetof(FirmwareSlotLog, frs) == 8);
static_assert(offsetof(FirmwareSlotLog, rsvd64) == 64);

// Commands Supported and Effects entry bits (§5.14.1)
enum CommandEffect : uint32_t {
    kEffectCsupp = 1u << 0,
    kEffectLbcc = 1u << 1,
    kEffectNcc = 1u << 2,
    kEffectNic = 1u << 3,
    kEffectCcc = 1u << 4,
};
constexpr uint32_t command_effect_cse(uint8_t cse) {
    return (cse & 0x7u) << 16;
}

struct CommandEffectsLog {
    uint32_t acs[256];
    uint32_t iocs[256];
    uint8_t rsvd2048[2048];
};
static_assert(sizeof(CommandEffectsLog) == 4096);
static_assert(offsetof(CommandEffectsLog, acs) == 0);
static_assert(offsetof(CommandEffectsLog, iocs) == 1024);
static_assert(offsetof(CommandEffectsLog, rsvd2048) == 2048);

// --- The other 1.3 logs (issue 20): Device Self-test, Telemetry, Reservation Notification,
// Sanitize Status. Multi-byte fields at odd offsets are byte arrays (little endian).

// Device Self-test log (§5.14.1.6): the operation in progress and the last 20 results, newest
// first. An entry whose result is Fh is unused.
struct SelfTestResult {
    uint8_t status;  // 3:0 result, 7:4 self-test code
    uint8_t segment; // segment that failed
    uint8_t valid;   // b0 NSID, b1 FLBA, b2 SCT, b3 SC valid
    uint8_t rsvd3;
    uint8_t power_on_hours[8];
    uint8_t nsid[4];
    uint8_t failing_lba[8];
    uint8_t sct;
    uint8_t sc;
    uint8_t vs[2];
};
static_assert(sizeof(SelfTestResult) == 28);
static_assert(offsetof(SelfTestResult, power_on_hours) == 4);
static_assert(offsetof(SelfTestResult, nsid) == 12);
static_assert(offsetof(SelfTestResult, failing_lba) == 16);
static_assert(offsetof(SelfTestResult, sct) == 24);
static_assert(offsetof(SelfTestResult, sc) == 25);
inline constexpr uint8_t kSelfTestResultUnused = 0x0F;

struct DeviceSelfTestLog {
    uint8_t current_operation; // 3:0: 0 none, 1 short, 2 extended, Eh vendor
    uint8_t completion;        // 6:0 percent complete
    uint8_t rsvd2[2];
    SelfTestResult results[20];
};
static_assert(sizeof(DeviceSelfTestLog) == 564);
static_assert(offsetof(DeviceSelfTestLog, results) == 4);

// Telemetry Host-Initiated (07h) and Controller-Initiated (08h) log header (§5.14.1.7/8); the
// data areas follow in 512-byte blocks numbered from 1.
struct TelemetryLogHeader {
    uint8_t lid;
    uint8_t rsvd1[4];
    uint8_t ieee[3];
    uint16_t data_area1_last_block;
    uint16_t data_area2_last_block;
    uint16_t data_area3_last_block;
    uint8_t rsvd14[367];
    uint8_t host_generation;       // 07h: Telemetry Host-Initiated Data Generation Number
    uint8_t controller_available;  // Telemetry Controller-Initiated Data Available
    uint8_t controller_generation; // Telemetry Controller-Initiated Data Generation Number
    uint8_t reason[128];
};
static_assert(sizeof(TelemetryLogHeader) == 512);
static_assert(offsetof(TelemetryLogHeader, ieee) == 5);
static_assert(offsetof(TelemetryLogHeader, data_area1_last_block) == 8);
static_assert(offsetof(TelemetryLogHeader, data_area3_last_block) == 12);
static_assert(offsetof(TelemetryLogHeader, host_generation) == 381);
static_assert(offsetof(TelemetryLogHeader, controller_available) == 382);
static_assert(offsetof(TelemetryLogHeader, controller_generation) == 383);
static_assert(offsetof(TelemetryLogHeader, reason) == 384);
inline constexpr uint32_t kTelemetryBlock = 512;
// Get Log Page LSP bit 0 on log 07h: capture new Telemetry Host-Initiated data.
inline constexpr uint8_t kLspCreateTelemetryHostData = 0x1;

// Reservation Notification log (§5.14.1.9).
struct ReservationNotificationLog {
    uint64_t log_page_count;
    uint8_t type; // 0 empty, 1 registration preempted, 2 released, 3 preempted
    uint8_t available;
    uint8_t rsvd10[2];
    uint32_t nsid;
    uint8_t rsvd16[48];
};
static_assert(sizeof(ReservationNotificationLog) == 64);
static_assert(offsetof(ReservationNotificationLog, type) == 8);
static_assert(offsetof(ReservationNotificationLog, available) == 9);
static_assert(offsetof(ReservationNotificationLog, nsid) == 12);

// Sanitize Status log (§5.14.1.10).
struct SanitizeStatusLog {
    uint16_t sprog; // progress / 65536; FFFFh when no sanitize is in progress
    uint16_t sstat; // 2:0 status (0 never sanitized), 7:3 passes, b8 global data erased
    uint32_t scdw10;
    uint32_t estimated_overwrite_s;
    uint32_t estimated_block_erase_s;
    uint32_t estimated_crypto_erase_s;
    uint8_t rsvd20[492];
};
static_assert(sizeof(SanitizeStatusLog) == 512);
static_assert(offsetof(SanitizeStatusLog, sstat) == 2);
static_assert(offsetof(SanitizeStatusLog, scdw10) == 4);
static_assert(offsetof(SanitizeStatusLog, estimated_crypto_erase_s) == 16);

// ---------------------------------------------------------------------------
// End-to-end protection information (§8.3)
// ---------------------------------------------------------------------------

// The 8-byte protection information tuple as it lies in a block's metadata: the first or the
// last 8 bytes of it (DPS bit 3). Unlike the rest of NVMe its fields are big-endian (§8.3, as
// in T10 DIF), so they are kept as bytes and read through the accessors.
struct PiTuple {
    uint8_t guard[2];   // CRC-16 T10-DIF of the block's data (§8.3.1)
    uint8_t app_tag[2]; // application tag: opaque to the controller, checked under LBATM
    uint8_t ref_tag[4]; // reference tag: ties the block to its address (types 1, 2)

    constexpr uint16_t guard_value() const {
        return static_cast<uint16_t>(guard[0] << 8 | guard[1]);
    }
    constexpr uint16_t app_tag_value() const {
        return static_cast<uint16_t>(app_tag[0] << 8 | app_tag[1]);
    }
    constexpr uint32_t ref_tag_value() const {
        return uint32_t{ref_tag[0]} << 24 | uint32_t{ref_tag[1]} << 16 | uint32_t{ref_tag[2]} << 8 |
               ref_tag[3];
    }
    constexpr void set(uint16_t g, uint16_t app, uint32_t ref) {
        guard[0] = static_cast<uint8_t>(g >> 8);
        guard[1] = static_cast<uint8_t>(g);
        app_tag[0] = static_cast<uint8_t>(app >> 8);
        app_tag[1] = static_cast<uint8_t>(app);
        for (int i = 0; i < 4; ++i)
            ref_tag[i] = static_cast<uint8_t>(ref >> (24 - 8 * i));
    }
};
static_assert(sizeof(PiTuple) == 8);
static_assert(offsetof(PiTuple, guard) == 0);
static_assert(offsetof(PiTuple, app_tag) == 2);
static_assert(offsetof(PiTuple, ref_tag) == 4);

// PRINFO (CDW12 29:26 of Read, Write, Compare, Write Zeroes) as a nibble (§8.3.1).
inline constexpr uint8_t kPrinfoPract = 0x8;       // controller inserts / strips the PI
inline constexpr uint8_t kPrinfoCheckGuard = 0x4;  // PRCHK bit 2
inline constexpr uint8_t kPrinfoCheckAppTag = 0x2; // PRCHK bit 1
inline constexpr uint8_t kPrinfoCheckRefTag = 0x1; // PRCHK bit 0

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

// 128-bit little-endian counter from a 64-bit value (upper 8 bytes zero).
inline void put_u128(uint8_t (&dst)[16], uint64_t lo) {
    for (int i = 0; i < 8; ++i)
        dst[i] = static_cast<uint8_t>(lo >> (8 * i));
    for (int i = 8; i < 16; ++i)
        dst[i] = 0;
}

inline uint64_t get_u128_low(const uint8_t (&src)[16]) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | src[i];
    return v;
}

// Identify strings are ASCII, space padded, not NUL terminated.
inline void put_ascii(char *dst, size_t n, std::string_view s) {
    for (size_t i = 0; i < n; ++i)
        dst[i] = i < s.size() ? s[i] : ' ';
}

} // namespace nvmelab::spec
