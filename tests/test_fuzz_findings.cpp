// Regression tests for what the libFuzzer targets found (docs/fuzzing.md). Each test is in the
// suite of the area it checks; the input that found it is tests/fuzz/<target>/regression-*.
#include <string>
#include <vector>

#include "doctest/doctest.h"

#include "test_helpers.h"

using namespace nvmelab;
using namespace nvmelab::test;

namespace {

// Events of one kind for one command, with their explanations' rules.
std::vector<std::string> rules_of(const Controller &ctrl, EventKind kind, uint16_t sqid,
                                  uint16_t cid) {
    std::vector<std::string> out;
    for (const TraceEvent &ev : ctrl.trace().events())
        if (ev.kind == kind && ev.sqid == sqid && ev.cid == cid) {
            const Explanation *e = ctrl.trace().explanation(ev.explanation);
            out.push_back(e ? e->rule : std::string());
        }
    return out;
}

} // namespace

TEST_SUITE("queues") {
    // fuzz_host_actions regression-cqe-unmapped: a CQ whose memory the host unmapped. The
    // controller cannot write the entry and reports CSTS.CFS (NVMe 1.3 §4.6, §9.5); the
    // command must still end once in the trace (an explained drop), and no longer count as
    // outstanding I/O, or SMART Controller Busy Time grows for ever (§5.14.1.2).
    TEST_CASE("a command whose CQE cannot be written ends once, explained, and is no longer "
              "busy time") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        REQUIRE(d.mem.free(d.drv.queue(q).cq_base));
        spec::Sqe flush{};
        flush.opc = 0x00;
        flush.nsid = 1;
        const uint16_t cid = d.drv.submit(q, flush);
        d.drv.ring(q);
        d.ctrl.run_until_idle();

        CHECK(spec::CstsReg{d.ctrl.read32(static_cast<uint32_t>(spec::Reg::Csts))}.cfs());
        CHECK(rules_of(d.ctrl, EventKind::CqePost, q, cid).empty());
        const auto dropped = rules_of(d.ctrl, EventKind::CommandAborted, q, cid);
        REQUIRE(dropped.size() == 1);
        CHECK(dropped[0].find("not in mapped host memory") != std::string::npos);
        const uint64_t busy = d.ctrl.controller_busy_ns();
        d.ctrl.run_until(d.ctrl.now_ns() + 1'000'000'000);
        CHECK(d.ctrl.controller_busy_ns() == busy);
    }
}

TEST_SUITE("registers") {
    // fuzz_host_actions regression-reset-after-cqe: a controller reset (CC.EN = 0) right after
    // a command's CQE is posted, before its interrupt is raised. The command has completed
    // (NVMe 1.3 §4.6); the reset (§7.3.2) must not also record it as dropped.
    TEST_CASE("a reset between a CQE and its interrupt does not end the command twice") {
        TestDevice d;
        d.drv.enable();
        spec::Sqe get_features{};
        get_features.opc = 0x0A;
        get_features.cdw10 = 0x07; // Number of Queues
        const uint16_t cid = d.drv.submit(0, get_features);
        d.drv.ring(0);
        while (rules_of(d.ctrl, EventKind::CqePost, 0, cid).empty())
            REQUIRE(d.ctrl.step());
        d.ctrl.write32(static_cast<uint32_t>(spec::Reg::Cc), 0); // CC.EN = 0
        CHECK(rules_of(d.ctrl, EventKind::CqePost, 0, cid).size() == 1);
        CHECK(rules_of(d.ctrl, EventKind::CommandAborted, 0, cid).empty());
        CHECK(d.ctrl.commands().empty());
    }
}
