// Get / Set Features for the NVMe 1.3 features beyond the mandatory ones (§5.21.1): Timestamp
// (0Eh, data), Keep Alive Timer (0Fh) with the Keep Alive command and its timer on the virtual
// clock (§7.12), Host Controlled Thermal Management (10h) and Host Identifier (81h, data); what
// SEL 011b reports, SV on features that cannot be saved, and what a controller reset does.
#include <algorithm>
#include <cstring>
#include <vector>

#include "tests/test_helpers.h"

namespace nvmelab::test {
namespace {

constexpr uint8_t kFidTimestamp = 0x0E;
constexpr uint8_t kFidKeepAlive = 0x0F;
constexpr uint8_t kFidThermal = 0x10;
constexpr uint8_t kFidHostId = 0x81;
constexpr uint8_t kInvalidField = 0x02;
constexpr uint8_t kNotSaveable = 0x0D;
constexpr uint64_t kMs = 1'000'000;

struct FeatureDevice : TestDevice {
    FeatureDevice() { drv.enable(); }
    // Get Features with an 8-byte data buffer (A5h before, so bytes not written show).
    Completion get_data(uint8_t fid, std::vector<uint8_t> &out, uint8_t sel = 0,
                        uint32_t cdw11 = 0) {
        out.assign(8, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = 0x0A;
        sqe.cdw10 = fid | uint32_t{sel} << 8;
        sqe.cdw11 = cdw11;
        const std::vector<uint8_t> before = out;
        return drv.execute_with_data(0, sqe, before, out);
    }
    Completion set_data(uint8_t fid, const std::vector<uint8_t> &in, uint32_t cdw11 = 0,
                        bool save = false) {
        spec::Sqe sqe{};
        sqe.opc = 0x09;
        sqe.cdw10 = fid | (save ? 1u << 31 : 0u);
        sqe.cdw11 = cdw11;
        std::vector<uint8_t> back(in.size());
        return drv.execute_with_data(0, sqe, in, back);
    }
    uint64_t timestamp(uint8_t *origin = nullptr) {
        std::vector<uint8_t> out;
        const Completion c = get_data(kFidTimestamp, out);
        INFO(c.describe());
        REQUIRE(c.ok());
        uint64_t v = 0;
        std::memcpy(&v, out.data(), 8);
        if (origin) *origin = static_cast<uint8_t>((v >> 49) & 0x7);
        CHECK(((v >> 48) & 1) == 0); // Synch: never stopped counting
        return v & ((uint64_t{1} << 48) - 1);
    }
    bool fatal() const { return (ctrl.read32(0x1C) & 0x2) != 0; } // CSTS.CFS
    void controller_reset() {
        drv.disable();
        drv.enable();
    }
};

void expect_status(const Completion &c, uint8_t sct, uint8_t sc) {
    INFO(c.describe());
    CHECK_FALSE(c.ok());
    CHECK(int(c.cqe.sct()) == int(sct));
    CHECK(int(c.cqe.sc()) == int(sc));
}

std::vector<uint8_t> le64(uint64_t v) {
    std::vector<uint8_t> b(8);
    std::memcpy(b.data(), &v, 8);
    return b;
}

} // namespace

TEST_SUITE("features") {
    TEST_CASE("SEL 011b: saveable, namespace specific and changeable per feature") {
        FeatureDevice d;
        // Named members, not a structured binding: CAPTURE's lambda may not capture a binding
        // in clang 14 (the WebAssembly build).
        for (const auto &entry : {std::pair{kFidTimestamp, 4u}, std::pair{kFidKeepAlive, 4u},
                                  std::pair{kFidThermal, 5u}, std::pair{kFidHostId, 4u}}) {
            const uint8_t fid = entry.first;
            const uint32_t caps = entry.second;
            CAPTURE(int(fid));
            const Completion c = d.drv.get_features(fid, 3);
            REQUIRE(c.ok());
            CHECK(c.cqe.dw0 == caps);
        }
        // Not saveable: SV = 1 fails with Feature Identifier Not Saveable.
        expect_status(d.drv.set_features(kFidKeepAlive, 1000, true), 1, kNotSaveable);
        expect_status(d.set_data(kFidTimestamp, le64(5), 0, true), 1, kNotSaveable);
        expect_status(d.set_data(kFidHostId, le64(5), 0, true), 1, kNotSaveable);
    }

    TEST_CASE("Timestamp counts on the virtual clock from the value the host set") {
        FeatureDevice d;
        uint8_t origin = 9;
        const uint64_t at_start = d.timestamp(&origin);
        CHECK(origin == 0); // zeroed at power-on / reset
        CHECK(at_start == d.ctrl.now_ns() / kMs);
        const uint64_t set = 1'700'000'000'000ull; // ms since 1970
        REQUIRE(d.set_data(kFidTimestamp, le64(set)).ok());
        d.ctrl.run_until(d.ctrl.now_ns() + 250 * kMs);
        const uint64_t later = d.timestamp(&origin);
        CHECK(origin == 1); // set by the host
        CHECK(later >= set + 250);
        CHECK(later < set + 260);
        // Default and saved (it is not saveable) are zero.
        std::vector<uint8_t> out;
        for (uint8_t sel : {1, 2}) {
            REQUIRE(d.get_data(kFidTimestamp, out, sel).ok());
            CHECK(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0; }));
        }
        // CDW11 carries nothing for Timestamp: its bits are reserved.
        expect_status(d.set_data(kFidTimestamp, le64(set), 1), 0, kInvalidField);
        // A Controller Level Reset zeroes it again.
        d.controller_reset();
        CHECK(d.timestamp(&origin) < 1000);
        CHECK(origin == 0);
    }

