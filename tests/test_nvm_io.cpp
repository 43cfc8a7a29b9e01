// NVM command set I/O (NVMe 1.3 §6): Write / Read round trips through PRP1, PRP2 and (chained)
// PRP lists, the checks on LBA range, NSID, reserved fields, DTYPE, MDTS and opcodes, and the
// volatile write cache (§5.21.1.6) with Flush and FUA, seen through the trace.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"
#include "test_helpers.h"

namespace {

using namespace nvmelab;
using spec::param_error_location;

constexpr uint8_t kSctGeneric = 0;
constexpr uint8_t kInvalidOpcode = 0x01;
constexpr uint8_t kInvalidField = 0x02;
constexpr uint8_t kInvalidNamespace = 0x0B;
constexpr uint8_t kLbaOutOfRange = 0x80;
constexpr uint16_t kNoLocation = spec::kParamErrorLocationNone;

constexpr uint8_t kOpFlush = 0x00;
constexpr uint8_t kOpWrite = 0x01;
constexpr uint8_t kOpRead = 0x02;
constexpr uint32_t kFua = 1u << 30;

DeviceConfig io_config(uint8_t lbads = 12) {
    DeviceConfig c;
    c.lbads = lbads;
    c.size = uint64_t{16} << 20;
    c.cache_blocks = 256;
    return c;
}

std::vector<uint8_t> pattern(size_t bytes, uint32_t seed) {
    std::vector<uint8_t> v(bytes);
    uint32_t x = seed * 2654435761u + 1;
    for (auto &b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return v;
}

// A powered, enabled device with one I/O queue pair (own fixture, not test::TestDevice).
struct IoDevice {
    DeviceConfig config;
    SparseHostMemory memory;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver host;
    uint16_t q = 0;

    explicit IoDevice(const DeviceConfig &c = io_config(),
                      uint64_t store_limit = MemoryBackingStore::kDefaultMemoryLimit)
        : config(c), store(c.size, store_limit), ctrl(config, memory, store), host(ctrl, memory) {
        host.enable();
        q = host.create_io_queue_pair(16);
    }

    uint32_t lba_size() const { return config.lba_size(); }
    uint64_t nsze() const { return config.nsze(); }

    static spec::Sqe rw(uint8_t opc, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                        uint32_t cdw12_extra = 0) {
        spec::Sqe sqe{};
        sqe.opc = opc;
        sqe.nsid = nsid;
        sqe.cdw10 = static_cast<uint32_t>(slba);
        sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
        sqe.cdw12 = (nlb0 & 0xFFFF) | cdw12_extra;
        return sqe;
    }

    Completion write(uint64_t slba, uint32_t nlb0, std::span<const uint8_t> data,
                     bool fua = false) {
        return host.write(q, 1, slba, nlb0, data, fua);
    }
    // Reads into a host buffer that starts out as 0xEE, so bytes the controller misses show.
    Completion read_into(const spec::Sqe &sqe, std::vector<uint8_t> &out, size_t bytes) {
        out.assign(bytes, 0xEE);
        const std::vector<uint8_t> before = out;
        return host.execute_with_data(q, sqe, before, out);
    }
    std::vector<uint8_t> read(uint64_t slba, uint32_t nlb0) {
        std::vector<uint8_t> out;
        const Completion c =
            read_into(rw(kOpRead, 1, slba, nlb0), out, (uint64_t{nlb0} + 1) * lba_size());
        INFO(c.describe());
        REQUIRE(c.ok());
        return out;
    }
    // Any I/O command with a data buffer of `bytes` (contents: a pattern).
    Completion io(const spec::Sqe &sqe, size_t bytes) {
        std::vector<uint8_t> buf = pattern(bytes, 99);
        const std::vector<uint8_t> before = buf;
        return host.execute_with_data(q, sqe, before, buf);
    }
    Completion flush(uint32_t nsid = 1) { return host.flush(q, nsid); }

    // What the media (backing store) holds, bypassing the cache.
    std::vector<uint8_t> media(uint64_t lba, uint64_t blocks) {
        std::vector<uint8_t> out(blocks * lba_size());
        REQUIRE(store.read(lba * lba_size(), out));
        return out;
    }

    spec::ErrorLogEntry newest_error() { return test::read_newest_error(host); }

    uint64_t mark() const { return ctrl.trace().total_recorded(); }
    std::vector<TraceEvent> events(uint64_t since, EventKind kind) const {
        std::vector<TraceEvent> out;
        for (const TraceEvent &ev : ctrl.trace().events())
            if (ev.seq >= since && ev.kind == kind) out.push_back(ev);
        return out;
    }
};

void expect_io_error(IoDevice &d, const Completion &c, uint8_t sct, uint8_t sc, bool dnr,
                     uint16_t location, uint32_t nsid, uint64_t lba = 0) {
    INFO(c.describe());
    CHECK_FALSE(c.ok());
    CHECK(int(c.cqe.sct()) == int(sct));
    CHECK(int(c.cqe.sc()) == int(sc));
    CHECK(c.cqe.dnr() == dnr);
    CHECK(c.cqe.m());
    CHECK(c.cqe.sqid == d.q);
    const spec::ErrorLogEntry e = d.newest_error();
    CHECK(e.sqid == d.q);
    CHECK(e.cid == c.cqe.cid);
    CHECK((e.status_field >> 1) == c.cqe.status_field());
    CHECK((e.status_field & 1u) == (c.cqe.status & 1u));
    CHECK(e.param_error_location == location);
    CHECK(e.nsid == nsid);
    CHECK(e.lba == lba);
}

} // namespace

TEST_SUITE("nvm") {

    TEST_CASE("Write then Read returns the data, for transfers of every PRP shape") {
        SUBCASE("4 KiB LBAs") {
            IoDevice d;
            uint64_t lba = 0;
            for (uint32_t blocks : {1u, 2u, 3u, 8u, 17u, 32u}) {
                CAPTURE(blocks);
                const auto data = pattern(blocks * d.lba_size(), blocks);
                const uint64_t before = d.mark();
                const Completion w = d.write(lba, blocks - 1, data);
                REQUIRE(w.ok());
                CHECK_FALSE(w.cqe.m());
                CHECK_FALSE(w.cqe.dnr());
                CHECK(w.cqe.sqid == d.q);
                CHECK(w.cqe.dw0 == 0);
                // One data page: PRP1 only; two: PRP1 + PRP2; more: PRP2 is a list.
                const auto lists = d.events(before, EventKind::PrpListRead);
                if (blocks <= 2) {
                    CHECK(lists.empty());
                } else {
                    REQUIRE(lists.size() == 1);
                    CHECK(lists[0].len == blocks - 1);
                }
                CHECK(d.read(lba, blocks - 1) == data);
                lba += blocks;
            }
            // A read that spans several earlier writes.
            const auto first = pattern(1 * 4096, 1);
            const auto second = pattern(2 * 4096, 2);
            auto span_read = d.read(0, 2);
            CHECK(std::equal(first.begin(), first.end(), span_read.begin()));
            CHECK(std::equal(second.begin(), second.end(), span_read.begin() + 4096));
        }
        SUBCASE("512-byte LBAs") {
            IoDevice d(io_config(9));
            uint64_t lba = 5;
            for (uint32_t blocks : {1u, 7u, 8u, 9u, 16u, 17u, 255u, 256u}) {
                CAPTURE(blocks);
                const auto data = pattern(blocks * d.lba_size(), blocks + 1000);
                REQUIRE(d.write(lba, blocks - 1, data).ok());
                CHECK(d.read(lba, blocks - 1) == data);
                lba += blocks;
            }
        }
        SUBCASE("unwritten blocks read as zeros, also at the last LBA") {
            IoDevice d;
            const auto zeros = std::vector<uint8_t>(2 * d.lba_size(), 0);
            CHECK(d.read(100, 1) == zeros);
            CHECK(d.read(d.nsze() - 2, 1) == zeros);
            const auto data = pattern(d.lba_size(), 7);
            REQUIRE(d.write(d.nsze() - 1, 0, data).ok());
            CHECK(d.read(d.nsze() - 1, 0) == data);
        }
    }

    TEST_CASE("buffers that start inside a page (PRP1 with an offset)") {
        for (uint8_t lbads : {9, 12}) {
            CAPTURE(int(lbads));
            IoDevice d(io_config(lbads));
            const uint64_t base = d.memory.alloc(128 * 4096, "unaligned buffers");
            // The largest sizes cover whole 64 KiB media extents, so their data lands on the
            // extent grid and PRP segments straddle extent boundaries.
            for (uint32_t blocks : {1u, 2u, 8u, lbads == 9 ? 250u : 32u}) {
                CAPTURE(blocks);
                const uint64_t len = uint64_t{blocks} * d.lba_size();
                const auto data = pattern(len, blocks + lbads);
                const uint64_t src = base + 0x204; // dword aligned, not page aligned
                REQUIRE(d.memory.write(src, data));
                spec::Sqe w = IoDevice::rw(kOpWrite, 1, 40, blocks - 1);
                d.host.build_prps(w, src, len);
                CHECK((w.prp1 & 0xFFF) == 0x204);
                const Completion cw = d.host.execute(d.q, w);
                d.host.release_prp_lists();
                INFO(cw.describe());
                REQUIRE(cw.ok());
                const uint64_t dst = base + 64 * 4096 + 0xFFC; // 4 bytes before a page boundary
                REQUIRE(d.memory.fill(dst, 0xEE, len));
                spec::Sqe r = IoDevice::rw(kOpRead, 1, 40, blocks - 1);
                d.host.build_prps(r, dst, len);
                const Completion cr = d.host.execute(d.q, r);
                d.host.release_prp_lists();
                REQUIRE(cr.ok());
                std::vector<uint8_t> back(len);
                REQUIRE(d.memory.read(dst, back));
                CHECK(back == data);
            }
        }
    }

    TEST_CASE("large transfers walk chained PRP lists") {
        DeviceConfig cfg = io_config();
        cfg.mdts = 0; // no transfer limit
        cfg.cache_blocks = 2048;
        IoDevice d(cfg);
        // 1100 pages: PRP1 plus 1099 list entries = 511 + chain, 511 + chain, 77.
        const uint32_t blocks = 1100;
        const auto data = pattern(uint64_t{blocks} * 4096, 3);
        const uint64_t before = d.mark();
        const Completion c = d.write(64, blocks - 1, data);
        INFO(c.describe());
        REQUIRE(c.ok());
        const auto lists = d.events(before, EventKind::PrpListRead);
        REQUIRE(lists.size() == 3);
        CHECK(lists[0].len == 512);
        CHECK(lists[1].len == 512);
        CHECK(lists[2].len == 1099 - 2 * 511);
        CHECK(d.read(64, blocks - 1) == data);
        // After a flush the media holds it too.
        REQUIRE(d.flush().ok());
        CHECK(d.media(64, blocks) == data);
    }

    TEST_CASE("LBA ranges beyond the namespace fail with LBA Out of Range") {
        IoDevice d;
        const uint64_t nsze = d.nsze();
        struct Range {
            uint64_t slba;
            uint32_t nlb0;
        };
        const Range bad[] = {
            {nsze - 1, 1},          {nsze, 0},
            {nsze - 8, 8},          {nsze + 100, 3},
            {uint64_t{1} << 32, 0}, {uint64_t{1} << 63, 0},
            {UINT64_MAX, 0},        {UINT64_MAX - 2, 4}, // SLBA + NLB wraps around 2^64
        };
        for (uint8_t opc : {kOpRead, kOpWrite}) {
            CAPTURE(int(opc));
            for (const Range &r : bad) {
                CAPTURE(r.slba);
                CAPTURE(r.nlb0);
                const Completion c = d.io(IoDevice::rw(opc, 1, r.slba, r.nlb0),
                                          (uint64_t{r.nlb0} + 1) * d.lba_size());
                expect_io_error(d, c, kSctGeneric, kLbaOutOfRange, true,
                                param_error_location(40, 0), 1, r.slba);
            }
            // The rule names the range without a sum that wrapped past 2^64.
            const Completion huge = d.io(IoDevice::rw(opc, 1, UINT64_MAX, 0), d.lba_size());
            REQUIRE(huge.why);
            CHECK(huge.why->rule == fmt::format("SLBA 18446744073709551615 is past the "
                                                "namespace's last LBA {} (NSZE {})",
                                                nsze - 1, nsze));
            const Completion tail = d.io(IoDevice::rw(opc, 1, nsze - 1, 1), 2 * d.lba_size());
            REQUIRE(tail.why);
            CHECK(tail.why->rule ==
                  fmt::format("SLBA + NLB + 1 = {} exceeds the namespace size {} (NSZE)", nsze + 1,
                              nsze));
            // The last blocks of the namespace are in range.
            CHECK(d.io(IoDevice::rw(opc, 1, nsze - 1, 0), d.lba_size()).ok());
            CHECK(d.io(IoDevice::rw(opc, 1, nsze - 8, 7), 8 * d.lba_size()).ok());
        }
    }

    TEST_CASE("NSID 0, an unknown NSID or the broadcast NSID is rejected") {
        IoDevice d;
        for (uint8_t opc : {kOpRead, kOpWrite}) {
            CAPTURE(int(opc));
            for (uint32_t nsid : {0u, 2u, 0x1000u, 0xFFFFFFFFu}) {
                CAPTURE(nsid);
                const Completion c = d.io(IoDevice::rw(opc, nsid, 0, 0), d.lba_size());
                expect_io_error(d, c, kSctGeneric, kInvalidNamespace, true,
                                param_error_location(4, 0), nsid);
            }
        }
        for (uint32_t nsid : {0u, 2u}) {
            CAPTURE(nsid);
            expect_io_error(d, d.flush(nsid), kSctGeneric, kInvalidNamespace, true,
                            param_error_location(4, 0), nsid);
        }
        // Flush may name every namespace at once.
        const Completion all = d.flush(0xFFFFFFFFu);
        INFO(all.describe());
        CHECK(all.ok());
        CHECK(d.flush(1).ok());
    }

    TEST_CASE("reserved bits in Read, Write and Flush fail with Invalid Field") {
        IoDevice d;
        struct Case {
            uint8_t opc;
            int dword;
            unsigned bit;
        };
        const Case cases[] = {
            {kOpRead, 2, 0},    {kOpRead, 2, 31},   {kOpRead, 3, 5},    {kOpRead, 12, 16},
            {kOpRead, 12, 19},  {kOpRead, 12, 20},  {kOpRead, 12, 23},  {kOpRead, 12, 24},
            {kOpRead, 12, 25},  {kOpRead, 13, 8},   {kOpRead, 13, 16},  {kOpRead, 13, 31},
            {kOpWrite, 2, 7},   {kOpWrite, 3, 0},   {kOpWrite, 3, 31},  {kOpWrite, 12, 16},
            {kOpWrite, 12, 19}, {kOpWrite, 12, 24}, {kOpWrite, 12, 25}, {kOpWrite, 13, 8},
            {kOpWrite, 13, 15}, {kOpFlush, 10, 0},  {kOpFlush, 11, 9},  {kOpFlush, 12, 31},
            {kOpFlush, 13, 0},  {kOpFlush, 14, 0},  {kOpFlush, 15, 17},
        };
        for (const Case &k : cases) {
            CAPTURE(int(k.opc));
            CAPTURE(k.dword);
            CAPTURE(k.bit);
            spec::Sqe sqe = k.opc == kOpFlush ? spec::Sqe{} : IoDevice::rw(k.opc, 1, 8, 0);
            sqe.opc = k.opc;
            sqe.nsid = 1;
            sqe.set_cdw(k.dword, sqe.cdw(k.dword) | (1u << k.bit));
            const Completion c =
                k.opc == kOpFlush ? d.host.execute(d.q, sqe) : d.io(sqe, d.lba_size());
            expect_io_error(
                d, c, kSctGeneric, kInvalidField, true,
                param_error_location(static_cast<unsigned>(k.dword) * 4 + k.bit / 8, k.bit % 8), 1);
        }
        SUBCASE("defined fields are accepted") {
            const auto data = pattern(d.lba_size(), 5);
            spec::Sqe w = IoDevice::rw(kOpWrite, 1, 9, 0, (1u << 31) | kFua);
            w.cdw13 = 0xABCD00FFu; // DSM and DSPEC
            w.cdw14 = 0x12345678;  // ILBRT, unused without protection information
            w.cdw15 = 0xFFFF0000;  // LBAT / LBATM
            CHECK(d.host.execute_with_data(d.q, w, data, {}).ok());
            spec::Sqe r = IoDevice::rw(kOpRead, 1, 9, 0, (1u << 31) | kFua);
            r.cdw13 = 0xFF; // DSM
            std::vector<uint8_t> back;
            CHECK(d.read_into(r, back, d.lba_size()).ok());
            CHECK(back == data);
        }
    }

    TEST_CASE("Write with a directive type fails with Invalid Field") {
        IoDevice d;
        for (uint32_t dtype : {1u, 2u, 0xFu}) {
            CAPTURE(dtype);
            const Completion c = d.io(IoDevice::rw(kOpWrite, 1, 0, 0, dtype << 20), d.lba_size());
            expect_io_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(50, 4), 1);
        }
        CHECK(d.read(0, 0) == std::vector<uint8_t>(d.lba_size(), 0));
    }

