// End-to-end protection information (NVMe 1.3 §8.3): the CRC-16 T10-DIF guard, tuple generation
// and checking for PI types 1-3 and both tuple locations. Expected tuples are computed here, by a
// bitwise CRC written from the polynomial's definition, never by the device's own function.
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "doctest/doctest.h"

#include "core/pi/protection_info.h"

namespace nvmelab::test {
namespace {

// CRC-16 T10-DIF one bit at a time: polynomial x^16 + x^15 + x^11 + x^9 + x^8 + x^7 + x^5 + x^4
// + x^2 + x + 1 (8BB7h), initial 0, MSB first, no final XOR.
uint16_t reference_crc(std::span<const uint8_t> bytes, uint16_t crc = 0) {
    for (uint8_t b : bytes) {
        crc ^= static_cast<uint16_t>(b << 8);
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x8BB7)
                                 : static_cast<uint16_t>(crc << 1);
    }
    return crc;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 8));
    return v;
}

// The 8 big-endian tuple bytes, written out by hand.
std::vector<uint8_t> tuple_bytes(uint16_t guard, uint16_t app, uint32_t ref) {
    return {static_cast<uint8_t>(guard >> 8), static_cast<uint8_t>(guard),
            static_cast<uint8_t>(app >> 8),   static_cast<uint8_t>(app),
            static_cast<uint8_t>(ref >> 24),  static_cast<uint8_t>(ref >> 16),
            static_cast<uint8_t>(ref >> 8),   static_cast<uint8_t>(ref)};
}

pi::Protection protection(pi::PiType type, bool first, uint16_t ms, uint32_t ds = 512) {
    return pi::Protection{type, first, ds, ms};
}

} // namespace

