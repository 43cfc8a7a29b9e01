// Admin commands (NVMe 1.3 §5): opcode/CDW0 checks, Identify, Get/Set Features and Get Log Page,
// each with its success path and every way it can be malformed. Every failure is checked for
// its exact SCT, SC and DNR, the More bit, and the Error Information log entry it leaves.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"

namespace {

using namespace nvmelab;
using spec::param_error_location;

constexpr uint8_t kSctGeneric = 0;
constexpr uint8_t kSctCommandSpecific = 1;
constexpr uint8_t kInvalidOpcode = 0x01;
constexpr uint8_t kInvalidField = 0x02;
constexpr uint8_t kInvalidNamespace = 0x0B;
constexpr uint8_t kCommandSequenceError = 0x0C;
constexpr uint8_t kInvalidLogPage = 0x09;
constexpr uint8_t kFeatureNotSaveable = 0x0D;
constexpr uint8_t kFeatureNotNamespaceSpecific = 0x0F;
constexpr uint16_t kNoLocation = spec::kParamErrorLocationNone;

constexpr uint8_t kOpGetLogPage = 0x02;
constexpr uint8_t kOpIdentify = 0x06;
constexpr uint8_t kOpSetFeatures = 0x09;
constexpr uint8_t kOpGetFeatures = 0x0A;

constexpr uint8_t kFidArbitration = 0x01;
constexpr uint8_t kFidPowerManagement = 0x02;
constexpr uint8_t kFidTemperature = 0x04;
constexpr uint8_t kFidErrorRecovery = 0x05;
constexpr uint8_t kFidWriteCache = 0x06;
constexpr uint8_t kFidQueues = 0x07;
constexpr uint8_t kFidCoalescing = 0x08;
constexpr uint8_t kFidVectorConfig = 0x09;
constexpr uint8_t kFidAtomicity = 0x0A;
constexpr uint8_t kFidAsyncEvents = 0x0B;

DeviceConfig admin_config() {
    DeviceConfig c;
    c.size = uint64_t{16} << 20;
    c.cache_blocks = 64;
    return c;
}

// One powered, enabled device with an admin queue pair (own fixture: this file does not use
// tests/test_helpers.h).
struct AdminDevice {
    DeviceConfig config;
    SparseHostMemory memory;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver host;

    explicit AdminDevice(const DeviceConfig &c = admin_config())
        : config(c), store(c.size), ctrl(config, memory, store), host(ctrl, memory) {
        host.enable();
    }

    Completion admin(const spec::Sqe &sqe) { return host.execute(0, sqe); }

    // An admin command that moves data to the host. The host buffer starts out holding the
    // bytes of `in`, so bytes the controller does not write keep them.
    Completion admin_in(spec::Sqe sqe, std::span<uint8_t> in) {
        const std::vector<uint8_t> before(in.begin(), in.end());
        return host.execute_with_data(0, sqe, before, in);
    }

    Completion identify(uint8_t cns, uint32_t nsid, std::vector<uint8_t> &out,
                        uint32_t cdw10_extra = 0) {
        out.assign(4096, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = kOpIdentify;
        sqe.nsid = nsid;
        sqe.cdw10 = cns | cdw10_extra;
        return admin_in(sqe, out);
    }

    spec::IdentifyController id_ctrl() { return host.identify_controller(); }
    spec::IdentifyNamespace id_ns(uint32_t nsid = 1) { return host.identify_namespace(nsid); }

    Completion get_feature(uint8_t fid, uint8_t sel = 0, uint32_t cdw11 = 0, uint32_t nsid = 0) {
        return host.get_features(fid, sel, cdw11, nsid);
    }
    Completion set_feature(uint8_t fid, uint32_t cdw11, bool save = false, uint32_t nsid = 0) {
        return host.set_features(fid, cdw11, save, nsid);
    }
    // Current value of a feature; the Get must succeed.
    uint32_t feature(uint8_t fid, uint8_t sel = 0, uint32_t cdw11 = 0, uint32_t nsid = 0) {
        const Completion c = get_feature(fid, sel, cdw11, nsid);
        INFO("Get Features FID ", int(fid), " SEL ", int(sel), ": ", c.describe());
        REQUIRE(c.ok());
        return c.cqe.dw0;
    }

    // Get Log Page with explicit dwords, reading `len` bytes.
    Completion log_raw(uint32_t cdw10, uint32_t cdw11, uint32_t cdw12, uint32_t cdw13,
                       uint32_t nsid, std::vector<uint8_t> &out, size_t len) {
        out.assign(len, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = kOpGetLogPage;
        sqe.nsid = nsid;
        sqe.cdw10 = cdw10;
        sqe.cdw11 = cdw11;
        sqe.cdw12 = cdw12;
        sqe.cdw13 = cdw13;
        return admin_in(sqe, out);
    }

    Completion log(uint8_t lid, uint64_t offset, size_t len, std::vector<uint8_t> &out,
                   uint32_t nsid = 0xFFFFFFFFu) {
        out.assign(len, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = kOpGetLogPage;
        sqe.nsid = nsid;
        spec::GetLogPageFields f{};
        f.lid = lid;
        f.set_length_bytes(len);
        f.set_offset(offset);
        f.apply(sqe);
        return admin_in(sqe, out);
    }

    std::vector<spec::ErrorLogEntry> error_log() {
        std::vector<uint8_t> raw;
        const Completion c = log(0x01, 0, 64 * 64, raw);
        REQUIRE(c.ok());
        std::vector<spec::ErrorLogEntry> entries(64);
        std::memcpy(entries.data(), raw.data(), raw.size());
        return entries;
    }

    spec::SmartLog smart() {
        std::vector<uint8_t> raw;
        const Completion c = log(0x02, 0, 512, raw);
        REQUIRE(c.ok());
        spec::SmartLog s{};
        std::memcpy(&s, raw.data(), sizeof s);
        return s;
    }
};

// Checks the completion's status and the Error Information log entry the failure left: the
// newest entry names the same SQ, command and status (phase tag included) and the location.
void expect_error(AdminDevice &d, const Completion &c, uint8_t sct, uint8_t sc, bool dnr,
                  uint16_t location, uint32_t nsid = 0) {
    INFO(c.describe());
    CHECK_FALSE(c.ok());
    CHECK(int(c.cqe.sct()) == int(sct));
    CHECK(int(c.cqe.sc()) == int(sc));
    CHECK(c.cqe.dnr() == dnr);
    CHECK(c.cqe.m()); // every failure has an Error Information log entry
    CHECK(c.why.has_value());
    const auto log = d.error_log();
    const spec::ErrorLogEntry &e = log[0];
    CHECK(e.sqid == c.cqe.sqid);
    CHECK(e.cid == c.cqe.cid);
    CHECK((e.status_field & 0xFFFEu) == (c.cqe.status & 0xFFFEu));
    CHECK((e.status_field & 1u) == (c.cqe.status & 1u)); // bit 0 is the phase tag posted
    CHECK(e.param_error_location == location);
    CHECK(e.nsid == nsid);
    CHECK(e.error_count != 0);
    if (log[1].error_count != 0) CHECK(e.error_count == log[1].error_count + 1);
}

std::string ascii(const char *p, size_t n) {
    return std::string(p, n);
}

std::string padded(const std::string &s, size_t n) {
    return s + std::string(n - s.size(), ' ');
}

spec::Sqe identify_sqe(uint8_t cns, uint32_t nsid) {
    spec::Sqe sqe{};
    sqe.opc = kOpIdentify;
    sqe.nsid = nsid;
    sqe.cdw10 = cns;
    return sqe;
}

} // namespace

TEST_SUITE("admin") {

    TEST_CASE("unsupported admin opcodes fail with Invalid Command Opcode and DNR") {
        AdminDevice d;
        for (uint8_t opc : {0x03, 0x07, 0x0B, 0x0E, 0x13, 0x7F, 0x83, 0xC0, 0xFF}) {
            CAPTURE(int(opc));
            spec::Sqe sqe{};
            sqe.opc = opc;
            const Completion c = d.admin(sqe);
            expect_error(d, c, kSctGeneric, kInvalidOpcode, true, param_error_location(0, 0));
            CHECK(c.cqe.sqid == 0);
            CHECK(c.cqe.dw0 == 0);
        }
        // The device keeps working after the failures.
        CHECK(d.id_ctrl().vid == d.config.vid);
    }

    TEST_CASE("FUSE, PSDT and reserved CDW0 bits are rejected with Invalid Field") {
        AdminDevice d;
        SUBCASE("FUSE") {
            for (uint8_t fuse : {1, 2, 3}) {
                CAPTURE(int(fuse));
                spec::Sqe sqe = identify_sqe(0x01, 0);
                sqe.set_fuse(fuse);
                std::vector<uint8_t> out(4096);
                const Completion c = d.admin_in(sqe, out);
                expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(1, 0));
            }
        }
        SUBCASE("PSDT") {
            for (uint8_t psdt : {1, 2, 3}) {
                CAPTURE(int(psdt));
                spec::Sqe sqe = identify_sqe(0x01, 0);
                sqe.set_psdt(psdt);
                std::vector<uint8_t> out(4096);
                const Completion c = d.admin_in(sqe, out);
                expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(1, 6));
            }
        }
        SUBCASE("CDW0 bits 13:10") {
            spec::Sqe sqe = identify_sqe(0x01, 0);
            sqe.flags = 0x04; // CDW0 bit 10
            std::vector<uint8_t> out(4096);
            const Completion c = d.admin_in(sqe, out);
            expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(1, 2));
        }
    }

