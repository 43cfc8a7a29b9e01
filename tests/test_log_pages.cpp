// Get Log Page for every NVMe 1.3 log (§5.14): sizes, offsets and lengths past the end, LSP,
// RAE, the per-namespace SMART / Health log (LPA bit 0) and the Telemetry logs (LPA bit 3).
#include <algorithm>
#include <cstring>
#include <vector>

#include "tests/test_helpers.h"

namespace nvmelab::test {
namespace {

constexpr uint8_t kSctGeneric = 0;
constexpr uint8_t kSctCommandSpecific = 1;
constexpr uint8_t kInvalidField = 0x02;
constexpr uint8_t kInvalidNamespace = 0x0B;
constexpr uint8_t kInvalidLogPage = 0x09;
constexpr uint32_t kAll = 0xFFFFFFFFu;

struct LogDevice : TestDevice {
    LogDevice() { drv.enable(); }
    // Get Log Page with the given fields; `out` starts as A5h so bytes not written show.
    Completion log(uint8_t lid, uint64_t offset, size_t len, std::vector<uint8_t> &out,
                   uint32_t nsid = kAll, uint8_t lsp = 0, bool rae = false) {
        out.assign(len, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = 0x02;
        sqe.nsid = nsid;
        spec::GetLogPageFields f{};
        f.lid = lid;
        f.set_length_bytes(len);
        f.set_offset(offset);
        f.apply(sqe);
        sqe.cdw10 |= uint32_t{lsp} << 8 | (rae ? 1u << 15 : 0u);
        const std::vector<uint8_t> before = out;
        return drv.execute_with_data(0, sqe, before, out);
    }
    std::vector<uint8_t> whole(uint8_t lid, size_t len, uint32_t nsid = kAll, uint8_t lsp = 0) {
        std::vector<uint8_t> out;
        const Completion c = log(lid, 0, len, out, nsid, lsp);
        INFO("log ", int(lid), ": ", c.describe());
        REQUIRE(c.ok());
        return out;
    }
};

void expect_status(const Completion &c, uint8_t sct, uint8_t sc) {
    INFO(c.describe());
    CHECK_FALSE(c.ok());
    CHECK(int(c.cqe.sct()) == int(sct));
    CHECK(int(c.cqe.sc()) == int(sc));
    CHECK(c.cqe.dnr());
}

template <typename T> T at(const std::vector<uint8_t> &v, size_t off) {
    T x{};
    std::memcpy(&x, v.data() + off, sizeof x);
    return x;
}

} // namespace

TEST_SUITE("log-pages") {
    TEST_CASE("every 1.3 log has its size: the last dword reads, the next offset fails") {
        LogDevice d;
        struct Sized {
            uint8_t lid;
            size_t size;
        };
        for (const Sized l :
             {Sized{0x01, 64 * 64}, Sized{0x02, 512}, Sized{0x03, 512}, Sized{0x04, 4096},
              Sized{0x05, 4096}, Sized{0x06, 564}, Sized{0x07, 512}, Sized{0x08, 512},
              Sized{0x80, 64}, Sized{0x81, 512}}) {
            CAPTURE(int(l.lid));
            std::vector<uint8_t> out;
            CHECK(d.log(l.lid, l.size - 4, 4, out).ok());
            const Completion past = d.log(l.lid, l.size, 4, out);
            expect_status(past, kSctGeneric, kInvalidField);
            REQUIRE(past.why);
            CHECK(past.why->field == "CDW12/13.LPO");
            // A read running past the end gets zeros there.
            CHECK(d.log(l.lid, l.size - 4, 64, out).ok());
            CHECK(std::all_of(out.begin() + 4, out.end(), [](uint8_t b) { return b == 0; }));
        }
    }

    TEST_CASE("log identifiers 1.3 does not define fail with Invalid Log Page") {
        LogDevice d;
        for (unsigned lid : {0x00u, 0x09u, 0x0Fu, 0x6Fu, 0x70u, 0x7Fu, 0x82u, 0xBFu}) {
            CAPTURE(lid);
            std::vector<uint8_t> out;
            expect_status(d.log(static_cast<uint8_t>(lid), 0, 64, out), kSctCommandSpecific,
                          kInvalidLogPage);
        }
    }

    TEST_CASE("Changed Namespace List: no namespace ever changes, so the list is empty") {
        LogDevice d;
        const auto log = d.whole(0x04, 4096);
        CHECK(std::all_of(log.begin(), log.end(), [](uint8_t b) { return b == 0; }));
    }

    TEST_CASE("Device Self-test: no operation, every result entry unused") {
        LogDevice d;
        const auto raw = d.whole(0x06, 564);
        spec::DeviceSelfTestLog log{};
        std::memcpy(&log, raw.data(), sizeof log);
        CHECK(int(log.current_operation) == 0);
        CHECK(int(log.completion) == 0);
        for (const auto &r : log.results)
            CHECK(int(r.status & 0xF) == 0xF);
    }

    TEST_CASE("Reservation Notification: the empty page") {
        LogDevice d;
        const auto log = d.whole(0x80, 64);
        CHECK(std::all_of(log.begin(), log.end(), [](uint8_t b) { return b == 0; }));
    }

    TEST_CASE("Sanitize Status: never sanitized, none in progress, no estimates") {
        LogDevice d;
        const auto raw = d.whole(0x81, 512);
        spec::SanitizeStatusLog log{};
        std::memcpy(&log, raw.data(), sizeof log);
        CHECK(log.sprog == 0xFFFF);
        CHECK(log.sstat == 0);
        CHECK(log.scdw10 == 0);
        CHECK(log.estimated_overwrite_s == 0xFFFFFFFFu);
        CHECK(log.estimated_block_erase_s == 0xFFFFFFFFu);
        CHECK(log.estimated_crypto_erase_s == 0xFFFFFFFFu);
    }

    TEST_CASE("Telemetry Host-Initiated: LSP bit 0 captures data and bumps the generation") {
        LogDevice d;
        auto header = [](const std::vector<uint8_t> &raw) {
            spec::TelemetryLogHeader h{};
            std::memcpy(&h, raw.data(), sizeof h);
            return h;
        };
        // Nothing captured yet: the header only, with empty data areas.
        auto h = header(d.whole(0x07, 512));
        CHECK(int(h.lid) == 0x07);
        CHECK(int(h.ieee[0]) == 0x76);
        CHECK(int(h.ieee[2]) == 0x02);
        CHECK(h.data_area1_last_block == 0);
        CHECK(int(h.host_generation) == 0);
        std::vector<uint8_t> out;
        expect_status(d.log(0x07, 512, 4, out), kSctGeneric, kInvalidField);

        // Create: one block of data area 1; areas 2 and 3 empty.
        const auto first = d.whole(0x07, 1024, kAll, 1);
        h = header(first);
        CHECK(h.data_area1_last_block == 1);
        CHECK(h.data_area2_last_block == 1);
        CHECK(h.data_area3_last_block == 1);
        CHECK(int(h.host_generation) == 1);
        CHECK(at<uint64_t>(first, 512 + 8) == d.ctrl.read64(0x00));  // CAP
        CHECK(at<uint32_t>(first, 512 + 20) == d.ctrl.read32(0x14)); // CC
        const uint64_t errors = at<uint64_t>(first, 512 + 56);

        // A failure later: reading without LSP returns the data captured before, unchanged.
        expect_status(d.log(0x07, 0, 4, out, kAll, 2), kSctGeneric, kInvalidField);
        const auto again = d.whole(0x07, 1024);
        CHECK(std::equal(again.begin(), again.end(), first.begin()));
        // Creating again captures the new state.
        const auto second = d.whole(0x07, 1024, kAll, 1);
        CHECK(int(header(second).host_generation) == 2);
        CHECK(at<uint64_t>(second, 512 + 56) == errors + 1);
    }

    TEST_CASE("Telemetry Controller-Initiated: no data available; LSP is reserved") {
        LogDevice d;
        const auto raw = d.whole(0x08, 512);
        spec::TelemetryLogHeader h{};
        std::memcpy(&h, raw.data(), sizeof h);
        CHECK(int(h.lid) == 0x08);
        CHECK(int(h.controller_available) == 0);
        CHECK(h.data_area1_last_block == 0);
        std::vector<uint8_t> out;
        for (uint8_t lsp : {1, 2, 8}) {
            CAPTURE(int(lsp));
            const Completion c = d.log(0x08, 0, 512, out, kAll, lsp);
            expect_status(c, kSctGeneric, kInvalidField);
            CHECK(c.cqe.sqid == 0);
        }
        // LSP bits 3:1 of log 07h are reserved too.
        for (uint8_t lsp : {2, 4, 8, 0xF}) {
            CAPTURE(int(lsp));
            expect_status(d.log(0x07, 0, 512, out, kAll, lsp), kSctGeneric, kInvalidField);
        }
    }

    TEST_CASE("SMART / Health per namespace counts that namespace's I/O only") {
        LogDevice d;
        CHECK((d.drv.identify_controller().lpa & 0x01) != 0);
        const uint16_t q = d.drv.create_io_queue_pair(16);
        const uint32_t lba = d.cfg.lba_size();
        std::vector<uint8_t> data(2 * lba, 0x5A);
        for (int i = 0; i < 3; ++i)
            REQUIRE(d.drv.write(q, 1, 0, 1, data).ok());
        REQUIRE(d.drv.read(q, 1, 0, 1, data).ok());
        // A failed write (LBA out of range) adds nothing.
        CHECK_FALSE(d.drv.write(q, 1, d.cfg.nsze(), 0, std::span(data).first(lba)).ok());
        auto smart = [&](uint32_t nsid) {
            spec::SmartLog s{};
            const auto raw = d.whole(0x02, 512, nsid);
            std::memcpy(&s, raw.data(), sizeof s);
            return s;
        };
        const spec::SmartLog ns1 = smart(1);
        const spec::SmartLog all = smart(kAll);
        CHECK(spec::get_u128_low(ns1.host_write_commands) == 3);
        CHECK(spec::get_u128_low(ns1.host_read_commands) == 1);
        CHECK(spec::get_u128_low(ns1.data_units_written) == (3 * 2 * lba / 512 + 999) / 1000);
        // Controller-wide fields are the controller's in the namespace's log too.
        CHECK(ns1.critical_warning == all.critical_warning);
        CHECK(ns1.composite_temp() == all.composite_temp());
        CHECK(spec::get_u128_low(ns1.power_cycles) == spec::get_u128_low(all.power_cycles));
        // NSID 0 is the controller, as FFFFFFFFh.
        const spec::SmartLog zero = smart(0);
        CHECK(spec::get_u128_low(zero.host_write_commands) ==
              spec::get_u128_low(all.host_write_commands));
        std::vector<uint8_t> out;
        expect_status(d.log(0x02, 0, 512, out, 2), kSctGeneric, kInvalidNamespace);
    }

    TEST_CASE("SMART per namespace survives a power cycle") {
        LogDevice d;
        const uint16_t q = d.drv.create_io_queue_pair(16);
        std::vector<uint8_t> data(d.cfg.lba_size(), 1);
        REQUIRE(d.drv.write(q, 1, 0, 0, data).ok());
        REQUIRE(d.drv.write(q, 1, 1, 0, data).ok());
        d.rig.power_cycle(PowerOff::Clean, [&] { d.rig.driver().shutdown(); });
        d.rig.driver().enable();
        std::vector<uint8_t> raw(512);
        REQUIRE(d.rig.driver().get_log_page(0x02, 1, 0, raw).ok());
        spec::SmartLog s{};
        std::memcpy(&s, raw.data(), sizeof s);
        CHECK(spec::get_u128_low(s.host_write_commands) == 2);
    }
}

} // namespace nvmelab::test
