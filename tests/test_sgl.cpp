// Scatter gather lists (NVMe 1.3 §4.4, core/controller/sgl_walker.*): descriptor by descriptor,
// what lands where, which events the walk records, and every rule a list can break with the
// status and the descriptor the explanation names. Lists are built by hand in host memory
// here, independently of the host driver's builder.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "doctest/doctest.h"
#include "test_helpers.h"

#include "core/controller/data_path.h"

using namespace nvmelab;
using nvmelab::test::TestDevice;
using spec::GenericStatus;

namespace {

constexpr uint8_t kDataBlock = 0x00, kBitBucket = 0x10, kSegment = 0x20, kLastSegment = 0x30;

struct Desc {
    uint64_t address;
    uint32_t length;
    uint8_t identifier;
};

// The 16 bytes of a descriptor, written field by field as §4.4 Figure 20 lays them out.
std::vector<uint8_t> encode(const std::vector<Desc> &list) {
    std::vector<uint8_t> out(list.size() * 16, 0);
    for (size_t i = 0; i < list.size(); ++i) {
        for (int b = 0; b < 8; ++b)
            out[i * 16 + b] = static_cast<uint8_t>(list[i].address >> (8 * b));
        for (int b = 0; b < 4; ++b)
            out[i * 16 + 8 + b] = static_cast<uint8_t>(list[i].length >> (8 * b));
        out[i * 16 + 15] = list[i].identifier;
    }
    return out;
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 11;
    for (auto &b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return v;
}

struct SglDevice {
    TestDevice d;
    uint16_t q = 0;
    SglDevice() {
        d.drv.enable();
        q = d.drv.create_io_queue_pair(16);
    }
    uint32_t lba() const { return d.cfg.lba_size(); }
    uint64_t buffer(uint64_t bytes, uint8_t fill = 0xEE) {
        const uint64_t a = d.mem.alloc(bytes, "test buffer");
        REQUIRE(d.mem.write(a, std::vector<uint8_t>(bytes, fill)));
        return a;
    }
    uint64_t segment(const std::vector<Desc> &list) {
        const uint64_t a = d.mem.alloc(std::max<uint64_t>(list.size() * 16, 16), "segment");
        REQUIRE(d.mem.write(a, encode(list)));
        return a;
    }
    std::vector<uint8_t> host(uint64_t addr, size_t n) {
        std::vector<uint8_t> out(n);
        REQUIRE(d.mem.read(addr, out));
        return out;
    }
    static spec::Sqe rw(spec::NvmOpcode op, uint64_t slba, uint32_t blocks, Desc sgl1,
                        uint8_t psdt = 1) {
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(op);
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(slba);
        sqe.cdw12 = blocks - 1;
        sqe.set_psdt(psdt);
        const auto raw = encode({sgl1});
        std::memcpy(&sqe.prp1, raw.data(), 8);
        std::memcpy(&sqe.prp2, raw.data() + 8, 8);
        return sqe;
    }
    Completion read(uint64_t slba, uint32_t blocks, Desc sgl1) {
        return d.drv.execute(q, rw(spec::NvmOpcode::Read, slba, blocks, sgl1));
    }
    Completion write(uint64_t slba, uint32_t blocks, Desc sgl1) {
        return d.drv.execute(q, rw(spec::NvmOpcode::Write, slba, blocks, sgl1));
    }
    // Media content through the PRP path, the reference the SGL transfers are checked with.
    std::vector<uint8_t> media(uint64_t slba, uint32_t blocks) {
        std::vector<uint8_t> out(size_t{blocks} * lba());
        REQUIRE(d.drv.read(q, 1, slba, blocks - 1, out).ok());
        return out;
    }
    void put_media(uint64_t slba, const std::vector<uint8_t> &data) {
        REQUIRE(d.drv.write(q, 1, slba, static_cast<uint32_t>(data.size() / lba()) - 1, data).ok());
    }
    std::vector<TraceEvent> events(uint64_t mark, std::initializer_list<EventKind> kinds) {
        std::vector<TraceEvent> out;
        for (const auto &e : d.ctrl.trace().events())
            if (e.seq >= mark && std::find(kinds.begin(), kinds.end(), e.kind) != kinds.end())
                out.push_back(e);
        return out;
    }
};

constexpr std::initializer_list<EventKind> kWalk{EventKind::SglSegmentRead, EventKind::DmaToHost,
                                                 EventKind::DmaToDevice, EventKind::SglBitBucket};

void expect_refused(const Completion &c, GenericStatus sc, const std::string &field,
                    const std::string &rule_part, bool dnr = true) {
    CHECK(c.status().sct == 0);
    CHECK(c.status().sc == static_cast<uint8_t>(sc));
    CHECK(c.status().dnr == dnr);
    REQUIRE(c.why);
    CHECK(c.why->field == field);
    CHECK(c.why->section == "NVMe 1.3 §4.4");
    CHECK_MESSAGE(c.why->rule.find(rule_part) != std::string::npos, c.why->rule);
}

} // namespace

TEST_SUITE("sgl") {

    TEST_CASE("Identify SGLS advertises dword-granular SGLs, Bit Buckets and both MPTR forms") {
        SglDevice s;
        const spec::IdentifyController id = s.d.drv.identify_controller();
        // 1:0 = 10b dword granularity, b16 Bit Bucket, b17 byte-aligned contiguous MPTR, b19
        // MPTR to an SGL; no keyed blocks (b2), no longer-than-transfer lists (b18), no
        // address-as-offset (b20).
        CHECK(id.sgls == 0x000B0002u);
    }

    TEST_CASE("PSDT picks the SGL walker for I/O; admin commands and 11b are refused") {
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        DataPath path;
        sqe.set_psdt(1);
        REQUIRE_FALSE(choose_data_pointers(sqe, false, 4096, path));
        CHECK(std::holds_alternative<SglWalker>(path.data.walker));
        CHECK(std::holds_alternative<ContiguousWalker>(path.metadata.walker));
        sqe.set_psdt(2);
        REQUIRE_FALSE(choose_data_pointers(sqe, false, 4096, path));
        CHECK(std::holds_alternative<SglWalker>(path.data.walker));
        CHECK(std::holds_alternative<SglWalker>(path.metadata.walker));
        sqe.set_psdt(3);
        REQUIRE(choose_data_pointers(sqe, false, 4096, path));
        CHECK(choose_data_pointers(sqe, false, 4096, path)->rule == "PSDT 11b is reserved");

        // Over PCIe admin commands use PRPs (§4.4): Identify with PSDT 01b is Invalid Field.
        SglDevice s;
        spec::Sqe id{};
        id.opc = static_cast<uint8_t>(spec::AdminOpcode::Identify);
        id.cdw10 = 1;
        id.prp1 = s.buffer(4096);
        for (const uint8_t psdt : {1, 2}) {
            id.set_psdt(psdt);
            const Completion c = s.d.drv.execute(0, id);
            CHECK(c.status().sc == static_cast<uint8_t>(GenericStatus::InvalidField));
            CHECK(c.status().dnr);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW0.PSDT");
            CHECK(c.why->rule == "admin commands must use PRPs (PSDT = 00b)");
        }
    }

    TEST_CASE("one Data Block: a read lands at its address in one DMA, a write comes from it") {
        SglDevice s;
        const auto data = pattern(4 * s.lba(), 1);
        s.put_media(8, data);
        // Not page aligned: an SGL Data Block only needs dword granularity.
        const uint64_t base = s.buffer(5 * s.lba());
        const uint64_t at = base + 0x44;
        const uint64_t mark = s.d.ctrl.trace().total_recorded();
        const Completion c = s.read(8, 4, {at, static_cast<uint32_t>(data.size()), kDataBlock});
        REQUIRE_MESSAGE(c.ok(), c.describe());
        CHECK(s.host(at, data.size()) == data);
        CHECK(s.host(base, 0x44) == std::vector<uint8_t>(0x44, 0xEE)); // nothing before it
        const auto ev = s.events(mark, kWalk);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].kind == EventKind::DmaToHost);
        CHECK(ev[0].addr == at);
        CHECK(ev[0].len == data.size());