    TEST_CASE("Identify Controller reports what the configuration implies") {
        DeviceConfig cfg = admin_config();
        SUBCASE("defaults") {}
        SUBCASE("custom strings, MDTS, VID and no write cache") {
            cfg.serial = "SN-XYZ";
            cfg.model = "A model name that is exactly forty chars";
            cfg.firmware = "FW12345";
            cfg.mdts = 3;
            cfg.vid = 0x1234;
            cfg.vwc = false;
        }
        REQUIRE(cfg.model.size() <= 40);
        AdminDevice d(cfg);
        std::vector<uint8_t> raw;
        const Completion c = d.identify(0x01, 0, raw);
        REQUIRE(c.ok());
        CHECK_FALSE(c.cqe.m());
        spec::IdentifyController id{};
        std::memcpy(&id, raw.data(), sizeof id);
        CHECK(id.vid == cfg.vid);
        CHECK(ascii(id.sn, 20) == padded(cfg.serial, 20));
        CHECK(ascii(id.mn, 40) == padded(cfg.model, 40));
        CHECK(ascii(id.fr, 8) == padded(cfg.firmware, 8));
        CHECK(int(id.mdts) == int(cfg.mdts));
        CHECK(id.ver == 0x00010300u);
        CHECK(id.ver == d.ctrl.read32(0x08)); // VER matches the VS register
        CHECK(int(id.sqes) == 0x66);
        CHECK(int(id.cqes) == 0x44);
        CHECK(id.nn == 1);
        CHECK(id.oncs == 0x0050); // Save / Select in Set / Get Features, Timestamp
        CHECK(int(id.vwc) == (cfg.vwc ? 1 : 0));
        CHECK(int(id.elpe) == 63);         // 64 error log entries, 0's based
        CHECK(int(id.npss) == 2);          // three power states
        CHECK(int(id.lpa & 0x04) == 0x04); // extended Get Log Page data
        CHECK(id.fuses == 0);
        CHECK(id.sgls == 0x000B0002u); // dword-granular SGLs, Bit Bucket, both MPTR forms
        CHECK(id.oacs == 0x2);         // Format NVM
        // Power state descriptors past NPSS are zero.
        for (int ps = 0; ps <= id.npss; ++ps)
            CHECK(id.psd[ps].mp != 0);
        for (int ps = id.npss + 1; ps < 32; ++ps)
            CHECK(id.psd[ps].mp == 0);
        // Vendor-specific and reserved areas are zero; the whole 4096 bytes were written.
        CHECK(std::all_of(raw.begin() + 3072, raw.end(), [](uint8_t b) { return b == 0; }));
    }

    TEST_CASE("Identify Namespace reports the size and LBA format") {
        DeviceConfig cfg = admin_config();
        SUBCASE("4 KiB LBAs") {
            cfg.lbads = 12;
            cfg.size = uint64_t{16} << 20;
        }
        SUBCASE("512-byte LBAs") {
            cfg.lbads = 9;
            cfg.size = uint64_t{3} << 20;
        }
        AdminDevice d(cfg);
        std::vector<uint8_t> raw;
        const Completion c = d.identify(0x00, 1, raw);
        REQUIRE(c.ok());
        spec::IdentifyNamespace id{};
        std::memcpy(&id, raw.data(), sizeof id);
        const uint64_t blocks = cfg.size >> cfg.lbads;
        CHECK(id.nsze == blocks);
        CHECK(id.ncap == blocks);
        CHECK(id.nuse == blocks);
        // The store has no metadata area (media size = size): the formats without metadata,
        // 512 B and 4 KiB.
        CHECK(int(id.nlbaf) == 1);
        CHECK(int(id.flbas) == (cfg.lbads == 9 ? 0 : 1));
        CHECK(int(id.lbaf[0].lbads) == 9);
        CHECK(int(id.lbaf[1].lbads) == 12);
        CHECK(id.lbaf[0].ms + id.lbaf[1].ms == 0);
        CHECK(id.lba_data_size() == cfg.lba_size());
        CHECK(int(id.dps) == 0);
        for (int i = 2; i < 16; ++i)
            CHECK(int(id.lbaf[i].lbads) == 0);
    }

    TEST_CASE("Identify active namespace list starts after NSID and is ascending") {
        AdminDevice d;
        std::vector<uint8_t> raw;
        auto nsid_at = [&](size_t i) {
            uint32_t v = 0;
            std::memcpy(&v, raw.data() + 4 * i, 4);
            return v;
        };
        REQUIRE(d.identify(0x02, 0, raw).ok());
        CHECK(nsid_at(0) == 1);
        CHECK(std::all_of(raw.begin() + 4, raw.end(), [](uint8_t b) { return b == 0; }));
        // NSIDs greater than CDW1.NSID only: the list after NSID 1 is empty.
        for (uint32_t start : {1u, 2u, 0x1000u, 0xFFFFFFFDu}) {
            CAPTURE(start);
            REQUIRE(d.identify(0x02, start, raw).ok());
            CHECK(std::all_of(raw.begin(), raw.end(), [](uint8_t b) { return b == 0; }));
        }
        for (uint32_t bad : {0xFFFFFFFEu, 0xFFFFFFFFu}) {
            CAPTURE(bad);
            const Completion c = d.identify(0x02, bad, raw);
            expect_error(d, c, kSctGeneric, kInvalidNamespace, true, param_error_location(4, 0),
                         bad);
        }
    }