    TEST_CASE("Host Identifier: 64 bits, kept until a reset; EXHID is refused") {
        FeatureDevice d;
        const std::vector<uint8_t> id = {1, 2, 3, 4, 5, 6, 7, 8};
        REQUIRE(d.set_data(kFidHostId, id).ok());
        std::vector<uint8_t> out;
        REQUIRE(d.get_data(kFidHostId, out).ok());
        CHECK(out == id);
        expect_status(d.set_data(kFidHostId, id, 1), 0, kInvalidField);
        expect_status(d.get_data(kFidHostId, out, 0, 1), 0, kInvalidField);
        expect_status(d.set_data(kFidHostId, id, 2), 0, kInvalidField); // reserved bit 1
        d.controller_reset();
        REQUIRE(d.get_data(kFidHostId, out).ok());
        CHECK(out == std::vector<uint8_t>(8, 0));
    }

    TEST_CASE("Host Controlled Thermal Management: limits, order, saved value") {
        FeatureDevice d;
        const spec::IdentifyController id = d.drv.identify_controller();
        REQUIRE(id.hctma == 1);
        auto tmt = [](uint32_t tmt1, uint32_t tmt2) { return tmt1 << 16 | tmt2; };
        const uint32_t good = tmt(id.mntmt + 20u, id.mxtmt);
        REQUIRE(d.drv.set_features(kFidThermal, good, true).ok());
        CHECK(d.drv.get_features(kFidThermal).cqe.dw0 == good);
        CHECK(d.drv.get_features(kFidThermal, 2).cqe.dw0 == good);
        REQUIRE(d.drv.set_features(kFidThermal, tmt(0, 0)).ok()); // both off
        REQUIRE(d.drv.set_features(kFidThermal, tmt(0, id.mxtmt)).ok());
        for (uint32_t bad : {tmt(id.mntmt - 1u, 0), tmt(0, id.mxtmt + 1u), tmt(id.mxtmt, id.mxtmt),
                             tmt(id.mntmt + 10u, id.mntmt + 5u)}) {
            CAPTURE(bad);
            expect_status(d.drv.set_features(kFidThermal, bad), 0, kInvalidField);
        }
        // A reset brings back the saved value, not the last current one.
        d.controller_reset();
        CHECK(d.drv.get_features(kFidThermal).cqe.dw0 == good);
    }

    TEST_CASE("Keep Alive: KATO rounds up to KAS; the timer expires into CSTS.CFS") {
        FeatureDevice d;
        REQUIRE(d.drv.identify_controller().kas == 1);            // 100 ms granularity
        CHECK(d.drv.get_features(kFidKeepAlive, 1).cqe.dw0 == 0); // default: off on PCIe
        REQUIRE(d.drv.set_features(kFidKeepAlive, 950).ok());
        CHECK(d.drv.get_features(kFidKeepAlive).cqe.dw0 == 1000);

        // Keep Alive commands within the timeout keep the controller alive.
        spec::Sqe keep_alive{};
        keep_alive.opc = 0x18;
        for (int i = 0; i < 3; ++i) {
            d.ctrl.run_until(d.ctrl.now_ns() + 800 * kMs);
            REQUIRE(d.drv.execute(0, keep_alive).ok());
        }
        CHECK_FALSE(d.fatal());
        // Malformed: reserved dwords set.
        keep_alive.cdw10 = 1;
        expect_status(d.drv.execute(0, keep_alive), 0, kInvalidField);
        keep_alive.cdw10 = 0;
        // Silence past KATO: Controller Fatal Status and an Error Information entry.
        d.ctrl.run_until(d.ctrl.now_ns() + 1100 * kMs);
        CHECK(d.fatal());
        // A Controller Level Reset clears CFS; the Error log tells why; KATO is back to 0, so
        // no timer runs.
        d.controller_reset();
        CHECK_FALSE(d.fatal());
        const spec::ErrorLogEntry e = read_newest_error(d.drv);
        CHECK(((e.status_field >> 1) & 0xFF) == 0x19); // Keep Alive Timeout Expired
        CHECK(e.sqid == 0);
        CHECK(e.cid == 0xFFFF);
        CHECK(d.drv.get_features(kFidKeepAlive).cqe.dw0 == 0);
        d.ctrl.run_until(d.ctrl.now_ns() + 10'000 * kMs);
        CHECK_FALSE(d.fatal());
    }

    TEST_CASE("KATO 0 stops the timer; a new KATO restarts it from now") {
        FeatureDevice d;
        REQUIRE(d.drv.set_features(kFidKeepAlive, 500).ok());
        d.ctrl.run_until(d.ctrl.now_ns() + 400 * kMs);
        REQUIRE(d.drv.set_features(kFidKeepAlive, 0).ok());
        d.ctrl.run_until(d.ctrl.now_ns() + 5'000 * kMs);
        CHECK_FALSE(d.fatal());
        REQUIRE(d.drv.set_features(kFidKeepAlive, 2000).ok());
        d.ctrl.run_until(d.ctrl.now_ns() + 1'900 * kMs);
        CHECK_FALSE(d.fatal());
        d.ctrl.run_until(d.ctrl.now_ns() + 200 * kMs);
        CHECK(d.fatal());
    }
}

} // namespace nvmelab::test
