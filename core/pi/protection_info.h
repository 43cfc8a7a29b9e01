#pragma once
// End-to-end data protection (NVMe 1.3 §8.3): the CRC-16 T10-DIF guard, generating a block's
// protection information tuple (PRACT) and checking it (PRCHK), for PI types 1, 2 and 3 with
// the tuple in the first or last 8 bytes of metadata. Pure functions over one block's data and
// metadata; the Read/Write handlers (core/commands/nvm_read_write.cpp) walk the blocks.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "core/spec/nvme_spec.h"

namespace nvmelab::pi {

// Identify Namespace DPS bits 2:0 (§5.15, Figure 114).
enum class PiType : uint8_t { None = 0, Type1 = 1, Type2 = 2, Type3 = 3 };

// How the namespace's format in use carries protection information.
struct Protection {
    PiType type = PiType::None;
    bool first = false; // DPS bit 3: the tuple is the first 8 bytes of metadata, else the last
    uint32_t data_size = 0;
    uint16_t metadata_size = 0;

    bool enabled() const { return type != PiType::None && metadata_size >= sizeof(spec::PiTuple); }
    // Where the tuple starts in a block's metadata.
    size_t tuple_offset() const { return first ? 0 : metadata_size - sizeof(spec::PiTuple); }
    // From Identify Namespace DPS and the format's sizes.
    static Protection from_dps(uint8_t dps, uint32_t data_size, uint16_t metadata_size);
};

// CRC-16 T10-DIF: polynomial 8BB7h, initial value 0, not reflected, no final XOR (§8.3.1);
// `crc` continues an earlier computation. "123456789" gives D0DBh.
uint16_t crc16_t10dif(std::span<const uint8_t> bytes, uint16_t crc = 0);
// The same from tables alone, 16 bytes a step: what crc16_t10dif uses for short spans and where
// the CPU has no carry-less multiply (WebAssembly); public so tests check both forms.
uint16_t crc16_t10dif_sliced(std::span<const uint8_t> bytes, uint16_t crc = 0);

// The guard of one block: the CRC of its data and, when the tuple is the last 8 bytes of a
// larger metadata field, of the metadata bytes before the tuple (as QEMU does).
uint16_t block_guard(const Protection &p, std::span<const uint8_t> data,
                     std::span<const uint8_t> metadata);

// What the command asks: PRINFO, (E)ILBRT, (E)LBAT, (E)LBATM and the SLBA (CDW10-15).
struct PiRequest {
    uint8_t prinfo = 0; // spec::kPrinfo* bits
    uint64_t slba = 0;
    uint32_t ref_tag = 0;
    uint16_t app_tag = 0;
    uint16_t app_mask = 0;

    bool pract() const { return (prinfo & spec::kPrinfoPract) != 0; }
    bool checks(uint8_t bit) const { return (prinfo & bit) != 0; }
    static PiRequest from(const spec::ReadWriteFields &f) {
        return PiRequest{f.prinfo, f.slba, f.reftag, f.apptag, f.appmask};
    }
};

// The reference tag block `index` of the command carries: the command's tag, plus the index
// for types 1 and 2 (it increments per block, wrapping at 2^32); type 3's is not incremented.
uint32_t expected_ref_tag(const Protection &p, const PiRequest &r, uint64_t index);

// The tuple of a block's metadata (which must be metadata_size bytes).
spec::PiTuple read_tuple(const Protection &p, std::span<const uint8_t> metadata);
void write_tuple(const Protection &p, std::span<uint8_t> metadata, const spec::PiTuple &t);

// PRACT on a write: fills the tuple of block `index` (guard of its data, LBAT, the expected
// reference tag), leaving the other metadata bytes as they are.
void generate(const Protection &p, const PiRequest &r, uint64_t index,
              std::span<const uint8_t> data, std::span<uint8_t> metadata);

enum class Check : uint8_t { Guard, AppTag, RefTag };
const char *check_name(Check c);

// A failed check: which, and what was expected and found (the application tag already masked
// by LBATM).
struct CheckFailure {
    Check check;
    uint64_t lba = 0;
    uint32_t expected = 0;
    uint32_t found = 0;
    // The status it completes with: SCT 2h, 82h / 83h / 84h (§4.6.1.2.4).
    spec::Status status() const;
    // "LBA 5: guard 1A2Bh expected (CRC-16 of the block), found 1A2Ch" and the like.
    std::string describe() const;
};

// Whether the tuple holds the escape values that turn checking off for the block (§8.3.1):
// application tag FFFFh for types 1 and 2; FFFFh and reference tag FFFFFFFFh for type 3.
bool checks_disabled(const Protection &p, const spec::PiTuple &t);

// The checks the request's PRCHK bits ask for, in the order guard, application tag,
// reference tag; the first that fails, if any. Block `index` of the command is at LBA
// r.slba + index.
std::optional<CheckFailure> check(const Protection &p, const PiRequest &r, uint64_t index,
                                  std::span<const uint8_t> data, std::span<const uint8_t> metadata);

// Every check of one block, whether asked or not, for a front end's per-LBA view.
struct CheckOutcome {
    enum class Result : uint8_t { NotAsked, Passed, Failed, Disabled };
    Result result = Result::NotAsked;
    uint32_t expected = 0;
    uint32_t found = 0;
};
const char *check_result_name(CheckOutcome::Result r);
struct BlockReport {
    spec::PiTuple tuple{};
    bool escaped = false;                 // the escape values are set: no check applies
    std::array<CheckOutcome, 3> checks{}; // indexed by Check
};
BlockReport inspect(const Protection &p, const PiRequest &r, uint64_t index,
                    std::span<const uint8_t> data, std::span<const uint8_t> metadata);

// Whether the command's PI fields are valid for the namespace (§8.3.1, status 81h Invalid
// Protection Information): the field, its value and the rule it breaks.
struct InvalidPi {
    const char *field;
    uint64_t value;
    std::string rule;
};
std::optional<InvalidPi> validate(const Protection &p, const PiRequest &r);

} // namespace nvmelab::pi