    TEST_CASE("transfers above MDTS fail with Invalid Field") {
        for (uint8_t lbads : {9, 12}) {
            CAPTURE(int(lbads));
            IoDevice d(io_config(lbads));
            const uint64_t mdts_bytes = uint64_t{4096} << d.config.mdts;
            const uint32_t max_blocks = static_cast<uint32_t>(mdts_bytes / d.lba_size());
            for (uint8_t opc : {kOpRead, kOpWrite}) {
                CAPTURE(int(opc));
                CHECK(d.io(IoDevice::rw(opc, 1, 0, max_blocks - 1), mdts_bytes).ok());
                const Completion c =
                    d.io(IoDevice::rw(opc, 1, 0, max_blocks), mdts_bytes + d.lba_size());
                expect_io_error(d, c, kSctGeneric, kInvalidField, true, kNoLocation, 1);
            }
        }
    }

    TEST_CASE("unsupported I/O opcodes fail with Invalid Command Opcode") {
        IoDevice d;
        for (uint8_t opc : {0x03, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0C, 0x0D, 0x0E, 0x11, 0x15, 0x19,
                            0x7F, 0x80, 0x81, 0xC1, 0xFF}) {
            CAPTURE(int(opc));
            spec::Sqe sqe = IoDevice::rw(opc, 1, 0, 0);
            const Completion c = d.io(sqe, d.lba_size());
            expect_io_error(d, c, kSctGeneric, kInvalidOpcode, true, param_error_location(0, 0), 1);
        }
        // Nothing was written by the rejected Compare / Write Zeroes / ... commands.
        CHECK(d.read(0, 0) == std::vector<uint8_t>(d.lba_size(), 0));
    }