    TEST_CASE("Identify namespace identification descriptors match Identify Namespace") {
        AdminDevice d;
        std::vector<uint8_t> raw;
        REQUIRE(d.identify(0x03, 1, raw).ok());
        const spec::IdentifyNamespace ns = d.id_ns(1);
        // EUI-64 descriptor, then NGUID, then UUID, then a zero header ends the list.
        CHECK(int(raw[0]) == 1);
        CHECK(int(raw[1]) == 8);
        CHECK(raw[2] == 0);
        CHECK(raw[3] == 0);
        CHECK(std::memcmp(raw.data() + 4, ns.eui64, 8) == 0);
        CHECK(int(raw[12]) == 2);
        CHECK(int(raw[13]) == 16);
        CHECK(std::memcmp(raw.data() + 16, ns.nguid, 16) == 0);
        CHECK(int(raw[32]) == 3);
        CHECK(int(raw[33]) == 16);
        CHECK(int(raw[36 + 6] >> 4) == 8);      // UUID version 8 (vendor defined)
        CHECK(int(raw[36 + 8] & 0xC0) == 0x80); // variant 10b
        CHECK(std::all_of(raw.begin() + 52, raw.end(), [](uint8_t b) { return b == 0; }));
        // The EUI-64 begins with the controller's IEEE company identifier (its first octet an
        // individual, locally administered address: bit 0 clear, bit 1 set), and the NGUID
        // ends with the EUI-64.
        const spec::IdentifyController ctrl_id = d.id_ctrl();
        CHECK(int(ns.eui64[0]) == int(ctrl_id.ieee[2]));
        CHECK(int(ns.eui64[1]) == int(ctrl_id.ieee[1]));
        CHECK(int(ns.eui64[2]) == int(ctrl_id.ieee[0]));
        CHECK((ns.eui64[0] & 0x01) == 0);
        CHECK((ns.eui64[0] & 0x02) == 0x02);
        CHECK(std::memcmp(ns.nguid + 8, ns.eui64, 8) == 0);
        // The identifiers are not all zero and differ between devices with different serials.
        CHECK(std::any_of(std::begin(ns.nguid), std::end(ns.nguid), [](uint8_t b) { return b; }));
        CHECK(std::any_of(std::begin(ns.eui64), std::end(ns.eui64), [](uint8_t b) { return b; }));
        DeviceConfig other = admin_config();
        other.serial = "ANOTHER-SERIAL";
        AdminDevice d2(other);
        const spec::IdentifyNamespace ns2 = d2.id_ns(1);
        CHECK(std::memcmp(ns.nguid, ns2.nguid, 16) != 0);
        CHECK(std::memcmp(ns.eui64, ns2.eui64, 8) != 0);
        // ... and stay the same for the same serial.
        AdminDevice d3;
        CHECK(std::memcmp(ns.nguid, d3.id_ns(1).nguid, 16) == 0);

        for (uint32_t bad : {0u, 2u, 0xFFFFFFFFu}) {
            CAPTURE(bad);
            const Completion c = d.identify(0x03, bad, raw);
            expect_error(d, c, kSctGeneric, kInvalidNamespace, true, param_error_location(4, 0),
                         bad);
        }
    }

