// Identify CNS values of NVMe 1.3 beyond 00h-03h (§5.15, Figure 106): the allocated namespace
// list (10h) and Identify Namespace for an allocated NSID (11h), the controller lists (12h, 13h),
// and the namespace identification descriptors (03h) with their UUID.
#include <algorithm>
#include <cstring>
#include <vector>

#include "tests/test_helpers.h"

namespace nvmelab::test {
namespace {

constexpr uint8_t kInvalidField = 0x02;
constexpr uint8_t kInvalidNamespace = 0x0B;

struct IdDevice : TestDevice {
    explicit IdDevice(const DeviceConfig &c = small_config()) : TestDevice(c) { drv.enable(); }
    Completion identify(uint8_t cns, uint32_t nsid, std::vector<uint8_t> &out, uint16_t cntid = 0) {
        out.assign(4096, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = 0x06;
        sqe.nsid = nsid;
        spec::IdentifyFields{cns, cntid}.apply(sqe);
        const std::vector<uint8_t> before = out;
        return drv.execute_with_data(0, sqe, before, out);
    }
    std::vector<uint8_t> ok(uint8_t cns, uint32_t nsid, uint16_t cntid = 0) {
        std::vector<uint8_t> out;
        const Completion c = identify(cns, nsid, out, cntid);
        INFO("CNS ", int(cns), " NSID ", nsid, ": ", c.describe());
        REQUIRE(c.ok());
        return out;
    }
};

void expect_status(const Completion &c, uint8_t sc) {
    INFO(c.describe());
    CHECK_FALSE(c.ok());
    CHECK(int(c.cqe.sct()) == 0);
    CHECK(int(c.cqe.sc()) == int(sc));
    CHECK(c.cqe.dnr());
}

uint16_t u16(const std::vector<uint8_t> &v, size_t off) {
    return static_cast<uint16_t>(v[off] | (v[off + 1] << 8));
}

} // namespace

TEST_SUITE("identify-cns") {
    TEST_CASE("10h and 11h: every allocated namespace is active, so they match 02h and 00h") {
        IdDevice d;
        for (uint32_t nsid : {0u, 1u, 0xFFFFFFFDu})
            CHECK(d.ok(0x10, nsid) == d.ok(0x02, nsid));
        const auto allocated = d.ok(0x10, 0);
        CHECK(allocated[0] == 1); // NSID 1, then zeros
        CHECK(std::all_of(allocated.begin() + 4, allocated.end(), [](uint8_t b) { return !b; }));
        CHECK(d.ok(0x11, 1) == d.ok(0x00, 1));
        std::vector<uint8_t> out;
        for (uint32_t nsid : {0xFFFFFFFEu, 0xFFFFFFFFu})
            expect_status(d.identify(0x10, nsid, out), kInvalidNamespace);
        for (uint32_t nsid : {0u, 2u, 0xFFFFFFFFu})
            expect_status(d.identify(0x11, nsid, out), kInvalidNamespace);
    }

    TEST_CASE("12h and 13h: the one controller, listed from CNTID on") {
        IdDevice d;
        const uint16_t cntlid = d.drv.identify_controller().cntlid;
        for (uint8_t cns : {0x12, 0x13}) {
            CAPTURE(int(cns));
            const auto list = d.ok(cns, 1, 0);
            CHECK(u16(list, 0) == 1);
            CHECK(u16(list, 2) == cntlid);
            CHECK(std::all_of(list.begin() + 4, list.end(), [](uint8_t b) { return !b; }));
            // No controller has an ID at or above CNTID 1: an empty list.
            const auto none = d.ok(cns, 1, static_cast<uint16_t>(cntlid + 1));
            CHECK(std::all_of(none.begin(), none.end(), [](uint8_t b) { return !b; }));
        }
        // 13h does not use NSID; 12h needs a valid namespace.
        CHECK(d.ok(0x13, 0xFFFFFFFFu) == d.ok(0x13, 0));
        std::vector<uint8_t> out;
        for (uint32_t nsid : {0u, 2u, 0xFFFFFFFFu})
            expect_status(d.identify(0x12, nsid, out), kInvalidNamespace);
    }

    TEST_CASE("14h, 15h (virtualization) and reserved CNS values fail with Invalid Field") {
        IdDevice d;
        std::vector<uint8_t> out;
        for (uint8_t cns : {0x04, 0x0F, 0x14, 0x15, 0x16, 0x17, 0x1A, 0x20, 0x80, 0xFF}) {
            CAPTURE(int(cns));
            expect_status(d.identify(cns, 1, out), kInvalidField);
        }
    }

    TEST_CASE("03h: EUI-64, NGUID and UUID, stable per serial and distinct between devices") {
        auto uuid = [](IdDevice &d) {
            const auto list = d.ok(0x03, 1);
            REQUIRE(int(list[32]) == 3);
            return std::vector<uint8_t>(list.begin() + 36, list.begin() + 52);
        };
        IdDevice a;
        IdDevice b;
        DeviceConfig other = small_config();
        other.serial = "OTHER-SERIAL";
        IdDevice c(other);
        CHECK(uuid(a) == uuid(b));
        CHECK(uuid(a) != uuid(c));
        const auto list = a.ok(0x03, 1);
        // The three identifiers differ from each other (UUID is not a copy of the NGUID).
        CHECK(std::memcmp(list.data() + 16, list.data() + 36, 16) != 0);
    }
}

} // namespace nvmelab::test