    TEST_CASE("FUSE and PSDT on I/O commands fail with Invalid Field") {
        IoDevice d;
        spec::Sqe sqe = IoDevice::rw(kOpRead, 1, 0, 0);
        sqe.set_fuse(1);
        expect_io_error(d, d.io(sqe, d.lba_size()), kSctGeneric, kInvalidField, true,
                        param_error_location(1, 0), 1);
        sqe = IoDevice::rw(kOpWrite, 1, 0, 0);
        sqe.set_psdt(3); // reserved (01b and 10b are SGLs: tests/test_sgl.cpp)
        expect_io_error(d, d.io(sqe, d.lba_size()), kSctGeneric, kInvalidField, true,
                        param_error_location(1, 6), 1);
    }

    TEST_CASE("volatile write cache") {
        IoDevice d;
        REQUIRE(d.host.get_features(0x06).cqe.dw0 == 1); // WCE defaults to 1
        const uint32_t ls = d.lba_size();
        const std::vector<uint8_t> zeros(4 * ls, 0);

        SUBCASE("writes stay in the cache until Flush") {
            const auto data = pattern(4 * ls, 11);
            uint64_t m = d.mark();
            REQUIRE(d.write(10, 3, data).ok());
            const auto cw = d.events(m, EventKind::CacheWrite);
            REQUIRE(cw.size() == 1);
            CHECK(cw[0].addr == 10);
            CHECK(cw[0].len == 4);
            CHECK(cw[0].u32 == 1);
            CHECK(d.events(m, EventKind::MediaWrite).empty());
            for (uint64_t lba = 10; lba < 14; ++lba)
                CHECK(d.ctrl.lba_cached(1, lba));
            CHECK_FALSE(d.ctrl.lba_cached(1, 9));
            CHECK_FALSE(d.ctrl.lba_cached(1, 14));
            CHECK(d.ctrl.namespace_blocks_cached(1) == 4);
            CHECK(d.ctrl.cached_lbas(1) == std::vector<uint64_t>{10, 11, 12, 13});
            CHECK(d.ctrl.cached_lbas(2).empty()); // no namespace 2
            CHECK(d.ctrl.cached_lbas(0).empty());
            CHECK(d.media(10, 4) == zeros);
            // Reads see the cached data.
            m = d.mark();
            CHECK(d.read(10, 3) == data);
            const auto mr = d.events(m, EventKind::CacheRead);
            REQUIRE(mr.size() == 1);
            CHECK(mr[0].addr == 10);
            CHECK(mr[0].len == 4);
            // Flush writes the cache to the media.
            m = d.mark();
            REQUIRE(d.flush().ok());
            const auto fl = d.events(m, EventKind::CacheFlush);
            REQUIRE(fl.size() == 1);
            CHECK(fl[0].len == 4);
            for (uint64_t lba = 10; lba < 14; ++lba)
                CHECK_FALSE(d.ctrl.lba_cached(1, lba));
            CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
            CHECK(d.ctrl.cached_lbas(1).empty());
            CHECK(d.media(10, 4) == data);
            CHECK(d.read(10, 3) == data);
            // A flush with nothing cached writes nothing.
            m = d.mark();
            REQUIRE(d.flush(0xFFFFFFFFu).ok());
            const auto empty = d.events(m, EventKind::CacheFlush);
            REQUIRE(empty.size() == 1);
            CHECK(empty[0].len == 0);
        }
        SUBCASE("broadcast Flush writes the cache too") {
            const auto data = pattern(2 * ls, 12);
            REQUIRE(d.write(30, 1, data).ok());
            REQUIRE(d.flush(0xFFFFFFFFu).ok());
            CHECK_FALSE(d.ctrl.lba_cached(1, 30));
            CHECK(d.media(30, 2) == data);
        }
        SUBCASE("FUA writes go to the media") {
            const auto data = pattern(2 * ls, 13);
            const uint64_t m = d.mark();
            REQUIRE(d.write(20, 1, data, true).ok());
            const auto mw = d.events(m, EventKind::MediaWrite);
            REQUIRE(mw.size() == 1);
            CHECK(mw[0].addr == 20);
            CHECK(mw[0].len == 2);
            CHECK(d.events(m, EventKind::CacheWrite).empty());
            CHECK_FALSE(d.ctrl.lba_cached(1, 20));
            CHECK(d.media(20, 2) == data);
        }
        SUBCASE("a FUA write replaces an older cached copy") {
            const auto old_data = pattern(4 * ls, 14);
            REQUIRE(d.write(40, 3, old_data).ok());
            const auto fresh = pattern(ls, 15);
            REQUIRE(d.write(41, 0, fresh, true).ok());
            CHECK(d.ctrl.lba_cached(1, 40));
            CHECK_FALSE(d.ctrl.lba_cached(1, 41));
            CHECK(d.ctrl.lba_cached(1, 42));
            auto expected = old_data;
            std::copy(fresh.begin(), fresh.end(), expected.begin() + ls);
            CHECK(d.read(40, 3) == expected);
            REQUIRE(d.flush().ok());
            CHECK(d.media(40, 4) == expected); // the stale cached block was not written back
        }
        SUBCASE("reads merge cached blocks with media blocks") {
            const auto media_data = pattern(4 * ls, 16);
            REQUIRE(d.write(50, 3, media_data, true).ok());
            const auto cached = pattern(2 * ls, 17);
            REQUIRE(d.write(51, 1, cached).ok());
            auto expected = media_data;
            std::copy(cached.begin(), cached.end(), expected.begin() + ls);
            CHECK(d.read(50, 3) == expected);
            CHECK(d.media(50, 4) == media_data);
        }
        SUBCASE("with WCE = 0 writes go to the media") {
            REQUIRE(d.host.set_features(0x06, 0).ok());
            CHECK(d.host.get_features(0x06).cqe.dw0 == 0);
            const auto data = pattern(3 * ls, 18);
            uint64_t m = d.mark();
            REQUIRE(d.write(60, 2, data).ok());
            CHECK(d.events(m, EventKind::CacheWrite).empty());
            REQUIRE(d.events(m, EventKind::MediaWrite).size() == 1);
            CHECK_FALSE(d.ctrl.lba_cached(1, 60));
            CHECK(d.media(60, 3) == data);
            // Enabling it again caches writes again.
            REQUIRE(d.host.set_features(0x06, 1).ok());
            m = d.mark();
            REQUIRE(d.write(70, 0, std::span(data).first(ls)).ok());
            CHECK(d.events(m, EventKind::CacheWrite).size() == 1);
            CHECK(d.ctrl.lba_cached(1, 70));
        }
    }

