// End-to-end protection information (NVMe 1.3 §8.3): the CRC-16 T10-DIF guard, tuple generation
// and checking for PI types 1-3 and both tuple locations. Expected tuples are computed here, by a
// bitwise CRC written from the polynomial's definition, never by the device's own function.
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "doctest/doctest.h"

#include "console/console.h"
#include "core/pi/protection_info.h"
#include "test_helpers.h"

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

// A device whose namespace 1 has 512-byte blocks with `ms` bytes of metadata and PI `type`,
// the tuple first (pil) or last, metadata extended (mset 1) or separate (MPTR), one I/O queue.
struct PiDevice {
    uint16_t ms;
    bool extended;
    TestDevice dev;
    uint16_t qid;

    static DeviceConfig config(uint8_t type, bool first, uint16_t ms, bool extended) {
        DeviceConfig c = small_config();
        c.lbads = 9;
        c.ms = ms;
        c.mset = extended ? 1 : 0;
        c.pi = type;
        c.pil = first ? 1 : 0;
        return c;
    }
    PiDevice(uint8_t type, bool first, uint16_t ms_, bool extended_)
        : ms(ms_), extended(extended_), dev(config(type, first, ms_, extended_)) {
        dev.drv.enable();
        qid = dev.drv.create_io_queue_pair(16);
    }

    // One Read or Write of blocks [slba, slba + data.size() / 512): `data` and `md` are the
    // host's data and metadata of those blocks (md: blocks x host_ms bytes, where host_ms is 0
    // with PRACT and 8-byte metadata), laid out as the namespace's format wants.
    Completion rw(spec::NvmOpcode op, uint64_t slba, uint8_t prinfo, uint32_t ref, uint16_t app,
                  uint16_t mask, std::vector<uint8_t> &data, std::vector<uint8_t> &md) {
        const uint64_t blocks = data.size() / 512;
        const uint64_t host_ms = (prinfo & spec::kPrinfoPract) && ms == 8 ? 0 : ms;
        REQUIRE(md.size() == blocks * host_ms);
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(op);
        sqe.nsid = 1;
        spec::ReadWriteFields f{};
        f.slba = slba;
        f.nlb = static_cast<uint16_t>(blocks - 1);
        f.prinfo = prinfo;
        f.reftag = ref;
        f.apptag = app;
        f.appmask = mask;
        f.apply(sqe);
        const bool write = op == spec::NvmOpcode::Write;
        const uint64_t data_len = blocks * (512 + (extended ? host_ms : 0));
        const uint64_t buf = dev.mem.alloc(data_len, "pi test data");
        const uint64_t mbuf = dev.mem.alloc(std::max<uint64_t>(md.size(), 4), "pi test md");
        std::vector<uint8_t> host(data_len);
        if (write) {
            for (uint64_t i = 0; i < blocks; ++i) {
                const uint64_t stride = 512 + (extended ? host_ms : 0);
                std::copy_n(data.begin() + i * 512, 512, host.begin() + i * stride);
                if (extended)
                    std::copy_n(md.begin() + i * host_ms, host_ms, host.begin() + i * stride + 512);
            }
            dev.mem.write(buf, host);
            if (!extended && !md.empty()) dev.mem.write(mbuf, md);
        }
        dev.drv.build_prps(sqe, buf, data_len);
        if (!extended && host_ms != 0) sqe.mptr = mbuf;
        const Completion c = dev.drv.execute(qid, sqe);
        dev.drv.release_prp_lists();
        if (!write && c.ok()) {
            dev.mem.read(buf, host);
            const uint64_t stride = 512 + (extended ? host_ms : 0);
            for (uint64_t i = 0; i < blocks; ++i) {
                std::copy_n(host.begin() + i * stride, 512, data.begin() + i * 512);
                if (extended)
                    std::copy_n(host.begin() + i * stride + 512, host_ms, md.begin() + i * host_ms);
            }
            if (!extended && !md.empty()) dev.mem.read(mbuf, md);
        }
        dev.mem.free(buf);
        dev.mem.free(mbuf);
        return c;
    }
};

// The tuple a block should carry, computed here: guard over the data (and, tuple last, the
// metadata bytes before it), the application tag, the reference tag.
std::vector<uint8_t> expected_tuple(std::span<const uint8_t> data, std::span<const uint8_t> md,
                                    bool first, uint16_t app, uint32_t ref) {
    uint16_t guard = reference_crc(data);
    if (!first && md.size() > 8) guard = reference_crc(md.first(md.size() - 8), guard);
    return tuple_bytes(guard, app, ref);
}

// The completion's SCT, SC and DNR are `want`'s (the More bit comes with every failure).
bool has_status(const Completion &c, spec::Status want) {
    const spec::Status got = c.status();
    return got.sct == want.sct && got.sc == want.sc && got.dnr == want.dnr;
}

