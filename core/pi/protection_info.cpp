#include "core/pi/protection_info.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define NVMELAB_CRC_CLMUL 1
#endif

namespace nvmelab::pi {

namespace {
// CRC-16 T10-DIF (§8.3.1): width 16, polynomial 8BB7h, initial 0, no final XOR, not reflected.
// Sliced by 16: table k holds the CRC of a byte followed by k zero bytes, so 16 bytes take 16
// independent lookups. Boost's crc_optimal goes a byte at a time (10 us per 4 KiB block on the
// benchmark machine) and made PRACT writes a tenth as fast as plain ones; this takes 0.9 us
// (g++ -O2). The test suite checks it against a bitwise CRC written from the polynomial.
constexpr uint16_t kPolynomial = 0x8BB7;
constexpr size_t kSlice = 16;
using CrcTables = std::array<std::array<uint16_t, 256>, kSlice>;

constexpr CrcTables make_crc_tables() {
    CrcTables t{};
    for (unsigned i = 0; i < 256; ++i) {
        auto c = static_cast<uint16_t>(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            c = static_cast<uint16_t>((c & 0x8000) ? (c << 1) ^ kPolynomial : c << 1);
        t[0][i] = c;
    }
    for (size_t k = 1; k < kSlice; ++k)
        for (unsigned i = 0; i < 256; ++i)
            t[k][i] = static_cast<uint16_t>(t[k - 1][i] << 8 ^ t[0][t[k - 1][i] >> 8]);
    return t;
}
constexpr CrcTables kCrcTables = make_crc_tables();

#ifdef NVMELAB_CRC_CLMUL
// Where the CPU multiplies without carries (PCLMULQDQ), 64-byte steps fold the message instead:
// four 128-bit accumulators, each multiplied forward by x^512 mod P per step (as in Intel's "Fast
// CRC Computation Using PCLMULQDQ"), folded into one at the end, whose 16 bytes the table then
// reduces to the CRC. 0.5 us per 4 KiB block against the table's 0.9-1.4 us on the benchmark
// machine. The result is the same bit for bit; the tests compare both with the bitwise CRC.
constexpr uint64_t x_pow_mod(unsigned n) {
    uint32_t r = 1;
    for (unsigned i = 0; i < n; ++i) {
        r <<= 1;
        if (r & 0x10000) r ^= 0x10000 | kPolynomial;
    }
    return r;
}
constexpr uint64_t kX128 = x_pow_mod(128), kX192 = x_pow_mod(192), kX512 = x_pow_mod(512),
                   kX576 = x_pow_mod(576);

// An accumulator times x^d: its high half by x^(d+64) mod P (k's high lane), its low half by
// x^d mod P (k's low lane).
[[gnu::target("pclmul,ssse3")]] inline __m128i fold(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x11), _mm_clmulepi64_si128(x, k, 0x00));
}
// 16 message bytes as a polynomial: the first byte's first bit is x^127.
[[gnu::target("pclmul,ssse3")]] inline __m128i load_reversed(const uint8_t *q) {
    const __m128i reverse = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    return _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i *>(q)), reverse);
}

// At least 64 bytes.
[[gnu::target("pclmul,ssse3")]] uint16_t folded_crc(std::span<const uint8_t> bytes, uint16_t crc) {
    const uint8_t *p = bytes.data();
    size_t n = bytes.size();
    // The register's value joins the message's first 16 bits, as the byte-wise form does.
    __m128i a0 = _mm_xor_si128(load_reversed(p),
                               _mm_set_epi64x(static_cast<long long>(uint64_t{crc} << 48), 0));
    __m128i a1 = load_reversed(p + 16), a2 = load_reversed(p + 32), a3 = load_reversed(p + 48);
    p += 64;
    n -= 64;
    const __m128i k512 =
        _mm_set_epi64x(static_cast<long long>(kX576), static_cast<long long>(kX512));
    for (; n >= 64; n -= 64, p += 64) {
        a0 = _mm_xor_si128(fold(a0, k512), load_reversed(p));
        a1 = _mm_xor_si128(fold(a1, k512), load_reversed(p + 16));
        a2 = _mm_xor_si128(fold(a2, k512), load_reversed(p + 32));
        a3 = _mm_xor_si128(fold(a3, k512), load_reversed(p + 48));
    }
    const __m128i k128 =
        _mm_set_epi64x(static_cast<long long>(kX192), static_cast<long long>(kX128));
    __m128i x = _mm_xor_si128(fold(a0, k128), a1);
    x = _mm_xor_si128(fold(x, k128), a2);
    x = _mm_xor_si128(fold(x, k128), a3);
    uint8_t folded[16];
    const __m128i reverse = _mm_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    _mm_storeu_si128(reinterpret_cast<__m128i *>(folded), _mm_shuffle_epi8(x, reverse));
    return crc16_t10dif_sliced({p, n}, crc16_t10dif_sliced(folded, 0));
}