    TEST_CASE("turning the write cache off writes back what it holds") {
        IoDevice d;
        const uint32_t ls = d.lba_size();
        const auto data = pattern(4 * ls, 19);
        REQUIRE(d.write(80, 3, data).ok());
        REQUIRE(d.ctrl.namespace_blocks_cached(1) == 4);
        uint64_t m = d.mark();
        REQUIRE(d.host.set_features(0x06, 0).ok());
        const auto fl = d.events(m, EventKind::CacheFlush);
        REQUIRE(fl.size() == 1);
        CHECK(fl[0].len == 4);
        CHECK(fl[0].sqid == 0); // by the Set Features command
        CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
        CHECK(d.media(80, 4) == data);
        // Off already: nothing to write back. On again: no write-back either.
        m = d.mark();
        REQUIRE(d.host.set_features(0x06, 0).ok());
        REQUIRE(d.host.set_features(0x06, 1).ok());
        CHECK(d.events(m, EventKind::CacheFlush).empty());
        // A cached block whose write-back fails: Write Fault, and the cache stays on.
        IoDevice small(io_config(), MemoryBackingStore::kExtentSize);
        const uint64_t per_extent = MemoryBackingStore::kExtentSize / small.lba_size();
        REQUIRE(small.write(0, 0, pattern(ls, 20), true).ok()); // the store's one extent
        REQUIRE(small.write(per_extent * 5, 0, pattern(ls, 21)).ok());
        const Completion off = small.host.set_features(0x06, 0);
        CHECK(off.status().with_more(false) == spec::media(spec::MediaStatus::WriteFault));
        CHECK(small.host.get_features(0x06).cqe.dw0 == 1);
        CHECK(small.ctrl.lba_cached(1, per_extent * 5));
    }