        const auto other = pattern(2 * s.lba(), 2);
        REQUIRE(s.d.mem.write(at, other));
        REQUIRE(s.write(20, 2, {at, static_cast<uint32_t>(other.size()), kDataBlock}).ok());
        CHECK(s.media(20, 2) == other);
    }

    TEST_CASE("a chain of segments: each read is an event, the bytes go descriptor by "
              "descriptor") {
        SglDevice s;
        const uint32_t n = 4 * s.lba();
        const auto data = pattern(n, 3);
        s.put_media(0, data);
        // Five pieces of different sizes in five places, over three segments:
        // SGL1 -> seg1 [A, B, Segment -> seg2], seg2 [C, Last Segment -> seg3], seg3 [D, E].
        const uint32_t sizes[5] = {1024, 3 * 1024 + 12, 4096 - 12, 4096, n - 12288};
        uint64_t addr[5];
        for (int i = 0; i < 5; ++i)
            addr[i] = s.buffer(sizes[i] + 64) + 4 * i;
        const uint64_t seg3 =
            s.segment({{addr[3], sizes[3], kDataBlock}, {addr[4], sizes[4], kDataBlock}});
        const uint64_t seg2 =
            s.segment({{addr[2], sizes[2], kDataBlock}, {seg3, 32, kLastSegment}});
        const uint64_t seg1 = s.segment({{addr[0], sizes[0], kDataBlock},
                                         {addr[1], sizes[1], kDataBlock},
                                         {seg2, 32, kSegment}});
        uint64_t mark = s.d.ctrl.trace().total_recorded();
        const Completion c = s.read(0, 4, {seg1, 48, kSegment});
        REQUIRE_MESSAGE(c.ok(), c.describe());
        size_t pos = 0;
        for (int i = 0; i < 5; ++i) {
            CAPTURE(i);
            CHECK(s.host(addr[i], sizes[i]) ==
                  std::vector(data.begin() + pos, data.begin() + pos + sizes[i]));
            pos += sizes[i];
        }
        const std::vector<std::pair<EventKind, uint64_t>> expected{
            {EventKind::SglSegmentRead, seg1}, {EventKind::DmaToHost, addr[0]},
            {EventKind::DmaToHost, addr[1]},   {EventKind::SglSegmentRead, seg2},
            {EventKind::DmaToHost, addr[2]},   {EventKind::SglSegmentRead, seg3},
            {EventKind::DmaToHost, addr[3]},   {EventKind::DmaToHost, addr[4]}};
        auto ev = s.events(mark, kWalk);
        REQUIRE(ev.size() == expected.size());
        for (size_t i = 0; i < ev.size(); ++i) {
            CAPTURE(i);
            CHECK(ev[i].kind == expected[i].first);
            CHECK(ev[i].addr == expected[i].second);
        }
        CHECK(ev[0].len == 3); // descriptors read
        CHECK(ev[3].len == 2);
        CHECK(s.d.ctrl.trace().format(ev[0]).find("sgl-segment") != std::string::npos);
        CHECK(s.d.ctrl.trace().format(ev[0]).find("descriptors=3") != std::string::npos);

        // The same chain gathers a write in the same order.
        const auto other = pattern(n, 4);
        pos = 0;
        for (int i = 0; i < 5; ++i) {
            REQUIRE(s.d.mem.write(addr[i], std::span(other).subspan(pos, sizes[i])));
            pos += sizes[i];
        }
        mark = s.d.ctrl.trace().total_recorded();
        REQUIRE(s.write(40, 4, {seg1, 48, kSegment}).ok());
        ev = s.events(mark, kWalk);
        REQUIRE(ev.size() == expected.size());
        CHECK(ev[1].kind == EventKind::DmaToDevice);
        CHECK(s.media(40, 4) == other);
    }

    TEST_CASE("SGL1 may point straight at a Last Segment; zero-length Data Blocks are skipped") {
        SglDevice s;
        const auto data = pattern(s.lba(), 5);
        s.put_media(3, data);
        const uint64_t a = s.buffer(s.lba()), b = s.buffer(s.lba());
        const uint64_t seg = s.segment({{a, 0, kDataBlock},
                                        {a, 2048, kDataBlock},
                                        {0xDEAD0000, 0, kDataBlock}, // never touched
                                        {b, s.lba() - 2048, kDataBlock}});
        const uint64_t mark = s.d.ctrl.trace().total_recorded();
        REQUIRE(s.read(3, 1, {seg, 64, kLastSegment}).ok());
        CHECK(s.host(a, 2048) == std::vector(data.begin(), data.begin() + 2048));
        CHECK(s.host(b, s.lba() - 2048) == std::vector(data.begin() + 2048, data.end()));
        CHECK(s.events(mark, {EventKind::DmaToHost}).size() == 2);
    }

    TEST_CASE("a Bit Bucket discards read data; in a write it is ignored (1.3d §4.4)") {
        SglDevice s;
        const auto data = pattern(2 * s.lba(), 6);
        s.put_media(0, data);
        const uint64_t a = s.buffer(s.lba()), b = s.buffer(s.lba());
        const uint64_t seg = s.segment(
            {{a, 1024, kDataBlock}, {0, 2 * s.lba() - 2048, kBitBucket}, {b, 1024, kDataBlock}});
        uint64_t mark = s.d.ctrl.trace().total_recorded();
        REQUIRE(s.read(0, 2, {seg, 48, kLastSegment}).ok());
        CHECK(s.host(a, 1024) == std::vector(data.begin(), data.begin() + 1024));
        CHECK(s.host(a + 1024, 16) == std::vector<uint8_t>(16, 0xEE));
        CHECK(s.host(b, 1024) == std::vector(data.end() - 1024, data.end()));
        const auto buckets = s.events(mark, {EventKind::SglBitBucket});
        REQUIRE(buckets.size() == 1);
        CHECK(buckets[0].addr == 1024); // offset in the transfer
        CHECK(buckets[0].len == 2 * s.lba() - 2048);
        CHECK(s.d.ctrl.trace().format(buckets[0]).find("discarded=") != std::string::npos);

        // A whole read into one Bit Bucket: nothing reaches host memory, the command succeeds.
        mark = s.d.ctrl.trace().total_recorded();
        REQUIRE(s.read(0, 2, {0, 2 * s.lba(), kBitBucket}).ok());
        CHECK(s.events(mark, {EventKind::DmaToHost}).empty());

        // In a write the bucket neither supplies bytes nor counts toward the length: the two
        // Data Blocks are the whole block.
        const auto other = pattern(s.lba(), 7);
        REQUIRE(s.d.mem.write(a, std::span(other).first(2048)));
        REQUIRE(s.d.mem.write(b, std::span(other).subspan(2048)));
        const uint64_t wseg = s.segment(
            {{a, 2048, kDataBlock}, {0, 999999, kBitBucket}, {b, s.lba() - 2048, kDataBlock}});
        REQUIRE(s.write(9, 1, {wseg, 48, kLastSegment}).ok());
        CHECK(s.media(9, 1) == other);
    }

    TEST_CASE("each broken rule: its status, and the descriptor the explanation names") {
        SglDevice s;
        const uint32_t n = s.lba();
        const uint64_t buf = s.buffer(2 * n);

        SUBCASE("SGL1 Data Block shorter or longer than the transfer: refused at decode") {
            for (const uint32_t len : {n - 512, n + 512}) {
                const uint64_t mark = s.d.ctrl.trace().total_recorded();
                expect_refused(s.read(0, 1, {buf, len, kDataBlock}),
                               GenericStatus::DataSglLengthInvalid, "SGL1 length",
                               "must describe the transfer's");
                CHECK(s.events(mark, kWalk).empty());
            }
        }
        SUBCASE("a list that ends before the transfer does") {
            const uint64_t seg = s.segment({{buf, 1024, kDataBlock}, {buf + 1024, 1024, 0}});
            expect_refused(
                s.read(0, 1, {seg, 32, kLastSegment}), GenericStatus::DataSglLengthInvalid,
                fmt::format("SGL segment 1 descriptor 1 @0x{:x} (end of list)", seg + 16),
                "ends after describing 2048 of the transfer's 4096 bytes");
        }
        SUBCASE("a list that describes more than the transfer") {
            const uint64_t seg = s.segment({{buf, n, kDataBlock}, {buf + n, 512, kDataBlock}});
            expect_refused(s.read(0, 1, {seg, 32, kLastSegment}),
                           GenericStatus::DataSglLengthInvalid,
                           fmt::format("SGL segment 1 descriptor 1 @0x{:x} length", seg + 16),
                           "describes more than the transfer");
        }
        SUBCASE("Keyed Data Block, reserved and vendor types") {
            expect_refused(s.read(0, 1, {buf, n, 0x40}), GenericStatus::SglDescriptorTypeInvalid,
                           "SGL1 type", "Keyed SGL Data Blocks are for NVMe over Fabrics");
            for (const uint8_t id : {0x50, 0xE0, 0xF0}) {
                const uint64_t seg = s.segment({{buf, 512, kDataBlock}, {buf, n - 512, id}});
                expect_refused(
                    s.read(0, 1, {seg, 32, kLastSegment}), GenericStatus::SglDescriptorTypeInvalid,
                    fmt::format("SGL segment 1 descriptor 1 @0x{:x} identifier", seg + 16),
                    "this controller knows Data Block (0h)");
            }
        }
        SUBCASE("the Offset subtype (fabrics) and reserved subtypes") {
            expect_refused(s.read(0, 1, {buf, n, 0x01}), GenericStatus::SglOffsetInvalid,
                           "SGL1 subtype", "SGLS bit 20 = 0");
            const uint64_t seg = s.segment({{buf, n, 0x02}});
            expect_refused(
                s.read(0, 1, {seg, 16, kLastSegment}), GenericStatus::SglDescriptorTypeInvalid,
                fmt::format("SGL segment 1 descriptor 0 @0x{:x} identifier", seg), "subtype 0h");
        }
        SUBCASE("a segment pointer before the last slot of its segment") {
            const uint64_t inner = s.segment({{buf, n, kDataBlock}});
            const uint64_t seg = s.segment({{inner, 16, kLastSegment}, {buf, 0, kDataBlock}});
            expect_refused(s.read(0, 1, {seg, 32, kSegment}),
                           GenericStatus::InvalidNumberOfSglDescriptors,
                           fmt::format("SGL segment 1 descriptor 0 @0x{:x} type", seg),
                           "only be the last descriptor");
        }
        SUBCASE("a segment pointer inside a Last Segment's segment") {
            const uint64_t inner = s.segment({{buf, n - 512, kDataBlock}});
            const uint64_t seg = s.segment({{buf, 512, kDataBlock}, {inner, 16, kLastSegment}});
            expect_refused(s.read(0, 1, {seg, 32, kLastSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor,
                           fmt::format("SGL segment 1 descriptor 1 @0x{:x} type", seg + 16),
                           "holds no further Segment");
        }
        SUBCASE("a Segment's segment that ends with data instead of a pointer") {
            const uint64_t seg = s.segment({{buf, 512, kDataBlock}, {buf, n - 512, kDataBlock}});
            expect_refused(s.read(0, 1, {seg, 32, kSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor,
                           fmt::format("SGL segment 1 descriptor 1 @0x{:x} type", seg + 16),
                           "must be a Segment or Last Segment descriptor");
        }
        SUBCASE("segment descriptors: zero length, not whole descriptors, not qword aligned") {
            const uint64_t seg = s.segment({{buf, n, kDataBlock}});
            expect_refused(s.read(0, 1, {seg, 0, kLastSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor, "SGL1 length",
                           "non-zero multiple of 16");
            expect_refused(s.read(0, 1, {seg, 24, kLastSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor, "SGL1 length",
                           "non-zero multiple of 16");
            expect_refused(s.read(0, 1, {seg + 4, 16, kLastSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor, "SGL1 address",
                           "qword aligned");
            const uint64_t outer = s.segment({{buf, 512, kDataBlock}, {seg, 20, kLastSegment}});
            expect_refused(s.read(0, 1, {outer, 32, kSegment}),
                           GenericStatus::InvalidSglSegmentDescriptor,
                           fmt::format("SGL segment 1 descriptor 1 @0x{:x} length", outer + 16),
                           "non-zero multiple of 16");
        }
        SUBCASE("Data Block granularity: SGLS = 10b wants dword addresses and lengths") {
            expect_refused(s.read(0, 1, {buf + 2, n, kDataBlock}),
                           GenericStatus::SglDataBlockGranularityInvalid, "SGL1 address",
                           "dword granular");
            const uint64_t seg =
                s.segment({{buf, 1022, kDataBlock}, {buf + 1024, n - 1022, kDataBlock}});
            expect_refused(s.read(0, 1, {seg, 32, kLastSegment}),
                           GenericStatus::SglDataBlockGranularityInvalid,
                           fmt::format("SGL segment 1 descriptor 0 @0x{:x} length", seg),
                           "dword granular");
        }
        SUBCASE("a segment in memory the host never mapped: Data Transfer Error") {
            const Completion c = s.read(0, 1, {0x7F000000, 32, kLastSegment});
            expect_refused(c, GenericStatus::DataTransferError,
                           "SGL segment 1 descriptor 0 @0x7f000000 (segment)",
                           "not in mapped host memory", false);
        }
        SUBCASE("a chain that loops back on itself ends with Invalid Number of SGL "
                "Descriptors") {
            const uint64_t seg = s.d.mem.alloc(4096, "segment");
            REQUIRE(s.d.mem.write(seg, encode({{buf, 0, kDataBlock}, {seg, 32, kSegment}})));
            const Completion c = s.read(0, 1, {seg, 32, kSegment});
            CHECK(c.status().sc ==
                  static_cast<uint8_t>(GenericStatus::InvalidNumberOfSglDescriptors));
            REQUIRE(c.why);
            CHECK(c.why->rule.find("never ends") != std::string::npos);
        }
        SUBCASE("a Bit Bucket longer than what is left of a read") {
            const uint64_t seg = s.segment({{buf, 512, kDataBlock}, {0, n, kBitBucket}});
            expect_refused(s.read(0, 1, {seg, 32, kLastSegment}),
                           GenericStatus::DataSglLengthInvalid,
                           fmt::format("SGL segment 1 descriptor 1 @0x{:x} length", seg + 16),
                           "describes more than the transfer");
        }
    }

    TEST_CASE("a write whose list breaks a rule changes nothing on the media") {
        SglDevice s;
        const auto before = pattern(2 * s.lba(), 8);
        s.put_media(30, before);
        const uint64_t a = s.buffer(2 * s.lba(), 0x11);
        // The first descriptor is fine, the second type is reserved: the walk stops there,
        // before execute.
        const uint64_t seg = s.segment({{a, s.lba(), kDataBlock}, {a + s.lba(), s.lba(), 0x70}});
        const Completion c = s.write(30, 2, {seg, 32, kLastSegment});
        CHECK(c.status().sc == static_cast<uint8_t>(GenericStatus::SglDescriptorTypeInvalid));
        CHECK(s.media(30, 2) == before);
    }

    TEST_CASE("metadata SGL (PSDT 10b): one descriptor at MPTR, its own length status") {
        SparseHostMemory mem;
        const uint64_t md = mem.alloc(4096, "metadata");
        const uint64_t mptr = mem.alloc(4096, "metadata SGL");
        REQUIRE(mem.write(mptr, encode({{md + 8, 64, kDataBlock}})));
        SglWalker w = SglWalker::metadata_at(mptr, false);
        w.start(64);
        REQUIRE_FALSE(w.check_entries());
        WalkStep st = w.next(mem);
        CHECK(st.kind == WalkStep::Kind::SegmentRead);
        CHECK(st.addr == mptr);
        CHECK(st.len == 1);
        st = w.next(mem);
        CHECK(st.kind == WalkStep::Kind::Segment);
        CHECK(st.addr == md + 8);
        CHECK(st.len == 64);
        CHECK(w.done());

        // Shorter than the metadata: Metadata SGL Length Invalid, not its data twin.
        w.start(128);
        CHECK(w.next(mem).kind == WalkStep::Kind::SegmentRead);
        CHECK(w.next(mem).kind == WalkStep::Kind::Segment);
        st = w.next(mem);
        REQUIRE(st.kind == WalkStep::Kind::Error);
        CHECK(st.status.sc == static_cast<uint8_t>(GenericStatus::MetadataSglLengthInvalid));
        CHECK(st.why.field ==
              fmt::format("metadata SGL descriptor at MPTR @0x{:x} (end of list)", mptr));

        // MPTR itself must be qword aligned: it points to a segment.
        SglWalker bad = SglWalker::metadata_at(mptr + 4, false);
        bad.start(64);
        REQUIRE(bad.check_entries());
        CHECK(bad.check_entries()->status.sc == static_cast<uint8_t>(GenericStatus::InvalidField));
        // Nothing to move, nothing walked: the list is not even read.
        SglWalker none = SglWalker::metadata_at(0x7F000000, false);
        none.start(0);
        CHECK(none.done());
        CHECK(none.next(mem).kind == WalkStep::Kind::Done);
    }
}

#include "console/console.h"

TEST_SUITE("sgl") {
    TEST_CASE("console: an SGL chain built by hand, then broken descriptor by descriptor") {
        DeviceConfig cfg;
        cfg.size = 16 << 20;
        SparseHostMemory mem;
        MemoryBackingStore store(cfg.size);
        Controller ctrl(cfg, mem, store);
        HostDriver drv(ctrl, mem);
        Console con(ctrl, mem, drv);
        auto ok = [&](std::string_view line) {
            const ConsoleResult r = con.exec_line(line);
            INFO("line: ", std::string(line));
            INFO("error: ", r.error);
            REQUIRE(r.ok);
            return r.output;
        };
        ok("enable");
        ok("queue create 1");
        ok("mem alloc a 4096");
        ok("mem alloc b 4096");
        ok("mem alloc seg 4096");
        ok("mem fill $a 0x11 4096");
        ok("mem fill $b 0x22 4096");
        // Write block 5 from two halves in two places: SGL1 -> Last Segment of two Data Blocks.
        CHECK(ok("sgl put $seg data $a 2048").find("Data Block addr=") != std::string::npos);
        ok("sgl put $seg+16 data $b 2048");
        ok("sqe w opc=0x01 nsid=1 cdw10=5");
        CHECK(ok("sgl w last $seg 32").find("psdt=1 SGL1 = Last Segment") != std::string::npos);
        ok("io 1 w");
        ok("expect status success");
        const std::string shown = ok("sgl show $seg 2");
        CHECK(shown.find("[1] Data Block") != std::string::npos);
        ok("flush 1 queue=1"); // from the write cache to the media
        std::vector<uint8_t> block(4096);
        REQUIRE(store.read(5 * 4096, block));
        CHECK(std::count(block.begin(), block.begin() + 2048, 0x11) == 2048);
        CHECK(std::count(block.begin() + 2048, block.end(), 0x22) == 2048);

        // The second descriptor given a reserved type, then a Keyed Data Block, then a segment
        // pointer that is not last: each its own status.
        ok("sgl put $seg+16 7 $b 2048");
        ok("io 1 w");
        ok("expect status \"SGL Descriptor Type Invalid\"");
        ok("sgl w keyed $a 4096");
        ok("io 1 w");
        ok("expect status \"SGL Descriptor Type Invalid\"");
        ok("sgl put $seg segment $seg 32");
        ok("sgl put $seg+16 data $b 4096");
        ok("sgl w segment $seg 32");
        ok("io 1 w");
        ok("expect status \"Invalid Number of SGL Descriptors\"");
        ok("sgl w data $a+2 4096");
        ok("io 1 w");
        ok("expect status \"SGL Data Block Granularity Invalid\"");
        const ConsoleResult bad = con.exec_line("sgl w wombat $a 4096");
        CHECK_FALSE(bad.ok);
        CHECK(bad.error.find("not an SGL descriptor type") != std::string::npos);
    }
}

TEST_SUITE("sgl") {
    TEST_CASE("host driver: one Data Block or a chain of N segments, the same bytes") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const uint32_t lba = d.cfg.lba_size();
        std::vector<uint8_t> data(5 * lba);
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<uint8_t>(i * 7 + 3);
        for (const uint32_t segments : {0u, 1u, 3u, 7u}) {
            CAPTURE(segments);
            d.drv.set_data_pointers({true, segments});
            const uint64_t mark = d.ctrl.trace().total_recorded();
            REQUIRE(d.drv.write(q, 1, 100, 4, data).ok());
            std::vector<uint8_t> back(data.size());
            REQUIRE(d.drv.read(q, 1, 100, 4, back).ok());
            CHECK(back == data);
            size_t reads = 0, moves = 0;
            for (const auto &e : d.ctrl.trace().events()) {
                if (e.seq < mark) continue;
                reads += e.kind == EventKind::SglSegmentRead;
                moves += e.kind == EventKind::DmaToHost;
                CHECK(e.kind != EventKind::PrpListRead);
            }
            CHECK(reads == 2 * segments); // each segment read once by the write, once by the read
            CHECK(moves == std::max(1u, segments));
        }
        // Admin commands keep PRPs whatever the I/O setting.
        CHECK(d.drv.identify_controller().sgls == 0x000B0002u);
        d.drv.set_data_pointers({});
        std::vector<uint8_t> back(data.size());
        REQUIRE(d.drv.read(q, 1, 100, 4, back).ok());
        CHECK(back == data);
    }
}

TEST_SUITE("sgl") {
    TEST_CASE("PSDT 10b: the metadata goes through the one descriptor MPTR points to") {
        DeviceConfig c = nvmelab::test::small_config();
        c.ms = 8; // separate metadata (MSET = 0): 8 bytes per block at MPTR
        TestDevice d(c);
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const uint32_t lba = d.cfg.lba_size();
        const uint64_t data = d.mem.alloc(2 * lba, "data");
        const uint64_t md = d.mem.alloc(4096, "metadata");
        const uint64_t mseg = d.mem.alloc(4096, "metadata SGL");
        const std::vector<uint8_t> meta{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
        REQUIRE(d.mem.write(md + 0x20, meta));
        REQUIRE(d.mem.write(mseg, encode({{md + 0x20, 16, kDataBlock}})));
        auto sqe = SglDevice::rw(spec::NvmOpcode::Write, 0, 2, {data, 2 * lba, kDataBlock}, 2);
        sqe.mptr = mseg;
        const uint64_t mark = d.ctrl.trace().total_recorded();
        const Completion w = d.drv.execute(q, sqe);
        REQUIRE_MESSAGE(w.ok(), w.describe());
        bool read_mptr = false;
        for (const auto &e : d.ctrl.trace().events())
            read_mptr |= e.seq >= mark && e.kind == EventKind::SglSegmentRead && e.addr == mseg;
        CHECK(read_mptr);

        // Read back into another place through a new one-descriptor segment.
        REQUIRE(d.mem.write(mseg, encode({{md + 0x100, 16, kDataBlock}})));
        auto rd = SglDevice::rw(spec::NvmOpcode::Read, 0, 2, {data, 2 * lba, kDataBlock}, 2);
        rd.mptr = mseg;
        REQUIRE(d.drv.execute(q, rd).ok());
        std::vector<uint8_t> back(16);
        REQUIRE(d.mem.read(md + 0x100, back));
        CHECK(back == meta);

        // A descriptor shorter than the metadata: Metadata SGL Length Invalid.
        REQUIRE(d.mem.write(mseg, encode({{md, 8, kDataBlock}})));
        const Completion bad = d.drv.execute(q, rd);
        CHECK(bad.status().sc == static_cast<uint8_t>(GenericStatus::MetadataSglLengthInvalid));
        CHECK(bad.status().dnr);
    }
}