    TEST_CASE("Identify failures") {
        AdminDevice d;
        std::vector<uint8_t> raw;
        SUBCASE("CNS 00h with NSID 0, beyond NN or broadcast") {
            for (uint32_t bad : {0u, 2u, 1000u, 0xFFFFFFFFu}) {
                CAPTURE(bad);
                const Completion c = d.identify(0x00, bad, raw);
                expect_error(d, c, kSctGeneric, kInvalidNamespace, true, param_error_location(4, 0),
                             bad);
            }
        }
        SUBCASE("unsupported CNS values") {
            for (uint8_t cns : {0x04, 0x05, 0x0F, 0x14, 0x15, 0x16, 0x1F, 0xFF}) {
                CAPTURE(int(cns));
                const Completion c = d.identify(cns, 1, raw);
                expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(40, 0),
                             1);
            }
        }
        SUBCASE("reserved CDW10 bits 15:8") {
            const Completion c = d.identify(0x01, 0, raw, 1u << 8);
            expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(41, 0));
            const Completion c2 = d.identify(0x01, 0, raw, 1u << 15);
            expect_error(d, c2, kSctGeneric, kInvalidField, true, param_error_location(41, 7));
        }
        SUBCASE("CNTID set for a CNS value that does not use it") {
            for (uint8_t cns : {0x00, 0x01, 0x02, 0x03, 0x10, 0x11}) {
                CAPTURE(int(cns));
                const Completion c = d.identify(cns, 1, raw, 0x00050000u);
                expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(42, 0),
                             1);
                REQUIRE(c.why);
                CHECK(c.why->field == "CDW10.CNTID");
                CHECK(c.why->value == 5);
            }
        }
        SUBCASE("CNS 01h ignores NSID") {
            REQUIRE(d.identify(0x01, 0xFFFFFFFFu, raw).ok());
            CHECK(raw[0] == (d.config.vid & 0xFF));
        }
    }

    TEST_CASE("Set Features then Get Features returns the current value") {
        AdminDevice d;
        struct Case {
            uint8_t fid;
            uint32_t value;
            uint32_t nsid;
        };
        const Case cases[] = {
            {kFidArbitration, spec::ArbitrationFeature{7, 2, 3, 4}.encode(), 0},
            {kFidPowerManagement, 2, 0},
            {kFidErrorRecovery, 0x1234, 1},
            {kFidWriteCache, 0, 0},
            {kFidCoalescing, spec::InterruptCoalescingFeature{5, 10}.encode(), 0},
            {kFidAtomicity, 1, 0},
            {kFidAsyncEvents, 0x1F, 0},
        };
        for (const Case &k : cases) {
            CAPTURE(int(k.fid));
            const Completion s = d.set_feature(k.fid, k.value, false, k.nsid);
            INFO(s.describe());
            REQUIRE(s.ok());
            CHECK_FALSE(s.cqe.m());
            CHECK(d.feature(k.fid, 0, 0, k.nsid) == k.value);
            // The default does not move.
            CHECK(d.feature(k.fid, 1, 0, k.nsid) != k.value);
        }
        // Broadcast NSID is accepted for Set Features of controller and namespace features.
        CHECK(d.set_feature(kFidArbitration, 0x5, false, 0xFFFFFFFFu).ok());
        CHECK(d.feature(kFidArbitration) == 0x5);
        CHECK(d.set_feature(kFidErrorRecovery, 0x22, false, 0xFFFFFFFFu).ok());
        CHECK(d.feature(kFidErrorRecovery, 0, 0, 1) == 0x22);
    }

    TEST_CASE("Get Features SEL: default, saved and supported capabilities") {
        AdminDevice d;
        struct Case {
            uint8_t fid;
            uint32_t cdw11; // selects sensor / vector for Get
            uint32_t nsid;
            uint32_t default_value;
            uint32_t capabilities; // b0 saveable, b1 namespace specific, b2 changeable
            uint32_t new_value;
        };
        const Case cases[] = {
            {kFidArbitration, 0, 0, 0x3, 0b101, 0x01020305},
            {kFidPowerManagement, 0, 0, 0, 0b101, 1},
            {kFidTemperature, 0, 0, 343, 0b101, 350},
            {kFidErrorRecovery, 0, 1, 0, 0b111, 0x10},
            {kFidWriteCache, 0, 0, 1, 0b101, 0},
            {kFidQueues, 0, 0, 0x003F003F, 0b100, 0x00020002},
            {kFidCoalescing, 0, 0, 0, 0b101, 0x0101},
            {kFidVectorConfig, 1, 0, 1, 0b101, 0x10001},
            {kFidAtomicity, 0, 0, 0, 0b101, 1},
            {kFidAsyncEvents, 0, 0, 0, 0b101, 0x02},
        };
        for (const Case &k : cases) {
            CAPTURE(int(k.fid));
            CHECK(d.feature(k.fid, 3, k.cdw11, k.nsid) == k.capabilities);
            CHECK(d.feature(k.fid, 0, k.cdw11, k.nsid) == k.default_value);
            CHECK(d.feature(k.fid, 1, k.cdw11, k.nsid) == k.default_value);
            // Nothing saved yet: SEL=010b reports the default.
            CHECK(d.feature(k.fid, 2, k.cdw11, k.nsid) == k.default_value);
            const Completion s = d.set_feature(k.fid, k.new_value, false, k.nsid);
            INFO(s.describe());
            REQUIRE(s.ok());
            CHECK(d.feature(k.fid, 0, k.cdw11, k.nsid) == k.new_value);
            CHECK(d.feature(k.fid, 1, k.cdw11, k.nsid) == k.default_value);
            CHECK(d.feature(k.fid, 2, k.cdw11, k.nsid) == k.default_value);
            if ((k.capabilities & 1) != 0) {
                // SV=1 makes the value current and saved.
                const uint32_t saved = k.fid == kFidVectorConfig ? 0x00001 : k.default_value;
                REQUIRE(d.set_feature(k.fid, saved, true, k.nsid).ok());
                CHECK(d.feature(k.fid, 0, k.cdw11, k.nsid) == saved);
                CHECK(d.feature(k.fid, 2, k.cdw11, k.nsid) == saved);
                REQUIRE(d.set_feature(k.fid, k.new_value, false, k.nsid).ok());
                CHECK(d.feature(k.fid, 0, k.cdw11, k.nsid) == k.new_value);
                CHECK(d.feature(k.fid, 2, k.cdw11, k.nsid) == saved);
            }
        }
    }

    TEST_CASE("a controller reset returns each feature to its saved value, or its default") {
        // §7.8: after a power-on or reset a feature takes its saved value, or its default if
        // none was saved (ONCS bit 4 = 1). §7.3.2: a controller reset (CC.EN 1 -> 0) and an NVM
        // Subsystem Reset are both Controller Level Resets.
        struct Case {
            uint8_t fid;
            uint32_t cdw11; // selects sensor / vector
            uint32_t default_value;
            uint32_t saved;   // set with SV = 1 (the saveable cases)
            uint32_t current; // then set with SV = 0
        };
        const Case cases[] = {
            {kFidArbitration, 0, 0x3, 0x01020305, 0x04050602},
            {kFidPowerManagement, 0, 0, 1, 2},
            {kFidTemperature, 0, 343, 350, 360},
            {kFidTemperature, 0x00110000, 0, 280, 290}, // under threshold, sensor 1
            {kFidWriteCache, 0, 1, 1, 0},
            {kFidCoalescing, 0, 0, 0x0101, 0x0202},
            {kFidVectorConfig, 1, 0x00001, 0x10001, 0x00001},
            {kFidAtomicity, 0, 0, 0, 1},
            {kFidAsyncEvents, 0, 0, 0x02, 0x1F},
        };
        const auto value_of = [](const Case &k, uint32_t v) {
            // Temperature Threshold's THSEL/TMPSEL and Interrupt Vector Configuration's IV
            // select what the value is for.
            return k.fid == kFidTemperature ? (k.cdw11 & 0x003F0000u) | v : v;
        };
        // Temperature Threshold's Get also reports THSEL/TMPSEL in bits 21:16.
        const auto current_of = [](AdminDevice &d, const Case &k, uint8_t sel) {
            const uint32_t v = d.feature(k.fid, sel, k.cdw11);
            return k.fid == kFidTemperature ? v & 0xFFFFu : v;
        };
        const auto reset_by = [](AdminDevice &d, bool subsystem) {
            if (subsystem)
                d.ctrl.write32(static_cast<uint32_t>(spec::Reg::Nssr), spec::kNssrResetValue);
            d.host.enable();
        };
        for (const bool subsystem : {false, true}) {
            CAPTURE(subsystem);
            {
                INFO("values set with SV = 0 last until the reset");
                AdminDevice d;
                for (const Case &k : cases) {
                    CAPTURE(int(k.fid));
                    REQUIRE(d.set_feature(k.fid, value_of(k, k.current)).ok());
                    REQUIRE(current_of(d, k, 0) == k.current);
                }
                reset_by(d, subsystem);
                for (const Case &k : cases) {
                    CAPTURE(int(k.fid));
                    CHECK(current_of(d, k, 0) == k.default_value);
                }
            }
            {
                INFO("saved values come back after the reset");
                AdminDevice d;
                for (const Case &k : cases) {
                    CAPTURE(int(k.fid));
                    REQUIRE(d.set_feature(k.fid, value_of(k, k.saved), true).ok());
                    REQUIRE(d.set_feature(k.fid, value_of(k, k.current)).ok());
                }
                reset_by(d, subsystem);
                for (const Case &k : cases) {
                    CAPTURE(int(k.fid));
                    CHECK(current_of(d, k, 0) == k.saved);
                    CHECK(current_of(d, k, 2) == k.saved);
                }
            }
        }
        SUBCASE("Error Recovery, namespace specific, too") {
            AdminDevice d;
            REQUIRE(d.set_feature(kFidErrorRecovery, 0x20, true, 1).ok());
            REQUIRE(d.set_feature(kFidErrorRecovery, 0x30, false, 1).ok());
            d.host.enable();
            CHECK(d.feature(kFidErrorRecovery, 0, 0, 1) == 0x20);
        }
        SUBCASE("Number of Queues: the grant holds until the reset, then is the default again") {
            AdminDevice d;
            REQUIRE(d.set_feature(kFidQueues, 0x00010001).ok());
            d.host.enable();
            // §5.21.1.7: the allocation does not change between resets; this one is over.
            CHECK(d.feature(kFidQueues) == 0x003F003F);
            // SQ identifier 5 is past the old grant (NSQA = 1) but within the default one.
            CHECK_NOTHROW(d.host.create_io_queue_pair(4, 2, 1, 5));
        }
        SUBCASE("a reset that turns the write cache off writes it back first") {
            AdminDevice d;
            REQUIRE(d.set_feature(kFidWriteCache, 0, true).ok()); // saved: off
            REQUIRE(d.set_feature(kFidWriteCache, 1).ok());       // current: on
            const uint16_t q = d.host.create_io_queue_pair(8);
            std::vector<uint8_t> data(4096, 0x5A);
            REQUIRE(d.host.write(q, 1, 3, 0, data).ok());
            REQUIRE(d.ctrl.namespace_blocks_cached(1) == 1);
            d.host.enable();
            CHECK(d.feature(kFidWriteCache) == 0);
            CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
            // On the media: an unclean power cut now loses nothing.
            std::vector<uint8_t> media(4096);
            REQUIRE(d.store.read(3 * 4096, media));
            CHECK(media == data);
        }
    }

    TEST_CASE("Get Features with a reserved SEL or reserved CDW10 bits fails") {
        AdminDevice d;
        for (uint8_t sel = 4; sel < 8; ++sel) {
            CAPTURE(int(sel));
            const Completion c = d.get_feature(kFidArbitration, sel);
            expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(41, 0));
        }
        spec::Sqe sqe{};
        sqe.opc = kOpGetFeatures;
        sqe.cdw10 = kFidArbitration | (1u << 11);
        expect_error(d, d.admin(sqe), kSctGeneric, kInvalidField, true,
                     param_error_location(41, 3));
        sqe.cdw10 = kFidArbitration | (1u << 31);
        expect_error(d, d.admin(sqe), kSctGeneric, kInvalidField, true,
                     param_error_location(43, 7));
        // Set Features: bits 30:8 of CDW10 are reserved (bit 31 is SV).
        sqe.opc = kOpSetFeatures;
        sqe.cdw10 = kFidArbitration | (1u << 8);
        expect_error(d, d.admin(sqe), kSctGeneric, kInvalidField, true,
                     param_error_location(41, 0));
        sqe.cdw10 = kFidArbitration | (1u << 30);
        expect_error(d, d.admin(sqe), kSctGeneric, kInvalidField, true,
                     param_error_location(43, 6));
    }

    TEST_CASE("Number of Queues") {
        AdminDevice d;
        SUBCASE("not saveable") {
            const Completion c = d.set_feature(kFidQueues, 0x00010001, true);
            expect_error(d, c, kSctCommandSpecific, kFeatureNotSaveable, true,
                         param_error_location(43, 7));
            CHECK(d.feature(kFidQueues) == 0x003F003F);
        }
        SUBCASE("granted counts come back in DW0 and as the current value") {
            const Completion c = d.set_feature(kFidQueues, 0x00050003);
            REQUIRE(c.ok());
            CHECK(c.cqe.dw0 == 0x00050003);
            CHECK(d.feature(kFidQueues) == 0x00050003);
            // NSQA = 3: SQ identifiers 1..4 may be created, 5 may not.
            CHECK_THROWS_AS(d.host.create_io_queue_pair(4, 2, 1, 5), DriverError);
        }
        SUBCASE("requests above the controller's limit are capped") {
            const Completion c = d.set_feature(kFidQueues, 0xFFFE0100);
            REQUIRE(c.ok());
            const uint32_t limit = d.config.max_ioqpairs - 1u;
            CHECK(c.cqe.dw0 == (limit | (limit << 16)));
            CHECK(d.feature(kFidQueues) == c.cqe.dw0);
        }
        SUBCASE("FFFFh is not a valid request") {
            expect_error(d, d.set_feature(kFidQueues, 0x0001FFFF), kSctGeneric, kInvalidField, true,
                         param_error_location(44, 0));
            expect_error(d, d.set_feature(kFidQueues, 0xFFFF0001), kSctGeneric, kInvalidField, true,
                         param_error_location(46, 0));
        }
        SUBCASE("only before I/O queues are created, and again after a controller reset") {
            REQUIRE(d.set_feature(kFidQueues, 0x00010001).ok());
            d.host.create_io_queue_pair(4);
            const Completion c = d.set_feature(kFidQueues, 0x00020002);
            expect_error(d, c, kSctGeneric, kCommandSequenceError, true, kNoLocation);
            CHECK(d.feature(kFidQueues) == 0x00010001);
            // Deleting the queues is not enough...
            d.host.delete_io_queue_pair(1);
            expect_error(d, d.set_feature(kFidQueues, 0x00020002), kSctGeneric,
                         kCommandSequenceError, true, kNoLocation);
            // ...but a controller reset starts initialization over (§7.6.1).
            d.host.enable();
            const Completion again = d.set_feature(kFidQueues, 0x00020002);
            INFO(again.describe());
            CHECK(again.ok());
            CHECK(again.cqe.dw0 == 0x00020002);
        }
    }

    TEST_CASE("controller-wide features reject a namespace NSID on Set Features") {
        AdminDevice d;
        const std::pair<uint8_t, uint32_t> cases[] = {
            {kFidArbitration, 3},  {kFidPowerManagement, 0}, {kFidTemperature, 343},
            {kFidWriteCache, 1},   {kFidQueues, 0x00010001}, {kFidCoalescing, 0},
            {kFidVectorConfig, 1}, {kFidAtomicity, 0},       {kFidAsyncEvents, 0},
        };
        for (const auto &[fid, value] : cases) {
            const int fid_number = fid; // clang 14 cannot capture a structured binding
            CAPTURE(fid_number);
            for (uint32_t nsid : {1u, 2u}) {
                const Completion c = d.set_feature(fid, value, false, nsid);
                expect_error(d, c, kSctCommandSpecific, kFeatureNotNamespaceSpecific, true,
                             param_error_location(4, 0), nsid);
            }
        }
    }

    TEST_CASE("Error Recovery is namespace specific") {
        AdminDevice d;
        for (uint32_t nsid : {0u, 2u}) {
            CAPTURE(nsid);
            expect_error(d, d.set_feature(kFidErrorRecovery, 5, false, nsid), kSctGeneric,
                         kInvalidNamespace, true, param_error_location(4, 0), nsid);
            expect_error(d, d.get_feature(kFidErrorRecovery, 0, 0, nsid), kSctGeneric,
                         kInvalidNamespace, true, param_error_location(4, 0), nsid);
        }
        // Get Features needs one namespace; broadcast only works for Set.
        expect_error(d, d.get_feature(kFidErrorRecovery, 0, 0, 0xFFFFFFFFu), kSctGeneric,
                     kInvalidNamespace, true, param_error_location(4, 0), 0xFFFFFFFFu);
        REQUIRE(d.set_feature(kFidErrorRecovery, 0xFFFF, false, 1).ok());
        CHECK(d.feature(kFidErrorRecovery, 0, 0, 1) == 0xFFFF);
        // DULBE needs NSFEAT bit 2, which this namespace does not report.
        expect_error(d, d.set_feature(kFidErrorRecovery, 0x10000, false, 1), kSctGeneric,
                     kInvalidField, true, param_error_location(46, 0), 1);
        CHECK(d.feature(kFidErrorRecovery, 0, 0, 1) == 0xFFFF);
    }

    TEST_CASE("Power Management accepts power states 0..NPSS only") {
        AdminDevice d;
        const uint8_t npss = d.id_ctrl().npss;
        for (uint32_t ps = 0; ps <= npss; ++ps) {
            REQUIRE(d.set_feature(kFidPowerManagement, ps).ok());
            CHECK(d.feature(kFidPowerManagement) == ps);
        }
        for (uint32_t ps : {uint32_t{npss} + 1, 31u}) {
            CAPTURE(ps);
            expect_error(d, d.set_feature(kFidPowerManagement, ps), kSctGeneric, kInvalidField,
                         true, param_error_location(44, 0));
        }
        CHECK(d.feature(kFidPowerManagement) == npss);
    }

    TEST_CASE("Power Management takes the defined workload hints and refuses reserved ones") {
        AdminDevice d;
        // WH (bits 7:5, §5.21.1.2): 000b none, 001b Workload #1, 010b Workload #2.
        for (uint32_t wh = 0; wh <= 2; ++wh) {
            CAPTURE(wh);
            const uint32_t value =
                spec::PowerManagementFeature{1, static_cast<uint8_t>(wh)}.encode();
            REQUIRE(d.set_feature(kFidPowerManagement, value).ok());
            CHECK(d.feature(kFidPowerManagement) == value);
        }
        // 011b-111b are reserved: Invalid Field in Command, pointing at bit 5 of byte 44, and
        // the current value stays.
        for (uint32_t wh = 3; wh <= 7; ++wh) {
            CAPTURE(wh);
            expect_error(d, d.set_feature(kFidPowerManagement, wh << 5), kSctGeneric, kInvalidField,
                         true, param_error_location(44, 5));
            CHECK(d.feature(kFidPowerManagement) == 0x41);
        }
        // Saved with the power state, and current again after a reset (§7.8).
        REQUIRE(d.set_feature(kFidPowerManagement, 0x22, true).ok()); // WH 001b, PS 2
        REQUIRE(d.set_feature(kFidPowerManagement, 0).ok());
        CHECK(d.feature(kFidPowerManagement, 2) == 0x22);
        d.host.enable();
        CHECK(d.feature(kFidPowerManagement) == 0x22);
    }

    TEST_CASE("Temperature Threshold per sensor and threshold kind") {
        AdminDevice d;
        auto tt = [](uint16_t tmpth, uint8_t tmpsel, uint8_t thsel) {
            return spec::TemperatureThresholdFeature{tmpth, tmpsel, thsel}.encode();
        };
        auto value = [&](uint8_t tmpsel, uint8_t thsel) {
            return d.feature(kFidTemperature, 0, tt(0, tmpsel, thsel)) & 0xFFFF;
        };
        // Over thresholds default to WCTEMP for the composite temperature and to FFFFh for a
        // sensor; under thresholds to 0 (§5.21.1.4).
        const uint16_t wctemp = d.id_ctrl().wctemp;
        CHECK(value(0, 0) == wctemp);
        CHECK(value(1, 0) == 0xFFFF);
        CHECK(value(0, 1) == 0);
        CHECK(value(1, 1) == 0);
        // DW0 echoes TMPSEL / THSEL.
        CHECK(d.feature(kFidTemperature, 0, tt(0, 1, 1)) == tt(0, 1, 1));

        REQUIRE(d.set_feature(kFidTemperature, tt(350, 0, 0)).ok());
        CHECK(value(0, 0) == 350);
        CHECK(value(1, 0) == 0xFFFF);
        REQUIRE(d.set_feature(kFidTemperature, tt(260, 1, 1)).ok());
        CHECK(value(1, 1) == 260);
        CHECK(value(0, 1) == 0);
        // TMPSEL = Fh sets every sensor's threshold of that kind.
        REQUIRE(d.set_feature(kFidTemperature, tt(273, 0xF, 1)).ok());
        CHECK(value(0, 1) == 273);
        CHECK(value(1, 1) == 273);
        CHECK(value(0, 0) == 350);

        SUBCASE("invalid THSEL and TMPSEL") {
            for (uint8_t thsel : {2, 3}) {
                CAPTURE(int(thsel));
                expect_error(d, d.set_feature(kFidTemperature, tt(300, 0, thsel)), kSctGeneric,
                             kInvalidField, true, param_error_location(46, 4));
                expect_error(d, d.get_feature(kFidTemperature, 0, tt(0, 0, thsel)), kSctGeneric,
                             kInvalidField, true, param_error_location(46, 4));
            }
            for (uint8_t tmpsel : {2, 8, 9, 0xE}) {
                CAPTURE(int(tmpsel));
                expect_error(d, d.set_feature(kFidTemperature, tt(300, tmpsel, 0)), kSctGeneric,
                             kInvalidField, true, param_error_location(46, 0));
                expect_error(d, d.get_feature(kFidTemperature, 0, tt(0, tmpsel, 0)), kSctGeneric,
                             kInvalidField, true, param_error_location(46, 0));
            }
            // "All sensors" is a Set-only selector.
            expect_error(d, d.get_feature(kFidTemperature, 0, tt(0, 0xF, 0)), kSctGeneric,
                         kInvalidField, true, param_error_location(46, 0));
            expect_error(d, d.set_feature(kFidTemperature, tt(300, 0, 0) | (1u << 22)), kSctGeneric,
                         kInvalidField, true, param_error_location(46, 6));
            CHECK(value(0, 0) == 350);
        }
        SUBCASE("a threshold crossed by the composite temperature raises SMART critical warning") {
            const spec::SmartLog before = d.smart();
            const uint16_t temp = before.composite_temp();
            REQUIRE(temp > 273);
            CHECK((before.critical_warning & 0x02) == 0);
            REQUIRE(
                d.set_feature(kFidTemperature, tt(static_cast<uint16_t>(temp - 10), 0, 0)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0x02);
            REQUIRE(d.set_feature(kFidTemperature, tt(wctemp, 0, 0)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0);
            // Sensor 1 over threshold, then an under threshold above the temperature.
            REQUIRE(d.set_feature(kFidTemperature, tt(static_cast<uint16_t>(temp - 1), 1, 0)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0x02);
            REQUIRE(d.set_feature(kFidTemperature, tt(0xFFFF, 1, 0)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0);
            // Under thresholds count at the temperature itself: "less than or equal".
            REQUIRE(d.set_feature(kFidTemperature, tt(static_cast<uint16_t>(temp - 1), 0, 1)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0);
            REQUIRE(d.set_feature(kFidTemperature, tt(temp, 0, 1)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0x02);
            REQUIRE(d.set_feature(kFidTemperature, tt(0, 0, 1)).ok());
            REQUIRE(d.set_feature(kFidTemperature, tt(temp, 1, 1)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0x02);
            // And the over threshold at the temperature itself: "greater than or equal".
            REQUIRE(d.set_feature(kFidTemperature, tt(0, 1, 1)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0);
            REQUIRE(d.set_feature(kFidTemperature, tt(temp, 0, 0)).ok());
            CHECK((d.smart().critical_warning & 0x02) == 0x02);
        }
    }

    TEST_CASE("Interrupt Vector Configuration is kept per vector") {
        AdminDevice d;
        // The admin vector never coalesces: CD reads 1.
        CHECK(d.feature(kFidVectorConfig, 0, 0) == 0x10000);
        CHECK(d.feature(kFidVectorConfig, 0, 1) == 0x00001);
        REQUIRE(d.set_feature(kFidVectorConfig, 0x10001).ok());
        CHECK(d.feature(kFidVectorConfig, 0, 1) == 0x10001);
        CHECK(d.feature(kFidVectorConfig, 0, 2) == 0x00002);
        const uint32_t vectors = d.config.msix_vectors;
        CHECK(d.feature(kFidVectorConfig, 0, vectors - 1) == vectors - 1);
        expect_error(d, d.set_feature(kFidVectorConfig, vectors), kSctGeneric, kInvalidField, true,
                     param_error_location(44, 0));
        expect_error(d, d.get_feature(kFidVectorConfig, 0, vectors), kSctGeneric, kInvalidField,
                     true, param_error_location(44, 0));
    }

    TEST_CASE("unsupported feature identifiers fail with Invalid Field") {
        AdminDevice d;
        for (uint8_t fid :
             {0x00, 0x03, 0x0C, 0x0D, 0x11, 0x12, 0x7F, 0x80, 0x82, 0x83, 0x84, 0xC0, 0xFF}) {
            CAPTURE(int(fid));
            expect_error(d, d.get_feature(fid), kSctGeneric, kInvalidField, true,
                         param_error_location(40, 0));
            expect_error(d, d.get_feature(fid, 3), kSctGeneric, kInvalidField, true,
                         param_error_location(40, 0));
            expect_error(d, d.set_feature(fid, 0), kSctGeneric, kInvalidField, true,
                         param_error_location(40, 0));
        }
    }

    TEST_CASE("Volatile Write Cache feature needs a write cache") {
        DeviceConfig cfg = admin_config();
        cfg.vwc = false;
        AdminDevice d(cfg);
        CHECK(int(d.id_ctrl().vwc) == 0);
        expect_error(d, d.get_feature(kFidWriteCache), kSctGeneric, kInvalidField, true,
                     param_error_location(40, 0));
        expect_error(d, d.set_feature(kFidWriteCache, 1), kSctGeneric, kInvalidField, true,
                     param_error_location(40, 0));
        expect_error(d, d.set_feature(kFidWriteCache, 0, true), kSctGeneric, kInvalidField, true,
                     param_error_location(40, 0));
    }

    TEST_CASE("reserved CDW11 bits in Set Features fail with Invalid Field") {
        AdminDevice d;
        struct Case {
            uint8_t fid;
            unsigned bit;
            uint32_t nsid;
        };
        const Case cases[] = {
            {kFidArbitration, 3, 0},      {kFidArbitration, 7, 0},  {kFidPowerManagement, 8, 0},
            {kFidPowerManagement, 31, 0}, {kFidTemperature, 22, 0}, {kFidErrorRecovery, 17, 1},
            {kFidWriteCache, 1, 0},       {kFidCoalescing, 16, 0},  {kFidVectorConfig, 17, 0},
            {kFidAtomicity, 1, 0},        {kFidAsyncEvents, 8, 0},  {kFidAsyncEvents, 31, 0},
        };
        for (const Case &k : cases) {
            CAPTURE(int(k.fid));
            CAPTURE(k.bit);
            const uint32_t vector = k.fid == kFidVectorConfig ? 1 : 0; // IV of the Get and Set
            const uint32_t before = d.feature(k.fid, 0, vector, k.nsid);
            const Completion c = d.set_feature(k.fid, (1u << k.bit) | vector, false, k.nsid);
            expect_error(d, c, kSctGeneric, kInvalidField, true,
                         param_error_location(44 + k.bit / 8, k.bit % 8), k.nsid);
            CHECK(d.feature(k.fid, 0, vector, k.nsid) == before);
        }
    }

    TEST_CASE("Error Information log lists failures newest first") {
        AdminDevice d;
        CHECK(d.error_log()[0].error_count == 0);
        // Three different failures.
        spec::Sqe bad_op{};
        bad_op.opc = 0x03;
        const Completion c1 = d.admin(bad_op);
        std::vector<uint8_t> raw;
        const Completion c2 = d.identify(0x00, 7, raw);
        const Completion c3 = d.get_feature(0x03);
        REQUIRE_FALSE(c1.ok());
        REQUIRE_FALSE(c2.ok());
        REQUIRE_FALSE(c3.ok());
        const auto log = d.error_log();
        const Completion *order[] = {&c3, &c2, &c1};
        const uint16_t locations[] = {param_error_location(40, 0), param_error_location(4, 0),
                                      param_error_location(0, 0)};
        for (size_t i = 0; i < 3; ++i) {
            CAPTURE(i);
            CHECK(log[i].error_count == 3 - i);
            CHECK(log[i].sqid == 0);
            CHECK(log[i].cid == order[i]->cqe.cid);
            CHECK((log[i].status_field >> 1) == order[i]->cqe.status_field());
            CHECK(log[i].param_error_location == locations[i]);
        }
        CHECK(log[1].nsid == 7);
        for (size_t i = 3; i < 64; ++i)
            CHECK(log[i].error_count == 0);
        CHECK(spec::get_u128_low(d.smart().num_error_log_entries) == 3);

        SUBCASE("only the newest ELPE+1 entries are kept") {
            for (int i = 0; i < 70; ++i)
                d.admin(bad_op);
            const auto full = d.error_log();
            for (size_t i = 0; i < 64; ++i)
                CHECK(full[i].error_count == 73 - i);
            CHECK(spec::get_u128_low(d.smart().num_error_log_entries) == 73);
        }
    }

    TEST_CASE("SMART / Health log") {
        AdminDevice d;
        const spec::SmartLog fresh = d.smart();
        CHECK(fresh.critical_warning == 0);
        CHECK(fresh.composite_temp() > 273);
        CHECK(fresh.composite_temp() < d.id_ctrl().wctemp);
        CHECK(fresh.available_spare == 100);
        CHECK(fresh.available_spare > fresh.available_spare_threshold);
        CHECK(fresh.temp_sensor[0] == fresh.composite_temp());
        CHECK(spec::get_u128_low(fresh.power_cycles) == 1);
        CHECK(spec::get_u128_low(fresh.unsafe_shutdowns) == 0);
        CHECK(spec::get_u128_low(fresh.host_read_commands) == 0);
        CHECK(spec::get_u128_low(fresh.host_write_commands) == 0);
        CHECK(spec::get_u128_low(fresh.data_units_read) == 0);
        CHECK(spec::get_u128_low(fresh.data_units_written) == 0);

        const uint16_t q = d.host.create_io_queue_pair(8);
        std::vector<uint8_t> data(32 * 4096, 0x5A);
        // 4 writes of 32 blocks: 128 x 4 KiB = 1024 units of 512 bytes -> 2 (thousands, rounded up)
        for (int i = 0; i < 4; ++i)
            REQUIRE(d.host.write(q, 1, 32u * i, 31, data).ok());
        std::vector<uint8_t> back(4096);
        // 3 reads of one block: 24 units -> 1
        for (int i = 0; i < 3; ++i)
            REQUIRE(d.host.read(q, 1, i, 0, back).ok());
        // Failed commands do not move data.
        CHECK_FALSE(d.host.read(q, 1, 1u << 30, 0, back).ok());
        const spec::SmartLog after = d.smart();
        CHECK(spec::get_u128_low(after.host_write_commands) == 4);
        CHECK(spec::get_u128_low(after.host_read_commands) == 3);
        CHECK(spec::get_u128_low(after.data_units_written) == 2);
        CHECK(spec::get_u128_low(after.data_units_read) == 1);
        // The counters are 128-bit: the upper halves stay zero.
        CHECK(std::all_of(after.host_write_commands + 8, after.host_write_commands + 16,
                          [](uint8_t b) { return b == 0; }));
        CHECK(spec::get_u128_low(after.power_cycles) == 1);
        CHECK(spec::get_u128_low(after.num_error_log_entries) == 1);
    }

    TEST_CASE("Firmware Slot Information log") {
        DeviceConfig cfg = admin_config();
        cfg.firmware = "2.5b";
        AdminDevice d(cfg);
        std::vector<uint8_t> raw;
        REQUIRE(d.log(0x03, 0, 512, raw).ok());
        spec::FirmwareSlotLog fw{};
        std::memcpy(&fw, raw.data(), sizeof fw);
        CHECK(int(fw.afi) == 1);
        CHECK(ascii(fw.frs[0], 8) == padded(cfg.firmware, 8));
        CHECK(ascii(fw.frs[0], 8) == ascii(d.id_ctrl().fr, 8));
        for (int slot = 1; slot < 7; ++slot)
            CHECK(std::all_of(fw.frs[slot], fw.frs[slot] + 8, [](char c) { return c == 0; }));
        // The number of slots in FRMW covers slot 1 and slot 1 is read-only.
        CHECK(int(d.id_ctrl().frmw & 0x0F) == 0x03);
    }

    TEST_CASE("Get Log Page length and offset") {
        AdminDevice d;
        std::vector<uint8_t> full;
        REQUIRE(d.log(0x02, 0, 512, full).ok());

        SUBCASE("a window returns exactly those bytes") {
            std::vector<uint8_t> part;
            REQUIRE(d.log(0x02, 64, 32, part).ok());
            CHECK(std::equal(part.begin(), part.end(), full.begin() + 64));
            REQUIRE(d.log(0x02, 508, 4, part).ok());
            CHECK(std::equal(part.begin(), part.end(), full.begin() + 508));
            // Only the requested length is transferred: a longer host buffer keeps its bytes.
            std::vector<uint8_t> buf(8192, 0xA5);
            spec::Sqe sqe{};
            sqe.opc = kOpGetLogPage;
            sqe.nsid = 0xFFFFFFFFu;
            spec::GetLogPageFields f{};
            f.lid = 0x02;
            f.set_length_bytes(16);
            f.set_offset(0);
            f.apply(sqe);
            REQUIRE(d.admin_in(sqe, buf).ok());
            CHECK(std::equal(buf.begin(), buf.begin() + 16, full.begin()));
            CHECK(std::all_of(buf.begin() + 16, buf.end(), [](uint8_t b) { return b == 0xA5; }));
            // A 4-byte read at a non-zero offset.
            std::vector<uint8_t> four;
            REQUIRE(d.log(0x02, 4, 4, four).ok());
            CHECK(std::equal(four.begin(), four.end(), full.begin() + 4));
        }
        SUBCASE("bytes past the end of the log read as zero") {
            std::vector<uint8_t> fw;
            REQUIRE(d.log(0x03, 256, 1024, fw).ok());
            CHECK(std::all_of(fw.begin(), fw.end(), [](uint8_t b) { return b == 0; }));
            std::vector<uint8_t> err;
            REQUIRE(d.log(0x01, 64 * 63, 4096, err).ok());
            CHECK(std::all_of(err.begin(), err.end(), [](uint8_t b) { return b == 0; }));
        }
        SUBCASE("NUMDU extends the length") {
            DeviceConfig cfg = admin_config();
            cfg.mdts = 0; // no transfer limit
            AdminDevice big(cfg);
            std::vector<uint8_t> out;
            const uint32_t numd = 0x10000; // 0's based: 65537 dwords
            const Completion c = big.log_raw(0x01 | ((numd & 0xFFFF) << 16), numd >> 16, 0, 0, 0,
                                             out, (numd + 1) * 4);
            INFO(c.describe());
            REQUIRE(c.ok());
            CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
        }
        SUBCASE("offset not dword aligned") {
            for (uint32_t off : {1u, 2u, 3u, 66u}) {
                CAPTURE(off);
                std::vector<uint8_t> out;
                const Completion c = d.log(0x02, off, 4, out);
                expect_error(d, c, kSctGeneric, kInvalidField, true, param_error_location(48, 0),
                             0xFFFFFFFFu);
                REQUIRE(c.why);
                CHECK(c.why->field == "CDW12/13.LPO"); // the 64-bit offset, not LPOL alone
            }
        }
        SUBCASE("offset at or beyond the end of the log") {
            std::vector<uint8_t> out;
            expect_error(d, d.log(0x02, 512, 4, out), kSctGeneric, kInvalidField, true,
                         param_error_location(48, 0), 0xFFFFFFFFu);
            expect_error(d, d.log(0x03, 4096, 4, out), kSctGeneric, kInvalidField, true,
                         param_error_location(48, 0), 0xFFFFFFFFu);
            expect_error(d, d.log(0x01, 64 * 64, 64, out), kSctGeneric, kInvalidField, true,
                         param_error_location(48, 0), 0xFFFFFFFFu);
            // LPOU: an offset above 4 GiB.
            expect_error(d, d.log(0x01, uint64_t{1} << 32, 64, out), kSctGeneric, kInvalidField,
                         true, param_error_location(48, 0), 0xFFFFFFFFu);
        }
        SUBCASE("unsupported log identifiers") {
            for (uint8_t lid : {0x00, 0x09, 0x0A, 0x70, 0x7F, 0x82, 0xBF, 0xC0, 0xFF}) {
                CAPTURE(int(lid));
                std::vector<uint8_t> out;
                expect_error(d, d.log(lid, 0, 512, out), kSctCommandSpecific, kInvalidLogPage, true,
                             param_error_location(40, 0), 0xFFFFFFFFu);
            }
        }
        SUBCASE("log specific field and reserved bits") {
            std::vector<uint8_t> out;
            const uint32_t numdl = (512 / 4 - 1) << 16;
            expect_error(d, d.log_raw(0x02 | (1u << 8) | numdl, 0, 0, 0, 0, out, 512), kSctGeneric,
                         kInvalidField, true, param_error_location(41, 0));
            expect_error(d, d.log_raw(0x02 | (0xFu << 8) | numdl, 0, 0, 0, 0, out, 512),
                         kSctGeneric, kInvalidField, true, param_error_location(41, 0));
            expect_error(d, d.log_raw(0x02 | (1u << 12) | numdl, 0, 0, 0, 0, out, 512), kSctGeneric,
                         kInvalidField, true, param_error_location(41, 4));
            expect_error(d, d.log_raw(0x02 | numdl, 1u << 16, 0, 0, 0, out, 512), kSctGeneric,
                         kInvalidField, true, param_error_location(46, 0));
            // RAE (bit 15) is allowed.
            CHECK(d.log_raw(0x02 | (1u << 15) | numdl, 0, 0, 0, 0, out, 512).ok());
        }
        SUBCASE("SMART / Health: the controller, or an active namespace (LPA bit 0)") {
            std::vector<uint8_t> out;
            CHECK(d.log(0x02, 0, 512, out, 1).ok());
            expect_error(d, d.log(0x02, 0, 512, out, 2), kSctGeneric, kInvalidNamespace, true,
                         param_error_location(4, 0), 2);
            expect_error(d, d.log(0x02, 0, 512, out, 0xFFFFFFFEu), kSctGeneric, kInvalidNamespace,
                         true, param_error_location(4, 0), 0xFFFFFFFEu);
            CHECK(d.log(0x02, 0, 512, out, 0).ok());
            CHECK(d.log(0x02, 0, 512, out, 0xFFFFFFFFu).ok());
        }
        SUBCASE("length above MDTS") {
            const uint64_t mdts_bytes = uint64_t{4096} << d.id_ctrl().mdts;
            std::vector<uint8_t> out;
            CHECK(d.log(0x01, 0, mdts_bytes, out).ok());
            expect_error(d, d.log(0x01, 0, mdts_bytes + 4, out), kSctGeneric, kInvalidField, true,
                         kNoLocation, 0xFFFFFFFFu);
        }
    }

} // TEST_SUITE("admin")