    TEST_CASE("a full write cache destages its oldest blocks before caching more") {
        DeviceConfig cfg = io_config();
        cfg.cache_blocks = 8; // low watermark: 8 - 8 / 8 = 7 blocks
        IoDevice d(cfg);
        const uint32_t ls = d.lba_size();
        const auto first = pattern(6 * ls, 21);
        REQUIRE(d.write(0, 5, first).ok());
        CHECK(d.ctrl.namespace_blocks_cached(1) == 6);
        const auto second = pattern(4 * ls, 22);
        uint64_t m = d.mark();
        REQUIRE(d.write(100, 3, second).ok());
        // The trace shows the destage, and the write waited for it at the Flush rate.
        const auto destage = d.events(m, EventKind::CacheDestage);
        REQUIRE(destage.size() == 1);
        CHECK(destage[0].len == 3);
        CHECK(destage[0].u32 == 1);
        const auto execute_time = [&](uint64_t since) {
            return d.events(since, EventKind::CqePost).at(0).time_ns -
                   d.events(since, EventKind::CacheWrite).at(0).time_ns;
        };
        const uint64_t destaging_write_ns = execute_time(m);
        // 6 + 4 > 8: the three oldest blocks went to the media, leaving 3 + 4 = 7 cached.
        const std::vector<uint8_t> first_three(first.begin(), first.begin() + 3 * ls);
        CHECK(d.media(0, 3) == first_three);
        CHECK(d.media(3, 1) == std::vector<uint8_t>(ls, 0));
        CHECK(d.ctrl.cached_lbas(1) == std::vector<uint64_t>{3, 4, 5, 100, 101, 102, 103});
        CHECK(d.read(0, 5) == first);
        CHECK(d.read(100, 3) == second);
        // Rewriting cached blocks needs no room.
        const auto again = pattern(4 * ls, 23);
        m = d.mark();
        REQUIRE(d.write(100, 3, again).ok());
        CHECK(d.ctrl.namespace_blocks_cached(1) == 7);
        CHECK(d.events(m, EventKind::CacheDestage).empty());
        CHECK(destaging_write_ns - execute_time(m) == 3 * cfg.write_ns / 64);
        CHECK(d.media(100, 4) == std::vector<uint8_t>(4 * ls, 0));

        SUBCASE("a write larger than the whole cache goes straight to the media") {
            const auto big = pattern(16 * ls, 24);
            const uint64_t m = d.mark();
            REQUIRE(d.write(200, 15, big).ok());
            CHECK_FALSE(d.ctrl.lba_cached(1, 200));
            CHECK(d.media(200, 16) == big);
            CHECK(d.events(m, EventKind::CacheWrite).empty());
            const auto mw = d.events(m, EventKind::MediaWrite);
            REQUIRE(mw.size() == 1);
            CHECK(mw[0].addr == 200);
            CHECK(mw[0].len == 16);
            CHECK(d.read(200, 15) == big);
        }
    }

