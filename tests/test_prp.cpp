// PRP data pointers (NVMe 1.3 §4.3): every layout the walker accepts, checked byte by byte, and
// every rule it enforces.
#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

using namespace nvmelab;
using nvmelab::test::small_config;
using nvmelab::test::TestDevice;
using spec::GenericStatus;
using spec::NvmOpcode;

namespace {

constexpr uint8_t sc(GenericStatus s) {
    return static_cast<uint8_t>(s);
}

void check_status(const Completion &c, uint8_t sct, uint8_t code, bool dnr) {
    INFO(c.describe());
    CHECK(c.status().sct == sct);
    CHECK(c.status().sc == code);
    CHECK(c.status().dnr == dnr);
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 1;
    for (auto &b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return v;
}

// A device with one I/O queue pair (QID 1), brought up with CC.MPS = mps.
struct Rig {
    TestDevice d;
    uint16_t q = 0;
    uint32_t lba;

    explicit Rig(const DeviceConfig &c = small_config(), uint8_t mps = 0) : d(c) {
        BringUpOptions o;
        o.mps = mps;
        d.drv.enable(o);
        q = d.drv.create_io_queue_pair(16);
        lba = d.ctrl.lba_size(1);
    }
    uint64_t page() const { return d.drv.page_size(); }
    // A page-aligned host buffer filled with a marker byte.
    uint64_t buffer(uint64_t bytes, uint8_t fill = 0xCC) {
        const uint64_t a = d.mem.alloc(bytes, "test buffer", page());
        REQUIRE(d.mem.fill(a, fill, bytes));
        return a;
    }
    Completion io(NvmOpcode op, uint64_t slba, uint32_t blocks, uint64_t prp1, uint64_t prp2) {
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(op);
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(slba);
        sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
        sqe.cdw12 = blocks - 1;
        sqe.prp1 = prp1;
        sqe.prp2 = prp2;
        return d.drv.execute(q, sqe);
    }
    // Writes `data` at slba through the driver's own (contiguous) buffer.
    void store(uint64_t slba, const std::vector<uint8_t> &data) {
        REQUIRE(d.drv.write(q, 1, slba, static_cast<uint32_t>(data.size() / lba) - 1, data).ok());
    }
    std::vector<uint8_t> load(uint64_t slba, size_t bytes) {
        std::vector<uint8_t> out(bytes);
        REQUIRE(d.drv.read(q, 1, slba, static_cast<uint32_t>(bytes / lba) - 1, out).ok());
        return out;
    }
    std::vector<uint8_t> host(uint64_t addr, size_t n) const {
        std::vector<uint8_t> out(n);
        REQUIRE(d.mem.read(addr, out));
        return out;
    }
    void put_host(uint64_t addr, const std::vector<uint8_t> &bytes) {
        REQUIRE(d.mem.write(addr, bytes));
    }
    void put_list(uint64_t addr, const std::vector<uint64_t> &entries) {
        REQUIRE(d.mem.write(addr, std::span(reinterpret_cast<const uint8_t *>(entries.data()),
                                            entries.size() * 8)));
    }
    uint64_t mark() const { return d.ctrl.trace().total_recorded(); }
    std::vector<TraceEvent> events_since(uint64_t mark, EventKind kind) const {
        std::vector<TraceEvent> out;
        for (const auto &e : d.ctrl.trace().events())
            if (e.seq >= mark && e.kind == kind) out.push_back(e);
        return out;
    }
};

std::vector<uint8_t> slice(const std::vector<uint8_t> &v, size_t off, size_t n) {
    return {v.begin() + static_cast<std::ptrdiff_t>(off),
            v.begin() + static_cast<std::ptrdiff_t>(off + n)};
}

bool all_equal(const std::vector<uint8_t> &v, uint8_t b) {
    return std::all_of(v.begin(), v.end(), [&](uint8_t x) { return x == b; });
}

// The unmapped address used for "not in host memory" cases.
constexpr uint64_t kUnmapped = 0x40000000;

} // namespace

TEST_SUITE("prp") {

    TEST_CASE("single page: PRP1 only, PRP2 ignored") {
        Rig r;
        const auto data = pattern(4096, 1);
        r.store(10, data);
        const uint64_t buf = r.buffer(4096);
        // PRP2 holds garbage that would break every rule if it were used.
        check_status(r.io(NvmOpcode::Read, 10, 1, buf, 0xDEADBEEF03), 0, 0, false);
        CHECK(r.host(buf, 4096) == data);
        const auto dma = r.events_since(0, EventKind::DmaToHost);
        REQUIRE_FALSE(dma.empty());
        CHECK(dma.back().addr == buf);
        CHECK(dma.back().len == 4096);
    }

    TEST_CASE("offset within a page") {
        DeviceConfig c = small_config();
        c.lbads = 9; // 512-byte blocks, so transfers can be smaller than a page
        Rig r(c);
        REQUIRE(r.lba == 512);
        const auto data = pattern(4096, 2);
        r.store(0, data);

        SUBCASE("a 512-byte read at offset 200h stays inside the page") {
            const uint64_t buf = r.buffer(4096);
            check_status(r.io(NvmOpcode::Read, 0, 1, buf + 0x200, 0), 0, 0, false);
            const auto page = r.host(buf, 4096);
            CHECK(all_equal(slice(page, 0, 0x200), 0xCC));
            CHECK(slice(page, 0x200, 512) == slice(data, 0, 512));
            CHECK(all_equal(slice(page, 0x400, 4096 - 0x400), 0xCC));
        }
        SUBCASE("a 4 KiB read at offset 800h spills into the PRP2 page") {
            const uint64_t a = r.buffer(4096);
            const uint64_t gap = r.buffer(4096);
            const uint64_t b = r.buffer(4096);
            check_status(r.io(NvmOpcode::Read, 0, 8, a + 0x800, b), 0, 0, false);
            CHECK(all_equal(slice(r.host(a, 4096), 0, 0x800), 0xCC));
            CHECK(slice(r.host(a, 4096), 0x800, 0x800) == slice(data, 0, 0x800));
            CHECK(slice(r.host(b, 4096), 0, 0x800) == slice(data, 0x800, 0x800));
            CHECK(all_equal(slice(r.host(b, 4096), 0x800, 0x800), 0xCC));
            CHECK(all_equal(r.host(gap, 4096), 0xCC));
        }
        SUBCASE("a write from a dword offset") {
            const uint64_t buf = r.buffer(8192);
            const auto fresh = pattern(1024, 3);
            r.put_host(buf + 0xF04, fresh); // crosses into the next page
            check_status(r.io(NvmOpcode::Write, 20, 2, buf + 0xF04, buf + 0x1000), 0, 0, false);
            CHECK(r.load(20, 1024) == fresh);
        }
    }

    TEST_CASE("exactly two pages: PRP2 is the second data page") {
        Rig r;
        const auto data = pattern(8192, 4);
        r.store(30, data);
        const uint64_t b = r.buffer(4096);
        const uint64_t gap = r.buffer(4096);
        const uint64_t a = r.buffer(4096);
        check_status(r.io(NvmOpcode::Read, 30, 2, a, b), 0, 0,
                     false); // second page lower in memory
        CHECK(r.host(a, 4096) == slice(data, 0, 4096));
        CHECK(r.host(b, 4096) == slice(data, 4096, 4096));
        CHECK(all_equal(r.host(gap, 4096), 0xCC));
        const uint64_t m = r.mark();
        CHECK(r.io(NvmOpcode::Read, 30, 2, a, b).ok());
        CHECK(r.events_since(m, EventKind::PrpListRead).empty());

        // And the other way: a write gathered from two scattered pages.
        const auto fresh = pattern(8192, 5);
        r.put_host(a, slice(fresh, 0, 4096));
        r.put_host(b, slice(fresh, 4096, 4096));
        check_status(r.io(NvmOpcode::Write, 40, 2, a, b), 0, 0, false);
        CHECK(r.load(40, 8192) == fresh);
    }

    TEST_CASE("PRP list: PRP2 points to a list of the remaining pages") {
        Rig r;
        const auto data = pattern(5 * 4096, 6);
        r.store(50, data);
        std::vector<uint64_t> pages;
        for (int i = 0; i < 5; ++i)
            pages.push_back(r.buffer(4096));
        const uint64_t list = r.buffer(4096, 0);
        // Entries in reverse memory order to prove each one is used as written.
        r.put_list(list, {pages[4], pages[3], pages[2], pages[1]});
        const uint64_t m = r.mark();
        check_status(r.io(NvmOpcode::Read, 50, 5, pages[0], list), 0, 0, false);
        CHECK(r.host(pages[0], 4096) == slice(data, 0, 4096));
        for (int i = 1; i < 5; ++i) {
            INFO("list entry ", i - 1);
            CHECK(r.host(pages[static_cast<size_t>(5 - i)], 4096) ==
                  slice(data, static_cast<size_t>(i) * 4096, 4096));
        }
        const auto lists = r.events_since(m, EventKind::PrpListRead);
        REQUIRE(lists.size() == 1);
        CHECK(lists[0].addr == list);
        CHECK(lists[0].len == 4); // only the entries needed are read
        CHECK(r.events_since(m, EventKind::DmaToHost).size() == 5);

        SUBCASE("the list pointer may carry an offset") {
            const uint64_t l2 = r.buffer(4096, 0);
            r.put_list(l2 + 0x100, {pages[1], pages[2], pages[3], pages[4]});
            const auto fresh = pattern(5 * 4096, 7);
            for (size_t i = 0; i < 5; ++i)
                r.put_host(pages[i], slice(fresh, i * 4096, 4096));
            check_status(r.io(NvmOpcode::Write, 60, 5, pages[0], l2 + 0x100), 0, 0, false);
            CHECK(r.load(60, 5 * 4096) == fresh);
        }
        SUBCASE("the last transfer page may be partial (PRP1 with an offset)") {
            DeviceConfig c = small_config();
            c.lbads = 9;
            Rig s(c);
            const auto d2 = pattern(3 * 4096, 8); // 24 blocks from offset 0x200: 4 pages touched
            s.store(0, d2);
            std::vector<uint64_t> p;
            for (int i = 0; i < 4; ++i)
                p.push_back(s.buffer(4096));
            const uint64_t l = s.buffer(4096, 0);
            s.put_list(l, {p[1], p[2], p[3]});
            check_status(s.io(NvmOpcode::Read, 0, 24, p[0] + 0x200, l), 0, 0, false);
            CHECK(slice(s.host(p[0], 4096), 0x200, 0xE00) == slice(d2, 0, 0xE00));
            CHECK(s.host(p[1], 4096) == slice(d2, 0xE00, 4096));
            CHECK(s.host(p[2], 4096) == slice(d2, 0xE00 + 4096, 4096));
            CHECK(slice(s.host(p[3], 4096), 0, 0x200) == slice(d2, 0xE00 + 8192, 0x200));
            CHECK(all_equal(slice(s.host(p[3], 4096), 0x200, 4096 - 0x200), 0xCC));
        }
    }

    TEST_CASE("chained PRP lists") {
        SUBCASE("4 MiB through the driver: 1023 list entries over two list pages") {
            DeviceConfig c = small_config();
            c.mdts = 0; // no transfer limit
            Rig r(c);
            const auto data = pattern(4u << 20, 9);
            r.store(1000, data);
            const uint64_t m = r.mark();
            const auto back = r.load(1000, 4u << 20);
            CHECK(back == data);
            const auto lists = r.events_since(m, EventKind::PrpListRead);
            REQUIRE(lists.size() == 2);
            CHECK(lists[0].len == 512); // 511 data entries + the chain pointer
            CHECK(lists[1].len == 512); // the remaining 512 data pages
            CHECK(lists[1].addr % 4096 == 0);
            CHECK(r.events_since(m, EventKind::DmaToHost).size() == 1024);
        }
        SUBCASE("hand-built chain starting near the end of a list page") {
            Rig r;
            const auto data = pattern(6 * 4096, 10);
            r.store(70, data);
            std::vector<uint64_t> p;
            for (int i = 0; i < 6; ++i)
                p.push_back(r.buffer(4096));
            const uint64_t la = r.buffer(4096, 0);
            const uint64_t lb = r.buffer(4096, 0);
            // Two slots left in list page A: one data entry, then the chain to list page B.
            r.put_list(la + 4096 - 16, {p[1], lb});
            r.put_list(lb, {p[2], p[3], p[4], p[5]});
            const uint64_t m = r.mark();
            check_status(r.io(NvmOpcode::Read, 70, 6, p[0], la + 4096 - 16), 0, 0, false);
            for (size_t i = 0; i < 6; ++i) {
                INFO("page ", i);
                CHECK(r.host(p[i], 4096) == slice(data, i * 4096, 4096));
            }
            const auto lists = r.events_since(m, EventKind::PrpListRead);
            REQUIRE(lists.size() == 2);
            CHECK(lists[0].addr == la + 4096 - 16);
            CHECK(lists[0].len == 2);
            CHECK(lists[1].addr == lb);
            CHECK(lists[1].len == 4);
        }
        SUBCASE("a full list page whose last entry is data needs no chain") {
            // 513 pages: PRP1 + 512 list entries, all data, in exactly one list page.
            DeviceConfig c = small_config();
            c.mdts = 0;
            Rig r(c);
            const auto data = pattern(513 * 4096, 11);
            r.store(0, data);
            const uint64_t buf = r.buffer(513 * 4096);
            const uint64_t list = r.buffer(4096, 0);
            std::vector<uint64_t> entries;
            for (uint64_t i = 1; i < 513; ++i)
                entries.push_back(buf + i * 4096);
            r.put_list(list, entries);
            const uint64_t m = r.mark();
            check_status(r.io(NvmOpcode::Read, 0, 513, buf, list), 0, 0, false);
            CHECK(r.host(buf, 513 * 4096) == data);
            const auto lists = r.events_since(m, EventKind::PrpListRead);
            REQUIRE(lists.size() == 1);
            CHECK(lists[0].len == 512);
        }
    }

    TEST_CASE("PRP offset rules: PRP Offset Invalid with DNR") {
        Rig r;
        const auto data = pattern(4 * 4096, 12);
        r.store(80, data);
        std::vector<uint64_t> p;
        for (int i = 0; i < 4; ++i)
            p.push_back(r.buffer(4096));
        const uint64_t list = r.buffer(4096, 0);
        std::string field;
        Completion c;

        SUBCASE("PRP1 not dword aligned") {
            for (uint64_t off : {1u, 2u, 3u, 0x201u}) {
                c = r.io(NvmOpcode::Read, 80, 1, p[0] + off, 0);
                check_status(c, 0, sc(GenericStatus::PrpOffsetInvalid), true);
            }
            field = "PRP1";
        }
        SUBCASE("PRP2 used as a data pointer has an offset") {
            c = r.io(NvmOpcode::Read, 80, 2, p[0], p[1] + 0x100);
            field = "PRP2";
        }
        SUBCASE("PRP2 as a second page after a PRP1 offset has an offset") {
            c = r.io(NvmOpcode::Read, 80, 1, p[0] + 0x800, p[1] + 8);
            field = "PRP2";
        }
        SUBCASE("PRP list pointer not qword aligned") {
            r.put_list(list, {p[1], p[2], p[3]});
            c = r.io(NvmOpcode::Read, 80, 4, p[0], list + 4);
            field = "PRP2";
        }
        SUBCASE("a list entry has an offset") {
            r.put_list(list, {p[1], p[2] + 0x40, p[3]});
            c = r.io(NvmOpcode::Read, 80, 4, p[0], list);
            field = "PRP list 1 entry 1";
        }
        SUBCASE("a list entry is only dword aligned") {
            r.put_list(list, {p[1], p[2], p[3] + 4});
            c = r.io(NvmOpcode::Write, 80, 4, p[0], list);
            field = "PRP list 1 entry 2";
        }
        SUBCASE("the chain pointer is not page aligned") {
            // Three entries left in the first list page for four more pages: entry 2 chains.
            const uint64_t lb = r.buffer(4096, 0);
            r.put_list(lb, {p[3]});
            r.put_list(list + 4096 - 24, {p[1], p[2], lb + 8});
            c = r.io(NvmOpcode::Write, 80, 5, p[0], list + 4096 - 24);
            field = "chain";
        }
        check_status(c, 0, sc(GenericStatus::PrpOffsetInvalid), true);
        REQUIRE(c.why);
        INFO(c.why->field);
        CHECK(c.why->field.find(field) != std::string::npos);
        CHECK(c.why->section == "NVMe 1.3 §4.3");
        // Nothing reached the media.
        CHECK(r.load(80, 4 * 4096) == data);
    }

    TEST_CASE("unmapped buffers and lists: Data Transfer Error without DNR") {
        Rig r;
        const auto data = pattern(4 * 4096, 13);
        r.store(90, data);
        std::vector<uint64_t> p;
        for (int i = 0; i < 4; ++i)
            p.push_back(r.buffer(4096));
        const uint64_t list = r.buffer(4096, 0);
        Completion c;

        SUBCASE("PRP1 unmapped on a read") {
            c = r.io(NvmOpcode::Read, 90, 1, kUnmapped, 0);
        }
        SUBCASE("PRP1 is the null pointer") {
            c = r.io(NvmOpcode::Read, 90, 1, 0, 0);
        }
        SUBCASE("PRP2 data page unmapped on a write") {
            c = r.io(NvmOpcode::Write, 90, 2, p[0], kUnmapped);
        }
        SUBCASE("a list entry unmapped") {
            r.put_list(list, {p[1], kUnmapped, p[3]});
            c = r.io(NvmOpcode::Write, 90, 4, p[0], list);
        }
        SUBCASE("the PRP list itself is unmapped") {
            c = r.io(NvmOpcode::Read, 90, 4, p[0], kUnmapped);
            REQUIRE(c.why);
            CHECK(c.why->field == "PRP list");
        }
        SUBCASE("the next list page of a chain is unmapped") {
            // One slot left in the first list page: it must chain, to an unmapped page.
            r.put_list(list + 4096 - 8, {kUnmapped});
            c = r.io(NvmOpcode::Read, 90, 4, p[0], list + 4096 - 8);
            REQUIRE(c.why);
            CHECK(c.why->field == "PRP list");
            CHECK(c.why->value == kUnmapped);
        }
        check_status(c, 0, sc(GenericStatus::DataTransferError), false);
        REQUIRE(c.why);
        CHECK(c.why->section == "NVMe 1.3 §4.3");
        CHECK(r.load(90, 4 * 4096) == data); // writes did not reach the media
        // The controller is fine afterwards.
        CHECK(r.io(NvmOpcode::Read, 90, 1, p[0], 0).ok());
        CHECK(r.host(p[0], 4096) == slice(data, 0, 4096));
    }

    TEST_CASE("MDTS: larger transfers fail with Invalid Field and DNR") {
        SUBCASE("mdts = 5 with 4 KiB pages: 128 KiB") {
            Rig r;
            const uint64_t buf = r.buffer(33 * 4096);
            spec::Sqe ok{};
            ok.opc = static_cast<uint8_t>(NvmOpcode::Read);
            ok.nsid = 1;
            ok.cdw12 = 31;
            r.d.drv.build_prps(ok, buf, 32 * 4096);
            check_status(r.d.drv.execute(r.q, ok), 0, 0, false);
            r.d.drv.release_prp_lists();
            spec::Sqe big = ok;
            big.cdw12 = 32;
            r.d.drv.build_prps(big, buf, 33 * 4096);
            const Completion c = r.d.drv.execute(r.q, big);
            check_status(c, 0, sc(GenericStatus::InvalidField), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "data transfer length");
            CHECK(c.why->value == 33 * 4096);
            CHECK(c.why->section.find("MDTS") != std::string::npos);
            // A write of the same size is refused before any data moves.
            const uint64_t m = r.mark();
            big.opc = static_cast<uint8_t>(NvmOpcode::Write);
            check_status(r.d.drv.execute(r.q, big), 0, sc(GenericStatus::InvalidField), true);
            CHECK(r.events_since(m, EventKind::DmaToDevice).empty());
        }
        SUBCASE("MDTS counts CAP.MPSMIN pages, not CC.MPS pages") {
            Rig r(small_config(), 1); // 8 KiB host pages, MPSMIN still 4 KiB
            const uint64_t buf = r.buffer(33 * 4096);
            spec::Sqe s{};
            s.opc = static_cast<uint8_t>(NvmOpcode::Read);
            s.nsid = 1;
            s.cdw12 = 31;
            r.d.drv.build_prps(s, buf, 32 * 4096);
            check_status(r.d.drv.execute(r.q, s), 0, 0, false);
            s.cdw12 = 32;
            r.d.drv.build_prps(s, buf, 33 * 4096);
            check_status(r.d.drv.execute(r.q, s), 0, sc(GenericStatus::InvalidField), true);
        }
        SUBCASE("MPSMIN = 1 doubles the limit") {
            DeviceConfig c = small_config();
            c.mpsmin = 1;
            Rig r(c, 1);
            std::vector<uint8_t> buf(65 * 4096);
            check_status(r.d.drv.read(r.q, 1, 0, 63, std::span(buf).first(64 * 4096)), 0, 0, false);
            check_status(r.d.drv.read(r.q, 1, 0, 64, buf), 0, sc(GenericStatus::InvalidField),
                         true);
        }
    }

    TEST_CASE("CC.MPS = 1: PRPs use 8 KiB pages") {
        Rig r(small_config(), 1);
        REQUIRE(r.page() == 8192);
        const auto data = pattern(24 * 1024, 14);
        r.store(100, data);

        SUBCASE("16 KiB in two 8 KiB pages, no list") {
            const uint64_t a = r.buffer(8192);
            const uint64_t b = r.buffer(8192);
            const uint64_t m = r.mark();
            check_status(r.io(NvmOpcode::Read, 100, 4, a, b), 0, 0, false);
            CHECK(r.host(a, 8192) == slice(data, 0, 8192));
            CHECK(r.host(b, 8192) == slice(data, 8192, 8192));
            CHECK(r.events_since(m, EventKind::PrpListRead).empty());
            const auto dma = r.events_since(m, EventKind::DmaToHost);
            REQUIRE(dma.size() == 2);
            CHECK(dma[0].len == 8192);
            CHECK(dma[1].len == 8192);
        }
        SUBCASE("a 4 KiB aligned PRP2 is misaligned for 8 KiB pages") {
            const uint64_t a = r.buffer(8192);
            const uint64_t b = r.buffer(16384);
            check_status(r.io(NvmOpcode::Read, 100, 4, a, b + 4096), 0,
                         sc(GenericStatus::PrpOffsetInvalid), true);
        }
        SUBCASE("PRP1 offset 1000h is inside its 8 KiB page") {
            const uint64_t a = r.buffer(8192);
            const uint64_t b = r.buffer(8192);
            check_status(r.io(NvmOpcode::Read, 100, 3, a + 4096, b), 0, 0, false);
            CHECK(all_equal(slice(r.host(a, 8192), 0, 4096), 0xCC));
            CHECK(slice(r.host(a, 8192), 4096, 4096) == slice(data, 0, 4096));
            CHECK(r.host(b, 8192) == slice(data, 4096, 8192));
        }
        SUBCASE("24 KiB: PRP1 page plus a list of two 8 KiB pages") {
            const uint64_t a = r.buffer(8192);
            const uint64_t b = r.buffer(8192);
            const uint64_t c = r.buffer(8192);
            const uint64_t list = r.buffer(8192, 0);
            r.put_list(list, {c, b});
            const uint64_t m = r.mark();
            check_status(r.io(NvmOpcode::Read, 100, 6, a, list), 0, 0, false);
            CHECK(r.host(a, 8192) == slice(data, 0, 8192));
            CHECK(r.host(c, 8192) == slice(data, 8192, 8192));
            CHECK(r.host(b, 8192) == slice(data, 16384, 8192));
            const auto lists = r.events_since(m, EventKind::PrpListRead);
            REQUIRE(lists.size() == 1);
            CHECK(lists[0].len == 2);
        }
        SUBCASE("the driver's chained lists with 8 KiB pages (1024 entries per list page)") {
            DeviceConfig c = small_config();
            c.mdts = 0;
            Rig s(c, 1);
            const auto big = pattern(9u << 20, 15); // 1152 pages of 8 KiB
            s.store(0, big);
            const uint64_t m = s.mark();
            CHECK(s.load(0, 9u << 20) == big);
            const auto lists = s.events_since(m, EventKind::PrpListRead);
            REQUIRE(lists.size() == 2);
            CHECK(lists[0].len == 1024);
            CHECK(lists[1].len == 1152 - 1 - 1023);
        }
    }

    TEST_CASE("the host driver's PRP lists follow a page size change at re-enable") {
        DeviceConfig c = small_config();
        c.mdts = 0;
        Rig r(c, 0);
        const auto small = pattern(5u << 20, 16);
        r.store(0, small); // the driver now holds 4 KiB PRP list pages
        CHECK(r.load(0, 5u << 20) == small);

        BringUpOptions o;
        o.mps = 1;
        r.d.drv.enable(o);
        REQUIRE(r.d.drv.page_size() == 8192);
        r.q = r.d.drv.create_io_queue_pair(16);
        const auto big = pattern(9u << 20, 17); // 1151 list entries: two 8 KiB list pages
        const uint64_t m = r.mark();
        r.store(512, big);
        CHECK(r.load(512, 9u << 20) == big);
        for (const auto &e : r.events_since(m, EventKind::PrpListRead))
            CHECK(e.addr % 8192 == 0);
    }

} // TEST_SUITE
