// Controller registers (NVMe 1.3 §3.1): CAP/VS, CC/CSTS and the enable/reset/shutdown state
// machine, NSSR, interrupt masks and doorbells.
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

using namespace nvmelab;
using nvmelab::test::small_config;
using nvmelab::test::TestDevice;
using spec::Reg;

namespace {

constexpr uint32_t R(Reg r) {
    return static_cast<uint32_t>(r);
}

spec::CstsReg csts(const TestDevice &d) {
    return spec::CstsReg{d.ctrl.read32(R(Reg::Csts))};
}

size_t count_events(const TestDevice &d, EventKind kind) {
    const auto &ev = d.ctrl.trace().events();
    return static_cast<size_t>(
        std::count_if(ev.begin(), ev.end(), [&](const TraceEvent &e) { return e.kind == kind; }));
}

const TraceEvent *last_event(const TestDevice &d, EventKind kind) {
    const auto &ev = d.ctrl.trace().events();
    for (auto it = ev.rbegin(); it != ev.rend(); ++it)
        if (it->kind == kind) return &*it;
    return nullptr;
}

// The explanation of the last Controller Fatal Status.
std::string fatal_field(const TestDevice &d) {
    const TraceEvent *e = last_event(d, EventKind::ControllerFatal);
    if (e == nullptr) return "";
    const Explanation *why = d.ctrl.trace().explanation(e->explanation);
    return why ? why->field : "";
}

std::optional<QueueView> find_queue(const TestDevice &d, bool is_sq, uint16_t qid) {
    for (const auto &q : d.ctrl.queues())
        if (q.is_sq == is_sq && q.qid == qid) return q;
    return std::nullopt;
}

// A device whose host uses multiple-message MSI: INTMS/INTMC mask vectors 0..31 (§3.1.3).
DeviceConfig msi_config() {
    DeviceConfig c = small_config();
    c.msix = false;
    c.msix_vectors = 32;
    return c;
}

spec::CcReg valid_cc() {
    spec::CcReg cc{0};
    cc.set_iosqes(6).set_iocqes(4).set_en(true);
    return cc;
}

// Programs AQA/ASQ/ACQ by hand (8-entry admin queues aligned to `align`) without enabling.
void program_admin(TestDevice &d, uint64_t align = 4096) {
    const uint64_t asq = d.mem.alloc(8 * 64, "asq", align);
    const uint64_t acq = d.mem.alloc(8 * 16, "acq", align);
    d.ctrl.write32(R(Reg::Aqa), spec::AqaReg{0}.set_asqs(7).set_acqs(7).raw);
    d.ctrl.write64(R(Reg::Asq), asq);
    d.ctrl.write64(R(Reg::Acq), acq);
}

spec::Sqe get_features_sqe(spec::FeatureId fid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetFeatures);
    spec::GetFeaturesFields{static_cast<uint8_t>(fid), 0}.apply(sqe);
    return sqe;
}

std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i)
        v[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 9));
    return v;
}

} // namespace

