// Namespaces as a type (core/namespaces/), the controller's NSID rules for I/O commands, the one
// function that names a command, handler effects and the Commands Supported and Effects log.
#include <cstring>
#include <set>
#include <vector>

#include "doctest/doctest.h"

#include "core/commands/handlers.h"
#include "core/controller/device_state.h"
#include "tests/test_helpers.h"

namespace nvmelab {
namespace {

constexpr uint32_t kAll = 0xFFFFFFFFu;
constexpr uint8_t kSctGeneric = 0;
constexpr uint8_t kInvalidOpcode = 0x01;
constexpr uint8_t kInvalidNamespace = 0x0B;
constexpr uint8_t kOpFlush = 0x00, kOpWrite = 0x01, kOpRead = 0x02;

// An enabled device with one I/O queue pair.
struct NsDevice : test::TestDevice {
    uint16_t q = 0;
    NsDevice() : NsDevice(test::small_config()) {}
    explicit NsDevice(const DeviceConfig &c) : test::TestDevice(c) {
        drv.enable();
        q = drv.create_io_queue_pair(16);
    }
    Completion io(uint8_t opc, uint32_t nsid) {
        spec::Sqe sqe{};
        sqe.opc = opc;
        sqe.nsid = nsid;
        if (opc == kOpRead || opc == kOpWrite) {
            std::vector<uint8_t> buf(cfg.lba_size(), 0x5A);
            const std::vector<uint8_t> before = buf;
            return drv.execute_with_data(q, sqe, before, buf);
        }
        return drv.execute(q, sqe);
    }
    std::vector<uint8_t> effects_log(uint32_t nsid = 0, uint64_t offset = 0, size_t bytes = 4096) {
        std::vector<uint8_t> out(bytes, 0xEE);
        const Completion c = drv.get_log_page(0x05, nsid, offset, out);
        INFO(c.describe());
        REQUIRE(c.ok());
        return out;
    }
};

uint32_t dword(const std::vector<uint8_t> &log, size_t at) {
    uint32_t v = 0;
    std::memcpy(&v, log.data() + at, 4);
    return v;
}

void expect_status(const Completion &c, uint8_t sc) {
    INFO(c.describe());
    CHECK(int(c.cqe.sct()) == int(kSctGeneric));
    CHECK(int(c.cqe.sc()) == int(sc));
    CHECK(c.cqe.dnr());
}

} // namespace

TEST_SUITE("namespaces") {
    TEST_CASE("the flat properties become one NVM namespace listing the standard formats") {
        DeviceConfig c = test::small_config();
        c.lbads = 9;
        const std::vector<NamespaceConfig> ns = c.namespace_configs();
        REQUIRE(ns.size() == 1);
        CHECK(ns[0].type == NamespaceType::Nvm);
        CHECK(ns[0].nsze == c.size / 512);
        REQUIRE(ns[0].lba_formats.size() == 8);
        CHECK(ns[0].lba_formats[0] == LbaFormatInfo{512, 0, 2});
        CHECK(ns[0].lba_formats[7] == LbaFormatInfo{4096, 64, 0});
        CHECK(int(ns[0].format_in_use) == 0);
        CHECK(ns[0].cache_blocks == c.cache_blocks);
        CHECK(ns[0].metadata_area == c.size / 8);
        // Without a metadata area (an image made before metadata): the two without metadata.
        const std::vector<NamespaceConfig> old = c.namespace_configs(false);
        REQUIRE(old[0].lba_formats.size() == 2);
        CHECK(old[0].lba_formats[1] == LbaFormatInfo{4096, 0, 0});
        CHECK(old[0].metadata_area == 0);
    }

    TEST_CASE("front ends see namespaces through views") {
        NsDevice d;
        const std::vector<NamespaceView> all = d.ctrl.namespaces();
        REQUIRE(all.size() == 1);
        const NamespaceView &v = all[0];
        CHECK(v.nsid == 1);
        CHECK(v.type == NamespaceType::Nvm);
        CHECK(std::string(v.command_set) == "NVM");
        CHECK(v.nsze == d.cfg.nsze());
        CHECK(v.lba_size() == 4096);
        CHECK(v.metadata_size() == 0);
        CHECK(v.cached_blocks == 0);
        REQUIRE(d.io(kOpWrite, 1).ok());
        CHECK(d.ctrl.namespace_view(1)->cached_blocks == 1);
        for (uint32_t nsid : {0u, 2u, kAll})
            CHECK_FALSE(d.ctrl.namespace_view(nsid).has_value());
    }

    TEST_CASE("Identify Namespace reports the namespace's formats") {
        DeviceConfig c = test::small_config();
        c.lbads = 9;
        NsDevice d(c);
        const spec::IdentifyNamespace id = d.drv.identify_namespace(1);
        CHECK(id.nsze == c.size / 512);
        CHECK(int(id.nlbaf) == 7); // 512 B and 4 KiB, each with 0, 8, 16, 64 B of metadata
        CHECK(int(id.flbas) == 0);
        CHECK(int(id.lbaf[0].lbads) == 9);
        CHECK(int(id.lbaf[0].ms) == 0);
        CHECK(int(id.lbaf[7].lbads) == 12);
        CHECK(int(id.lbaf[7].ms) == 64);
        CHECK(int(id.lbaf[8].lbads) == 0); // no ninth format
    }
}

TEST_SUITE("nsid-rules") {
    TEST_CASE("Read and Write need an active namespace") {
        NsDevice d;
        for (uint8_t opc : {kOpRead, kOpWrite}) {
            for (uint32_t nsid : {0u, 2u, 0x1000u, kAll}) {
                CAPTURE(int(opc));
                CAPTURE(nsid);
                const Completion c = d.io(opc, nsid);
                expect_status(c, kInvalidNamespace);
                REQUIRE(c.why.has_value());
                CHECK(c.why->field == "NSID");
                // The command's own section, as when the handler checked it.
                CHECK(c.why->section == (opc == kOpRead ? "NVMe 1.3 §6.9" : "NVMe 1.3 §6.15"));
            }
            CHECK(d.io(opc, 1).ok());
        }
        // Nothing reached the namespace: only the one good Write is cached.
        CHECK(d.ctrl.namespace_blocks_cached(1) == 1);
    }

    TEST_CASE("Flush to FFFFFFFFh reaches every namespace; 0 and inactive ones are refused") {
        NsDevice d;
        REQUIRE(d.io(kOpWrite, 1).ok());
        REQUIRE(d.ctrl.namespace_blocks_cached(1) == 1);
        for (uint32_t nsid : {0u, 2u}) {
            CAPTURE(nsid);
            const Completion c = d.io(kOpFlush, nsid);
            expect_status(c, kInvalidNamespace);
            REQUIRE(c.why.has_value());
            CHECK(c.why->section == "NVMe 1.3 §6.8");
        }
        CHECK(d.ctrl.namespace_blocks_cached(1) == 1);
        const Completion all = d.io(kOpFlush, kAll);
        INFO(all.describe());
        CHECK(all.ok());
        CHECK(d.ctrl.namespace_blocks_cached(1) == 0);
    }

    TEST_CASE("an unsupported opcode is Invalid Opcode whatever its NSID") {
        NsDevice d;
        // 05h Compare is defined by NVMe 1.3 but not implemented; 7Fh is not defined.
        for (uint8_t opc : {uint8_t{0x05}, uint8_t{0x7F}})
            for (uint32_t nsid : {0u, 1u, 2u, kAll}) {
                CAPTURE(int(opc));
                CAPTURE(nsid);
                expect_status(d.io(opc, nsid), kInvalidOpcode);
            }
    }

    TEST_CASE("admin commands keep their own NSID rules") {
        NsDevice d;
        // Get Log Page for the Error log ignores NSID; Identify Controller does too.
        std::vector<uint8_t> out(64);
        CHECK(d.drv.get_log_page(0x01, 7, 0, out).ok());
        std::vector<uint8_t> id(4096);
        CHECK(d.drv.identify(1, 12345, id).ok());
        // Identify Namespace of an inactive NSID is refused by the handler.
        expect_status(d.drv.identify(0, 2, id), kInvalidNamespace);
    }
}

TEST_SUITE("command-names") {
    TEST_CASE("one function names admin, NVM and unknown commands") {
        NsDevice d;
        const Controller &c = d.ctrl;
        CHECK(c.command_name(0, 0, 0x06) == "Identify");
        CHECK(c.command_name(0, 1, 0x02) == "Get Log Page"); // SQ 0: admin, whatever the NSID
        CHECK(c.command_name(1, 1, 0x02) == "Read");
        CHECK(c.command_name(1, 1, 0x06) == "");             // no NVM opcode 06h
        CHECK(c.command_name(3, kAll, 0x00) == "Flush");     // no namespace: the controller's set
        CHECK(c.command_name(1, 0, 0x08) == "Write Zeroes"); // named by the spec, not supported
        CHECK(c.command_name(0, 0, 0xC1) == "");
        CHECK(c.command_set_of(0, 1) == spec::CommandSetId::Admin);
        CHECK(c.command_set_of(1, 1) == spec::CommandSetId::Nvm);
        CHECK(spec::opcode_name(spec::CommandSetId::Admin, 0x0C) == "Asynchronous Event Request");
        CHECK(spec::opcode_name(spec::CommandSetId::Nvm, 0x0C) == "");
    }
}

TEST_SUITE("handler-effects") {
    // The handlers that act on other commands or queues say so with typed effects, and change
    // nothing of the engine's themselves.
    struct Bare {
        DeviceConfig cfg = test::small_config();
        SparseHostMemory mem;
        MemoryBackingStore store{cfg.size};
        DeviceState s{cfg, mem, store};
        CommandContext ctx;
        Bare() {
            CompletionQueue cq;
            cq.qid = 1;
            cq.size = 4;
            cq.sq_count = 1;
            s.cqs[1] = cq;
            SubmissionQueue sq;
            sq.qid = 1;
            sq.cqid = 1;
            sq.size = 4;
            s.sqs[1] = sq;
        }
    };

    TEST_CASE("Delete I/O SQ emits SqDeleted") {
        Bare b;
        b.ctx.sqe.cdw10 = 1;
        REQUIRE(commands::kDeleteIoSq.execute(b.s, b.ctx).ok());
        REQUIRE(b.ctx.effects.size() == 1);
        const auto *e = std::get_if<effect::SqDeleted>(&b.ctx.effects[0]);
        REQUIRE(e != nullptr);
        CHECK(e->sqid == 1);
        CHECK_FALSE(b.s.sqs[1].has_value());
    }

    TEST_CASE("Delete I/O CQ emits the completions that waited in it") {
        Bare b;
        b.s.sqs[1].reset();
        b.s.cqs[1]->sq_count = 0;
        b.s.cqs[1]->waiting = {7, 3};
        b.ctx.sqe.cdw10 = 1;
        REQUIRE(commands::kDeleteIoCq.execute(b.s, b.ctx).ok());
        REQUIRE(b.ctx.effects.size() == 1);
        const auto *e = std::get_if<effect::CompletionsOrphaned>(&b.ctx.effects[0]);
        REQUIRE(e != nullptr);
        CHECK(e->slots == std::vector<uint32_t>{7, 3});
    }

    TEST_CASE("an empty CQ's deletion emits nothing") {
        Bare b;
        b.s.sqs[1].reset();
        b.s.cqs[1]->sq_count = 0;
        b.ctx.sqe.cdw10 = 1;
        REQUIRE(commands::kDeleteIoCq.execute(b.s, b.ctx).ok());
        CHECK(b.ctx.effects.empty());
    }

    TEST_CASE("Abort emits the command to abort; AER asks to stay outstanding") {
        Bare b;
        b.ctx.sqe.cdw10 = 1u | (42u << 16); // SQID 1, CID 42
        REQUIRE(commands::kAbort.execute(b.s, b.ctx).ok());
        REQUIRE(b.ctx.effects.size() == 1);
        const auto *abort = std::get_if<effect::AbortCommand>(&b.ctx.effects[0]);
        REQUIRE(abort != nullptr);
        CHECK(abort->sqid == 1);
        CHECK(abort->cid == 42);

        CommandContext aer;
        REQUIRE(commands::kAsyncEventRequest.execute(b.s, aer).ok());
        REQUIRE(aer.effects.size() == 1);
        CHECK(std::holds_alternative<effect::StayOutstanding>(aer.effects[0]));
        // Past the limit it fails and asks for nothing.
        b.s.aer_slots.assign(DeviceState::kMaxOutstandingAers, 0);
        CommandContext over;
        CHECK_FALSE(commands::kAsyncEventRequest.execute(b.s, over).ok());
        CHECK(over.effects.empty());
    }

    TEST_CASE("the engine applies them: an AER stays outstanding, an Abort finds its target") {
        NsDevice d;
        spec::Sqe aer{};
        aer.opc = 0x0C;
        const uint16_t aer_cid = d.drv.submit(0, aer);
        d.drv.ring(0);
        d.ctrl.run_until_idle();
        bool parked = false;
        for (const CommandView &v : d.ctrl.commands())
            parked |= v.cid == aer_cid && v.phase == CommandPhase::Outstanding;
        CHECK(parked);
        // Abort the parked AER: it completes with Abort Requested, the Abort's DW0 bit 0 is 0.
        spec::Sqe abort{};
        abort.opc = 0x08;
        abort.cdw10 = 0u | (uint32_t{aer_cid} << 16);
        const Completion c = d.drv.execute(0, abort);
        INFO(c.describe());
        CHECK(c.ok());
        CHECK((c.cqe.dw0 & 1u) == 0);
        CHECK(d.ctrl.commands().empty());
    }
}

TEST_SUITE("effects-log") {
    // NVMe 1.3 §5.14.1.5; the supported opcodes written from the spec's command tables (§5, §6),
    // not from the controller's own.
    // E2h: OCSSD 2.0 Geometry, which answers for OCSSD namespaces only.
    const std::set<uint8_t> kAdmin = {0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08,
                                      0x09, 0x0A, 0x0C, 0x18, 0x80, 0xE2};
    const std::set<uint8_t> kIo = {kOpFlush, kOpWrite, kOpRead};

    TEST_CASE("Identify LPA bit 1 says the log is there") {
        NsDevice d;
        CHECK((d.drv.identify_controller().lpa & 0x02) != 0);
    }

    TEST_CASE("every supported opcode has CSUPP and its effect bits; the rest is zero") {
        NsDevice d;
        for (uint32_t nsid : {0u, 1u, kAll}) {
            CAPTURE(nsid);
            const std::vector<uint8_t> log = d.effects_log(nsid);
            for (unsigned opc = 0; opc < 256; ++opc) {
                CAPTURE(opc);
                const uint32_t acs = dword(log, opc * 4);
                const uint32_t iocs = dword(log, 1024 + opc * 4);
                // Admin commands change no block content, namespace or capability here, but
                // Format NVM: block content and namespace capabilities, alone on its
                // namespace (LBCC, NCC, CSE 001b).
                const uint32_t want_admin = opc == 0x80                               ? 0x10007u
                                            : kAdmin.count(static_cast<uint8_t>(opc)) ? 1u
                                                                                      : 0u;
                CHECK(acs == want_admin);
                // Write changes logical block content (LBCC, bit 1); Read and Flush do not.
                const uint32_t want_io = opc == kOpWrite                        ? 0x3u
                                         : kIo.count(static_cast<uint8_t>(opc)) ? 0x1u
                                                                                : 0u;
                CHECK(iocs == want_io);
            }
            for (size_t at = 2048; at < 4096; at += 4)
                CHECK(dword(log, at) == 0);
        }
    }

    TEST_CASE("what the log says is what the controller accepts") {
        NsDevice d;
        const std::vector<uint8_t> log = d.effects_log();
        for (unsigned opc = 0; opc < 256; ++opc) {
            CAPTURE(opc);
            if ((dword(log, 1024 + opc * 4) & 1u) == 0)
                expect_status(d.io(static_cast<uint8_t>(opc), 1), kInvalidOpcode);
            else
                CHECK(int(d.io(static_cast<uint8_t>(opc), 1).cqe.sc()) != int(kInvalidOpcode));
            if ((dword(log, opc * 4) & 1u) == 0) {
                spec::Sqe sqe{};
                sqe.opc = static_cast<uint8_t>(opc);
                expect_status(d.drv.execute(0, sqe), kInvalidOpcode);
            }
        }
    }

    TEST_CASE("a shorter read and an offset read the same entries") {
        NsDevice d;
        const std::vector<uint8_t> whole = d.effects_log();
        // 8 bytes at IOCS[1]: Write then Read.
        const std::vector<uint8_t> part = d.effects_log(0, 1024 + 4, 8);
        CHECK(dword(part, 0) == 0x3u);
        CHECK(dword(part, 4) == 0x1u);
        CHECK(std::equal(part.begin(), part.end(), whole.begin() + 1028));
        // The first 12 bytes: Delete I/O SQ, Create I/O SQ, Get Log Page.
        const std::vector<uint8_t> head = d.effects_log(0, 0, 12);
        CHECK(dword(head, 0) == 1u);
        CHECK(dword(head, 4) == 1u);
        CHECK(dword(head, 8) == 1u);
        // Past the end of the 4096-byte log: Invalid Field.
        std::vector<uint8_t> out(4);
        const Completion c = d.drv.get_log_page(0x05, 0, 4096, out);
        INFO(c.describe());
        CHECK(int(c.cqe.sc()) == 0x02);
        // Reading more than the log: the bytes past its end are zero.
        const std::vector<uint8_t> tail = d.effects_log(0, 4092, 8);
        CHECK(dword(tail, 0) == 0);
        CHECK(dword(tail, 4) == 0);
    }
}

} // namespace nvmelab