    // Writes that cover whole 64 KiB media extents are received on the extent grid and move into
    // the cache and the media without copies (core/media/media_extent.h). What the host sees must
    // be the same as for any other write.
    TEST_CASE("writes covering whole media extents") {
        IoDevice d;
        const uint32_t ls = d.lba_size();
        const uint64_t per_extent = kMediaExtentSize / ls; // 16 blocks of 4 KiB
        REQUIRE(per_extent == 16);
        auto blocks_of = [&](const std::vector<uint8_t> &v, uint64_t first, uint64_t n) {
            return std::vector<uint8_t>(v.begin() + static_cast<long>(first * ls),
                                        v.begin() + static_cast<long>((first + n) * ls));
        };
        // `base` with `part` written over it from block `at` on.
        auto spliced = [&](std::vector<uint8_t> base, const std::vector<uint8_t> &part,
                           uint64_t at) {
            std::copy(part.begin(), part.end(), base.begin() + static_cast<long>(at * ls));
            return base;
        };

        SUBCASE("aligned extents are cached, read back and destaged intact") {
            const auto data = pattern(32 * ls, 31);
            const uint64_t m = d.mark();
            REQUIRE(d.write(16, 31, data).ok());
            const auto cw = d.events(m, EventKind::CacheWrite);
            REQUIRE(cw.size() == 1);
            CHECK(cw[0].addr == 16);
            CHECK(cw[0].len == 32);
            // One DMA event per PRP page, as for any write.
            CHECK(d.events(m, EventKind::DmaToDevice).size() == 32);
            CHECK(d.ctrl.namespace_blocks_cached(1) == 32);
            CHECK_FALSE(d.ctrl.lba_cached(1, 15));
            CHECK(d.ctrl.lba_cached(1, 16));
            CHECK(d.ctrl.lba_cached(1, 47));
            CHECK_FALSE(d.ctrl.lba_cached(1, 48));
            CHECK(d.media(16, 32) == std::vector<uint8_t>(32 * ls, 0));
            CHECK(d.read(16, 31) == data);
            CHECK(d.read(20, 3) == blocks_of(data, 4, 4)); // a read inside a cached extent
            REQUIRE(d.flush().ok());
            CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
            CHECK(d.media(16, 32) == data);
            CHECK(d.read(16, 31) == data);
        }
        SUBCASE("an unaligned write: partial head and tail around a whole extent") {
            const auto data = pattern(30 * ls, 32); // LBAs 3..32: 13 + 16 + 1 blocks
            REQUIRE(d.write(3, 29, data).ok());
            CHECK(d.ctrl.namespace_blocks_cached(1) == 30);
            // Arena blocks and the cached line's blocks together, in order.
            std::vector<uint64_t> lbas(30);
            std::iota(lbas.begin(), lbas.end(), uint64_t{3});
            CHECK(d.ctrl.cached_lbas(1) == lbas);
            CHECK(d.read(3, 29) == data);
            CHECK(d.read(0, 2) == std::vector<uint8_t>(3 * ls, 0));
            REQUIRE(d.flush().ok());
            CHECK(d.media(3, 30) == data);
            CHECK(d.media(33, 5) == std::vector<uint8_t>(5 * ls, 0));
        }
        SUBCASE("newer small writes land in a cached extent, older small ones are replaced") {
            const auto small_before = pattern(2 * ls, 33);
            REQUIRE(d.write(18, 1, small_before).ok()); // single blocks in the cache
            const auto extent = pattern(16 * ls, 34);
            REQUIRE(d.write(16, 15, extent).ok()); // replaces them
            CHECK(d.ctrl.namespace_blocks_cached(1) == 16);
            CHECK(d.read(16, 15) == extent);
            const auto small_after = pattern(2 * ls, 35);
            REQUIRE(d.write(20, 1, small_after).ok()); // goes into the cached extent
            CHECK(d.ctrl.namespace_blocks_cached(1) == 16);
            const auto expected = spliced(extent, small_after, 4);
            CHECK(d.read(16, 15) == expected);
            REQUIRE(d.flush().ok());
            CHECK(d.media(16, 16) == expected);
        }
        SUBCASE("FUA over a cached extent: whole or in part, no stale copy is written back") {
            const auto cached = pattern(16 * ls, 36);
            REQUIRE(d.write(32, 15, cached).ok());
            SUBCASE("in part") {
                const auto fresh = pattern(ls, 37);
                REQUIRE(d.write(35, 0, fresh, true).ok());
                CHECK_FALSE(d.ctrl.lba_cached(1, 35)); // on the media now
                CHECK(d.ctrl.lba_cached(1, 34));       // the rest of the extent stays cached
                CHECK(d.ctrl.lba_cached(1, 36));
                CHECK(d.ctrl.namespace_blocks_cached(1) == 15);
                const auto expected = spliced(cached, fresh, 3);
                CHECK(d.read(32, 15) == expected);
                REQUIRE(d.flush().ok());
                CHECK(d.media(32, 16) == expected);
            }
            SUBCASE("whole") {
                const auto fresh = pattern(16 * ls, 38);
                REQUIRE(d.write(32, 15, fresh, true).ok());
                CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
                CHECK(d.media(32, 16) == fresh);
                REQUIRE(d.flush().ok());
                CHECK(d.media(32, 16) == fresh);
                CHECK(d.read(32, 15) == fresh);
            }
        }
        SUBCASE("a FUA read commits only its range of a cached extent") {
            const auto data = pattern(16 * ls, 39);
            REQUIRE(d.write(48, 15, data).ok());
            std::vector<uint8_t> out;
            const Completion c =
                d.read_into(IoDevice::rw(kOpRead, 1, 50, 1, kFua), out, std::size_t{2} * ls);
            REQUIRE(c.ok());
            CHECK(out == blocks_of(data, 2, 2));
            CHECK_FALSE(d.ctrl.lba_cached(1, 50));
            CHECK_FALSE(d.ctrl.lba_cached(1, 51));
            CHECK(d.ctrl.lba_cached(1, 49));
            CHECK(d.ctrl.lba_cached(1, 52));
            CHECK(d.media(50, 2) == blocks_of(data, 2, 2));
            CHECK(d.media(48, 2) == std::vector<uint8_t>(2 * ls, 0));
            CHECK(d.read(48, 15) == data);
        }
        SUBCASE("a Data Transfer Error leaves cache and media as they were") {
            const auto old_data = pattern(16 * ls, 40);
            REQUIRE(d.write(16, 15, old_data).ok());
            const auto data = pattern(32 * ls, 41);
            const uint64_t src = d.memory.alloc(data.size(), "write buffer");
            REQUIRE(d.memory.write(src, data));
            spec::Sqe w = IoDevice::rw(kOpWrite, 1, 16, 31);
            d.host.build_prps(w, src, data.size());
            // The 21st page of the transfer (list entry 20) points nowhere.
            const uint64_t unmapped = uint64_t{1} << 46;
            std::array<uint8_t, 8> entry{};
            std::memcpy(entry.data(), &unmapped, 8);
            REQUIRE(d.memory.write(w.prp2 + 19 * 8, entry));
            const Completion c = d.host.execute(d.q, w);
            d.host.release_prp_lists();
            INFO(c.describe());
            CHECK(int(c.cqe.sc()) == 0x04); // Data Transfer Error
            CHECK(d.ctrl.namespace_blocks_cached(1) == 16);
            CHECK(d.read(16, 15) == old_data);
            CHECK(d.read(32, 15) == std::vector<uint8_t>(16 * ls, 0));
            REQUIRE(d.flush().ok());
            CHECK(d.media(16, 16) == old_data);
            // The buffers went back: the next write works and is intact.
            REQUIRE(d.write(16, 31, data).ok());
            CHECK(d.read(16, 31) == data);
        }
    }