bool cpu_multiplies_without_carry() {
    static const bool yes = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
    return yes;
}
#endif

constexpr uint16_t kEscapeAppTag = 0xFFFF;
constexpr uint32_t kEscapeRefTag = 0xFFFFFFFF;
} // namespace

Protection Protection::from_dps(uint8_t dps, uint32_t data_size, uint16_t metadata_size) {
    const uint8_t type = dps & 0x7;
    return Protection{type <= 3 ? static_cast<PiType>(type) : PiType::None, (dps & 0x8) != 0,
                      data_size, metadata_size};
}

uint16_t crc16_t10dif(std::span<const uint8_t> bytes, uint16_t crc) {
#ifdef NVMELAB_CRC_CLMUL
    if (bytes.size() >= 64 && cpu_multiplies_without_carry()) return folded_crc(bytes, crc);
#endif
    return crc16_t10dif_sliced(bytes, crc);
}

uint16_t crc16_t10dif_sliced(std::span<const uint8_t> bytes, uint16_t crc) {
    const auto &t = kCrcTables;
    const uint8_t *p = bytes.data();
    size_t n = bytes.size();
    for (; n >= kSlice; n -= kSlice, p += kSlice) {
        // The register meets the first two bytes; each byte then contributes its CRC shifted
        // past the bytes after it in the slice.
        // Written out: not every compiler unrolls the loop, and unrolled it is twice as fast.
        crc = static_cast<uint16_t>(
            t[15][p[0] ^ (crc >> 8)] ^ t[14][p[1] ^ (crc & 0xFF)] ^ t[13][p[2]] ^ t[12][p[3]] ^
            t[11][p[4]] ^ t[10][p[5]] ^ t[9][p[6]] ^ t[8][p[7]] ^ t[7][p[8]] ^ t[6][p[9]] ^
            t[5][p[10]] ^ t[4][p[11]] ^ t[3][p[12]] ^ t[2][p[13]] ^ t[1][p[14]] ^ t[0][p[15]]);
    }
    for (; n > 0; --n, ++p)
        crc = static_cast<uint16_t>(crc << 8 ^ t[0][(crc >> 8 ^ *p) & 0xFF]);
    return crc;
}

uint16_t block_guard(const Protection &p, std::span<const uint8_t> data,
                     std::span<const uint8_t> metadata) {
    uint16_t crc = crc16_t10dif(data);
    if (!p.first && p.metadata_size > sizeof(spec::PiTuple))
        crc = crc16_t10dif(metadata.first(p.tuple_offset()), crc);
    return crc;
}

uint32_t expected_ref_tag(const Protection &p, const PiRequest &r, uint64_t index) {
    if (p.type == PiType::Type3) return r.ref_tag;
    return static_cast<uint32_t>(r.ref_tag + index);
}

spec::PiTuple read_tuple(const Protection &p, std::span<const uint8_t> metadata) {
    spec::PiTuple t{};
    std::memcpy(&t, metadata.data() + p.tuple_offset(), sizeof t);
    return t;
}

void write_tuple(const Protection &p, std::span<uint8_t> metadata, const spec::PiTuple &t) {
    std::memcpy(metadata.data() + p.tuple_offset(), &t, sizeof t);
}

void generate(const Protection &p, const PiRequest &r, uint64_t index,
              std::span<const uint8_t> data, std::span<uint8_t> metadata) {
    spec::PiTuple t{};
    t.set(block_guard(p, data, metadata), r.app_tag, expected_ref_tag(p, r, index));
    write_tuple(p, metadata, t);
}

const char *check_name(Check c) {
    switch (c) {
    case Check::Guard:
        return "guard";
    case Check::AppTag:
        return "application tag";
    case Check::RefTag:
        return "reference tag";
    }
    return "?";
}

spec::Status CheckFailure::status() const {
    switch (check) {
    case Check::Guard:
        return spec::media(spec::MediaStatus::GuardCheckError);
    case Check::AppTag:
        return spec::media(spec::MediaStatus::ApplicationTagCheckError);
    case Check::RefTag:
        return spec::media(spec::MediaStatus::ReferenceTagCheckError);
    }
    return spec::media(spec::MediaStatus::GuardCheckError);
}

std::string CheckFailure::describe() const {
    switch (check) {
    case Check::Guard:
        return fmt::format("LBA {}: the guard is {:04X}h, the CRC-16 of the block's data is "
                           "{:04X}h",
                           lba, found, expected);
    case Check::AppTag:
        return fmt::format("LBA {}: the application tag under LBATM is {:04X}h, the command "
                           "expects {:04X}h (LBAT & LBATM)",
                           lba, found, expected);
    case Check::RefTag:
        return fmt::format("LBA {}: the reference tag is {:08X}h, the command expects "
                           "{:08X}h",
                           lba, found, expected);
    }
    return {};
}

