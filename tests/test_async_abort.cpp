// Asynchronous Event Request (NVMe 1.3 §5.2) and Abort (§5.1): events completing outstanding
// requests, masking until the log page is read, the request limit, resets, and aborting
// commands in each phase.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

namespace {

using namespace nvmelab;
using nvmelab::test::TestDevice;
using spec::AdminOpcode;
using spec::AsyncEventType;

constexpr uint16_t kAdmin = 0;

spec::Sqe aer_sqe() {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::AsyncEventRequest);
    return sqe;
}

spec::Sqe abort_sqe(uint16_t sqid, uint16_t cid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::Abort);
    spec::AbortFields{sqid, cid}.apply(sqe);
    return sqe;
}

struct AsyncEvent {
    uint8_t type;
    uint8_t info;
    uint8_t log_page;
};

AsyncEvent decode_event(const Completion &c) {
    const uint32_t dw0 = c.cqe.dw0;
    return AsyncEvent{static_cast<uint8_t>(dw0 & 0x7), static_cast<uint8_t>((dw0 >> 8) & 0xFF),
                      static_cast<uint8_t>((dw0 >> 16) & 0xFF)};
}

// Submits an AER and runs the controller: it stays outstanding unless an event is waiting.
uint16_t post_aer(TestDevice &d) {
    const uint16_t cid = d.drv.submit(kAdmin, aer_sqe());
    d.drv.ring(kAdmin);
    d.ctrl.run_until_idle();
    return cid;
}

// Whether the admin command `cid` is still waiting for an event (the driver keeps completions
// that arrive during other commands aside, so a missing CQE alone proves nothing).
bool outstanding(const TestDevice &d, uint16_t cid) {
    for (const CommandView &c : d.ctrl.commands())
        if (c.sqid == kAdmin && c.cid == cid) return c.phase == CommandPhase::Outstanding;
    return false;
}

// An invalid doorbell write (a CQ that does not exist): an Error event, info 00h, log 01h.
void invalid_doorbell(TestDevice &d) {
    d.ctrl.write32(d.ctrl.cq_doorbell_offset(9), 0);
}

// Reports one Error event through an AER, which masks Error events; then posts the next AER
// and raises a second Error event, which waits behind the mask. Returns that AER's CID.
uint16_t error_event_masked_and_queued(TestDevice &d) {
    const uint16_t first = post_aer(d);
    invalid_doorbell(d);
    REQUIRE(d.drv.wait(kAdmin, first).ok());
    const uint16_t waiting = post_aer(d);
    invalid_doorbell(d);
    d.ctrl.run_until_idle();
    return waiting;
}

Completion read_error_log(TestDevice &d, bool rae) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::GetLogPage);
    sqe.cdw10 = static_cast<uint32_t>(spec::LogId::ErrorInformation) | (rae ? 1u << 15 : 0u) |
                ((64u / 4 - 1) << 16); // one 64-byte entry
    std::vector<uint8_t> none;
    std::vector<uint8_t> out(64);
    return d.drv.execute_with_data(kAdmin, sqe, none, out);
}

void check_status(const Completion &c, uint8_t sct, uint8_t sc, bool dnr) {
    INFO(c.describe());
    CHECK(int(c.status().sct) == sct);
    CHECK(int(c.status().sc) == sc);
    CHECK(c.status().dnr == dnr);
}

} // namespace