    TEST_CASE("memory store: it reads back what was written and zeros elsewhere") {
        // Against a plain byte array, over writes of every alignment (inside a 4 KiB piece,
        // across pieces and extents), whole-extent hand-overs and reads of any range.
        constexpr uint64_t kSize = 16 * MemoryBackingStore::kExtentSize;
        MemoryBackingStore store(kSize);
        std::vector<uint8_t> model(kSize, 0);
        std::vector<bool> written(kSize, false);
        uint64_t unwritten_reads = 0; // bytes read that were never written
        store.fill_new_extents(0xEE); // bytes it fails to zero cannot read as zeros by luck
        uint32_t seed = 99;
        const auto next = [&seed](uint64_t n) {
            seed = seed * 1664525u + 1013904223u;
            return static_cast<uint64_t>(seed >> 8) % n;
        };
        std::vector<uint8_t> out;
        for (int round = 0; round < 600; ++round) {
            const uint64_t lengths[] = {1, 511, 4096, 5000, 70000};
            const uint64_t len = std::min<uint64_t>(lengths[next(5)] + next(3), kSize);
            const uint64_t at = next(kSize - len + 1);
            CAPTURE(round);
            CAPTURE(at);
            CAPTURE(len);
            switch (next(8)) {
            case 0: { // a whole extent handed over
                const uint64_t index = next(kSize / MemoryBackingStore::kExtentSize);
                MediaExtent extent = new_media_extent();
                for (uint64_t i = 0; i < MemoryBackingStore::kExtentSize; ++i)
                    extent[i] = static_cast<uint8_t>(next(256));
                std::memcpy(model.data() + index * MemoryBackingStore::kExtentSize, extent.get(),
                            MemoryBackingStore::kExtentSize);
                std::fill_n(written.begin() +
                                static_cast<long>(index * MemoryBackingStore::kExtentSize),
                            MemoryBackingStore::kExtentSize, true);
                REQUIRE(store.write_extent(index, extent));
                break;
            }
            case 1:
            case 2:
            case 3: {
                std::vector<uint8_t> data(len);
                for (uint8_t &b : data)
                    b = static_cast<uint8_t>(1 + next(255)); // never 0: zeros stand out
                std::memcpy(model.data() + at, data.data(), len);
                std::fill_n(written.begin() + static_cast<long>(at), len, true);
                REQUIRE(store.write(at, data));
                break;
            }
            default:
                out.assign(len, 0xEE);
                REQUIRE(store.read(at, out));
                REQUIRE(std::equal(out.begin(), out.end(), model.begin() + static_cast<long>(at)));
                unwritten_reads += static_cast<uint64_t>(
                    std::count(written.begin() + static_cast<long>(at),
                               written.begin() + static_cast<long>(at + len), false));
            }
        }
        out.assign(kSize, 0xEE);
        REQUIRE(store.read(0, out));
        CHECK(out == model);
        CHECK(unwritten_reads > 100000); // reads did cover bytes never written
        // Outside the media: refused.
        CHECK_FALSE(store.write(kSize - 1, std::vector<uint8_t>(2, 1)));
        out.assign(2, 0);
        CHECK_FALSE(store.read(kSize - 1, out));
    }

    TEST_CASE("memory store: past its memory limit, writes to new extents fail and say why") {
        constexpr uint64_t kExtent = MemoryBackingStore::kExtentSize;
        MemoryBackingStore store(16 * kExtent, 2 * kExtent);
        CHECK(store.memory_limit() == 2 * kExtent);
        CHECK(store.failure().empty());
        const std::vector<uint8_t> data(4096, 0x5A);
        REQUIRE(store.write(0, data));
        REQUIRE(store.write(5 * kExtent + 100, data)); // the second extent: at the limit
        CHECK(store.resident_bytes() == 2 * kExtent);
        CHECK_FALSE(store.write(9 * kExtent, data)); // a third would pass it
        CHECK(store.failure().find("memory for media data is full") != std::string::npos);
        CHECK(store.resident_bytes() == 2 * kExtent);
        // A write spanning a held extent and a new one fails at the new one; the held part is
        // written (a failed write leaves its range undefined, NVMe 1.3 §6.15).
        const std::vector<uint8_t> across(8192, 0x33);
        CHECK_FALSE(store.write(kExtent - 4096, across));
        // Extents already held still take writes, and the refused one still reads as zeros.
        REQUIRE(store.write(5 * kExtent, data));
        CHECK(store.failure().empty()); // the reason is the last write's
        std::vector<uint8_t> out(4096, 0xEE);
        REQUIRE(store.read(9 * kExtent, out));
        CHECK(std::count(out.begin(), out.end(), 0) == 4096);
        REQUIRE(store.read(kExtent - 4096, out));
        CHECK(out == std::vector<uint8_t>(4096, 0x33));
        // A whole extent handed over to a new index is refused too, and the caller keeps it.
        MediaExtent extent = new_media_extent();
        uint8_t *const buffer = extent.get();
        CHECK_FALSE(store.write_extent(12, extent));
        CHECK(extent.get() == buffer);
        CHECK(store.write_extent(0, extent)); // a held extent: swapped in
        CHECK(store.resident_bytes() == 2 * kExtent);
        // No limit (0): the native default.
        MemoryBackingStore unlimited(16 * kExtent, 0);
        for (uint64_t i = 0; i < 16; ++i)
            REQUIRE(unlimited.write(i * kExtent, data));
        CHECK(MemoryBackingStore::kDefaultMemoryLimit == (sizeof(void *) == 4 ? 5ull << 28 : 0));
    }

    TEST_CASE("a write the store has no memory for completes with Write Fault, and the device "
              "goes on") {
        DeviceConfig c = io_config();
        c.vwc = false; // straight to the media
        IoDevice d(c, 2 * MemoryBackingStore::kExtentSize);
        const uint64_t per_extent = MemoryBackingStore::kExtentSize / d.lba_size();
        const std::vector<uint8_t> block = pattern(d.lba_size(), 3);
        REQUIRE(d.write(0, 0, block).ok());
        REQUIRE(d.write(per_extent * 3, 0, block).ok());
        const Completion full = d.write(per_extent * 7, 0, block);
        INFO(full.describe());
        // SMART counts the writes that stored their data, and the media error.
        const spec::SmartLog after = test::read_smart_log(d.host);
        CHECK(spec::get_u128_low(after.host_write_commands) == 2);
        CHECK(spec::get_u128_low(after.data_units_written) == 1); // 2 x 4 KiB, rounded up
        CHECK(spec::get_u128_low(after.media_errors) == 1);
        // More is set: the error log has an entry for it.
        CHECK(full.status().with_more(false) == spec::media(spec::MediaStatus::WriteFault));
        REQUIRE(full.why.has_value());
        CHECK(full.why->rule.find("could not be written: the emulator's memory for media data "
                                  "is full (128 KiB") != std::string::npos);
        // The device goes on: reads, and writes over data already held, still work.
        CHECK(d.read(0, 0) == block);
        const std::vector<uint8_t> other = pattern(d.lba_size(), 4);
        REQUIRE(d.write(per_extent * 3, 0, other).ok());
        CHECK(d.read(per_extent * 3, 0) == other);
        CHECK(d.read(per_extent * 7, 0) == std::vector<uint8_t>(d.lba_size(), 0));
    }

    TEST_CASE("media extent buffers: page aligned like host pages, pooled up to a limit") {
        MediaExtentPool pool(2);
        MediaExtent a = pool.take();
        MediaExtent b = pool.take();
        MediaExtent c = pool.take();
        for (const MediaExtent *m : {&a, &b, &c})
            CHECK(reinterpret_cast<uintptr_t>(m->get()) % 4096 == 0);
        uint8_t *const first = a.get();
        pool.give(std::move(a));
        pool.give(std::move(b));
        pool.give(std::move(c)); // beyond the limit: freed
        CHECK(pool.spare() == 2);
        pool.give(MediaExtent{}); // null buffers are not kept
        CHECK(pool.spare() == 2);
        pool.take();
        CHECK(pool.take().get() == first); // reused, not allocated again
        CHECK(pool.spare() == 0);
    }