TEST_SUITE("protection-info") {

    TEST_CASE("the reference CRC gives the published T10-DIF check values") {
        // These pin the test's own CRC to the standard before it judges the device.
        const std::string check = "123456789";
        CHECK(reference_crc({reinterpret_cast<const uint8_t *>(check.data()), check.size()}) ==
              0xD0DB);
        CHECK(reference_crc(std::vector<uint8_t>(512, 0x00)) == 0x0000);
        CHECK(reference_crc(std::vector<uint8_t>(512, 0xFF)) == 0xE6A1);
        CHECK(reference_crc(std::vector<uint8_t>(32, 0xFF)) == 0xA293);
        std::vector<uint8_t> ramp(32);
        for (size_t i = 0; i < ramp.size(); ++i)
            ramp[i] = static_cast<uint8_t>(i);
        CHECK(reference_crc(ramp) == 0x0224);
    }

    TEST_CASE("the device's CRC-16 T10-DIF matches the check values and the bitwise CRC") {
        const std::string check = "123456789";
        CHECK(pi::crc16_t10dif({reinterpret_cast<const uint8_t *>(check.data()), check.size()}) ==
              0xD0DB);
        CHECK(pi::crc16_t10dif(std::vector<uint8_t>(512, 0xFF)) == 0xE6A1);
        for (size_t n : {1u, 7u, 512u, 520u, 4096u}) {
            const auto data = pattern(n, static_cast<uint8_t>(n));
            CHECK(pi::crc16_t10dif(data) == reference_crc(data));
        }
        // Continuing a CRC over a second span equals one CRC over both.
        const auto a = pattern(100, 1), b = pattern(60, 9);
        std::vector<uint8_t> ab = a;
        ab.insert(ab.end(), b.begin(), b.end());
        CHECK(pi::crc16_t10dif(b, pi::crc16_t10dif(a)) == reference_crc(ab));
    }

    TEST_CASE("the tuple struct reads big-endian fields") {
        const auto raw = tuple_bytes(0x1234, 0xABCD, 0x01020304);
        spec::PiTuple t{};
        std::memcpy(&t, raw.data(), 8);
        CHECK(t.guard_value() == 0x1234);
        CHECK(t.app_tag_value() == 0xABCD);
        CHECK(t.ref_tag_value() == 0x01020304);
        spec::PiTuple u{};
        u.set(0x1234, 0xABCD, 0x01020304);
        CHECK(std::memcmp(&u, raw.data(), 8) == 0);
    }

    TEST_CASE("PRACT generation per type and tuple location") {
        const auto data = pattern(512, 3);
        for (pi::PiType type : {pi::PiType::Type1, pi::PiType::Type2, pi::PiType::Type3}) {
            for (bool first : {true, false}) {
                for (uint16_t ms : {uint16_t{8}, uint16_t{16}, uint16_t{64}}) {
                    CAPTURE(static_cast<int>(type));
                    CAPTURE(first);
                    CAPTURE(ms);
                    const auto p = protection(type, first, ms);
                    pi::PiRequest r{spec::kPrinfoPract, 1000, 0xFFFFFFFE, 0x5A5A, 0};
                    // Host metadata around the tuple stays as sent.
                    std::vector<uint8_t> md = pattern(ms, 0x40);
                    const std::vector<uint8_t> host_md = md;
                    const uint64_t index = 3;
                    pi::generate(p, r, index, data, md);
                    const size_t at = first ? 0 : ms - 8;
                    uint16_t guard = reference_crc(data);
                    if (!first && ms > 8) guard = reference_crc({host_md.data(), at}, guard);
                    // Types 1 and 2 increment the tag per block (wrapping); type 3 does not.
                    const uint32_t ref =
                        type == pi::PiType::Type3 ? 0xFFFFFFFEu : uint32_t{0xFFFFFFFEu + 3u};
                    const auto want = tuple_bytes(guard, 0x5A5A, ref);
                    CHECK(std::equal(want.begin(), want.end(), md.begin() + at));
                    for (size_t i = 0; i < ms; ++i)
                        if (i < at || i >= at + 8) CHECK(md[i] == host_md[i]);
                }
            }
        }
    }

    TEST_CASE("each PRCHK bit checks its own field and names the block") {
        const auto data = pattern(512, 11);
        for (bool first : {true, false}) {
            const auto p = protection(pi::PiType::Type2, first, 16);
            const size_t at = first ? 0 : 8;
            std::vector<uint8_t> md = pattern(16, 0x70);
            uint16_t guard = reference_crc(data);
            if (!first) guard = reference_crc({md.data(), 8}, guard);
            const auto good = tuple_bytes(guard, 0x1200, 77 + 2);
            std::copy(good.begin(), good.end(), md.begin() + at);
            pi::PiRequest r{spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag |
                                spec::kPrinfoCheckRefTag,
                            500, 77, 0x12FF, 0xFF00};
            CHECK_FALSE(pi::check(p, r, 2, data, md).has_value());

            SUBCASE("guard") {
                md[at] ^= 0x01;
                auto f = pi::check(p, r, 2, data, md);
                REQUIRE(f);
                CHECK(f->check == pi::Check::Guard);
                CHECK(f->lba == 502);
                CHECK(f->expected == guard);
                CHECK(f->found == (guard ^ 0x0100));
                CHECK(f->status() == spec::media(spec::MediaStatus::GuardCheckError));
                CHECK(f->describe().find("LBA 502") != std::string::npos);
                // Without the guard bit the flipped guard passes.
                r.prinfo &= ~spec::kPrinfoCheckGuard;
                CHECK_FALSE(pi::check(p, r, 2, data, md).has_value());
            }
            SUBCASE("data covered by the guard") {
                auto bad = data;
                bad[100] ^= 0x80;
                auto f = pi::check(p, r, 2, bad, md);
                REQUIRE(f);
                CHECK(f->check == pi::Check::Guard);
                // With the tuple last, the guard also covers the metadata before it.
                const uint16_t want =
                    first ? reference_crc(bad) : reference_crc({md.data(), 8}, reference_crc(bad));
                CHECK(f->expected == want);
                CHECK(f->found == guard);
            }
            SUBCASE("application tag under its mask") {
                // The low byte is masked off: changing it passes, changing the high byte fails.
                md[at + 3] ^= 0xFF;
                CHECK_FALSE(pi::check(p, r, 2, data, md).has_value());
                md[at + 2] ^= 0x01;
                auto f = pi::check(p, r, 2, data, md);
                REQUIRE(f);
                CHECK(f->check == pi::Check::AppTag);
                CHECK(f->expected == 0x1200);
                CHECK(f->found == 0x1300);
                CHECK(f->status() == spec::media(spec::MediaStatus::ApplicationTagCheckError));
                r.prinfo &= ~spec::kPrinfoCheckAppTag;
                CHECK_FALSE(pi::check(p, r, 2, data, md).has_value());
            }
            SUBCASE("reference tag") {
                md[at + 7] ^= 0x04;
                auto f = pi::check(p, r, 2, data, md);
                REQUIRE(f);
                CHECK(f->check == pi::Check::RefTag);
                CHECK(f->expected == 79);
                CHECK(f->found == (79 ^ 4));
                CHECK(f->status() == spec::media(spec::MediaStatus::ReferenceTagCheckError));
                r.prinfo &= ~spec::kPrinfoCheckRefTag;
                CHECK_FALSE(pi::check(p, r, 2, data, md).has_value());
            }
        }
    }

    TEST_CASE("type 3 does not increment the reference tag") {
        const auto data = pattern(512, 5);
        const auto p = protection(pi::PiType::Type3, true, 8);
        auto md = tuple_bytes(reference_crc(data), 0, 0xCAFE0000);
        pi::PiRequest r{spec::kPrinfoCheckRefTag, 9, 0xCAFE0000, 0, 0};
        CHECK_FALSE(pi::check(p, r, 5, data, md).has_value());
        const auto p1 = protection(pi::PiType::Type1, true, 8);
        auto f = pi::check(p1, r, 5, data, md);
        REQUIRE(f);
        CHECK(f->expected == 0xCAFE0005);
    }

    TEST_CASE("escape values turn checking off") {
        const auto data = pattern(512, 5);
        const uint8_t all =
            spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag | spec::kPrinfoCheckRefTag;
        pi::PiRequest r{all, 0, 0, 0x0001, 0xFFFF};
        // A tuple wrong in every field but with app tag FFFFh.
        const auto escaped = tuple_bytes(0xDEAD, 0xFFFF, 0x12345678);
        CHECK_FALSE(pi::check(protection(pi::PiType::Type1, true, 8), r, 0, data, escaped));
        CHECK_FALSE(pi::check(protection(pi::PiType::Type2, true, 8), r, 0, data, escaped));
        // Type 3 needs the reference tag FFFFFFFFh as well.
        CHECK(pi::check(protection(pi::PiType::Type3, true, 8), r, 0, data, escaped));
        const auto escaped3 = tuple_bytes(0xDEAD, 0xFFFF, 0xFFFFFFFF);
        CHECK_FALSE(pi::check(protection(pi::PiType::Type3, true, 8), r, 0, data, escaped3));
        const auto report =
            pi::inspect(protection(pi::PiType::Type3, true, 8), r, 0, data, escaped3);
        CHECK(report.escaped);
        CHECK(report.checks[0].result == pi::CheckOutcome::Result::Disabled);
    }

    TEST_CASE("command fields that are invalid for the namespace's PI") {
        const auto none = protection(pi::PiType::None, true, 0);
        CHECK_FALSE(pi::validate(none, pi::PiRequest{0, 7, 123, 4, 5}));
        CHECK(pi::validate(none, pi::PiRequest{spec::kPrinfoPract, 7, 0, 0, 0}));
        CHECK(pi::validate(none, pi::PiRequest{spec::kPrinfoCheckGuard, 7, 0, 0, 0}));
        const auto t1 = protection(pi::PiType::Type1, true, 8);
        const uint64_t slba = 0x1'0000'0005;
        CHECK_FALSE(pi::validate(t1, pi::PiRequest{spec::kPrinfoCheckRefTag, slba, 5, 0, 0}));
        auto bad = pi::validate(t1, pi::PiRequest{spec::kPrinfoCheckRefTag, slba, 6, 0, 0});
        REQUIRE(bad);
        CHECK(std::string(bad->field) == "CDW14.(E)ILBRT");
        // Without ref-tag checking, or on type 2, any initial tag is valid.
        CHECK_FALSE(pi::validate(t1, pi::PiRequest{spec::kPrinfoCheckGuard, slba, 6, 0, 0}));
        CHECK_FALSE(pi::validate(protection(pi::PiType::Type2, true, 8),
                                 pi::PiRequest{spec::kPrinfoCheckRefTag, slba, 6, 0, 0}));
    }

} // TEST_SUITE
} // namespace nvmelab::test