TEST_SUITE("registers") {

    TEST_CASE("CAP reports the configuration field by field") {
        SUBCASE("defaults") {
            TestDevice d;
            const uint64_t expect = 2047ull | (1ull << 16) | (1ull << 17) | (20ull << 24) |
                                    (0ull << 32) | (1ull << 36) | (1ull << 37) | (0ull << 48) |
                                    (4ull << 52);
            CHECK(d.ctrl.read64(R(Reg::Cap)) == expect);
            CHECK(d.ctrl.read32(R(Reg::Cap)) == static_cast<uint32_t>(expect));
            CHECK(d.ctrl.read32(R(Reg::Cap) + 4) == static_cast<uint32_t>(expect >> 32));
        }
        SUBCASE("non-default") {
            DeviceConfig c = small_config();
            c.mqes = 1023;
            c.cqr = false;
            c.wrr = false;
            c.timeout = 7;
            c.dstrd = 2;
            c.nssrs = false;
            c.mpsmin = 1;
            c.mpsmax = 3;
            TestDevice d(c);
            const spec::CapReg cap{d.ctrl.read64(R(Reg::Cap))};
            CHECK(cap.mqes() == 1023);
            CHECK_FALSE(cap.cqr());
            CHECK(cap.ams() == 0);
            CHECK(cap.to() == 7);
            CHECK(cap.dstrd() == 2);
            CHECK_FALSE(cap.nssrs());
            CHECK(cap.css() == 1); // NVM command set only
            CHECK_FALSE(cap.bps());
            CHECK(cap.mpsmin() == 1);
            CHECK(cap.mpsmax() == 3);
            CHECK(cap.raw == (1023ull | (7ull << 24) | (2ull << 32) | (1ull << 37) | (1ull << 48) |
                              (3ull << 52)));
        }
    }

    TEST_CASE("VS is 1.3.0 and the read-only registers ignore writes") {
        TestDevice d;
        CHECK(d.ctrl.read32(R(Reg::Vs)) == 0x00010300u);
        const uint64_t cap = d.ctrl.read64(R(Reg::Cap));
        d.ctrl.write32(R(Reg::Cap), 0xFFFFFFFFu);
        d.ctrl.write32(R(Reg::Cap) + 4, 0xFFFFFFFFu);
        d.ctrl.write32(R(Reg::Vs), 0x00020000u);
        d.ctrl.write32(R(Reg::Csts), 0x0000002Fu); // RDY, CFS, SHST, PP are read-only
        for (uint32_t off : {0x18u, 0x38u, 0x3Cu, 0x40u, 0x44u, 0x48u, 0x50u, 0xF00u})
            d.ctrl.write32(off, 0xFFFFFFFFu);
        CHECK(d.ctrl.read64(R(Reg::Cap)) == cap);
        CHECK(d.ctrl.read32(R(Reg::Vs)) == 0x00010300u);
        CHECK(d.ctrl.read32(R(Reg::Csts)) == 0);
        for (uint32_t off : {0x18u, 0x38u, 0x3Cu, 0x40u, 0x44u, 0x48u, 0x50u, 0xF00u}) {
            INFO("offset ", off);
            CHECK(d.ctrl.read32(off) == 0);
        }
        d.ctrl.write32(R(Reg::Nssr), 0x1234u);
        CHECK(d.ctrl.read32(R(Reg::Nssr)) == 0); // NSSR always reads 0
    }

    TEST_CASE("reserved bits of CC, AQA, ASQ and ACQ are masked") {
        TestDevice d;
        d.ctrl.write32(R(Reg::Cc), 0xFF00000Eu); // only reserved bits
        CHECK(d.ctrl.read32(R(Reg::Cc)) == 0);
        d.ctrl.write32(R(Reg::Cc), 0xFFFFFFFEu); // every field but EN
        CHECK(d.ctrl.read32(R(Reg::Cc)) == 0x00FFFFF0u);
        CHECK_FALSE(csts(d).rdy());
        CHECK(count_events(d, EventKind::ControllerEnable) == 0);
        // SHN = 11b is reserved, not a shutdown notification (§3.1.5).
        CHECK(count_events(d, EventKind::ShutdownStart) == 0);
        // 01b is one, even with CC.EN = 0: the (empty) cache is written back at once.
        d.ctrl.write32(R(Reg::Cc), 0x00004000u);
        CHECK(csts(d).shst() == 1);
        d.ctrl.run_until_idle();
        CHECK(csts(d).shst() == 2);
        CHECK(count_events(d, EventKind::ShutdownComplete) == 1);
        d.ctrl.write32(R(Reg::Cc), 0);

        d.ctrl.write32(R(Reg::Aqa), 0xFFFFFFFFu);
        CHECK(d.ctrl.read32(R(Reg::Aqa)) == 0x0FFF0FFFu);
        d.ctrl.write64(R(Reg::Asq), ~uint64_t{0});
        CHECK(d.ctrl.read64(R(Reg::Asq)) == 0xFFFFFFFFFFFFF000ull);
        d.ctrl.write64(R(Reg::Acq), 0x123456789ABCDEF0ull);
        CHECK(d.ctrl.read64(R(Reg::Acq)) == 0x123456789ABCD000ull);
        // The halves are independent 32-bit registers.
        d.ctrl.write32(R(Reg::Acq) + 4, 0x1u);
        CHECK(d.ctrl.read64(R(Reg::Acq)) == 0x000000019ABCD000ull);
    }

    TEST_CASE("AQA, ASQ, ACQ and CC.MPS/CSS/AMS do not change while enabled") {
        TestDevice d;
        d.drv.enable();
        const uint32_t aqa = d.ctrl.read32(R(Reg::Aqa));
        const uint64_t asq = d.ctrl.read64(R(Reg::Asq));
        const uint64_t acq = d.ctrl.read64(R(Reg::Acq));
        CHECK(aqa == spec::AqaReg{0}.set_asqs(31).set_acqs(31).raw);
        d.ctrl.write32(R(Reg::Aqa), 0x00030003u);
        d.ctrl.write64(R(Reg::Asq), asq + 0x10000);
        d.ctrl.write64(R(Reg::Acq), acq + 0x10000);
        CHECK(d.ctrl.read32(R(Reg::Aqa)) == aqa);
        CHECK(d.ctrl.read64(R(Reg::Asq)) == asq);
        CHECK(d.ctrl.read64(R(Reg::Acq)) == acq);

        spec::CcReg cc{d.ctrl.read32(R(Reg::Cc))};
        d.ctrl.write32(R(Reg::Cc), spec::CcReg{cc.raw}.set_mps(1).set_css(1).set_ams(1).raw);
        const spec::CcReg after{d.ctrl.read32(R(Reg::Cc))};
        CHECK(after.mps() == 0);
        CHECK(after.css() == 0);
        CHECK(after.ams() == 0);
        CHECK(after.en());
        CHECK(csts(d).rdy());
        // The admin queue still works.
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());

        // After a reset the programmed values are kept (§7.3.2) and can be changed again.
        d.drv.disable();
        CHECK(d.ctrl.read32(R(Reg::Aqa)) == aqa);
        CHECK(d.ctrl.read64(R(Reg::Asq)) == asq);
        d.ctrl.write32(R(Reg::Aqa), 0x00030003u);
        CHECK(d.ctrl.read32(R(Reg::Aqa)) == 0x00030003u);
    }

    TEST_CASE("CC.EN 0->1: RDY follows after ready_ns of virtual time, within CAP.TO") {
        DeviceConfig c = small_config();
        c.ready_ns = 1'500'000;
        c.timeout = 4; // 2 s
        TestDevice d(c);
        program_admin(d);
        const uint64_t t0 = d.ctrl.now_ns();
        d.ctrl.write32(R(Reg::Cc), valid_cc().raw);
        CHECK(spec::CcReg{d.ctrl.read32(R(Reg::Cc))}.en());
        CHECK_FALSE(csts(d).rdy());
        CHECK_FALSE(csts(d).cfs());

        // Doorbells before RDY are ignored.
        const size_t invalid_before = count_events(d, EventKind::DoorbellInvalid);
        d.ctrl.write32(d.ctrl.sq_doorbell_offset(0), 1);
        CHECK(count_events(d, EventKind::DoorbellInvalid) == invalid_before + 1);

        d.ctrl.run_until(t0 + c.ready_ns - 1);
        CHECK_FALSE(csts(d).rdy());
        d.ctrl.run_until(t0 + c.ready_ns);
        CHECK(csts(d).rdy());
        const TraceEvent *ready = last_event(d, EventKind::ControllerReady);
        REQUIRE(ready != nullptr);
        CHECK(ready->time_ns == t0 + c.ready_ns);
        const uint64_t to_ns =
            uint64_t{spec::CapReg{d.ctrl.read64(R(Reg::Cap))}.to()} * 500'000'000;
        CHECK(ready->time_ns - t0 <= to_ns);
        // The early doorbell left the admin SQ empty: nothing is fetched.
        d.ctrl.run_until_idle();
        CHECK(count_events(d, EventKind::SqeFetch) == 0);
        const auto asq = find_queue(d, true, 0);
        REQUIRE(asq);
        CHECK(asq->tail == 0);
        CHECK(asq->size == 8);

        // The driver's bring-up lets exactly that much virtual time pass.
        TestDevice d2(c);
        d2.drv.enable();
        CHECK(d2.ctrl.now_ns() == c.ready_ns);
    }

    TEST_CASE("invalid settings at enable give CSTS.CFS and never RDY") {
        DeviceConfig c = small_config();
        std::string field;
        std::function<void(TestDevice &)> setup;
        SUBCASE("MPS below MPSMIN") {
            c.mpsmin = 1;
            setup = [](TestDevice &d) {
                program_admin(d, 8192);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_mps(0).raw);
            };
            field = "CC.MPS";
        }
        SUBCASE("MPS above MPSMAX") {
            c.mpsmax = 1;
            setup = [](TestDevice &d) {
                program_admin(d, 16384);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_mps(2).raw);
            };
            field = "CC.MPS";
        }
        SUBCASE("CSS other than NVM") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_css(1).raw);
            };
            field = "CC.CSS";
        }
        SUBCASE("AMS = WRR when CAP.AMS does not offer it") {
            c.wrr = false;
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_ams(1).raw);
            };
            field = "CC.AMS";
        }
        SUBCASE("AMS = 111b vendor specific") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_ams(7).raw);
            };
            field = "CC.AMS";
        }
        SUBCASE("AMS reserved value") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_ams(2).raw);
            };
            field = "CC.AMS";
        }
        SUBCASE("ASQS = 0") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Aqa), spec::AqaReg{0}.set_asqs(0).set_acqs(7).raw);
                d.ctrl.write32(R(Reg::Cc), valid_cc().raw);
            };
            field = "AQA.ASQS";
        }
        SUBCASE("ACQS = 0") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write32(R(Reg::Aqa), spec::AqaReg{0}.set_asqs(7).set_acqs(0).raw);
                d.ctrl.write32(R(Reg::Cc), valid_cc().raw);
            };
            field = "AQA.ACQS";
        }
        SUBCASE("ASQ not aligned to the 8 KiB page of CC.MPS = 1") {
            setup = [](TestDevice &d) {
                program_admin(d, 8192);
                const uint64_t asq = d.mem.alloc(8192, "asq8k", 8192) + 4096; // 4 KiB aligned only
                d.ctrl.write64(R(Reg::Asq), asq);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_mps(1).raw);
            };
            field = "ASQ";
        }
        SUBCASE("ACQ not aligned to the 8 KiB page of CC.MPS = 1") {
            setup = [](TestDevice &d) {
                program_admin(d, 8192);
                const uint64_t acq = d.mem.alloc(8192, "acq8k", 8192) + 4096;
                d.ctrl.write64(R(Reg::Acq), acq);
                d.ctrl.write32(R(Reg::Cc), valid_cc().set_mps(1).raw);
            };
            field = "ACQ";
        }
        SUBCASE("ASQ = 0") {
            setup = [](TestDevice &d) {
                program_admin(d);
                d.ctrl.write64(R(Reg::Asq), 0);
                d.ctrl.write32(R(Reg::Cc), valid_cc().raw);
            };
            field = "ASQ";
        }
        TestDevice d(c);
        setup(d);
        CHECK(csts(d).cfs());
        CHECK_FALSE(csts(d).rdy());
        CHECK(fatal_field(d) == field);
        d.ctrl.run_until(d.ctrl.now_ns() + uint64_t{c.timeout} * 500'000'000);
        CHECK(csts(d).cfs());
        CHECK_FALSE(csts(d).rdy());
        CHECK(count_events(d, EventKind::ControllerReady) == 0);
        CHECK(d.ctrl.queues().empty());

        // A reset clears CFS; a valid configuration then comes up.
        d.ctrl.write32(R(Reg::Cc), 0);
        CHECK(csts(d).raw == 0);
        BringUpOptions o;
        o.mps = c.mpsmin;
        d.drv.enable(o);
        CHECK(csts(d).rdy());
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::NumberOfQueues)).ok());
    }

    TEST_CASE("the host driver reports the CFS reason") {
        DeviceConfig c = small_config();
        c.wrr = false;
        TestDevice d(c);
        BringUpOptions o;
        o.ams = 1;
        try {
            d.drv.enable(o);
            FAIL("enable should have thrown");
        } catch (const DriverError &e) {
            CHECK(std::string(e.what()).find("CC.AMS") != std::string::npos);
        }
    }

    TEST_CASE("CC.EN 1->0 deletes I/O queues and drops commands in flight without CQEs") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(16);
        const uint64_t cq_base = d.drv.queue(q).cq_base;
        const uint64_t buf = d.mem.alloc(4 * 8192);
        for (int i = 0; i < 4; ++i) {
            spec::Sqe sqe{};
            sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
            sqe.nsid = 1;
            sqe.cdw10 = static_cast<uint32_t>(i * 2);
            sqe.cdw12 = 1; // two blocks
            d.drv.build_prps(sqe, buf + static_cast<uint64_t>(i) * 8192, 8192);
            d.drv.submit(q, sqe);
        }
        d.drv.ring(q);
        while (d.ctrl.commands().size() < 4)
            REQUIRE(d.ctrl.step());
        const size_t posted = d.ctrl.completions().size();
        const uint32_t irq1 = d.ctrl.interrupt_count(1);

        d.ctrl.write32(R(Reg::Cc), spec::CcReg{d.ctrl.read32(R(Reg::Cc))}.set_en(false).raw);
        CHECK_FALSE(csts(d).rdy());
        CHECK(d.ctrl.commands().empty());
        CHECK(d.ctrl.queues().empty());
        CHECK(count_events(d, EventKind::CommandAborted) == 4);
        CHECK(count_events(d, EventKind::ControllerReset) == 1);
        d.ctrl.run_until_idle();
        CHECK(d.ctrl.idle());
        CHECK(d.ctrl.completions().size() == posted);
        CHECK(d.ctrl.interrupt_count(1) == irq1);
        std::array<uint8_t, 16 * 16> cq{};
        REQUIRE(d.mem.read(cq_base, cq));
        CHECK(std::all_of(cq.begin(), cq.end(), [](uint8_t b) { return b == 0; }));
        // Doorbells of the old queues are now invalid.
        const size_t invalid = count_events(d, EventKind::DoorbellInvalid);
        d.ctrl.write32(d.ctrl.sq_doorbell_offset(q), 1);
        CHECK(count_events(d, EventKind::DoorbellInvalid) == invalid + 1);

        // Bring-up again works, with QID 1 free and Number of Queues settable again.
        d.drv.enable();
        CHECK(d.drv.set_features(static_cast<uint8_t>(spec::FeatureId::NumberOfQueues), 0x00010001)
                  .ok());
        const uint16_t q2 = d.drv.create_io_queue_pair(16, 2, 1, q);
        const auto data = pattern(4096, 3);
        CHECK(d.drv.write(q2, 1, 5, 0, data).ok());
        std::vector<uint8_t> back(4096);
        CHECK(d.drv.read(q2, 1, 5, 0, back).ok());
        CHECK(back == data);
    }

    TEST_CASE("shutdown: SHST 01b then 10b, with the volatile write cache flushed") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const auto data = pattern(8 * 4096, 9);
        REQUIRE(d.drv.write(q, 1, 100, 7, data).ok());
        CHECK(d.ctrl.namespace_blocks_cached(1) == 8);
        CHECK(d.ctrl.lba_cached(1, 100));
        std::vector<uint8_t> media(8 * 4096, 0xEE);
        REQUIRE(d.store.read(100 * 4096, media));
        CHECK(std::all_of(media.begin(), media.end(), [](uint8_t b) { return b == 0; }));

        d.drv.delete_io_queue_pair(q);
        const spec::CcReg cc{d.ctrl.read32(R(Reg::Cc))};
        d.ctrl.write32(R(Reg::Cc), spec::CcReg{cc.raw}.set_shn(1).raw);
        CHECK(csts(d).shst() == 1);
        CHECK(csts(d).rdy());
        CHECK(d.ctrl.namespace_blocks_cached(1) == 8); // not yet
        d.ctrl.run_until_idle();
        CHECK(csts(d).shst() == 2);
        CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
        REQUIRE(d.store.read(100 * 4096, media));
        CHECK(media == data);
        const TraceEvent *flush = last_event(d, EventKind::CacheFlush);
        REQUIRE(flush != nullptr);
        CHECK(flush->len == 8);
        const TraceEvent *start = last_event(d, EventKind::ShutdownStart);
        const TraceEvent *done = last_event(d, EventKind::ShutdownComplete);
        REQUIRE(start != nullptr);
        REQUIRE(done != nullptr);
        CHECK(start->seq < flush->seq);
        CHECK(flush->seq < done->seq);
        CHECK(done->time_ns > start->time_ns);
        CHECK(nlohmann::json::parse(d.store.load_state())["clean_shutdown"] == true);

        // A reset returns SHST to 00b and the controller can be used again.
        d.drv.enable();
        CHECK(csts(d).shst() == 0);
        CHECK(csts(d).rdy());
    }

    TEST_CASE("NSSR: only \"NVMe\" resets the subsystem; NSSRO is write-1-to-clear") {
        TestDevice d;
        d.drv.enable();
        d.drv.create_io_queue_pair(8);
        const uint32_t cc = d.ctrl.read32(R(Reg::Cc));
        for (uint32_t v : {0u, 0x12345678u, 0x656D564Eu /* "NVMe" byte-swapped */, 0x4E564D64u}) {
            d.ctrl.write32(R(Reg::Nssr), v);
            CHECK(csts(d).rdy());
            CHECK_FALSE(csts(d).nssro());
        }
        CHECK(d.ctrl.read32(R(Reg::Cc)) == cc);
        CHECK(d.ctrl.queues().size() == 4);
        CHECK(count_events(d, EventKind::SubsystemReset) == 0);
        REQUIRE(d.ctrl.read32(R(Reg::Aqa)) != 0);
        REQUIRE(d.ctrl.read64(R(Reg::Asq)) != 0);

        d.ctrl.write32(R(Reg::Nssr), 0x4E564D65u);
        CHECK(count_events(d, EventKind::SubsystemReset) == 1);
        CHECK_FALSE(csts(d).rdy());
        CHECK(csts(d).nssro());
        CHECK(d.ctrl.read32(R(Reg::Cc)) == 0);
        CHECK(d.ctrl.queues().empty());
        // Unlike a controller reset, the admin queue registers do not survive it.
        CHECK(d.ctrl.read32(R(Reg::Aqa)) == 0);
        CHECK(d.ctrl.read64(R(Reg::Asq)) == 0);
        CHECK(d.ctrl.read64(R(Reg::Acq)) == 0);

        d.ctrl.write32(R(Reg::Csts), 0x0000000Fu); // other bits: no effect on NSSRO
        CHECK(csts(d).nssro());
        d.ctrl.write32(R(Reg::Csts), 0x10u);
        CHECK_FALSE(csts(d).nssro());
        CHECK(csts(d).raw == 0);

        d.drv.enable();
        CHECK(csts(d).rdy());
    }

    TEST_CASE("NSSR does nothing when CAP.NSSRS = 0") {
        DeviceConfig c = small_config();
        c.nssrs = false;
        TestDevice d(c);
        d.drv.enable();
        d.ctrl.write32(R(Reg::Nssr), 0x4E564D65u);
        CHECK(csts(d).rdy());
        CHECK_FALSE(csts(d).nssro());
        CHECK(count_events(d, EventKind::SubsystemReset) == 0);
    }

    TEST_CASE("INTMS/INTMC (MSI) hold an interrupt while masked and deliver it on unmask") {
        TestDevice d(msi_config());
        d.drv.enable();
        d.ctrl.write32(R(Reg::Intms), 0x5u); // vectors 0 and 2
        CHECK(d.ctrl.read32(R(Reg::Intms)) == 0x5u);
        CHECK(d.ctrl.read32(R(Reg::Intmc)) == 0x5u);
        const uint32_t before = d.ctrl.interrupt_count(0);

        d.drv.submit(0, get_features_sqe(spec::FeatureId::Arbitration));
        d.drv.ring(0);
        d.ctrl.run_until_idle();
        CHECK(d.ctrl.interrupt_count(0) == before);
        CHECK(d.ctrl.interrupt_pending(0));
        REQUIRE(last_event(d, EventKind::InterruptMasked) != nullptr);
        CHECK(last_event(d, EventKind::InterruptMasked)->u32 == 0);

        d.ctrl.write32(R(Reg::Intmc), 0x2u); // unmasking another vector changes nothing
        CHECK(d.ctrl.interrupt_count(0) == before);
        CHECK(d.ctrl.interrupt_pending(0));
        CHECK(d.ctrl.read32(R(Reg::Intms)) == 0x5u);

        d.ctrl.write32(R(Reg::Intmc), 0x1u);
        CHECK(d.ctrl.interrupt_count(0) == before + 1);
        CHECK_FALSE(d.ctrl.interrupt_pending(0));
        CHECK(d.ctrl.read32(R(Reg::Intms)) == 0x4u);
        d.ctrl.write32(R(Reg::Intmc), 0x1u); // delivered once only
        CHECK(d.ctrl.interrupt_count(0) == before + 1);

        // Unmasked: the next completion interrupts at once.
        const auto c = d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration));
        CHECK(c.ok());
        CHECK(d.ctrl.interrupt_count(0) == before + 2);
    }

    TEST_CASE("a controller reset clears the interrupt mask") {
        TestDevice d(msi_config());
        d.drv.enable();
        d.ctrl.write32(R(Reg::Intms), 0x3u);
        CHECK(d.ctrl.read32(R(Reg::Intms)) == 0x3u);
        d.drv.enable(); // CC.EN 1 -> 0 -> 1
        CHECK(d.ctrl.read32(R(Reg::Intms)) == 0);
        const uint32_t before = d.ctrl.interrupt_count(0);
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());
        CHECK(d.ctrl.interrupt_count(0) == before + 1);
    }

    TEST_CASE("a masked interrupt is withdrawn when the host empties the CQ first") {
        TestDevice d(msi_config());
        d.drv.enable();
        d.ctrl.write32(R(Reg::Intms), 0x1u);
        const uint32_t before = d.ctrl.interrupt_count(0);
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());
        CHECK_FALSE(d.ctrl.interrupt_pending(0)); // the CQ head doorbell emptied the queue
        d.ctrl.write32(R(Reg::Intmc), 0x1u);
        CHECK(d.ctrl.interrupt_count(0) == before);
    }

    TEST_CASE("with MSI-X, INTMS/INTMC writes are ignored and explained") {
        // §3.1.3, §3.1.4: with MSI-X the host shall not access INTMS/INTMC (undefined). This
        // device ignores the write, masks nothing and says why in the trace.
        TestDevice d; // msix = true by default
        d.drv.enable();
        for (const Reg r : {Reg::Intms, Reg::Intmc}) {
            d.ctrl.write32(R(r), 0x1u);
            const TraceEvent *w = last_event(d, EventKind::RegisterWrite);
            REQUIRE(w != nullptr);
            CHECK(w->addr == R(r));
            const Explanation *why = d.ctrl.trace().explanation(w->explanation);
            REQUIRE(why != nullptr);
            CHECK(why->section == "NVMe 1.3 §3.1.3, §3.1.4");
            CHECK(why->rule.find("MSI-X") != std::string::npos);
            if (r == Reg::Intms) {
                CHECK(d.ctrl.read32(R(Reg::Intms)) == 0);
                CHECK(d.ctrl.read32(R(Reg::Intmc)) == 0);
                // Vector 0 is not masked: the admin completion interrupts at once.
                const uint32_t before = d.ctrl.interrupt_count(0);
                CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());
                CHECK(d.ctrl.interrupt_count(0) == before + 1);
                CHECK(count_events(d, EventKind::InterruptMasked) == 0);
            }
        }
        // With MSI the same write masks, without an explanation.
        TestDevice msi(msi_config());
        msi.drv.enable();
        msi.ctrl.write32(R(Reg::Intms), 0x1u);
        CHECK(msi.ctrl.read32(R(Reg::Intms)) == 0x1u);
        CHECK(last_event(msi, EventKind::RegisterWrite)->explanation == -1);
    }

    TEST_CASE("doorbell stride: DSTRD = 2 spaces doorbells 16 bytes apart") {
        DeviceConfig c = small_config();
        c.dstrd = 2;
        TestDevice d(c);
        CHECK(d.ctrl.sq_doorbell_offset(0) == 0x1000);
        CHECK(d.ctrl.cq_doorbell_offset(0) == 0x1010);
        CHECK(d.ctrl.sq_doorbell_offset(1) == 0x1020);
        CHECK(d.ctrl.cq_doorbell_offset(1) == 0x1030);
        CHECK(d.ctrl.sq_doorbell_offset(3) == 0x1060);
        CHECK(d.ctrl.cq_doorbell_offset(3) == 0x1070);
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const auto data = pattern(4096, 1);
        CHECK(d.drv.write(q, 1, 0, 0, data).ok());
        std::vector<uint8_t> back(4096);
        CHECK(d.drv.read(q, 1, 0, 0, back).ok());
        CHECK(back == data);

        // The DSTRD = 0 locations are between doorbells now: ignored.
        spec::Sqe flush{};
        flush.nsid = 1; // Flush (opcode 0), submitted but not rung yet
        d.drv.submit(q, flush);
        const auto tail_before = find_queue(d, true, q)->tail;
        const size_t invalid = count_events(d, EventKind::DoorbellInvalid);
        for (uint32_t off : {0x1004u, 0x1008u, 0x100Cu, 0x1028u})
            d.ctrl.write32(off, d.drv.queue(q).sq_tail);
        CHECK(count_events(d, EventKind::DoorbellInvalid) == invalid + 4);
        CHECK(find_queue(d, true, q)->tail == tail_before);
        d.ctrl.run_until_idle();
        CHECK(find_queue(d, true, q)->head == tail_before); // nothing fetched
    }

    TEST_CASE("invalid doorbell writes are ignored and traced") {
        TestDevice d;
        d.drv.enable(); // 32-entry admin queues
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());
        const auto acq = *find_queue(d, false, 0);
        const auto asq = *find_queue(d, true, 0);
        REQUIRE(acq.head == 1);
        REQUIRE(acq.tail == 1);
        const size_t fetches = count_events(d, EventKind::SqeFetch);

        struct Case {
            const char *name;
            uint32_t offset;
            uint32_t value;
        };
        const std::vector<Case> cases = {
            {"SQ that does not exist", d.ctrl.sq_doorbell_offset(5), 1},
            {"CQ that does not exist", d.ctrl.cq_doorbell_offset(5), 0},
            {"SQ beyond the queue pairs", d.ctrl.sq_doorbell_offset(1000), 1},
            {"SQ tail = size", d.ctrl.sq_doorbell_offset(0), 32},
            {"SQ tail > size", d.ctrl.sq_doorbell_offset(0), 0xFFFF},
            {"CQ head = size", d.ctrl.cq_doorbell_offset(0), 32},
            {"CQ head beyond the entries posted", d.ctrl.cq_doorbell_offset(0), 2},
            {"CQ head far beyond the entries posted", d.ctrl.cq_doorbell_offset(0), 31},
        };
        for (const auto &tc : cases) {
            INFO(tc.name);
            const size_t invalid = count_events(d, EventKind::DoorbellInvalid);
            d.ctrl.write32(tc.offset, tc.value);
            CHECK(count_events(d, EventKind::DoorbellInvalid) == invalid + 1);
            const TraceEvent &ev = d.ctrl.trace().events().back();
            CHECK(ev.kind == EventKind::DoorbellInvalid);
            CHECK(ev.addr == tc.offset);
            CHECK(ev.value == tc.value);
            const Explanation *why = d.ctrl.trace().explanation(ev.explanation);
            REQUIRE(why != nullptr);
            CHECK(why->field == "doorbell");
            CHECK(why->section.find("3.1") != std::string::npos);
        }
        d.ctrl.run_until_idle();
        CHECK(count_events(d, EventKind::SqeFetch) == fetches);
        CHECK(find_queue(d, false, 0)->head == acq.head);
        CHECK(find_queue(d, true, 0)->tail == asq.tail);
        CHECK(csts(d).rdy());
        CHECK_FALSE(csts(d).cfs());
        // Writing the current head again is valid (no entries consumed).
        const size_t invalid = count_events(d, EventKind::DoorbellInvalid);
        d.ctrl.write32(d.ctrl.cq_doorbell_offset(0), 1);
        CHECK(count_events(d, EventKind::DoorbellInvalid) == invalid);
        // The queues still work.
        CHECK(d.drv.get_features(static_cast<uint8_t>(spec::FeatureId::Arbitration)).ok());
    }

    TEST_CASE("doorbells before the controller is enabled are ignored") {
        TestDevice d;
        d.ctrl.write32(d.ctrl.sq_doorbell_offset(0), 1);
        d.ctrl.write32(d.ctrl.cq_doorbell_offset(0), 0);
        CHECK(count_events(d, EventKind::DoorbellInvalid) == 2);
        const Explanation *why =
            d.ctrl.trace().explanation(last_event(d, EventKind::DoorbellInvalid)->explanation);
        REQUIRE(why != nullptr);
        CHECK(why->rule.find("RDY") != std::string::npos);
        CHECK(d.ctrl.idle());
    }

} // TEST_SUITE