    TEST_CASE("whole media extents under cache pressure and write-through") {
        SUBCASE("a full cache destages before taking more extents") {
            DeviceConfig cfg = io_config();
            cfg.cache_blocks = 40;
            IoDevice d(cfg);
            const uint32_t ls = d.lba_size();
            const auto first = pattern(32 * ls, 42);
            REQUIRE(d.write(16, 31, first).ok());
            CHECK(d.ctrl.namespace_blocks_cached(1) == 32);
            const auto second = pattern(16 * ls, 43);
            REQUIRE(d.write(64, 15, second).ok()); // 32 + 16 > 40
            // Down to the low watermark (35 blocks): the older of the two cached extents left.
            const std::vector<uint8_t> older(first.begin(), first.begin() + 16 * ls);
            CHECK(d.media(16, 16) == older);
            CHECK(d.media(32, 16) == std::vector<uint8_t>(16 * ls, 0));
            CHECK_FALSE(d.ctrl.lba_cached(1, 31));
            CHECK(d.ctrl.lba_cached(1, 32));
            CHECK(d.ctrl.namespace_blocks_cached(1) == 32);
            CHECK(d.read(16, 31) == first);
            CHECK(d.read(64, 15) == second);
        }
        SUBCASE("with WCE = 0 or a write larger than the cache, extents go to the media") {
            DeviceConfig cfg = io_config();
            cfg.cache_blocks = 8;
            IoDevice d(cfg);
            const uint32_t ls = d.lba_size();
            const auto big = pattern(32 * ls, 44);
            uint64_t m = d.mark();
            REQUIRE(d.write(16, 31, big).ok());
            CHECK(d.events(m, EventKind::MediaWrite).size() == 1);
            CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
            CHECK(d.media(16, 32) == big);
            REQUIRE(d.host.set_features(0x06, 0).ok());
            const auto again = pattern(16 * ls, 45);
            m = d.mark();
            REQUIRE(d.write(32, 15, again).ok());
            CHECK(d.events(m, EventKind::MediaWrite).size() == 1);
            CHECK(d.media(32, 16) == again);
            CHECK(d.read(16, 15) == std::vector<uint8_t>(big.begin(), big.begin() + 16 * ls));
        }
        SUBCASE("512-byte and 64 KiB LBAs") {
            for (uint8_t lbads : {9, 16}) {
                CAPTURE(int(lbads));
                IoDevice d(io_config(lbads));
                const uint32_t ls = d.lba_size();
                const uint32_t blocks = lbads == 9 ? 200 : 2; // 100 KiB / 128 KiB
                const uint64_t slba = lbads == 9 ? 100 : 3;
                const auto data = pattern(uint64_t{blocks} * ls, 46 + lbads);
                REQUIRE(d.write(slba, blocks - 1, data).ok());
                CHECK(d.ctrl.namespace_blocks_cached(1) == blocks);
                CHECK(d.read(slba, blocks - 1) == data);
                REQUIRE(d.flush().ok());
                CHECK(d.media(slba, blocks) == data);
            }
        }
    }

    TEST_CASE("SMART Controller Busy Time: the spans with an I/O command outstanding, not admin "
              "commands or idle time") {
        IoDevice d; // enabling and creating the queue pair were admin commands only
        CHECK(d.ctrl.controller_busy_ns() == 0);
        std::vector<uint8_t> smart(512);
        REQUIRE(d.host.get_log_page(0x02, 0xFFFFFFFFu, 0, smart).ok());
        CHECK(d.ctrl.controller_busy_ns() == 0);

        // One read: busy from its SQ tail doorbell to its CQE (§5.14.1.2).
        uint64_t since = d.mark();
        d.read(0, 0);
        const auto doorbells = d.events(since, EventKind::DoorbellSq);
        const auto cqes = d.events(since, EventKind::CqePost);
        REQUIRE(doorbells.size() == 1);
        REQUIRE(cqes.size() == 1);
        const uint64_t one = cqes[0].time_ns - doorbells[0].time_ns;
        CHECK(one > 0);
        CHECK(d.ctrl.controller_busy_ns() == one);

        // Idle time does not count, and neither do entries written but not yet issued with a
        // doorbell.
        const uint64_t buf = d.memory.alloc(4 * d.lba_size(), "busy buffers");
        for (uint32_t i = 0; i < 4; ++i) {
            spec::Sqe sqe = IoDevice::rw(kOpRead, 1, i, 0);
            sqe.prp1 = buf + uint64_t{i} * d.lba_size();
            d.host.submit(d.q, sqe);
        }
        d.ctrl.run_until(d.ctrl.now_ns() + 1'000'000);
        CHECK(d.ctrl.controller_busy_ns() == one);

        // Four reads issued together overlap: the span from the doorbell to the last CQE counts
        // once, not each command's latency added up.
        since = d.mark();
        d.host.ring(d.q);
        d.ctrl.run_until_idle();
        const auto ring = d.events(since, EventKind::DoorbellSq);
        const auto four = d.events(since, EventKind::CqePost);
        REQUIRE(ring.size() == 1);
        REQUIRE(four.size() == 4);
        const uint64_t span = four.back().time_ns - ring[0].time_ns;
        uint64_t summed = 0;
        for (const TraceEvent &c : four)
            summed += c.time_ns - ring[0].time_ns;
        CHECK(d.ctrl.controller_busy_ns() == one + span);
        CHECK(summed > span);
        for (int i = 0; i < 4; ++i)
            REQUIRE(d.host.reap(d.q));
        d.ctrl.run_until(d.ctrl.now_ns() + 1'000'000);
        CHECK(d.ctrl.controller_busy_ns() == one + span);

        // A controller reset drops an issued command: no longer outstanding, no longer busy.
        spec::Sqe late = IoDevice::rw(kOpRead, 1, 0, 0);
        late.prp1 = buf;
        d.host.submit(d.q, late);
        d.host.ring(d.q);
        const uint64_t issued = d.ctrl.controller_busy_ns();
        d.ctrl.run_until(d.ctrl.now_ns() + 100); // before its fetch completes
        CHECK(d.ctrl.controller_busy_ns() == issued + 100);
        d.ctrl.write32(static_cast<uint32_t>(spec::Reg::Cc), 0);
        d.ctrl.run_until(d.ctrl.now_ns() + 1'000'000);
        CHECK(d.ctrl.controller_busy_ns() == issued + 100);
    }

} // TEST_SUITE("nvm")