bool checks_disabled(const Protection &p, const spec::PiTuple &t) {
    if (t.app_tag_value() != kEscapeAppTag) return false;
    return p.type != PiType::Type3 || t.ref_tag_value() == kEscapeRefTag;
}

BlockReport inspect(const Protection &p, const PiRequest &r, uint64_t index,
                    std::span<const uint8_t> data, std::span<const uint8_t> metadata) {
    BlockReport rep;
    rep.tuple = read_tuple(p, metadata);
    rep.escaped = checks_disabled(p, rep.tuple);
    auto fill = [&](Check c, uint8_t bit, uint32_t expected, uint32_t found) {
        CheckOutcome &o = rep.checks[static_cast<size_t>(c)];
        o.expected = expected;
        o.found = found;
        if (!r.checks(bit))
            o.result = CheckOutcome::Result::NotAsked;
        else if (rep.escaped)
            o.result = CheckOutcome::Result::Disabled;
        else
            o.result =
                expected == found ? CheckOutcome::Result::Passed : CheckOutcome::Result::Failed;
    };
    fill(Check::Guard, spec::kPrinfoCheckGuard, block_guard(p, data, metadata),
         rep.tuple.guard_value());
    fill(Check::AppTag, spec::kPrinfoCheckAppTag, r.app_tag & r.app_mask,
         rep.tuple.app_tag_value() & r.app_mask);
    fill(Check::RefTag, spec::kPrinfoCheckRefTag, expected_ref_tag(p, r, index),
         rep.tuple.ref_tag_value());
    return rep;
}

const char *check_result_name(CheckOutcome::Result r) {
    switch (r) {
    case CheckOutcome::Result::NotAsked:
        return "not asked";
    case CheckOutcome::Result::Passed:
        return "passed";
    case CheckOutcome::Result::Failed:
        return "FAILED";
    case CheckOutcome::Result::Disabled:
        return "disabled (escape value)";
    }
    return "?";
}

std::optional<CheckFailure> check(const Protection &p, const PiRequest &r, uint64_t index,
                                  std::span<const uint8_t> data,
                                  std::span<const uint8_t> metadata) {
    constexpr uint8_t kAnyCheck =
        spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag | spec::kPrinfoCheckRefTag;
    if ((r.prinfo & kAnyCheck) == 0) return std::nullopt;
    const spec::PiTuple t = read_tuple(p, metadata);
    if (checks_disabled(p, t)) return std::nullopt;
    const uint64_t lba = r.slba + index;
    if (r.checks(spec::kPrinfoCheckGuard)) {
        const uint16_t want = block_guard(p, data, metadata);
        if (t.guard_value() != want) return CheckFailure{Check::Guard, lba, want, t.guard_value()};
    }
    if (r.checks(spec::kPrinfoCheckAppTag)) {
        const uint16_t want = r.app_tag & r.app_mask;
        const uint16_t found = t.app_tag_value() & r.app_mask;
        if (found != want) return CheckFailure{Check::AppTag, lba, want, found};
    }
    if (r.checks(spec::kPrinfoCheckRefTag)) {
        const uint32_t want = expected_ref_tag(p, r, index);
        if (t.ref_tag_value() != want)
            return CheckFailure{Check::RefTag, lba, want, t.ref_tag_value()};
    }
    return std::nullopt;
}

std::optional<InvalidPi> validate(const Protection &p, const PiRequest &r) {
    if (!p.enabled()) {
        // The spec gives PRINFO no meaning without PI; asking for it is refused so the mistake
        // shows (docs/spec-decisions.md), as QEMU refuses PI it cannot honour.
        if (r.prinfo != 0)
            return InvalidPi{"CDW12.PRINFO", r.prinfo,
                             "the namespace is not formatted with protection information "
                             "(DPS = 0), so PRACT and PRCHK must be 0"};
        return std::nullopt;
    }
    // Type 1: the reference tag of each block is the low 32 bits of its LBA, so the command's
    // initial tag must be the SLBA's when it is checked (§8.3.1.1).
    if (p.type == PiType::Type1 && r.checks(spec::kPrinfoCheckRefTag) &&
        r.ref_tag != static_cast<uint32_t>(r.slba))
        return InvalidPi{"CDW14.(E)ILBRT", r.ref_tag,
                         fmt::format("PI type 1 checks the reference tag against the LBA: the "
                                     "initial reference tag must be the SLBA's low 32 bits, "
                                     "{:08X}h",
                                     static_cast<uint32_t>(r.slba))};
    return std::nullopt;
}

} // namespace nvmelab::pi