constexpr uint8_t kAllChecks =
    spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag | spec::kPrinfoCheckRefTag;
constexpr auto kRead = spec::NvmOpcode::Read;
constexpr auto kWrite = spec::NvmOpcode::Write;

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
        // Both forms (folded with carry-less multiply where the CPU has it, from 64 bytes;
        // sliced tables), every length around their steps, from several starting values.
        for (size_t n : {0u, 1u, 7u, 15u, 16u, 17u, 63u, 64u, 65u, 127u, 128u, 129u, 200u, 512u,
                         520u, 4096u, 4104u}) {
            const auto data = pattern(n, static_cast<uint8_t>(n));
            for (uint16_t seed : {uint16_t{0}, uint16_t{0x1234}, uint16_t{0xFFFF}}) {
                CAPTURE(n);
                CAPTURE(seed);
                CHECK(pi::crc16_t10dif(data, seed) == reference_crc(data, seed));
                CHECK(pi::crc16_t10dif_sliced(data, seed) == reference_crc(data, seed));
            }
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

    TEST_CASE("PRACT writes tuples a plain read returns, per type, PIL, metadata size and layout") {
        for (uint8_t type : {1, 2, 3})
            for (bool first : {true, false})
                for (uint16_t ms : {uint16_t{8}, uint16_t{16}})
                    for (bool extended : {false, true}) {
                        CAPTURE(int{type});
                        CAPTURE(first);
                        CAPTURE(ms);
                        CAPTURE(extended);
                        PiDevice d(type, first, ms, extended);
                        const uint64_t slba = 40, blocks = 3;
                        const uint32_t ref = type == 1 ? 40 : 0xFFFFFFFF; // types 2, 3: any; wraps
                        auto data = pattern(blocks * 512, static_cast<uint8_t>(type * 16 + ms));
                        // With more than 8 bytes the host sends metadata; the tuple part is filled
                        // in.
                        std::vector<uint8_t> md =
                            ms == 8 ? std::vector<uint8_t>{} : pattern(blocks * ms, 0x90);
                        const auto host_md = md;
                        REQUIRE(
                            d.rw(kWrite, slba, spec::kPrinfoPract, ref, 0xBEEF, 0, data, md).ok());
                        // Read it all back without PRACT: the metadata as stored.
                        std::vector<uint8_t> back(blocks * 512), stored(blocks * ms);
                        REQUIRE(d.rw(kRead, slba, 0, 0, 0, 0, back, stored).ok());
                        CHECK(back == data);
                        for (uint64_t i = 0; i < blocks; ++i) {
                            const std::span<const uint8_t> block_md(stored.data() + i * ms, ms);
                            const size_t at = first ? 0 : ms - 8;
                            const uint32_t want_ref =
                                type == 3 ? ref : static_cast<uint32_t>(ref + i);
                            const auto want = expected_tuple({data.data() + i * 512, 512}, block_md,
                                                             first, 0xBEEF, want_ref);
                            CHECK(std::equal(want.begin(), want.end(), block_md.begin() + at));
                            for (size_t b = 0; b < ms; ++b)
                                if (b < at || b >= at + 8)
                                    CHECK(block_md[b] == host_md[i * ms + b]);
                        }
                        // A PRACT read with every check passes; with 8 bytes of metadata the host
                        // gets the data only.
                        std::vector<uint8_t> checked(blocks * 512);
                        std::vector<uint8_t> checked_md(ms == 8 ? 0 : blocks * ms);
                        const Completion c = d.rw(kRead, slba, spec::kPrinfoPract | kAllChecks, ref,
                                                  0xBEEF, 0xFFFF, checked, checked_md);
                        CHECK(c.ok());
                        CHECK(checked == data);
                        if (ms != 8) CHECK(checked_md == stored);
                    }
    }

    TEST_CASE(
        "without PRACT each PRCHK bit checks the host's tuple on a write and names the block") {
        struct Case {
            uint8_t bit;
            size_t byte; // the tuple byte spoiled
            spec::MediaStatus status;
        };
        for (const Case k :
             {Case{spec::kPrinfoCheckGuard, 0, spec::MediaStatus::GuardCheckError},
              Case{spec::kPrinfoCheckAppTag, 2, spec::MediaStatus::ApplicationTagCheckError},
              Case{spec::kPrinfoCheckRefTag, 5, spec::MediaStatus::ReferenceTagCheckError}})
            for (uint8_t type : {1, 2, 3})
                for (bool first : {true, false}) {
                    CAPTURE(int{k.bit});
                    CAPTURE(int{type});
                    CAPTURE(first);
                    PiDevice d(type, first, 16, false);
                    const uint64_t slba = 100;
                    auto data = pattern(2 * 512, 7);
                    std::vector<uint8_t> md = pattern(2 * 16, 0x21);
                    const size_t at = first ? 0 : 8;
                    for (uint64_t i = 0; i < 2; ++i) {
                        const uint32_t ref = type == 3 ? 0x55 : static_cast<uint32_t>(slba + i);
                        const auto t = expected_tuple({data.data() + i * 512, 512},
                                                      {md.data() + i * 16, 16}, first, 0x0A0B, ref);
                        std::copy(t.begin(), t.end(), md.begin() + i * 16 + at);
                    }
                    const uint32_t cmd_ref = type == 3 ? 0x55 : static_cast<uint32_t>(slba);
                    // The second block's field is spoiled: the command fails at LBA 101.
                    auto bad = md;
                    bad[16 + at + k.byte] ^= 0x10;
                    Completion c = d.rw(kWrite, slba, k.bit, cmd_ref, 0x0A0B, 0xFFFF, data, bad);
                    CHECK(has_status(c, spec::media(k.status)));
                    const auto e = read_newest_error(d.dev.drv);
                    CHECK(e.lba == slba + 1);
                    CHECK(((e.status_field >> 1) & 0x7FF) == spec::media(k.status).field());
                    REQUIRE(c.why);
                    CHECK(c.why->rule.find("LBA 101") != std::string::npos);
                    // Nothing was written: the blocks still read as before (zeros).
                    std::vector<uint8_t> back(2 * 512), back_md(2 * 16);
                    REQUIRE(d.rw(kRead, slba, 0, 0, 0, 0, back, back_md).ok());
                    CHECK(back == std::vector<uint8_t>(2 * 512, 0));
                    // The other checks do not look at that field: the same write passes.
                    const uint8_t others = kAllChecks & ~k.bit;
                    CHECK(d.rw(kWrite, slba, others, cmd_ref, 0x0A0B, 0xFFFF, data, bad).ok());
                    // And the good tuples pass every check.
                    CHECK(d.rw(kWrite, slba, kAllChecks, cmd_ref, 0x0A0B, 0xFFFF, data, md).ok());
                }
    }

    TEST_CASE("a read catches a corrupted guard, application tag or reference tag") {
        for (uint8_t type : {1, 2, 3})
            for (bool first : {true, false})
                for (bool pract : {false, true})
                    for (pi::Check field :
                         {pi::Check::Guard, pi::Check::AppTag, pi::Check::RefTag}) {
                        CAPTURE(int{type});
                        CAPTURE(first);
                        CAPTURE(pract);
                        CAPTURE(static_cast<int>(field));
                        PiDevice d(type, first, 8, false);
                        auto data = pattern(4 * 512, 3);
                        std::vector<uint8_t> none;
                        // Types 2 and 3 take any initial tag; type 1's is the SLBA (8).
                        REQUIRE(d.rw(kWrite, 8, spec::kPrinfoPract, 8, 0x1234, 0, data, none).ok());
                        REQUIRE(d.dev.ctrl.corrupt_protection(1, 10, field));
                        const uint8_t bit = field == pi::Check::Guard    ? spec::kPrinfoCheckGuard
                                            : field == pi::Check::AppTag ? spec::kPrinfoCheckAppTag
                                                                         : spec::kPrinfoCheckRefTag;
                        const spec::Status want = spec::media(
                            field == pi::Check::Guard ? spec::MediaStatus::GuardCheckError
                            : field == pi::Check::AppTag
                                ? spec::MediaStatus::ApplicationTagCheckError
                                : spec::MediaStatus::ReferenceTagCheckError);
                        std::vector<uint8_t> back(4 * 512), md(pract ? 0 : 4 * 8);
                        const uint8_t prinfo =
                            static_cast<uint8_t>(bit | (pract ? spec::kPrinfoPract : 0));
                        Completion c = d.rw(kRead, 8, prinfo, 8, 0x1234, 0xFFFF, back, md);
                        CHECK(has_status(c, want));
                        CHECK(read_newest_error(d.dev.drv).lba == 10);
                        // A read that does not check that field still succeeds.
                        std::vector<uint8_t> md2(pract ? 0 : 4 * 8);
                        const uint8_t others = static_cast<uint8_t>(
                            (kAllChecks & ~bit) | (pract ? spec::kPrinfoPract : 0));
                        CHECK(d.rw(kRead, 8, others, 8, 0x1234, 0xFFFF, back, md2).ok());
                        CHECK(back == data);
                    }
    }

    TEST_CASE("escape values turn a read's checks off, per type") {
        for (uint8_t type : {1, 2, 3}) {
            CAPTURE(int{type});
            PiDevice d(type, false, 8, true);
            auto data = pattern(512, 1);
            // A tuple wrong in guard and reference tag, application tag FFFFh; type 3 needs the
            // reference tag FFFFFFFFh too.
            auto md = tuple_bytes(0xDEAD, 0xFFFF, 0x00C0FFEE);
            REQUIRE(d.rw(kWrite, 5, 0, 0, 0, 0, data, md).ok());
            std::vector<uint8_t> back(512), back_md(8);
            const Completion c = d.rw(kRead, 5, kAllChecks, 5, 0, 0, back, back_md);
            if (type == 3)
                CHECK(has_status(c, spec::media(spec::MediaStatus::GuardCheckError)));
            else
                CHECK(c.ok());
            md = tuple_bytes(0xDEAD, 0xFFFF, 0xFFFFFFFF);
            REQUIRE(d.rw(kWrite, 5, 0, 0, 0, 0, data, md).ok());
            CHECK(d.rw(kRead, 5, kAllChecks, 5, 0, 0, back, back_md).ok());
        }
    }

    TEST_CASE("Invalid Protection Information: type 1 ILBRT, PI fields without PI") {
        PiDevice d(1, true, 8, false);
        auto data = pattern(512, 1);
        std::vector<uint8_t> none;
        Completion c = d.rw(kWrite, 0x20, spec::kPrinfoPract | spec::kPrinfoCheckRefTag, 0x21, 0, 0,
                            data, none);
        const auto invalid_pi =
            spec::command_specific(spec::CommandSpecificStatus::InvalidProtectionInformation, true);
        CHECK(has_status(c, invalid_pi));
        CHECK(read_newest_error(d.dev.drv).lba == 0x20);
        std::vector<uint8_t> back(512);
        c = d.rw(kRead, 0x20, spec::kPrinfoPract | spec::kPrinfoCheckRefTag, 0x1F, 0, 0, back,
                 none);
        CHECK(has_status(c, invalid_pi));
        // With the SLBA's low 32 bits as ILBRT every check passes.
        CHECK(d.rw(kWrite, 0x20, spec::kPrinfoPract | spec::kPrinfoCheckRefTag, 0x20, 0, 0, data,
                   none)
                  .ok());
        CHECK(d.rw(kRead, 0x20, spec::kPrinfoPract | kAllChecks, 0x20, 0, 0, back, none).ok());

        PiDevice plain(0, false, 8, false);
        std::vector<uint8_t> md(8);
        c = plain.rw(kWrite, 3, spec::kPrinfoCheckGuard, 0, 0, 0, data, md);
        CHECK(has_status(c, invalid_pi));
        CHECK(read_newest_error(plain.dev.drv).lba == 3);
        // Without PRINFO, tags in CDW14/15 mean nothing on a namespace without PI.
        CHECK(plain.rw(kWrite, 3, 0, 0x1234, 0x55, 0xFF, data, md).ok());
    }

    TEST_CASE("console: pi show decodes a block, pi corrupt makes the next checked read fail") {
        DeviceRig rig(PiDevice::config(1, true, 8, false));
        auto run = [&](std::string_view line) {
            const ConsoleResult r = rig.console().exec_line(line);
            INFO("line: ", std::string(line));
            INFO("error: ", r.error);
            REQUIRE(r.ok);
            return r.output;
        };
        run("enable");
        run("queue create");
        run("write 1 16 0 data=0x5a prinfo=8 reftag=16 apptag=0x1234");
        const std::vector<uint8_t> block(512, 0x5A);
        const std::string guard = fmt::format("{:04X}h", reference_crc(block));
        std::string out = run("pi show 1 16 apptag=0x1234 appmask=0xffff");
        CAPTURE(out);
        CHECK(out.find("guard    " + guard) != std::string::npos);
        CHECK(out.find("app tag  1234h") != std::string::npos);
        CHECK(out.find("ref tag  00000010h") != std::string::npos);
        CHECK(out.find("FAILED") == std::string::npos);
        run("pi corrupt 1 16 guard");
        out = run("pi show 1 16 apptag=0x1234 appmask=0xffff");
        CHECK(out.find("FAILED") != std::string::npos);
        out = run("read 1 16 0 prinfo=0xc reftag=16");
        CHECK(out.find("End-to-end Guard Check Error") != std::string::npos);
        // A block past the end, a field that does not exist, a namespace without PI.
        CHECK_FALSE(rig.console().exec_line("pi show 1 99999999").ok);
        CHECK_FALSE(rig.console().exec_line("pi corrupt 1 16 crc").ok);
        DeviceRig plain(small_config());
        const ConsoleResult r = plain.console().exec_line("pi show 1 0");
        CHECK_FALSE(r.ok);
        CHECK(r.error.find("not formatted with protection information") != std::string::npos);
    }

} // TEST_SUITE
} // namespace nvmelab::test