TEST_SUITE("async-abort") {

    TEST_CASE("an outstanding AER completes when an event occurs, naming its type and log") {
        TestDevice d;
        d.drv.enable();
        const uint16_t cid = post_aer(d);
        CHECK(outstanding(d, cid)); // nothing to report yet
        // A host that waits for it with nothing else to do is told why it does not complete.
        CHECK_THROWS_WITH_AS(d.drv.wait(kAdmin, cid),
                             doctest::Contains("it completes when an event occurs"), DriverError);
        invalid_doorbell(d);
        d.ctrl.run_until_idle();
        CHECK_FALSE(outstanding(d, cid));
        const Completion c = d.drv.wait(kAdmin, cid);
        CHECK(c.ok());
        const AsyncEvent e = decode_event(c);
        CHECK(e.type == static_cast<uint8_t>(AsyncEventType::Error));
        CHECK(e.info == 0x00); // write to an invalid doorbell register
        CHECK(e.log_page == static_cast<uint8_t>(spec::LogId::ErrorInformation));
        // An invalid value for a doorbell that exists: info 01h.
        REQUIRE(read_error_log(d, false).ok()); // unmask Error events
        const uint16_t next = post_aer(d);
        d.ctrl.write32(d.ctrl.sq_doorbell_offset(0), 0xFFFF);
        CHECK(decode_event(d.drv.wait(kAdmin, next)).info == 0x01);
    }

    TEST_CASE("an Error event has its entry in the Error Information log") {
        TestDevice d;
        d.drv.enable();
        auto newest = [&] { return test::read_newest_error(d.drv); };
        auto smart_entries = [&] {
            return spec::get_u128_low(test::read_smart_log(d.drv).num_error_log_entries);
        };
        const uint64_t count = newest().error_count;
        const uint64_t entries = smart_entries();
        const uint16_t cid = post_aer(d);
        invalid_doorbell(d);
        const AsyncEvent ev = decode_event(d.drv.wait(kAdmin, cid));
        REQUIRE(ev.log_page == static_cast<uint8_t>(spec::LogId::ErrorInformation));
        const spec::ErrorLogEntry e = newest();
        CHECK(e.error_count == count + 1);
        CHECK(e.sqid == 0xFFFF); // no command caused it
        CHECK(e.cid == 0xFFFF);
        CHECK(e.param_error_location == spec::kParamErrorLocationNone);
        CHECK(e.status_field == 0);
        CHECK(smart_entries() == entries + 1);
    }

    TEST_CASE("an event that finds no AER waits for the next one") {
        TestDevice d;
        d.drv.enable();
        invalid_doorbell(d);
        d.ctrl.run_until_idle();
        const Completion c = d.drv.execute(kAdmin, aer_sqe()); // completes at once
        CHECK(c.ok());
        CHECK(decode_event(c).type == static_cast<uint8_t>(AsyncEventType::Error));
    }

    TEST_CASE("a reported event type stays masked until its log is read with RAE = 0") {
        TestDevice d;
        d.drv.enable();
        // Masked: a second error event does not complete the next AER.
        const uint16_t waiting = error_event_masked_and_queued(d);
        CHECK(outstanding(d, waiting));
        // Reading the log with RAE = 1 keeps the type masked.
        REQUIRE(read_error_log(d, true).ok());
        CHECK(outstanding(d, waiting));
        // RAE = 0 unmasks it, and drops the event queued while masked: the host has just read
        // the log it points to.
        REQUIRE(read_error_log(d, false).ok());
        CHECK(outstanding(d, waiting));
        // The next error is a new event, reported at once.
        invalid_doorbell(d);
        const Completion c = d.drv.wait(kAdmin, waiting);
        CHECK(decode_event(c).type == static_cast<uint8_t>(AsyncEventType::Error));
    }

    TEST_CASE("a masked type does not hold back events of another type") {
        TestDevice d;
        d.drv.enable();
        const uint16_t next = error_event_masked_and_queued(d);
        // A SMART / Health temperature event, enabled in Asynchronous Event Configuration: an
        // over threshold below the composite temperature (313 K).
        REQUIRE(
            d.drv.set_features(static_cast<uint8_t>(spec::FeatureId::AsyncEventConfig), 0x02).ok());
        REQUIRE(d.drv
                    .set_features(static_cast<uint8_t>(spec::FeatureId::TemperatureThreshold),
                                  spec::TemperatureThresholdFeature{300, 0, 0}.encode())
                    .ok());
        const AsyncEvent e = decode_event(d.drv.wait(kAdmin, next));
        CHECK(e.type == static_cast<uint8_t>(AsyncEventType::SmartHealth));
        CHECK(e.info == 0x01); // temperature threshold
        CHECK(e.log_page == static_cast<uint8_t>(spec::LogId::SmartHealth));
    }

    TEST_CASE("SMART / Health events only when Asynchronous Event Configuration enables them") {
        TestDevice d;
        d.drv.enable();
        const uint16_t cid = post_aer(d);
        REQUIRE(d.drv
                    .set_features(static_cast<uint8_t>(spec::FeatureId::TemperatureThreshold),
                                  spec::TemperatureThresholdFeature{300, 0, 0}.encode())
                    .ok());
        d.ctrl.run_until_idle();
        CHECK(outstanding(d, cid));
    }

    TEST_CASE("at most AERL + 1 requests are outstanding") {
        TestDevice d;
        d.drv.enable();
        const uint8_t aerl = d.drv.identify_controller().aerl;
        REQUIRE(aerl == 3);
        std::vector<uint16_t> waiting;
        for (int i = 0; i <= aerl; ++i)
            waiting.push_back(post_aer(d));
        const Completion over = d.drv.execute(kAdmin, aer_sqe());
        check_status(over, 1, 0x05, false); // Asynchronous Event Request Limit Exceeded
        for (uint16_t cid : waiting)
            CHECK(outstanding(d, cid));
        // An event completes the oldest; the others wait on.
        invalid_doorbell(d);
        d.ctrl.run_until_idle();
        CHECK_FALSE(outstanding(d, waiting[0]));
        for (size_t i = 1; i < waiting.size(); ++i)
            CHECK(outstanding(d, waiting[i]));
        CHECK(d.drv.wait(kAdmin, waiting[0]).ok());
    }

    TEST_CASE("all AERL + 1 requests outstanding leave room for other commands") {
        // Even when the controller works on one command at a time.
        DeviceConfig c = test::small_config();
        c.max_inflight = 1;
        TestDevice d(c);
        d.drv.enable();
        std::vector<uint16_t> waiting;
        for (int i = 0; i < DeviceState::kMaxOutstandingAers; ++i)
            waiting.push_back(post_aer(d));
        for (uint16_t cid : waiting)
            CHECK(outstanding(d, cid));
        CHECK(d.drv.identify_controller().aerl == DeviceState::kMaxOutstandingAers - 1);
        const uint16_t q = d.drv.create_io_queue_pair(4);
        CHECK(d.drv.flush(q, 1).ok());
    }

    TEST_CASE("at most ACL + 1 Abort commands run at once") {
        DeviceConfig c = test::small_config();
        c.fetch_ns = 1; // fetched faster than they complete, so they pile up in the controller
        TestDevice d(c);
        d.drv.enable();
        const uint8_t acl = d.drv.identify_controller().acl;
        REQUIRE(acl + 1 == DeviceState::kMaxConcurrentAborts);
        // Six Aborts (of a command that is not there) issued with one doorbell, all in the
        // controller at once: the ones past the limit fail.
        std::vector<uint16_t> cids;
        for (int i = 0; i < 6; ++i)
            cids.push_back(d.drv.submit(kAdmin, abort_sqe(1, 999)));
        d.drv.ring(kAdmin);
        size_t most = 0; // commands in the controller at once
        while (d.ctrl.step())
            most = std::max(most, d.ctrl.commands().size());
        REQUIRE(most == 6);
        int ok = 0;
        int over = 0;
        for (uint16_t cid : cids) {
            const Completion r = d.drv.wait(kAdmin, cid);
            if (r.ok()) {
                ++ok;
                CHECK((r.cqe.dw0 & 1) == 1); // not aborted: there was nothing to abort
            } else {
                check_status(r, 1, 0x03, false); // Abort Command Limit Exceeded
                ++over;
            }
        }
        CHECK(ok == acl + 1);
        CHECK(over == 6 - (acl + 1));
        // Once they are done, Aborts run again.
        CHECK(d.drv.execute(kAdmin, abort_sqe(1, 999)).ok());
    }

    TEST_CASE("reserved dwords in AER and Abort fail with Invalid Field") {
        TestDevice d;
        d.drv.enable();
        for (int dw = 10; dw <= 15; ++dw) {
            CAPTURE(dw);
            spec::Sqe aer = aer_sqe();
            (&aer.cdw10)[dw - 10] = 1;
            check_status(d.drv.execute(kAdmin, aer), 0, 0x02, true);
            if (dw == 10) continue; // Abort's CDW10 holds SQID and CID
            spec::Sqe ab = abort_sqe(0, 0x77);
            (&ab.cdw10)[dw - 10] = 1;
            check_status(d.drv.execute(kAdmin, ab), 0, 0x02, true);
        }
    }

    TEST_CASE("a controller reset drops outstanding AERs and queued events") {
        TestDevice d;
        d.drv.enable();
        const uint16_t before_reset = post_aer(d);
        d.drv.disable();
        CHECK_FALSE(outstanding(d, before_reset));
        d.drv.enable();
        invalid_doorbell(d); // queued: no AER outstanding after the reset
        d.ctrl.run_until_idle();
        d.drv.disable();
        d.drv.enable();
        const uint16_t cid = post_aer(d);
        CHECK(outstanding(d, cid)); // the event queued before the reset is gone
        invalid_doorbell(d);
        CHECK(d.drv.wait(kAdmin, cid).ok());
    }

    TEST_CASE("Abort of an outstanding AER completes it with Command Abort Requested") {
        TestDevice d;
        d.drv.enable();
        const uint16_t aer = post_aer(d);
        const uint16_t abort_cid = d.drv.submit(kAdmin, abort_sqe(kAdmin, aer));
        d.drv.ring(kAdmin);
        d.ctrl.run_until_idle();
        std::optional<Completion> aborted, abort_done;
        while (auto c = d.drv.reap(kAdmin)) {
            if (c->cqe.cid == aer) aborted = c;
            if (c->cqe.cid == abort_cid) abort_done = c;
        }
        REQUIRE(aborted);
        REQUIRE(abort_done);
        check_status(*aborted, 0, 0x07, false);
        CHECK(abort_done->ok());
        CHECK((abort_done->cqe.dw0 & 1) == 0); // aborted
        // The request is gone: an event now finds no AER and waits for the next one.
        invalid_doorbell(d);
        CHECK(d.drv.execute(kAdmin, aer_sqe()).ok());
    }

    TEST_CASE("Abort of a command that is not there, or already running, reports not aborted") {
        TestDevice d;
        d.drv.enable();
        // No such command.
        const Completion none = d.drv.execute(kAdmin, abort_sqe(1, 0x1234));
        CHECK(none.ok());
        CHECK((none.cqe.dw0 & 1) == 1);
        // A Flush on an I/O queue, aborted once it is executing: too late.
        const uint16_t q = d.drv.create_io_queue_pair(16);
        spec::Sqe flush{};
        flush.opc = static_cast<uint8_t>(spec::NvmOpcode::Flush);
        flush.nsid = 1;
        const uint16_t flush_cid = d.drv.submit(q, flush);
        d.drv.ring(q);
        bool executing = false;
        for (int i = 0; i < 100 && !executing; ++i) {
            REQUIRE(d.ctrl.step());
            for (const CommandView &c : d.ctrl.commands())
                executing = executing ||
                            (c.sqid == q && c.cid == flush_cid && c.phase == CommandPhase::Execute);
        }
        REQUIRE(executing);
        const Completion late = d.drv.execute(kAdmin, abort_sqe(q, flush_cid));
        CHECK(late.ok());
        CHECK((late.cqe.dw0 & 1) == 1);
        const Completion flushed = d.drv.wait(q, flush_cid);
        CHECK(flushed.ok());
    }

    TEST_CASE("Abort stops a write still receiving its data") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(16);
        // A large write: its data arrives page by page.
        const uint32_t blocks = 32; // 128 KiB of 4 KiB blocks
        const uint64_t buf = d.mem.alloc(uint64_t{blocks} * 4096, "write data");
        REQUIRE(d.mem.fill(buf, 0x5A, uint64_t{blocks} * 4096));
        spec::Sqe write{};
        write.opc = static_cast<uint8_t>(spec::NvmOpcode::Write);
        write.nsid = 1;
        write.cdw10 = 100;
        write.cdw12 = blocks - 1;
        d.drv.build_prps(write, buf, uint64_t{blocks} * 4096);
        const uint16_t write_cid = d.drv.submit(q, write);
        d.drv.ring(q);
        bool receiving = false;
        for (int i = 0; i < 200 && !receiving; ++i) {
            REQUIRE(d.ctrl.step());
            for (const CommandView &c : d.ctrl.commands())
                receiving = receiving || (c.sqid == q && c.cid == write_cid &&
                                          c.phase == CommandPhase::TransferIn && c.transferred > 0);
        }
        REQUIRE(receiving);
        // The Abort is fetched and runs while the write is still in TransferIn: the admin
        // queue is served as quickly as the data pages arrive.
        const uint16_t abort_cid = d.drv.submit(kAdmin, abort_sqe(q, write_cid));
        d.drv.ring(kAdmin);
        const Completion ab = d.drv.wait(kAdmin, abort_cid);
        CHECK(ab.ok());
        const Completion w = d.drv.wait(q, write_cid);
        if ((ab.cqe.dw0 & 1) == 0) {
            check_status(w, 0, 0x07, false);
            // Nothing of it reached the namespace.
            std::vector<uint8_t> back(4096);
            REQUIRE(d.drv.read(q, 1, 100, 0, back).ok());
            CHECK(back == std::vector<uint8_t>(4096, 0));
        } else {
            FAIL("the write finished receiving its data before the Abort ran");
        }
    }
}
