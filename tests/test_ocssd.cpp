// Open-Channel SSD 2.0 device (../shared/reference/ocssd-2.0.md, "OC §n"): properties and their
// validation, detection (Identify vs[0], Geometry E2h), the Chunk Information log, the chunk
// state machine under the write / read / reset rules (tables in the shape of liblightnvm's
// tests/test_rules_*.c: chunk state, command, position -> status, WP, state), the vector
// commands with their completion bitmap, Dataset Management as a scalar reset, and persistence.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/controller/device_config.h"
#include "core/spec/ocssd_spec.h"
#include "driver/host_driver.h"
#include "rig/device_rig.h"

namespace {

using namespace nvmelab;
using spec::ocssd::ChunkDescriptor;
using spec::ocssd::ChunkState;

constexpr uint8_t kOpWrite = 0x01;
constexpr uint8_t kOpRead = 0x02;
constexpr uint8_t kOpDsm = 0x09;
constexpr uint8_t kOpReset = 0x90;
constexpr uint8_t kOpVWrite = 0x91;
constexpr uint8_t kOpVRead = 0x92;
constexpr uint8_t kOpVCopy = 0x93;

// Status in the 15-bit SCT << 8 | SC form the reference uses.
constexpr uint16_t kOk = 0x000;
constexpr uint16_t kInvalidOpcode = 0x001;
constexpr uint16_t kInvalidField = 0x002;
constexpr uint16_t kDataTransferError = 0x004;
constexpr uint16_t kInvalidNamespace = 0x00B;
constexpr uint16_t kLbaOutOfRange = 0x080;
constexpr uint16_t kWriteFault = 0x280;
constexpr uint16_t kDulb = 0x287;
constexpr uint16_t kOfflineChunk = 0x2C0;
constexpr uint16_t kInvalidReset = 0x2C1;
constexpr uint16_t kOutOfOrder = 0x2F2;

// 2 groups x 2 PUs x 4 chunks of 32 sectors of 4 KiB; WS_MIN 4, WS_OPT 8, MW_CUNITS 8.
DeviceConfig oc_config() {
    DeviceConfig c;
    c.type = "ocssd";
    c.mdts = 0; // 64 sectors of 4 KiB in one vector command
    c.ocssd.num_grp = 2;
    c.ocssd.num_pu = 2;
    c.ocssd.num_chk = 4;
    c.ocssd.clba = 32;
    c.ocssd.ws_min = 4;
    c.ocssd.ws_opt = 8;
    c.ocssd.mw_cunits = 8;
    return c;
}

uint16_t code(const Completion &c) {
    return static_cast<uint16_t>(c.cqe.sct() << 8 | c.cqe.sc());
}
uint64_t bitmap(const Completion &c) {
    return uint64_t{c.cqe.dw0} | uint64_t{c.cqe.dw1} << 32;
}

std::vector<uint8_t> pattern(size_t bytes, uint32_t seed) {
    std::vector<uint8_t> v(bytes);
    uint32_t x = seed * 2654435761u + 7;
    for (auto &b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return v;
}

std::string validation_error(const DeviceConfig &c) {
    try {
        c.validate();
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

struct Ocssd {
    DeviceRig rig;
    uint16_t q = 0;
    uint64_t list_addr = 0;

    explicit Ocssd(const DeviceConfig &c = oc_config()) : rig(c, RigOptions::without_console()) {
        bring_up();
    }
    void bring_up() {
        rig.driver().enable();
        q = rig.driver().create_io_queue_pair(16);
        list_addr = rig.mem().alloc(4096, "LBA lists");
    }
    HostDriver &host() { return rig.driver(); }
    const OcssdParams &p() const { return rig.config().ocssd; }
    uint32_t bs() const { return rig.config().lba_size(); }

    Completion geometry_cmd(uint32_t nsid, std::vector<uint8_t> &out, uint32_t cdw10 = 0) {
        spec::Sqe sqe{};
        sqe.opc = 0xE2;
        sqe.nsid = nsid;
        sqe.cdw10 = cdw10;
        out.assign(4096, 0xEE);
        return host().execute_with_data(0, sqe, {}, out);
    }
    spec::ocssd::Geometry geometry() {
        std::vector<uint8_t> raw;
        const Completion c = geometry_cmd(1, raw);
        INFO(c.describe());
        REQUIRE(c.ok());
        spec::ocssd::Geometry g{};
        std::memcpy(&g, raw.data(), sizeof g);
        return g;
    }
    // The OCSSD address of group/PU/chunk/sector, from the Geometry's LBAF as a host builds it.
    uint64_t lba(uint32_t g, uint32_t pu, uint32_t chk, uint32_t sec) {
        const spec::ocssd::LbaFormat f = geometry().lbaf;
        return uint64_t{g} << f.grp_off() | uint64_t{pu} << f.pu_off() |
               uint64_t{chk} << f.chk_off() | sec;
    }
    ChunkDescriptor chunk(uint32_t g, uint32_t pu, uint32_t chk) {
        std::vector<uint8_t> raw(32);
        const uint64_t ci = (uint64_t{g} * p().num_pu + pu) * p().num_chk + chk;
        const Completion c = host().get_log_page(0xCA, 1, ci * 32, raw);
        INFO(c.describe());
        REQUIRE(c.ok());
        ChunkDescriptor d{};
        std::memcpy(&d, raw.data(), sizeof d);
        return d;
    }
    // A vector command over `lbas` (inline when one). Write: `data` goes out; read: `data` comes
    // back. The destination list of a copy goes at list_addr + 2048.
    Completion vector(uint8_t opc, const std::vector<uint64_t> &lbas,
                      std::vector<uint8_t> *data = nullptr, const std::vector<uint64_t> &dst = {},
                      uint32_t cdw12_extra = 0) {
        spec::Sqe sqe{};
        sqe.opc = opc;
        sqe.nsid = 1;
        sqe.cdw12 = static_cast<uint32_t>(lbas.size() - 1) | cdw12_extra;
        auto put_list = [&](const std::vector<uint64_t> &l, uint64_t addr, uint32_t &lo,
                            uint32_t &hi) {
            uint64_t v = l.front();
            if (l.size() > 1) {
                rig.mem().write(
                    addr, std::span(reinterpret_cast<const uint8_t *>(l.data()), l.size() * 8));
                v = addr;
            }
            lo = static_cast<uint32_t>(v);
            hi = static_cast<uint32_t>(v >> 32);
        };
        put_list(lbas, list_addr, sqe.cdw10, sqe.cdw11);
        if (!dst.empty()) put_list(dst, list_addr + 2048, sqe.cdw14, sqe.cdw15);
        if (opc == kOpVWrite) return host().execute_with_data(q, sqe, *data, {});
        if (opc == kOpVRead) {
            data->assign(lbas.size() * bs(), 0xEE);
            return host().execute_with_data(q, sqe, {}, *data);
        }
        return host().execute(q, sqe);
    }
    Completion vwrite(const std::vector<uint64_t> &lbas, uint32_t seed = 1) {
        std::vector<uint8_t> data = pattern(lbas.size() * bs(), seed);
        return vector(kOpVWrite, lbas, &data);
    }
    // Sector s..s+n-1 of one chunk.
    std::vector<uint64_t> run(uint32_t g, uint32_t pu, uint32_t chk, uint32_t s, uint32_t n) {
        std::vector<uint64_t> out;
        for (uint32_t i = 0; i < n; ++i)
            out.push_back(lba(g, pu, chk, s + i));
        return out;
    }
    Completion reset(uint32_t g, uint32_t pu, uint32_t chk) {
        return vector(kOpReset, {lba(g, pu, chk, 0)});
    }
    Completion scalar(uint8_t opc, uint64_t slba, uint32_t nlb0, std::vector<uint8_t> &data) {
        spec::Sqe sqe{};
        sqe.opc = opc;
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(slba);
        sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
        sqe.cdw12 = nlb0;
        if (opc == kOpWrite) return host().execute_with_data(q, sqe, data, {});
        data.assign((uint64_t{nlb0} + 1) * bs(), 0xEE);
        return host().execute_with_data(q, sqe, {}, data);
    }
    Completion dsm(const std::vector<spec::DsmRange> &ranges, bool ad = true) {
        spec::Sqe sqe{};
        sqe.opc = kOpDsm;
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(ranges.size() - 1);
        sqe.cdw11 = ad ? 4u : 0u;
        std::vector<uint8_t> raw(ranges.size() * 16);
        std::memcpy(raw.data(), ranges.data(), raw.size());
        return host().execute_with_data(q, sqe, raw, {});
    }
    void set_dulbe(bool on) {
        REQUIRE(host().set_features(0x05, on ? 1u << 16 : 0u, false, 1).ok());
    }
    // Fills a chunk (CLOSED) with pattern data.
    void fill(uint32_t g, uint32_t pu, uint32_t chk, uint32_t seed = 5) {
        REQUIRE(vwrite(run(g, pu, chk, 0, p().clba), seed).ok());
    }
};

void expect(const Completion &c, uint16_t status) {
    INFO(c.describe());
    CHECK(code(c) == status);
    if (status != kOk) CHECK(c.cqe.dnr());
}

} // namespace

TEST_SUITE("ocssd-config") {
    TEST_CASE("OCSSD properties are validated with messages naming the rule") {
        struct Case {
            const char *what;
            void (*change)(DeviceConfig &);
            const char *message;
        };
        const Case cases[] = {
            {"WS_MIN divides CLBA", [](DeviceConfig &c) { c.ocssd.ws_min = 5; },
             "ws_min (5) must divide clba (32)"},
            {"WS_OPT multiple of WS_MIN", [](DeviceConfig &c) { c.ocssd.ws_opt = 6; },
             "ws_opt (6) must be a non-zero multiple of ws_min (4)"},
            {"MW_CUNITS multiple of WS_MIN", [](DeviceConfig &c) { c.ocssd.mw_cunits = 6; },
             "mw_cunits (6) must be a multiple of ws_min (4)"},
            {"chunks fit", [](DeviceConfig &c) { c.ocssd.num_chk = 1u << 23; }, "at most 4194304"},
            {"groups are 16-bit", [](DeviceConfig &c) { c.ocssd.num_grp = 70000; },
             "num_grp must be 1..65535"},
            {"no empty chunk", [](DeviceConfig &c) { c.ocssd.clba = 0; },
             "clba must be at least 1"},
            {"MCCAP reserved bits", [](DeviceConfig &c) { c.ocssd.mccap = 0x8; },
             "mccap 0x8 sets reserved bits"},
            {"MAXOCPU within a PU", [](DeviceConfig &c) { c.ocssd.maxocpu = 5; },
             "maxocpu (5) must be at most num_chk (4)"},
            {"offline chunk inside the geometry",
             [](DeviceConfig &c) { c.ocssd.offline_chunks = "0/0/1,2/0/0"; },
             "chunk 2/0/0 is outside the geometry"},
            {"offline list syntax", [](DeviceConfig &c) { c.ocssd.offline_chunks = "0/0"; },
             "'0/0' is not G/P/C"},
            {"worn chunk not past its life",
             [](DeviceConfig &c) { c.ocssd.worn_chunks = "0/1/2:1000"; }, "is worn out"},
            {"timings ordered", [](DeviceConfig &c) { c.ocssd.trdt = 200'000; },
             "trdt (typical read time) must be at most trdm"},
            {"a choice among the named ones",
             [](DeviceConfig &c) { c.ocssd.closed_write_status = "maybe"; },
             "closed_write_status must be write_fault or out_of_order"},
        };
        for (const Case &k : cases) {
            CAPTURE(k.what);
            DeviceConfig c = oc_config();
            REQUIRE(validation_error(c) == "");
            k.change(c);
            CHECK(validation_error(c).find(k.message) != std::string::npos);
        }
        DeviceConfig nvm;
        nvm.ocssd.num_grp = 3;
        CHECK(validation_error(nvm) ==
              "property 'num_grp' applies only to an OCSSD device (type = ocssd)");
        DeviceConfig bad_type;
        bad_type.type = "zns";
        CHECK(validation_error(bad_type) == "type must be nvm or ocssd");
    }

    TEST_CASE("OCSSD properties round-trip through JSON, readably, without size") {
        DeviceConfig c = oc_config();
        c.ocssd.offline_chunks = "1/1/3";
        c.ocssd.worn_chunks = "0/0/0:500";
        c.ocssd.mccap = 0x3;
        const nlohmann::json j = c.to_json();
        CHECK(j["type"] == "ocssd");
        CHECK(j["num_grp"] == 2);
        CHECK(j["clba"] == 32);
        CHECK(j["offline_chunks"] == "1/1/3");
        CHECK_FALSE(j.contains("size"));
        const DeviceConfig back = DeviceConfig::from_json(nlohmann::json::parse(j.dump()));
        CHECK(back.ocssd == c.ocssd);
        CHECK(back.media_bytes() == c.media_bytes());
        // 16 chunks x 32 sectors x 4 KiB of data, one 4 KiB page of chunk records, and the 64
        // chunk notification entries of 64 bytes.
        CHECK(c.media_bytes() == 16 * 32 * 4096 + 4096 + 4096);
        // Text, as the CLI flags give it.
        DeviceConfig t;
        t.set("type", "ocssd");
        t.set("num_pu", "8");
        t.set("tprt", "1900000");
        CHECK(t.ocssd.num_pu == 8);
        CHECK(t.ocssd.tprt == 1'900'000);
    }
}

TEST_SUITE("ocssd-geometry") {
    TEST_CASE("the namespace presents itself as a host detects OCSSD 2.0") {
        Ocssd d;
        const spec::IdentifyNamespace id = d.host().identify_namespace(1);
        CHECK(id.vs[0] == 0x01); // Identify NS byte 384 (OC §1)
        // lengths grp 1, pu 1, chk 2, lbk 5: NSZE = 2^9, NCAP = 16 chunks x 32.
        CHECK(id.nsze == 512);
        CHECK(id.ncap == 512);
        CHECK((id.nsfeat & 0x04) != 0); // DULBE
        CHECK(id.dlfeat == 0x01);
        // An NVM device's namespace does not.
        DeviceConfig nvm;
        nvm.size = 16 << 20;
        DeviceRig plain(nvm, RigOptions::without_console());
        plain.driver().enable();
        CHECK(plain.driver().identify_namespace(1).vs[0] == 0);
    }

    TEST_CASE("Geometry (E2h) returns the full 4096-byte structure") {
        DeviceConfig c = oc_config();
        c.ocssd.mccap = 0x5;
        c.ocssd.wit = 17;
        c.ocssd.maxoc = 6;
        c.ocssd.maxocpu = 2;
        c.ocssd.trdt = 40'000;
        c.ocssd.trdm = 80'000;
        c.ocssd.tprt = 1'000'000;
        c.ocssd.tprm = 2'000'000;
        c.ocssd.tbet = 3'000'000;
        c.ocssd.tbem = 4'000'000;
        Ocssd d(c);
        std::vector<uint8_t> raw;
        REQUIRE(d.geometry_cmd(1, raw).ok());
        const auto u32 = [&](size_t off) {
            uint32_t v;
            std::memcpy(&v, raw.data() + off, 4);
            return v;
        };
        const auto u16 = [&](size_t off) {
            uint16_t v;
            std::memcpy(&v, raw.data() + off, 2);
            return v;
        };
        // Byte offsets as SPDK's spdk_ocssd_geometry_data lays them out.
        CHECK(raw[0] == 2);  // MJR
        CHECK(raw[1] == 0);  // MNR
        CHECK(raw[8] == 1);  // grp_len (2 groups)
        CHECK(raw[9] == 1);  // pu_len
        CHECK(raw[10] == 2); // chk_len (4 chunks)
        CHECK(raw[11] == 5); // lbk_len (32 sectors)
        CHECK(u32(16) == 0x5);
        CHECK(raw[32] == 17);
        CHECK(u16(64) == 2);
        CHECK(u16(66) == 2);
        CHECK(u32(68) == 4);
        CHECK(u32(72) == 32);
        CHECK(u32(128) == 4);
        CHECK(u32(132) == 8);
        CHECK(u32(136) == 8);
        CHECK(u32(140) == 6);
        CHECK(u32(144) == 2);
        CHECK(u32(192) == 40'000);
        CHECK(u32(196) == 80'000);
        CHECK(u32(200) == 1'000'000);
        CHECK(u32(204) == 2'000'000);
        CHECK(u32(208) == 3'000'000);
        CHECK(u32(212) == 4'000'000);
        // Every reserved byte is zero (the 0xEE the host buffer started with is gone).
        for (size_t i : {2u, 7u, 12u, 15u, 20u, 31u, 33u, 63u, 76u, 127u, 148u, 191u, 216u, 4095u})
            CHECK(raw[i] == 0);
    }

    TEST_CASE("Geometry refuses NSIDs that name no OCSSD namespace, and set reserved dwords") {
        Ocssd d;
        std::vector<uint8_t> raw;
        expect(d.geometry_cmd(0, raw), kInvalidNamespace);
        expect(d.geometry_cmd(2, raw), kInvalidNamespace);
        expect(d.geometry_cmd(1, raw, 1), kInvalidField);
        DeviceConfig nvm;
        nvm.size = 16 << 20;
        DeviceRig plain(nvm, RigOptions::without_console());
        plain.driver().enable();
        spec::Sqe sqe{};
        sqe.opc = 0xE2;
        sqe.nsid = 1;
        std::vector<uint8_t> out(4096);
        const Completion c = plain.driver().execute_with_data(0, sqe, {}, out);
        expect(c, kInvalidNamespace);
        REQUIRE(c.why);
        CHECK(c.why->rule.find("NVM namespace") != std::string::npos);
    }

    TEST_CASE("Chunk Information log: every chunk in order, in offset/length ranges") {
        DeviceConfig c = oc_config();
        c.ocssd.offline_chunks = "1/0/2";
        c.ocssd.worn_chunks = "0/1/3:500"; // WLI = 500 x 255 / 1000 = 127
        Ocssd d(c);
        std::vector<uint8_t> raw(16 * 32, 0xEE);
        REQUIRE(d.host().get_log_page(0xCA, 1, 0, raw).ok());
        for (uint32_t ci = 0; ci < 16; ++ci) {
            CAPTURE(ci);
            ChunkDescriptor e{};
            std::memcpy(&e, raw.data() + ci * 32, 32);
            const uint32_t g = ci / 8, pu = ci / 4 % 2, chk = ci % 4;
            CHECK(e.slba == d.lba(g, pu, chk, 0));
            CHECK(e.cnlb == 32);
            CHECK(e.wp == 0);
            CHECK(e.ct == 0x01);
            CHECK(e.cs == (ci == 8 + 2 ? 0x08 : 0x01));
            CHECK(e.wli == (ci == 4 + 3 ? 127 : 0));
        }
        // A range starting inside an entry and running past the log's end: the rest is zeros.
        std::vector<uint8_t> part(64, 0xEE);
        REQUIRE(d.host().get_log_page(0xCA, 1, 15 * 32 + 8, part).ok());
        CHECK(std::memcmp(part.data(), raw.data() + 15 * 32 + 8, 24) == 0);
        CHECK(std::all_of(part.begin() + 24, part.end(), [](uint8_t b) { return b == 0; }));
        // Offsets beyond the log, and NSIDs naming no OCSSD namespace.
        std::vector<uint8_t> one(32);
        expect(d.host().get_log_page(0xCA, 1, 16 * 32, one), kInvalidField);
        expect(d.host().get_log_page(0xCA, 0xFFFFFFFFu, 0, one), kInvalidField);
        expect(d.host().get_log_page(0xCA, 2, 0, one), kInvalidField);
    }
}

TEST_SUITE("ocssd-chunks") {
    // liblightnvm test_rules_write.c shape: (state, where, how many) -> status, WP, state.
    TEST_CASE("write rules: at the WP, a multiple of WS_MIN, FREE or OPEN chunks only") {
        struct Row {
            const char *what;
            uint32_t prefill; // sectors written first (0 FREE, 32 CLOSED)
            uint32_t start;
            uint32_t count;
            uint16_t status;
            uint64_t wp;
            uint8_t cs;
        };
        const Row rows[] = {
            {"FREE, at WP 0, WS_MIN", 0, 0, 4, kOk, 4, 0x04},
            {"FREE, at WP 0, WS_OPT", 0, 0, 8, kOk, 8, 0x04},
            {"FREE, whole chunk", 0, 0, 32, kOk, 32, 0x02},
            {"FREE, not at WP", 0, 4, 4, kOutOfOrder, 0, 0x01},
            {"FREE, less than WS_MIN", 0, 0, 3, kInvalidField, 0, 0x01},
            {"FREE, not a multiple of WS_MIN", 0, 0, 6, kInvalidField, 0, 0x01},
            {"OPEN, at WP", 8, 8, 4, kOk, 12, 0x04},
            {"OPEN, behind WP", 8, 4, 4, kOutOfOrder, 8, 0x04},
            {"OPEN, ahead of WP", 8, 12, 4, kOutOfOrder, 8, 0x04},
            {"OPEN, up to CNLB", 8, 8, 24, kOk, 32, 0x02},
            {"CLOSED, at sector 0", 32, 0, 4, kWriteFault, 32, 0x02},
        };
        for (const Row &r : rows) {
            CAPTURE(r.what);
            Ocssd d;
            if (r.prefill) REQUIRE(d.vwrite(d.run(0, 1, 2, 0, r.prefill)).ok());
            const Completion c = d.vwrite(d.run(0, 1, 2, r.start, r.count));
            expect(c, r.status);
            CHECK(bitmap(c) == (r.status == kOk ? 0 : (uint64_t{1} << r.count) - 1));
            const ChunkDescriptor e = d.chunk(0, 1, 2);
            CHECK(e.wp == r.wp);
            CHECK(int(e.cs) == int(r.cs));
        }
    }

    TEST_CASE("write rules: OFFLINE, outside the geometry, non-consecutive, past CNLB") {
        DeviceConfig c = oc_config();
        c.ocssd.offline_chunks = "0/0/0";
        c.ocssd.num_chk = 3; // chunk 3 of each PU is a hole in the address space
        Ocssd d(c);
        expect(d.vwrite(d.run(0, 0, 0, 0, 4)), kWriteFault);
        CHECK(d.chunk(0, 0, 0).cs == 0x08);
        expect(d.vwrite(d.run(0, 0, 3, 0, 4)), kWriteFault);
        // Sectors of one chunk not consecutive: out of order.
        expect(
            d.vwrite({d.lba(0, 1, 0, 0), d.lba(0, 1, 0, 1), d.lba(0, 1, 0, 3), d.lba(0, 1, 0, 2)}),
            kOutOfOrder);
        CHECK(d.chunk(0, 1, 0).wp == 0);
        // A scalar write running past the chunk's end.
        REQUIRE(d.vwrite(d.run(0, 1, 1, 0, 28)).ok());
        std::vector<uint8_t> data = pattern(8 * 4096, 3);
        expect(d.scalar(kOpWrite, d.lba(0, 1, 1, 28), 7, data), kWriteFault);
        CHECK(d.chunk(0, 1, 1).wp == 28);
        // The property where sources disagree (†): Out of Order Write for a CLOSED chunk.
        DeviceConfig ooo = oc_config();
        ooo.ocssd.closed_write_status = "out_of_order";
        Ocssd e(ooo);
        e.fill(0, 0, 1);
        expect(e.vwrite(e.run(0, 0, 1, 0, 4)), kOutOfOrder);
    }

    TEST_CASE("MAXOC and MAXOCPU limit the OPEN chunks") {
        DeviceConfig c = oc_config();
        c.ocssd.maxoc = 2;
        c.ocssd.maxocpu = 1;
        Ocssd d(c);
        REQUIRE(d.vwrite(d.run(0, 0, 0, 0, 4)).ok());
        expect(d.vwrite(d.run(0, 0, 1, 0, 4)), kInvalidField); // second in PU 0/0
        REQUIRE(d.vwrite(d.run(0, 1, 0, 0, 4)).ok());          // first in PU 0/1
        expect(d.vwrite(d.run(1, 0, 0, 0, 4)), kInvalidField); // third in the device
        // Writing to an OPEN chunk opens nothing new; closing one frees a place.
        REQUIRE(d.vwrite(d.run(0, 0, 0, 4, 28)).ok());
        CHECK(d.chunk(0, 0, 0).cs == 0x02);
        REQUIRE(d.vwrite(d.run(1, 0, 0, 0, 4)).ok());
    }

    // liblightnvm test_rules_read.c shape.
    TEST_CASE("read rules: MW_CUNITS window, unwritten sectors, DULBE, OFFLINE") {
        DeviceConfig c = oc_config();
        c.ocssd.offline_chunks = "1/1/1";
        Ocssd d(c);
        const auto written = pattern(32 * 4096, 9);
        std::vector<uint8_t> w(written.begin(), written.begin() + 8 * 4096);
        REQUIRE(d.vector(kOpVWrite, d.run(0, 0, 0, 0, 8), &w).ok()); // exactly MW_CUNITS
        std::vector<uint8_t> out;
        // None readable yet: zeros, success without DULBE.
        REQUIRE(d.vector(kOpVRead, d.run(0, 0, 0, 0, 1), &out).ok());
        CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
        d.set_dulbe(true);
        Completion r = d.vector(kOpVRead, d.run(0, 0, 0, 0, 8), &out);
        expect(r, kDulb);
        CHECK(bitmap(r) == 0xFF);
        // WS_MIN more: the first WS_MIN sectors leave the window.
        std::vector<uint8_t> w2(written.begin() + 8 * 4096, written.begin() + 12 * 4096);
        REQUIRE(d.vector(kOpVWrite, d.run(0, 0, 0, 8, 4), &w2).ok());
        r = d.vector(kOpVRead, d.run(0, 0, 0, 0, 6), &out);
        expect(r, kDulb);
        CHECK(bitmap(r) == 0x30);
        // Without DULBE the same read succeeds: data for the first four, zeros for the rest.
        d.set_dulbe(false);
        REQUIRE(d.vector(kOpVRead, d.run(0, 0, 0, 0, 6), &out).ok());
        CHECK(std::equal(out.begin(), out.begin() + 4 * 4096, written.begin()));
        CHECK(std::all_of(out.begin() + 4 * 4096, out.end(), [](uint8_t b) { return b == 0; }));
        d.set_dulbe(true);
        // A CLOSED chunk reads to its end; FREE and OFFLINE chunks fail with DULBE on.
        std::vector<uint8_t> rest(written.begin() + 12 * 4096, written.end());
        REQUIRE(d.vector(kOpVWrite, d.run(0, 0, 0, 12, 20), &rest).ok());
        std::vector<uint8_t> all;
        REQUIRE(d.scalar(kOpRead, d.lba(0, 0, 0, 0), 31, all).ok());
        CHECK(all == written);
        expect(d.vector(kOpVRead, d.run(1, 0, 0, 0, 1), &out), kDulb);
        expect(d.vector(kOpVRead, d.run(1, 1, 1, 0, 1), &out), kDulb);
        d.set_dulbe(false);
        REQUIRE(d.vector(kOpVRead, d.run(1, 1, 1, 0, 2), &out).ok());
        CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
        // † offline_read = offline_error: Offline Chunk instead.
        DeviceConfig e = c;
        e.ocssd.offline_read = "offline_error";
        Ocssd f(e);
        const Completion off = f.vector(kOpVRead, {f.lba(0, 0, 0, 0), f.lba(1, 1, 1, 0)}, &out);
        expect(off, kOfflineChunk);
        CHECK(bitmap(off) == 0x2);
    }

    // liblightnvm test_rules_reset.c shape.
    TEST_CASE("reset rules per state and MCCAP") {
        struct Row {
            const char *what;
            uint32_t mccap;
            uint32_t prefill; // 0 FREE, 8 OPEN, 32 CLOSED
            bool offline;
            uint16_t status;
            uint8_t cs_after;
            uint8_t wli_resets; // resets counted afterwards
        };
        const Row rows[] = {
            {"FREE, no multiple resets", 0x1, 0, false, kInvalidReset, 0x01, 0},
            {"FREE, MCCAP bit 1", 0x3, 0, false, kOk, 0x01, 1},
            {"OPEN", 0x1, 8, false, kInvalidReset, 0x04, 0},
            {"OPEN, MCCAP bit 2 (early reset)", 0x5, 8, false, kOk, 0x01, 1},
            {"CLOSED", 0x1, 32, false, kOk, 0x01, 1},
            {"OFFLINE", 0x7, 0, true, kOfflineChunk, 0x08, 0},
        };
        for (const Row &r : rows) {
            CAPTURE(r.what);
            DeviceConfig c = oc_config();
            c.ocssd.mccap = r.mccap;
            c.ocssd.pe_cycles = 255; // one reset = WLI 1
            if (r.offline) c.ocssd.offline_chunks = "1/0/3";
            Ocssd d(c);
            if (r.prefill) REQUIRE(d.vwrite(d.run(1, 0, 3, 0, r.prefill)).ok());
            const Completion res = d.reset(1, 0, 3);
            expect(res, r.status);
            CHECK(bitmap(res) == (r.status == kOk ? 0u : 1u));
            const ChunkDescriptor e = d.chunk(1, 0, 3);
            CHECK(int(e.cs) == int(r.cs_after));
            CHECK(int(e.wli) == int(r.wli_resets));
            if (r.cs_after == 0x01) CHECK(e.wp == 0);
        }
    }

    TEST_CASE("reset: addresses that name no chunk; data is gone after a reset") {
        DeviceConfig c = oc_config();
        c.ocssd.num_pu = 3; // PU 3 of each group is a hole
        Ocssd d(c);
        expect(d.vector(kOpReset, {d.lba(0, 3, 0, 0)}), kInvalidReset);
        d.fill(0, 0, 0);
        expect(d.vector(kOpReset, {d.lba(0, 0, 0, 4)}), kInvalidReset); // not sector 0
        REQUIRE(d.reset(0, 0, 0).ok());
        std::vector<uint8_t> out;
        REQUIRE(d.scalar(kOpRead, d.lba(0, 0, 0, 0), 3, out).ok());
        CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
        // The chunk takes writes from sector 0 again.
        REQUIRE(d.vwrite(d.run(0, 0, 0, 0, 4)).ok());
    }

    TEST_CASE("wear: each reset counts, the last one takes the chunk OFFLINE") {
        DeviceConfig c = oc_config();
        c.ocssd.pe_cycles = 3;
        c.ocssd.worn_chunks = "0/0/1:1";
        Ocssd d(c);
        d.fill(0, 0, 1);
        REQUIRE(d.reset(0, 0, 1).ok());
        CHECK(d.chunk(0, 0, 1).wli == 2 * 255 / 3);
        d.fill(0, 0, 1);
        const Completion last = d.reset(0, 0, 1);
        expect(last, kOfflineChunk);
        REQUIRE(last.why);
        CHECK(last.why->rule.find("took it OFFLINE") != std::string::npos);
        CHECK(d.chunk(0, 0, 1).cs == 0x08);
        CHECK(d.chunk(0, 0, 1).wli == 255);
        expect(d.vwrite(d.run(0, 0, 1, 0, 4)), kWriteFault);
        expect(d.reset(0, 0, 1), kOfflineChunk);
    }

    TEST_CASE("Dataset Management deallocate resets whole chunks (scalar reset)") {
        Ocssd d;
        d.fill(0, 1, 0);
        d.fill(0, 1, 1);
        CHECK((d.host().identify_controller().oncs & 0x04) != 0);
        REQUIRE(d.dsm({spec::DsmRange{0, 32, d.lba(0, 1, 0, 0)}}).ok());
        CHECK(d.chunk(0, 1, 0).cs == 0x01);
        // Without AD nothing happens.
        REQUIRE(d.dsm({spec::DsmRange{0, 32, d.lba(0, 1, 1, 0)}}, false).ok());
        CHECK(d.chunk(0, 1, 1).cs == 0x02);
        expect(d.dsm({spec::DsmRange{0, 16, d.lba(0, 1, 1, 0)}}), kLbaOutOfRange);
        CHECK(d.chunk(0, 1, 1).cs == 0x02);
        expect(d.dsm({spec::DsmRange{0, 32, d.lba(0, 1, 1, 8)}}), kInvalidReset);
        // Two ranges: the second resets even though the first fails.
        expect(d.dsm({spec::DsmRange{0, 32, d.lba(0, 1, 0, 0)}, // FREE: Invalid Reset
                      spec::DsmRange{0, 32, d.lba(0, 1, 1, 0)}}),
               kInvalidReset);
        CHECK(d.chunk(0, 1, 1).cs == 0x01);
    }
}

TEST_SUITE("ocssd-vector") {
    TEST_CASE("64 LBAs striped over every PU round-trip, and PUs work in parallel") {
        Ocssd d;
        std::vector<uint64_t> lbas;
        // 4 PUs x 2 chunks x 8 sectors: each chunk's sectors consecutive from its WP.
        for (uint32_t g = 0; g < 2; ++g)
            for (uint32_t pu = 0; pu < 2; ++pu)
                for (uint32_t chk = 0; chk < 2; ++chk)
                    for (uint32_t s = 0; s < 8; ++s)
                        lbas.push_back(d.lba(g, pu, chk, s));
        REQUIRE(lbas.size() == 64);
        std::vector<uint8_t> data = pattern(64 * 4096, 21);
        const Completion w = d.vector(kOpVWrite, lbas, &data);
        expect(w, kOk);
        CHECK(bitmap(w) == 0);
        CHECK(d.chunk(1, 1, 1).wp == 8);
        CHECK(d.chunk(1, 1, 1).cs == 0x04);
        // Readable once past MW_CUNITS: write WS_OPT more to each chunk, then read all 64 back.
        for (uint32_t g = 0; g < 2; ++g)
            for (uint32_t pu = 0; pu < 2; ++pu)
                for (uint32_t chk = 0; chk < 2; ++chk)
                    REQUIRE(d.vwrite(d.run(g, pu, chk, 8, 8)).ok());
        std::vector<uint8_t> back;
        const Completion r = d.vector(kOpVRead, lbas, &back);
        expect(r, kOk);
        CHECK(back == data);
        // NAND time: 16 write units on one PU take longer than 4 on each of four PUs.
        Ocssd one, four;
        auto timed = [](Ocssd &x, const std::vector<uint64_t> &l) {
            const uint64_t t0 = x.rig.ctrl().now_ns();
            REQUIRE(x.vwrite(l).ok());
            return x.rig.ctrl().now_ns() - t0;
        };
        std::vector<uint64_t> same_pu, striped;
        for (uint32_t chk = 0; chk < 2; ++chk)
            for (uint32_t s = 0; s < 32; ++s)
                same_pu.push_back(one.lba(0, 0, chk, s));
        for (uint32_t g = 0; g < 2; ++g)
            for (uint32_t pu = 0; pu < 2; ++pu)
                for (uint32_t s = 0; s < 16; ++s)
                    striped.push_back(four.lba(g, pu, 0, s));
        const uint64_t t_one = timed(one, same_pu);
        const uint64_t t_four = timed(four, striped);
        // The same DMA either way; the NAND time is 16 against 4 write units of TPRT.
        CHECK(t_one - t_four == 12 * uint64_t{four.p().tprt});
    }

    TEST_CASE("per-entry processing: the bitmap names the failed entries, the rest is done") {
        Ocssd d;
        REQUIRE(d.vwrite(d.run(0, 0, 1, 0, 4)).ok());
        // Entries 0-3 chunk 0/0/0 (fine), 4-7 chunk 0/0/1 at sector 0 (WP is 4: out of order),
        // 8-11 chunk 0/1/0 (fine).
        std::vector<uint64_t> l = d.run(0, 0, 0, 0, 4);
        for (uint64_t x : d.run(0, 0, 1, 0, 4))
            l.push_back(x);
        for (uint64_t x : d.run(0, 1, 0, 0, 4))
            l.push_back(x);
        const Completion c = d.vwrite(l);
        expect(c, kOutOfOrder);
        CHECK(bitmap(c) == 0xF0);
        REQUIRE(c.why);
        CHECK(c.why->field == "LBAL[4]");
        CHECK(d.chunk(0, 0, 0).wp == 4);
        CHECK(d.chunk(0, 0, 1).wp == 4);
        CHECK(d.chunk(0, 1, 0).wp == 4);
        // Bits above 31 land in DW1.
        std::vector<uint64_t> big = d.run(1, 0, 0, 0, 32);
        for (uint64_t x : d.run(1, 0, 1, 4, 32))
            big.push_back(x);
        const Completion hi = d.vwrite(big);
        expect(hi, kOutOfOrder);
        CHECK(hi.cqe.dw0 == 0);
        CHECK(hi.cqe.dw1 == 0xFFFFFFFFu);
    }

    TEST_CASE("malformed vector commands") {
        Ocssd d;
        std::vector<uint8_t> data = pattern(4 * 4096, 1);
        // NLB is 6 bits: a count above 64 shows as reserved bit 6 of CDW12.
        expect(d.vector(kOpVWrite, d.run(0, 0, 0, 0, 4), &data, {}, 1u << 6), kInvalidField);
        expect(d.vector(kOpReset, {d.lba(0, 0, 0, 0)}, nullptr, {}, 1u << 20), kInvalidField);
        // An LBA list in unmapped host memory.
        spec::Sqe sqe{};
        sqe.opc = kOpReset;
        sqe.nsid = 1;
        sqe.cdw10 = 0x7000'0000u;
        sqe.cdw12 = 3;
        const Completion c = d.host().execute(d.q, sqe);
        CHECK(code(c) == kDataTransferError);
        // CDW14-15 only mean something to Vector Chunk Copy.
        spec::Sqe r{};
        r.opc = kOpReset;
        r.nsid = 1;
        r.cdw14 = 1;
        expect(d.host().execute(d.q, r), kInvalidField);
        // Vector Chunk Copy needs MCCAP bit 0.
        DeviceConfig no_copy = oc_config();
        no_copy.ocssd.mccap = 0;
        Ocssd e(no_copy);
        expect(e.vector(kOpVCopy, {e.lba(0, 0, 0, 0)}, nullptr, {e.lba(0, 0, 1, 0)}),
               kInvalidOpcode);
    }

    TEST_CASE("Vector Chunk Copy moves data under the write rules") {
        Ocssd d;
        d.fill(0, 0, 0, 77);
        std::vector<uint8_t> src;
        REQUIRE(d.scalar(kOpRead, d.lba(0, 0, 0, 0), 7, src).ok());
        const Completion c =
            d.vector(kOpVCopy, d.run(0, 0, 0, 0, 8), nullptr, d.run(1, 1, 2, 0, 8));
        expect(c, kOk);
        CHECK(d.chunk(1, 1, 2).wp == 8);
        // Not readable yet (MW_CUNITS): fill the rest of the destination, then compare.
        REQUIRE(d.vwrite(d.run(1, 1, 2, 8, 24)).ok());
        std::vector<uint8_t> dst;
        REQUIRE(d.scalar(kOpRead, d.lba(1, 1, 2, 0), 7, dst).ok());
        CHECK(dst == src);
        // A destination not at its WP.
        const Completion bad =
            d.vector(kOpVCopy, d.run(0, 0, 0, 0, 4), nullptr, d.run(1, 1, 3, 4, 4));
        expect(bad, kOutOfOrder);
        CHECK(bitmap(bad) == 0xF);
    }

    TEST_CASE("a reset with MPTR returns the chunks' descriptors after the reset") {
        Ocssd d;
        d.fill(0, 1, 3);
        const uint64_t out = d.rig.mem().alloc(4096, "descriptors");
        spec::Sqe sqe{};
        sqe.opc = kOpReset;
        sqe.nsid = 1;
        sqe.mptr = out;
        sqe.cdw10 = static_cast<uint32_t>(d.lba(0, 1, 3, 0));
        const Completion c = d.host().execute(d.q, sqe);
        expect(c, kOk);
        ChunkDescriptor e{};
        REQUIRE(d.rig.mem().read(out, std::span(reinterpret_cast<uint8_t *>(&e), sizeof e)));
        CHECK(e.cs == 0x01);
        CHECK(e.slba == d.lba(0, 1, 3, 0));
        CHECK(e.wli == 0); // 1 reset of 1000
    }
}

TEST_SUITE("ocssd-persistence") {
    TEST_CASE("chunk state and data survive clean and unclean power cycles") {
        for (const PowerOff kind : {PowerOff::Clean, PowerOff::Unclean}) {
            CAPTURE(int(kind));
            DeviceConfig c = oc_config();
            c.ocssd.offline_chunks = "1/1/0";
            Ocssd d(c);
            d.fill(0, 0, 0, 11);
            REQUIRE(d.vwrite(d.run(0, 1, 0, 0, 12)).ok());
            d.fill(1, 0, 1);
            REQUIRE(d.reset(1, 0, 1).ok());
            std::vector<uint8_t> before;
            REQUIRE(d.scalar(kOpRead, d.lba(0, 0, 0, 0), 31, before).ok());
            d.rig.power_cycle(kind, [&] { d.host().shutdown(); });
            d.bring_up();
            CHECK(d.chunk(0, 0, 0).cs == 0x02);
            CHECK(d.chunk(0, 1, 0).cs == 0x04);
            CHECK(d.chunk(0, 1, 0).wp == 12);
            CHECK(d.chunk(1, 0, 1).cs == 0x01);
            CHECK(d.chunk(1, 1, 0).cs == 0x08);
            std::vector<uint8_t> after;
            REQUIRE(d.scalar(kOpRead, d.lba(0, 0, 0, 0), 31, after).ok());
            CHECK(after == before);
            // The write pointer goes on where it was; MAXOC counts reload too.
            REQUIRE(d.vwrite(d.run(0, 1, 0, 12, 4)).ok());
            // A reset counted before the cycle still counts: with MCCAP 1 a FREE chunk refuses.
            expect(d.reset(1, 0, 1), kInvalidReset);
        }
    }

    TEST_CASE("a damaged chunk record is refused at power-on, naming the chunk") {
        Ocssd d;
        d.fill(0, 1, 2);
        d.rig.power_off(PowerOff::Clean);
        // The chunk table follows the data: 16 chunks x 32 sectors x 4 KiB. Chunk 0/1/2 is
        // index 6; corrupt its WP.
        MemoryBackingStore &store = *d.rig.memory_media();
        const uint64_t record = 16 * 32 * 4096 + 6 * 32;
        uint8_t wp = 0;
        REQUIRE(store.read(record + 8, std::span(&wp, 1)));
        CHECK(wp == 32);
        wp = 40;
        REQUIRE(store.write(record + 8, std::span<const uint8_t>(&wp, 1)));
        try {
            d.rig.power_on();
            FAIL("power-on accepted a damaged chunk record");
        } catch (const std::runtime_error &e) {
            CHECK(std::string(e.what()).find("OCSSD chunk 0/1/2") != std::string::npos);
            CHECK(std::string(e.what()).find("damaged") != std::string::npos);
        }
    }
}

namespace {
// An Asynchronous Event Request left outstanding on the admin queue; its CID.
uint16_t submit_aer(Ocssd &d) {
    spec::Sqe sqe{};
    sqe.opc = 0x0C;
    const uint16_t cid = d.host().submit(0, sqe);
    d.host().ring(0);
    return cid;
}
std::vector<spec::ocssd::ChunkNotificationEntry> notification_log(Ocssd &d, bool rae = false) {
    spec::Sqe sqe{};
    sqe.opc = 0x02;
    sqe.nsid = 1;
    spec::GetLogPageFields f{};
    f.lid = 0xD0;
    f.rae = rae;
    f.set_length_bytes(4096);
    f.apply(sqe);
    std::vector<uint8_t> raw(4096, 0xEE);
    const Completion c = d.host().execute_with_data(0, sqe, {}, raw);
    INFO(c.describe());
    REQUIRE(c.ok());
    std::vector<spec::ocssd::ChunkNotificationEntry> out;
    for (size_t i = 0; i < 64; ++i) {
        spec::ocssd::ChunkNotificationEntry e{};
        std::memcpy(&e, raw.data() + i * 64, 64);
        if (e.nc != 0) out.push_back(e);
    }
    return out;
}
} // namespace

TEST_SUITE("ocssd-notifications") {
    TEST_CASE("a chunk worn out posts a notification, raised as a vendor-specific AER") {
        DeviceConfig c = oc_config();
        c.ocssd.pe_cycles = 1;
        Ocssd d(c);
        const uint16_t aer = submit_aer(d);
        d.fill(1, 0, 2);
        CHECK(notification_log(d, true).empty());
        expect(d.reset(1, 0, 2), kOfflineChunk);
        const Completion ev = d.host().wait(0, aer);
        REQUIRE(ev.ok());
        CHECK((ev.cqe.dw0 & 0x7) == 7);             // vendor specific
        CHECK(((ev.cqe.dw0 >> 16) & 0xFF) == 0xD0); // log page to read
        const auto log = notification_log(d);
        REQUIRE(log.size() == 1);
        CHECK(log[0].nc == 1);
        CHECK(log[0].lba == d.lba(1, 0, 2, 0));
        CHECK(log[0].nsid == 1);
        CHECK(log[0].mask == 0x02);  // the whole chunk
        CHECK(log[0].state == 0x08); // unrecoverable
    }

    TEST_CASE("WLI leaving the WIT band around the average posts a notification") {
        DeviceConfig c = oc_config();
        c.ocssd.mccap = 0x3;     // FREE chunks may be reset again
        c.ocssd.pe_cycles = 255; // one reset = WLI 1
        c.ocssd.wit = 1;
        Ocssd d(c);
        // Resets 1: WLI 1 against an average of 1/16: inside the band of 1.
        REQUIRE(d.reset(0, 0, 0).ok());
        CHECK(notification_log(d).empty());
        REQUIRE(d.reset(0, 0, 0).ok()); // WLI 2, average 2/16: outside
        const auto log = notification_log(d);
        REQUIRE(log.size() == 1);
        CHECK(log[0].state == 0x100);
        CHECK(log[0].lba == d.lba(0, 0, 0, 0));
    }

    TEST_CASE("fault injection: reset failure and Chunk Early Close") {
        DeviceConfig c = oc_config();
        c.ocssd.fail_reset = "0/1/1";
        c.ocssd.fail_write = "1/1/3:10";
        Ocssd d(c);
        d.fill(0, 1, 1);
        const Completion r = d.reset(0, 1, 1);
        expect(r, kOfflineChunk);
        REQUIRE(r.why);
        CHECK(r.why->rule.find("fail_reset") != std::string::npos);
        CHECK(d.chunk(0, 1, 1).cs == 0x08);
        // A write reaching sector 10 of chunk 1/1/3: its entries fail with 2h/F1h, the chunk
        // is CLOSED at its WP (8); the other chunk of the command is written.
        REQUIRE(d.vwrite(d.run(1, 1, 3, 0, 8)).ok());
        std::vector<uint64_t> l = d.run(1, 1, 3, 8, 4);
        for (uint64_t x : d.run(1, 0, 0, 0, 4))
            l.push_back(x);
        const Completion w = d.vwrite(l);
        CHECK(code(w) == 0x2F1);
        CHECK(bitmap(w) == 0x0F);
        CHECK(d.chunk(1, 1, 3).cs == 0x02);
        CHECK(d.chunk(1, 1, 3).wp == 8);
        CHECK(d.chunk(1, 0, 0).wp == 4);
        // Data below the WP stays readable; the chunk takes no more writes.
        std::vector<uint8_t> out;
        REQUIRE(d.scalar(kOpRead, d.lba(1, 1, 3, 0), 7, out).ok());
        CHECK(out == pattern(8 * 4096, 1));
        expect(d.vwrite(d.run(1, 1, 3, 8, 4)), kWriteFault);
        const auto log = notification_log(d);
        REQUIRE(log.size() == 2);
        CHECK(log[0].nc == 2); // newest first
        CHECK(log[0].lba == d.lba(1, 1, 3, 0));
        CHECK(log[1].lba == d.lba(0, 1, 1, 0));
        // Both survive a power cycle, and counting goes on from there.
        d.rig.power_cycle(PowerOff::Unclean, [] {});
        d.bring_up();
        const auto again = notification_log(d);
        REQUIRE(again.size() == 2);
        CHECK(again[0].nc == 2);
        CHECK(d.chunk(1, 1, 3).cs == 0x02);
    }

    TEST_CASE("Media Feedback (FID CAh) is kept on OCSSD devices only") {
        Ocssd d;
        REQUIRE(d.host().set_features(0xCA, 0x3).ok());
        const Completion g = d.host().get_features(0xCA);
        REQUIRE(g.ok());
        CHECK(g.cqe.dw0 == 0x3);
        CHECK(code(d.host().set_features(0xCA, 0x4)) == kInvalidField);
        DeviceConfig nvm;
        nvm.size = 16 << 20;
        DeviceRig plain(nvm, RigOptions::without_console());
        plain.driver().enable();
        CHECK(code(plain.driver().set_features(0xCA, 0x1)) == kInvalidField);
        // DULBE (Error Recovery bit 16) likewise: accepted only where a namespace honours it.
        CHECK(code(plain.driver().set_features(0x05, 1u << 16, false, 1)) == kInvalidField);
    }
}
