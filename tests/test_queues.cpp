// Queues (NVMe 1.3 §4.1, §4.11, §5.3-§5.6): create/delete, phase tags, full CQs, arbitration,
// resets, Number of Queues.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

using namespace nvmelab;
using nvmelab::test::small_config;
using nvmelab::test::TestDevice;
using spec::AdminOpcode;
using spec::CommandSpecificStatus;
using spec::GenericStatus;

namespace {

constexpr uint8_t kGeneric = 0;
constexpr uint8_t kSpecific = 1;
constexpr uint8_t fid(spec::FeatureId f) {
    return static_cast<uint8_t>(f);
}
constexpr uint8_t sc(GenericStatus s) {
    return static_cast<uint8_t>(s);
}
constexpr uint8_t sc(CommandSpecificStatus s) {
    return static_cast<uint8_t>(s);
}

void check_status(const Completion &c, uint8_t sct, uint8_t code, bool dnr) {
    INFO(c.describe());
    CHECK(c.status().sct == sct);
    CHECK(c.status().sc == code);
    CHECK(c.status().dnr == dnr);
}

void check_status(const spec::Cqe &cqe, uint8_t sct, uint8_t code, bool dnr) {
    check_status(Completion{cqe, std::nullopt}, sct, code, dnr);
}

spec::Sqe create_cq(uint16_t qid, uint16_t qsize0, uint64_t prp1, bool pc = true, bool ien = true,
                    uint16_t iv = 1) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::CreateIoCq);
    sqe.prp1 = prp1;
    spec::CreateIoCqFields{qid, qsize0, pc, ien, iv}.apply(sqe);
    return sqe;
}

spec::Sqe create_sq(uint16_t qid, uint16_t qsize0, uint64_t prp1, uint16_t cqid, bool pc = true,
                    uint8_t qprio = 0) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::CreateIoSq);
    sqe.prp1 = prp1;
    spec::CreateIoSqFields{qid, qsize0, pc, qprio, cqid}.apply(sqe);
    return sqe;
}

spec::Sqe delete_queue(AdminOpcode op, uint16_t qid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(op);
    spec::DeleteIoQueueFields{qid}.apply(sqe);
    return sqe;
}

spec::Sqe flush_sqe() {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Flush);
    sqe.nsid = 1;
    return sqe;
}

spec::Sqe rw_sqe(spec::NvmOpcode opc, uint64_t slba, uint16_t nlb0) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(opc);
    sqe.nsid = 1;
    sqe.cdw10 = static_cast<uint32_t>(slba);
    sqe.cdw12 = nlb0;
    return sqe;
}

spec::Sqe read_sqe(uint64_t slba, uint16_t nlb0) {
    return rw_sqe(spec::NvmOpcode::Read, slba, nlb0);
}

std::optional<QueueView> find_queue(const TestDevice &d, bool is_sq, uint16_t qid) {
    for (const auto &q : d.ctrl.queues())
        if (q.is_sq == is_sq && q.qid == qid) return q;
    return std::nullopt;
}

size_t count_events(const TestDevice &d, EventKind kind) {
    const auto &ev = d.ctrl.trace().events();
    return static_cast<size_t>(
        std::count_if(ev.begin(), ev.end(), [&](const TraceEvent &e) { return e.kind == kind; }));
}

// SQ IDs in fetch order, for fetches recorded after trace sequence number `since`.
std::vector<uint16_t> fetch_order(const TestDevice &d, uint64_t since) {
    std::vector<uint16_t> out;
    for (const auto &e : d.ctrl.trace().events())
        if (e.seq >= since && e.kind == EventKind::SqeFetch) out.push_back(e.sqid);
    return out;
}

uint64_t trace_mark(const TestDevice &d) {
    return d.ctrl.trace().total_recorded();
}

// An I/O queue pair driven by hand, for shapes the host driver does not make: different SQ and
// CQ sizes, non-contiguous memory (one address per page).
struct RawQueue {
    TestDevice &d;
    uint16_t sqid;
    uint16_t cqid;
    uint32_t sq_entries;
    uint32_t cq_entries;
    std::vector<uint64_t> sq_pages;
    std::vector<uint64_t> cq_pages;
    uint32_t sq_tail = 0;
    uint32_t cq_head = 0;
    bool phase = true;
    uint16_t next_cid = 0;

    static uint64_t at(const std::vector<uint64_t> &pages, uint64_t offset) {
        return pages[offset / 4096] + offset % 4096;
    }
    uint64_t sq_entry(uint32_t i) const { return at(sq_pages, uint64_t{i} * 64); }
    uint64_t cq_entry(uint32_t i) const { return at(cq_pages, uint64_t{i} * 16); }

    uint16_t submit(spec::Sqe sqe) {
        sqe.cid = next_cid++;
        std::array<uint8_t, 64> raw{};
        std::memcpy(raw.data(), &sqe, 64);
        REQUIRE(d.mem.write(sq_entry(sq_tail), raw));
        sq_tail = (sq_tail + 1) % sq_entries;
        return sqe.cid;
    }
    void ring() { d.ctrl.write32(d.ctrl.sq_doorbell_offset(sqid), sq_tail); }
    std::optional<spec::Cqe> reap(bool ring_doorbell = true) {
        spec::Cqe cqe{};
        std::array<uint8_t, 16> raw{};
        REQUIRE(d.mem.read(cq_entry(cq_head), raw));
        std::memcpy(&cqe, raw.data(), 16);
        if (cqe.phase() != phase) return std::nullopt;
        cq_head = (cq_head + 1) % cq_entries;
        if (cq_head == 0) phase = !phase;
        if (ring_doorbell) d.ctrl.write32(d.ctrl.cq_doorbell_offset(cqid), cq_head);
        return cqe;
    }
};

// Contiguous queues of the given sizes (QID = CQID = qid).
RawQueue make_raw_queue(TestDevice &d, uint16_t qid, uint32_t sq_entries, uint32_t cq_entries,
                        uint8_t qprio = 2) {
    RawQueue q{d, qid, qid, sq_entries, cq_entries, {}, {}};
    const uint64_t cq = d.mem.alloc(uint64_t{cq_entries} * 16, "raw CQ");
    const uint64_t sq = d.mem.alloc(uint64_t{sq_entries} * 64, "raw SQ");
    for (uint64_t off = 0; off < uint64_t{cq_entries} * 16; off += 4096)
        q.cq_pages.push_back(cq + off);
    for (uint64_t off = 0; off < uint64_t{sq_entries} * 64; off += 4096)
        q.sq_pages.push_back(sq + off);
    REQUIRE(d.drv.execute(0, create_cq(qid, static_cast<uint16_t>(cq_entries - 1), cq)).ok());
    REQUIRE(
        d.drv
            .execute(0, create_sq(qid, static_cast<uint16_t>(sq_entries - 1), sq, qid, true, qprio))
            .ok());
    return q;
}

} // namespace

TEST_SUITE("queues") {

    TEST_CASE("Create I/O CQ and SQ: the controller takes every field") {
        TestDevice d;
        d.drv.enable();
        const uint64_t cq = d.mem.alloc(64 * 16);
        const uint64_t sq = d.mem.alloc(32 * 64);
        const Completion c1 = d.drv.execute(0, create_cq(3, 63, cq, true, true, 7));
        check_status(c1, 0, 0, false);
        const Completion c2 = d.drv.execute(0, create_sq(5, 31, sq, 3, true, 0));
        check_status(c2, 0, 0, false);
        const auto cqv = find_queue(d, false, 3);
        REQUIRE(cqv);
        CHECK(cqv->size == 64);
        CHECK(cqv->base == cq);
        CHECK(cqv->contiguous);
        CHECK(cqv->ien);
        CHECK(cqv->iv == 7);
        CHECK(cqv->phase);
        CHECK(cqv->head == 0);
        CHECK(cqv->tail == 0);
        const auto sqv = find_queue(d, true, 5);
        REQUIRE(sqv);
        CHECK(sqv->size == 32);
        CHECK(sqv->base == sq);
        CHECK(sqv->cqid == 3);
        CHECK(sqv->qprio == 0);
        CHECK(count_events(d, EventKind::QueueCreated) == 2);
        // The largest queue CAP.MQES allows, and the highest QID.
        const uint64_t big = d.mem.alloc(2048 * 16);
        check_status(d.drv.execute(0, create_cq(64, 2047, big)), 0, 0, false);
        CHECK(find_queue(d, false, 64)->size == 2048);
    }

    TEST_CASE("a CQ interrupts on its own vector, and not at all with IEN = 0") {
        TestDevice d;
        d.drv.enable();
        const uint64_t mem = d.mem.alloc(4 * 4096);
        REQUIRE(d.drv.execute(0, create_cq(1, 15, mem, true, true, 5)).ok());
        REQUIRE(d.drv.execute(0, create_cq(2, 15, mem + 4096, true, false, 7)).ok());
        REQUIRE(d.drv.execute(0, create_sq(1, 15, mem + 8192, 1)).ok());
        REQUIRE(d.drv.execute(0, create_sq(2, 15, mem + 12288, 2)).ok());
        CHECK_FALSE(find_queue(d, false, 2)->ien);
        RawQueue q1{d, 1, 1, 16, 16, {mem + 8192}, {mem}};
        RawQueue q2{d, 2, 2, 16, 16, {mem + 12288}, {mem + 4096}};
        const uint32_t admin = d.ctrl.interrupt_count(0);
        for (int i = 0; i < 3; ++i)
            q1.submit(flush_sqe());
        for (int i = 0; i < 4; ++i)
            q2.submit(flush_sqe());
        q1.ring();
        q2.ring();
        d.ctrl.run_until_idle();
        CHECK(d.ctrl.interrupt_count(5) == 3);
        CHECK(d.ctrl.interrupt_count(0) == admin);
        int posted = 0;
        while (q2.reap())
            ++posted;
        CHECK(posted == 4); // completions still arrive, by polling, and vector 7 stays quiet
        for (uint16_t v = 0; v < 65; ++v)
            if (v != 5 && v != 0) CHECK(d.ctrl.interrupt_count(v) == 0);
    }

    TEST_CASE("Create I/O CQ errors") {
        TestDevice d;
        d.drv.enable();
        const uint64_t mem = d.mem.alloc(8192);
        REQUIRE(d.drv.execute(0, create_cq(1, 15, mem)).ok());
        const size_t queues = d.ctrl.queues().size();

        SUBCASE("QID 0") {
            const Completion c = d.drv.execute(0, create_cq(0, 15, mem));
            check_status(c, kSpecific, sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW10.QID");
            CHECK(c.why->section == "NVMe 1.3 §5.3");
        }
        SUBCASE("QID above NCQA + 1") {
            check_status(d.drv.execute(0, create_cq(65, 15, mem)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
            check_status(d.drv.execute(0, create_cq(0xFFFF, 15, mem)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        }
        SUBCASE("QID in use") {
            const Completion c = d.drv.execute(0, create_cq(1, 15, mem));
            check_status(c, kSpecific, sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
            REQUIRE(c.why);
            CHECK(c.why->value == 1);
        }
        SUBCASE("QSIZE 0") {
            const Completion c = d.drv.execute(0, create_cq(2, 0, mem));
            check_status(c, kSpecific, sc(CommandSpecificStatus::InvalidQueueSize), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW10.QSIZE");
        }
        SUBCASE("QSIZE above CAP.MQES") {
            check_status(d.drv.execute(0, create_cq(2, 2048, mem)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueSize), true);
        }
        SUBCASE("PC = 0 while CAP.CQR = 1") {
            const Completion c = d.drv.execute(0, create_cq(2, 15, mem, false));
            check_status(c, kGeneric, sc(GenericStatus::InvalidField), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW11.PC");
        }
        SUBCASE("interrupt vector out of range") {
            const Completion c = d.drv.execute(0, create_cq(2, 15, mem, true, true, 65));
            check_status(c, kSpecific, sc(CommandSpecificStatus::InvalidInterruptVector), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW11.IV");
            CHECK(c.why->value == 65);
            // Also with interrupts off: IV must still name a vector the controller has.
            check_status(d.drv.execute(0, create_cq(2, 15, mem, true, false, 65)), kSpecific,
                         sc(CommandSpecificStatus::InvalidInterruptVector), true);
        }
        SUBCASE("PRP1 not page aligned") {
            for (uint64_t off : {4u, 0x100u, 0x800u}) {
                const Completion c = d.drv.execute(0, create_cq(2, 15, mem + off));
                check_status(c, kGeneric, sc(GenericStatus::PrpOffsetInvalid), true);
                REQUIRE(c.why);
                CHECK(c.why->field == "PRP1");
            }
        }
        SUBCASE("reserved bits in CDW11") {
            spec::Sqe sqe = create_cq(2, 15, mem);
            sqe.cdw11 |= 0x4;
            check_status(d.drv.execute(0, sqe), kGeneric, sc(GenericStatus::InvalidField), true);
        }
        CHECK(d.ctrl.queues().size() == queues);
        CHECK_FALSE(find_queue(d, false, 2));
        // The last vector is valid.
        check_status(d.drv.execute(0, create_cq(2, 15, mem, true, true, 64)), 0, 0, false);
    }

    TEST_CASE("Create I/O SQ errors") {
        TestDevice d;
        d.drv.enable();
        const uint64_t cqmem = d.mem.alloc(4096);
        const uint64_t mem = d.mem.alloc(8192);
        REQUIRE(d.drv.execute(0, create_cq(1, 15, cqmem)).ok());
        REQUIRE(d.drv.execute(0, create_sq(1, 15, mem, 1)).ok());
        const size_t queues = d.ctrl.queues().size();

        SUBCASE("CQ does not exist") {
            const Completion c = d.drv.execute(0, create_sq(2, 15, mem, 2));
            check_status(c, kSpecific, sc(CommandSpecificStatus::CompletionQueueInvalid), true);
            REQUIRE(c.why);
            CHECK(c.why->field == "CDW11.CQID");
            CHECK(c.why->section == "NVMe 1.3 §5.4");
        }
        SUBCASE("CQID 0 (the admin CQ)") {
            check_status(d.drv.execute(0, create_sq(2, 15, mem, 0)), kSpecific,
                         sc(CommandSpecificStatus::CompletionQueueInvalid), true);
        }
        SUBCASE("CQID beyond the queue table") {
            check_status(d.drv.execute(0, create_sq(2, 15, mem, 4000)), kSpecific,
                         sc(CommandSpecificStatus::CompletionQueueInvalid), true);
        }
        SUBCASE("QID 0") {
            check_status(d.drv.execute(0, create_sq(0, 15, mem, 1)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        }
        SUBCASE("QID above NSQA + 1") {
            check_status(d.drv.execute(0, create_sq(65, 15, mem, 1)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        }
        SUBCASE("QID in use") {
            check_status(d.drv.execute(0, create_sq(1, 15, mem, 1)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        }
        SUBCASE("QSIZE 0 and above MQES") {
            check_status(d.drv.execute(0, create_sq(2, 0, mem, 1)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueSize), true);
            check_status(d.drv.execute(0, create_sq(2, 2048, mem, 1)), kSpecific,
                         sc(CommandSpecificStatus::InvalidQueueSize), true);
        }
        SUBCASE("PC = 0 while CAP.CQR = 1") {
            check_status(d.drv.execute(0, create_sq(2, 15, mem, 1, false)), kGeneric,
                         sc(GenericStatus::InvalidField), true);
        }
        SUBCASE("PRP1 not page aligned") {
            check_status(d.drv.execute(0, create_sq(2, 15, mem + 64, 1)), kGeneric,
                         sc(GenericStatus::PrpOffsetInvalid), true);
        }
        CHECK(d.ctrl.queues().size() == queues);
        CHECK_FALSE(find_queue(d, true, 2));
    }

    TEST_CASE("Delete I/O SQ and CQ errors, and deletion order") {
        TestDevice d;
        d.drv.enable();
        const uint64_t cqmem = d.mem.alloc(4096);
        const uint64_t sqmem = d.mem.alloc(2 * 4096);
        REQUIRE(d.drv.execute(0, create_cq(1, 15, cqmem)).ok());
        REQUIRE(d.drv.execute(0, create_sq(1, 15, sqmem, 1)).ok());
        REQUIRE(d.drv.execute(0, create_sq(2, 15, sqmem + 4096, 1)).ok()); // two SQs share CQ 1

        const auto invalid_qid = sc(CommandSpecificStatus::InvalidQueueIdentifier);
        const Completion sq0 = d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 0));
        check_status(sq0, kSpecific, invalid_qid, true);
        REQUIRE(sq0.why);
        CHECK(sq0.why->section == "NVMe 1.3 §5.6");
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 3)), kSpecific,
                     invalid_qid, true);
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 0xFFFF)), kSpecific,
                     invalid_qid, true);
        const Completion cq0 = d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 0));
        check_status(cq0, kSpecific, invalid_qid, true);
        REQUIRE(cq0.why);
        CHECK(cq0.why->section == "NVMe 1.3 §5.5");
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 2)), kSpecific,
                     invalid_qid, true);

        const Completion busy = d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1));
        check_status(busy, kSpecific, sc(CommandSpecificStatus::InvalidQueueDeletion), true);
        REQUIRE(busy.why);
        CHECK(busy.why->field == "CDW10.QID");
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), 0, 0, false);
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1)), kSpecific,
                     sc(CommandSpecificStatus::InvalidQueueDeletion), true); // SQ 2 still uses it
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), kSpecific,
                     invalid_qid, true); // already gone
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 2)), 0, 0, false);
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1)), 0, 0, false);
        CHECK(d.ctrl.queues().size() == 2); // the admin pair only
        CHECK(count_events(d, EventKind::QueueDeleted) == 3);
        // The QIDs can be used again.
        check_status(d.drv.execute(0, create_cq(1, 15, cqmem)), 0, 0, false);
        check_status(d.drv.execute(0, create_sq(2, 15, sqmem, 1)), 0, 0, false);
    }

    TEST_CASE("non-contiguous queues (CAP.CQR = 0, PC = 0) work end to end") {
        DeviceConfig c = small_config();
        c.cqr = false;
        TestDevice d(c);
        d.drv.enable();
        CHECK_FALSE(spec::CapReg{d.ctrl.read64(0)}.cqr());

        // Two pages for each queue, scattered, with guard pages in between.
        auto page = [&](const char *label) { return d.mem.alloc(4096, label); };
        const uint64_t cq_p0 = page("cq page 0");
        const uint64_t guard1 = page("guard");
        const uint64_t sq_p1 = page("sq page 1");
        const uint64_t guard2 = page("guard");
        const uint64_t cq_p1 = page("cq page 1");
        const uint64_t sq_p0 = page("sq page 0");
        const uint64_t cq_list = page("cq list");
        const uint64_t sq_list = page("sq list");
        REQUIRE(d.mem.fill(guard1, 0xA5, 4096));
        REQUIRE(d.mem.fill(guard2, 0xA5, 4096));
        auto put = [&](uint64_t list, std::vector<uint64_t> pages) {
            REQUIRE(d.mem.write(list, std::span(reinterpret_cast<const uint8_t *>(pages.data()),
                                                pages.size() * 8)));
        };
        put(cq_list, {cq_p0, cq_p1});
        put(sq_list, {sq_p0, sq_p1});

        // 512 CQ entries x 16 B and 128 SQ entries x 64 B: two pages each.
        check_status(d.drv.execute(0, create_cq(1, 511, cq_list, false)), 0, 0, false);
        check_status(d.drv.execute(0, create_sq(1, 127, sq_list, 1, false)), 0, 0, false);
        const auto cqv = find_queue(d, false, 1);
        REQUIRE(cqv);
        CHECK_FALSE(cqv->contiguous);
        CHECK(cqv->base == cq_p0);
        CHECK_FALSE(find_queue(d, true, 1)->contiguous);

        RawQueue q{d, 1, 1, 128, 512, {sq_p0, sq_p1}, {cq_p0, cq_p1}};
        std::vector<uint16_t> seen;
        for (int batch = 0; batch < 6; ++batch) {
            for (int i = 0; i < 50; ++i)
                q.submit(flush_sqe());
            q.ring();
            d.ctrl.run_until_idle();
            while (auto cqe = q.reap()) {
                CHECK(cqe->decoded_status().ok());
                CHECK(cqe->sqid == 1);
                seen.push_back(cqe->cid);
            }
        }
        REQUIRE(seen.size() == 300);
        for (uint16_t i = 0; i < 300; ++i)
            CHECK(seen[i] == i);
        // The entries past the first page landed in the second, scattered page.
        spec::Cqe cqe{};
        std::array<uint8_t, 16> raw{};
        REQUIRE(d.mem.read(cq_p1 + (260 - 256) * 16, raw));
        std::memcpy(&cqe, raw.data(), 16);
        CHECK(cqe.cid == 260);
        spec::Sqe sqe{};
        std::array<uint8_t, 64> sraw{};
        REQUIRE(d.mem.read(sq_p1 + (100 - 64) * 64, sraw)); // SQ slot 100: commands 100 and 228
        std::memcpy(&sqe, sraw.data(), 64);
        CHECK(sqe.cid == 228);
        std::vector<uint8_t> g(4096);
        REQUIRE(d.mem.read(guard1, g));
        CHECK(std::all_of(g.begin(), g.end(), [](uint8_t b) { return b == 0xA5; }));
        REQUIRE(d.mem.read(guard2, g));
        CHECK(std::all_of(g.begin(), g.end(), [](uint8_t b) { return b == 0xA5; }));

        // A queue page list entry with an offset, and a list that is not in memory.
        put(cq_list, {cq_p0, cq_p1 + 0x200});
        check_status(d.drv.execute(0, create_cq(2, 511, cq_list, false)), kGeneric,
                     sc(GenericStatus::PrpOffsetInvalid), true);
        check_status(d.drv.execute(0, create_cq(2, 511, 0x7000000, false)), kGeneric,
                     sc(GenericStatus::DataTransferError), false);
        check_status(d.drv.execute(0, create_cq(2, 511, cq_list + 8, false)), kGeneric,
                     sc(GenericStatus::PrpOffsetInvalid), true);
        CHECK_FALSE(find_queue(d, false, 2));
    }

    TEST_CASE("a non-contiguous queue's PRP list goes on across list pages") {
        // 65536 SQ entries of 64 B take 1024 pages: a 4 KiB list page names 511 of them and
        // then points to the next list page (§4.3), so the list takes three pages.
        DeviceConfig c = small_config();
        c.cqr = false;
        c.mqes = 0xFFFF;
        TestDevice d(c);
        d.drv.enable();
        constexpr uint32_t kEntries = 65536;
        std::vector<uint64_t> pages(1024);
        for (size_t i = 0; i < pages.size(); ++i) // scattered: the queue runs backwards in memory
            pages[pages.size() - 1 - i] = d.mem.alloc(4096, "sq page");
        const uint64_t lists[3] = {d.mem.alloc(4096, "list 0"), d.mem.alloc(4096, "list 1"),
                                   d.mem.alloc(4096, "list 2")};
        auto put = [&](uint64_t list, size_t first, size_t count, std::optional<uint64_t> next) {
            std::vector<uint64_t> entries(pages.begin() + static_cast<std::ptrdiff_t>(first),
                                          pages.begin() +
                                              static_cast<std::ptrdiff_t>(first + count));
            if (next) entries.push_back(*next);
            REQUIRE(d.mem.write(list, std::span(reinterpret_cast<const uint8_t *>(entries.data()),
                                                entries.size() * 8)));
        };
        put(lists[0], 0, 511, lists[1]);
        put(lists[1], 511, 511, lists[2]);
        put(lists[2], 1022, 2, std::nullopt);
        const uint64_t cq = d.mem.alloc(uint64_t{kEntries} * 16, "cq");
        REQUIRE(d.drv.execute(0, create_cq(1, 0xFFFF, cq)).ok());
        const uint64_t mark = trace_mark(d);
        const Completion created = d.drv.execute(0, create_sq(1, 0xFFFF, lists[0], 1, false));
        check_status(created, 0, 0, false);
        std::vector<std::pair<uint64_t, uint64_t>> list_reads; // address, entries
        for (const auto &e : d.ctrl.trace().events())
            if (e.seq >= mark && e.kind == EventKind::PrpListRead)
                list_reads.emplace_back(e.addr, e.len);
        CHECK(list_reads == std::vector<std::pair<uint64_t, uint64_t>>{
                                {lists[0], 512}, {lists[1], 512}, {lists[2], 2}});

        // Every slot works, the last pages' too: a full lap of Flush commands comes back in
        // order (an SQ holds at most size - 1 commands, so in two batches).
        std::vector<uint64_t> cq_pages;
        for (uint64_t off = 0; off < uint64_t{kEntries} * 16; off += 4096)
            cq_pages.push_back(cq + off);
        RawQueue q{d, 1, 1, kEntries, kEntries, pages, cq_pages};
        uint32_t seen = 0;
        bool in_order = true;
        for (uint32_t batch : {40000u, kEntries - 40000u}) {
            for (uint32_t i = 0; i < batch; ++i)
                q.submit(flush_sqe());
            q.ring();
            d.ctrl.run_until_idle();
            while (auto cqe = q.reap(false)) {
                in_order = in_order && cqe->decoded_status().ok() &&
                           cqe->cid == static_cast<uint16_t>(seen);
                ++seen;
            }
            d.ctrl.write32(d.ctrl.cq_doorbell_offset(1), q.cq_head);
        }
        CHECK(seen == kEntries);
        CHECK(in_order);

        // A chain pointer with an offset, or to memory the host never mapped.
        put(lists[0], 0, 511, lists[1] + 0x100);
        const Completion offset = d.drv.execute(0, create_sq(2, 0xFFFF, lists[0], 1, false));
        check_status(offset, kGeneric, sc(GenericStatus::PrpOffsetInvalid), true);
        REQUIRE(offset.why);
        CHECK(offset.why->field == "queue PRP list pointer after entry 510");
        CHECK(offset.why->value == lists[1] + 0x100);
        put(lists[0], 0, 511, 0x7F000000);
        const Completion unmapped = d.drv.execute(0, create_sq(2, 0xFFFF, lists[0], 1, false));
        check_status(unmapped, kGeneric, sc(GenericStatus::DataTransferError), false);
        REQUIRE(unmapped.why);
        CHECK(unmapped.why->value == 0x7F000000);
        // A bad queue page in a later list page is named by its index in the whole list.
        put(lists[0], 0, 511, lists[1]);
        pages[700] += 0x40;
        put(lists[1], 511, 511, lists[2]);
        const Completion bad_page = d.drv.execute(0, create_sq(2, 0xFFFF, lists[0], 1, false));
        check_status(bad_page, kGeneric, sc(GenericStatus::PrpOffsetInvalid), true);
        REQUIRE(bad_page.why);
        CHECK(bad_page.why->field == "queue PRP list entry 700");
        CHECK_FALSE(find_queue(d, true, 2));
    }

    TEST_CASE("deleting an SQ aborts its commands in flight before the delete completes") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(16);
        const uint64_t buf = d.mem.alloc(4 * 8192);
        std::vector<uint16_t> cids;
        for (int i = 0; i < 4; ++i) {
            spec::Sqe sqe = read_sqe(static_cast<uint64_t>(i) * 2, 1);
            d.drv.build_prps(sqe, buf + static_cast<uint64_t>(i) * 8192, 8192);
            cids.push_back(d.drv.submit(q, sqe));
        }
        d.drv.ring(q);
        while (d.ctrl.commands().size() < 4)
            REQUIRE(d.ctrl.step());
        const size_t before = d.ctrl.completions().size();

        const uint16_t del = d.drv.submit(0, delete_queue(AdminOpcode::DeleteIoSq, q));
        d.drv.ring(0);
        const Completion dc = d.drv.wait(0, del);
        check_status(dc, 0, 0, false);
        d.ctrl.run_until_idle();

        const auto &recs = d.ctrl.completions();
        REQUIRE(recs.size() == before + 5);
        for (size_t i = 0; i < 4; ++i) {
            const CompletionRecord &r = recs[before + i];
            INFO("record ", i);
            CHECK(r.sqid == q);
            CHECK(r.cqid == q);
            CHECK(r.cqe.cid == cids[i]);
            check_status(r.cqe, kGeneric, sc(GenericStatus::AbortedSqDeletion), false);
            REQUIRE(r.why);
            CHECK(r.why->section == "NVMe 1.3 §5.6");
        }
        CHECK(recs[before + 4].sqid == 0);
        CHECK(recs[before + 4].cqe.cid == del);
        // The host sees them on the I/O CQ.
        for (uint16_t cid : cids) {
            auto c = d.drv.reap(q);
            REQUIRE(c);
            CHECK(c->cqe.cid == cid);
            check_status(*c, kGeneric, sc(GenericStatus::AbortedSqDeletion), false);
        }
        CHECK_FALSE(d.drv.reap(q));
        CHECK(d.ctrl.commands().empty());
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, q)), 0, 0, false);
    }

    TEST_CASE("wrap-around: SQHD and the phase tag over several laps") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(4);
        const uint64_t cq_base = d.drv.queue(q).cq_base;
        for (uint32_t i = 0; i < 13; ++i) {
            const Completion c = d.drv.flush(q, 1);
            INFO("command ", i);
            CHECK(c.ok());
            CHECK(c.cqe.sqhd == (i + 1) % 4);
            CHECK(c.cqe.sqid == q);
            CHECK(c.cqe.phase() == ((i / 4) % 2 == 0));
        }
        // Memory holds the last lap: slot 0 from lap 3 (phase 0), slots 1-3 from lap 2 (phase 1).
        for (uint32_t slot = 0; slot < 4; ++slot) {
            spec::Cqe cqe{};
            std::array<uint8_t, 16> raw{};
            REQUIRE(d.mem.read(cq_base + slot * 16, raw));
            std::memcpy(&cqe, raw.data(), 16);
            INFO("slot ", slot);
            CHECK(cqe.phase() == (slot != 0));
            CHECK(cqe.cid == (slot == 0 ? 12 : 8 + slot));
        }
        const auto cqv = find_queue(d, false, q);
        CHECK(cqv->tail == 1);
        CHECK(cqv->head == 1);
        CHECK_FALSE(cqv->phase);
        const auto sqv = find_queue(d, true, q);
        CHECK(sqv->head == 1);
        CHECK(sqv->tail == 1);
    }

    TEST_CASE("SQHD reports the SQ head when each CQE is posted") {
        TestDevice d;
        d.drv.enable();
        RawQueue q = make_raw_queue(d, 1, 8, 8);
        for (int i = 0; i < 3; ++i)
            q.submit(flush_sqe());
        q.ring();
        d.ctrl.run_until_idle();
        std::vector<spec::Cqe> got;
        while (auto c = q.reap())
            got.push_back(*c);
        REQUIRE(got.size() == 3);
        for (size_t i = 0; i < 3; ++i) {
            CHECK(got[i].cid == i);
            CHECK(got[i].sqhd >= i + 1); // at least past itself
            CHECK(got[i].sqhd <= 3);
        }
        CHECK(got[2].sqhd == 3);
    }

    TEST_CASE("a full CQ holds completions until the host frees entries, losing none") {
        TestDevice d;
        d.drv.enable();
        RawQueue q = make_raw_queue(d, 1, 8, 4); // the CQ holds 3 completions
        for (int i = 0; i < 6; ++i)
            q.submit(flush_sqe());
        q.ring();
        d.ctrl.run_until_idle();
        CHECK(count_events(d, EventKind::CqFull) == 3);
        auto cqv = find_queue(d, false, 1);
        CHECK(cqv->waiting == 3);
        CHECK(cqv->tail == 3);
        CHECK(d.ctrl.commands().size() == 3);

        std::vector<uint16_t> cids;
        // Take one entry without telling the controller: nothing changes.
        auto first = q.reap(false);
        REQUIRE(first);
        cids.push_back(first->cid);
        d.ctrl.run_until_idle();
        CHECK(find_queue(d, false, 1)->waiting == 3);
        // The head doorbell frees one slot: exactly one waiting completion is posted.
        d.ctrl.write32(d.ctrl.cq_doorbell_offset(1), q.cq_head);
        d.ctrl.run_until_idle();
        cqv = find_queue(d, false, 1);
        CHECK(cqv->waiting == 2);
        CHECK(cqv->tail == 0);
        while (cids.size() < 6) {
            auto c = q.reap();
            if (!c) {
                REQUIRE(d.ctrl.step());
                continue;
            }
            check_status(*c, 0, 0, false);
            cids.push_back(c->cid);
        }
        d.ctrl.run_until_idle();
        CHECK(cids == std::vector<uint16_t>{0, 1, 2, 3, 4, 5});
        CHECK_FALSE(q.reap());
        CHECK(find_queue(d, false, 1)->waiting == 0);
        CHECK(d.ctrl.commands().empty());
    }

    TEST_CASE("deleting an SQ whose CQ is full drops its completions that wait for room") {
        // Round after round, so slots that stayed taken would run the controller out of them
        // (64 by default) and stop all fetching.
        TestDevice d;
        d.drv.enable();
        for (int round = 0; round < 20; ++round) {
            CAPTURE(round);
            RawQueue q = make_raw_queue(d, 1, 8, 2); // the CQ holds one completion
            for (int i = 0; i < 7; ++i)
                q.submit(flush_sqe()); // CIDs 0..6, the same every round
            q.ring();
            d.ctrl.run_until_idle();
            CHECK(find_queue(d, false, 1)->waiting == 6);
            const size_t aborted_before = count_events(d, EventKind::CommandAborted);
            check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), 0, 0, false);
            // Their entries can never be posted before the Delete's own: they are dropped
            // (§5.6), each with an explained event, and their slots are free.
            CHECK(d.ctrl.commands().empty());
            CHECK(find_queue(d, false, 1)->waiting == 0);
            CHECK(count_events(d, EventKind::CommandAborted) == aborted_before + 6);
            const auto &events = d.ctrl.trace().events();
            const auto dropped =
                std::find_if(events.rbegin(), events.rend(), [](const TraceEvent &e) {
                    return e.kind == EventKind::CommandAborted;
                });
            REQUIRE(dropped != events.rend());
            CHECK(dropped->sqid == 1);
            const Explanation *why = d.ctrl.trace().explanation(dropped->explanation);
            REQUIRE(why);
            CHECK(why->section == "NVMe 1.3 §5.6");
            CHECK(why->value == 1);
            check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1)), 0, 0, false);
        }
        // After the Delete, the host reaps only the entry posted before it, and a new SQ with the
        // same identifier gets the CQ's next entries: none come from the old SQ.
        RawQueue old = make_raw_queue(d, 1, 8, 2);
        for (int i = 0; i < 3; ++i)
            old.submit(flush_sqe()); // CIDs 0..2
        old.ring();
        d.ctrl.run_until_idle();
        REQUIRE(find_queue(d, false, 1)->waiting == 2);
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), 0, 0, false);
        const uint64_t sq = d.mem.alloc(8 * 64, "new SQ 1");
        REQUIRE(d.drv.execute(0, create_sq(1, 7, sq, 1, true, 2)).ok());
        RawQueue again{d, 1, 1, 8, 2, {sq}, old.cq_pages};
        again.cq_head = old.cq_head;
        again.phase = old.phase;
        again.next_cid = 1; // the CID of a dropped command of the old SQ 1
        again.submit(flush_sqe());
        again.ring();
        d.ctrl.run_until_idle();
        std::vector<spec::Cqe> seen;
        for (int tries = 0; tries < 16; ++tries) {
            if (auto c = again.reap())
                seen.push_back(*c);
            else
                d.ctrl.run_until_idle();
        }
        REQUIRE(seen.size() == 2);
        CHECK(seen[0].cid == 0); // the old SQ's entry, posted before the Delete
        CHECK(seen[1].cid == 1); // the new command's: not Command ID Conflict
        check_status(seen[1], 0, 0, false);
        CHECK(d.ctrl.commands().empty());
    }

    TEST_CASE("commands aborted by an SQ deletion post where the CQ has room; the rest drop") {
        TestDevice d;
        d.drv.enable();
        RawQueue q = make_raw_queue(d, 1, 8, 2); // the CQ holds one completion
        const uint64_t buf = d.mem.alloc(4 * 8192);
        for (int i = 0; i < 4; ++i) {
            spec::Sqe sqe = read_sqe(static_cast<uint64_t>(i) * 2, 1);
            d.drv.build_prps(sqe, buf + static_cast<uint64_t>(i) * 8192, 8192);
            q.submit(sqe);
        }
        q.ring();
        while (d.ctrl.commands().size() < 4)
            REQUIRE(d.ctrl.step());
        const size_t posted_before = count_events(d, EventKind::CqePost);
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), 0, 0, false);
        d.ctrl.run_until_idle();
        // One aborted entry fits in the CQ; the other three are dropped, none waits.
        CHECK(d.ctrl.commands().empty());
        CHECK(find_queue(d, false, 1)->waiting == 0);
        CHECK(count_events(d, EventKind::CqePost) == posted_before + 2); // + the Delete's own
        const auto c = q.reap();
        REQUIRE(c);
        CHECK(c->cid == 0);
        check_status(*c, kGeneric, sc(GenericStatus::AbortedSqDeletion), false);
        d.ctrl.run_until_idle();
        CHECK_FALSE(q.reap());
        check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1)), 0, 0, false);
    }

    TEST_CASE("a finished write of a deleted SQ posts its entry before the Delete's own") {
        // A write's entry is due a media time (write_ns) after it executes; the Delete's is due
        // sooner. No entry of the deleted SQ may come after the Delete's (§5.6).
        TestDevice d;
        d.drv.enable();
        RawQueue q = make_raw_queue(d, 1, 8, 8);
        const uint64_t buf = d.mem.alloc(4096);
        spec::Sqe sqe = rw_sqe(spec::NvmOpcode::Write, 0, 0);
        d.drv.build_prps(sqe, buf, 4096);
        const uint16_t cid = q.submit(sqe);
        q.ring();
        const auto phase_of_write = [&] {
            for (const CommandView &c : d.ctrl.commands())
                if (c.sqid == 1 && c.cid == cid) return c.phase;
            return CommandPhase::Free;
        };
        while (phase_of_write() != CommandPhase::Complete)
            REQUIRE(d.ctrl.step());
        const uint64_t since = trace_mark(d);
        const uint16_t del = d.drv.submit(0, delete_queue(AdminOpcode::DeleteIoSq, 1));
        d.drv.ring(0);
        check_status(d.drv.wait(0, del), 0, 0, false);
        d.ctrl.run_until_idle();
        std::vector<uint16_t> posted_sqids;
        for (const auto &e : d.ctrl.trace().events())
            if (e.seq >= since && e.kind == EventKind::CqePost) posted_sqids.push_back(e.sqid);
        CHECK(posted_sqids == std::vector<uint16_t>{1, 0});
        const auto c = q.reap();
        REQUIRE(c);
        CHECK(c->cid == cid);
        check_status(*c, 0, 0, false); // it was done: written, not aborted
    }

    TEST_CASE("deleting an SQ at a random moment: each fetched command ends once, before the "
              "Delete's entry") {
        // Random queue sizes, commands and moments of deletion, on one device so a leaked slot
        // would add up. Every command the controller fetched ends exactly once, by an entry or
        // a dropped one, and no entry of the SQ comes after the Delete's own (§5.6).
        TestDevice d;
        d.drv.enable();
        const uint64_t buf = d.mem.alloc(32 * 8192);
        uint32_t rng = 12345;
        size_t dropped = 0, aborted = 0; // over all rounds: both ways of ending must occur
        const auto next = [&rng](uint32_t n) {
            rng = rng * 1664525u + 1013904223u;
            return (rng >> 8) % n;
        };
        for (int round = 0; round < 60; ++round) {
            CAPTURE(round);
            const uint32_t sq_entries = 4 + next(29), cq_entries = 2 + next(7);
            RawQueue q = make_raw_queue(d, 1, sq_entries, cq_entries);
            const uint32_t count = 1 + next(sq_entries - 1);
            for (uint32_t i = 0; i < count; ++i) {
                const uint32_t kind = next(3);
                if (kind == 0) {
                    q.submit(flush_sqe());
                    continue;
                }
                spec::Sqe sqe = rw_sqe(kind == 1 ? spec::NvmOpcode::Read : spec::NvmOpcode::Write,
                                       uint64_t{i} * 2, 1);
                d.drv.build_prps(sqe, buf + uint64_t{i} * 8192, 8192);
                q.submit(sqe);
            }
            const uint64_t since = trace_mark(d);
            q.ring();
            for (uint32_t steps = next(120); steps > 0 && d.ctrl.step(); --steps) {
            }
            check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoSq, 1)), 0, 0, false);
            d.ctrl.run_until_idle();
            size_t fetched = 0, ended = 0;
            bool delete_posted = false, late = false;
            for (const auto &e : d.ctrl.trace().events()) {
                if (e.seq < since) continue;
                if (e.kind == EventKind::SqeFetch && e.sqid == 1) ++fetched;
                if ((e.kind == EventKind::CqePost || e.kind == EventKind::CommandAborted) &&
                    e.sqid == 1) {
                    ++ended;
                    late = late || delete_posted;
                    if (e.kind == EventKind::CommandAborted) ++dropped;
                    // value: the status field; SCT in bits 10:8, SC in 7:0 (More and DNR above)
                    if (e.kind == EventKind::CqePost &&
                        (e.value & 0x7FF) == sc(GenericStatus::AbortedSqDeletion))
                        ++aborted;
                }
                if (e.kind == EventKind::CqePost && e.sqid == 0) delete_posted = true;
            }
            CHECK(delete_posted);
            CHECK(fetched >= 1);
            CHECK(ended == fetched);
            CHECK_FALSE(late);
            CHECK(d.ctrl.commands().empty());
            CHECK(find_queue(d, false, 1)->waiting == 0);
            check_status(d.drv.execute(0, delete_queue(AdminOpcode::DeleteIoCq, 1)), 0, 0, false);
        }
        CHECK(dropped > 0);
        CHECK(aborted > 0);
    }

    TEST_CASE("an SQ keeps 64-byte entries when the host rewrites CC.IOSQES while enabled") {
        for (const bool contiguous : {true, false}) {
            CAPTURE(contiguous);
            DeviceConfig c = small_config();
            c.cqr = contiguous;
            TestDevice d(c);
            d.drv.enable();
            // 64 entries x 64 B: one page; the SQ's page list holds that page only.
            const uint64_t cq = d.mem.alloc(4096, "CQ");
            const uint64_t sq = d.mem.alloc(4096, "SQ");
            const uint64_t list = d.mem.alloc(4096, "SQ page list");
            REQUIRE(d.mem.write(list, std::span(reinterpret_cast<const uint8_t *>(&sq), 8)));
            REQUIRE(d.drv.execute(0, create_cq(1, 63, cq)).ok());
            REQUIRE(d.drv.execute(0, create_sq(1, 63, contiguous ? sq : list, 1, contiguous)).ok());
            const uint32_t cc = d.ctrl.read32(static_cast<uint32_t>(spec::Reg::Cc));
            d.ctrl.write32(static_cast<uint32_t>(spec::Reg::Cc), (cc & ~0x000F0000u) | (7u << 16));
            RawQueue q{d, 1, 1, 64, 64, {sq}, {cq}};
            for (int i = 0; i < 40; ++i)
                q.submit(flush_sqe());
            q.ring();
            d.ctrl.run_until_idle();
            std::vector<uint16_t> cids;
            while (auto cqe = q.reap()) {
                check_status(*cqe, 0, 0, false);
                cids.push_back(cqe->cid);
            }
            std::vector<uint16_t> expected(40);
            std::iota(expected.begin(), expected.end(), uint16_t{0});
            CHECK(cids == expected); // every entry, in order: none skipped at a 128-byte stride
        }
    }

    TEST_CASE("the largest queue count, 65535 I/O queue pairs, still fetches") {
        // 65536 SQs with the admin SQ: a 16-bit count of them wraps to 0.
        DeviceConfig c = small_config();
        c.max_ioqpairs = 65535;
        TestDevice d(c);
        d.drv.enable();
        CHECK(d.drv.identify_controller().vid != 0);
        const uint64_t cq = d.mem.alloc(4096);
        const uint64_t sq = d.mem.alloc(4096);
        REQUIRE(d.drv.execute(0, create_cq(65535, 15, cq)).ok());
        REQUIRE(d.drv.execute(0, create_sq(65535, 15, sq, 65535)).ok());
        RawQueue q{d, 65535, 65535, 16, 16, {sq}, {cq}};
        q.submit(flush_sqe());
        q.ring();
        d.ctrl.run_until_idle();
        const auto done = q.reap();
        REQUIRE(done);
        check_status(*done, 0, 0, false);
    }

    TEST_CASE("round robin: the arbitration burst shows in the fetch order") {
        TestDevice d;
        d.drv.enable();
        for (int i = 0; i < 3; ++i)
            d.drv.create_io_queue_pair(16);
        auto run = [&](uint8_t ab, int per_queue) {
            REQUIRE(d.drv.set_features(fid(spec::FeatureId::Arbitration), ab).ok());
            const uint64_t mark = trace_mark(d);
            for (uint16_t q = 1; q <= 3; ++q)
                for (int i = 0; i < per_queue; ++i)
                    d.drv.submit(q, flush_sqe());
            for (uint16_t q = 1; q <= 3; ++q)
                d.drv.ring(q);
            d.ctrl.run_until_idle();
            for (uint16_t q = 1; q <= 3; ++q)
                while (d.drv.reap(q)) {
                }
            d.ctrl.run_until_idle();
            return fetch_order(d, mark);
        };
        SUBCASE("AB = 0: one command per SQ per turn") {
            CHECK(run(0, 4) == std::vector<uint16_t>{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3});
        }
        SUBCASE("AB = 2: bursts of four") {
            CHECK(run(2, 6) ==
                  std::vector<uint16_t>{1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 1, 1, 2, 2, 3, 3});
        }
        SUBCASE("AB = 111b: no limit") {
            CHECK(run(7, 5) == std::vector<uint16_t>{1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3});
        }
    }

    TEST_CASE("weighted round robin: admin first, then urgent, then weights") {
        TestDevice d;
        d.drv.enable(BringUpOptions{.ams = 1});
        CHECK(spec::CcReg{d.ctrl.read32(static_cast<uint32_t>(spec::Reg::Cc))}.ams() == 1);
        // QPRIO: 0 urgent, 1 high, 2 medium, 3 low.
        for (uint8_t prio = 0; prio < 4; ++prio)
            d.drv.create_io_queue_pair(64, prio);
        // AB = 0 (one command per pick), LPW = 0, MPW = 1, HPW = 3: weights 4:2:1.
        const uint32_t arb = spec::ArbitrationFeature{0, 0, 1, 3}.encode();
        REQUIRE(d.drv.set_features(fid(spec::FeatureId::Arbitration), arb).ok());
        CHECK(d.drv.get_features(fid(spec::FeatureId::Arbitration)).cqe.dw0 == arb);

        const uint64_t mark = trace_mark(d);
        const int counts[5] = {2, 4, 40, 20, 10}; // admin, urgent, high, medium, low
        for (uint16_t q = 1; q <= 4; ++q)
            for (int i = 0; i < counts[q]; ++i)
                d.drv.submit(q, flush_sqe());
        spec::Sqe gf{};
        gf.opc = static_cast<uint8_t>(AdminOpcode::GetFeatures);
        spec::GetFeaturesFields{fid(spec::FeatureId::Arbitration), 0}.apply(gf);
        for (int i = 0; i < counts[0]; ++i)
            d.drv.submit(0, gf);
        for (uint16_t q = 4; q >= 1; --q)
            d.drv.ring(q); // I/O doorbells first
        d.drv.ring(0);
        d.ctrl.run_until_idle();
        const auto order = fetch_order(d, mark);
        REQUIRE(order.size() == 76);
        CHECK(order[0] == 0);
        CHECK(order[1] == 0);
        for (int i = 2; i < 6; ++i)
            CHECK(order[static_cast<size_t>(i)] == 1);
        // Five rounds' worth of H/M/L picks while every class has work.
        int h = 0, m = 0, l = 0;
        for (size_t i = 6; i < 6 + 35; ++i) {
            h += order[i] == 2;
            m += order[i] == 3;
            l += order[i] == 4;
        }
        INFO("high ", h, " medium ", m, " low ", l);
        CHECK(h >= 19);
        CHECK(h <= 21);
        CHECK(m >= 9);
        CHECK(m <= 11);
        CHECK(l >= 4);
        CHECK(l <= 6);
        // Nothing is starved: all commands complete.
        size_t done = 0;
        for (uint16_t q = 1; q <= 4; ++q)
            while (auto c = d.drv.reap(q))
                done += c->ok();
        CHECK(done == 74);
    }

    TEST_CASE("weighted round robin: urgent work that arrives later goes next") {
        TestDevice d;
        d.drv.enable(BringUpOptions{.ams = 1});
        const uint16_t urgent = d.drv.create_io_queue_pair(16, 0);
        const uint16_t high = d.drv.create_io_queue_pair(16, 1);
        const uint16_t low = d.drv.create_io_queue_pair(16, 3);
        REQUIRE(d.drv.set_features(fid(spec::FeatureId::Arbitration), 0).ok()); // AB = 0
        const uint64_t mark = trace_mark(d);
        for (int i = 0; i < 10; ++i) {
            d.drv.submit(high, flush_sqe());
            d.drv.submit(low, flush_sqe());
        }
        d.drv.ring(high);
        d.drv.ring(low);
        while (fetch_order(d, mark).size() < 3)
            REQUIRE(d.ctrl.step());
        d.drv.submit(urgent, flush_sqe());
        d.drv.submit(urgent, flush_sqe());
        d.drv.ring(urgent);
        while (fetch_order(d, mark).size() < 5)
            REQUIRE(d.ctrl.step());
        const auto order = fetch_order(d, mark);
        CHECK(order[3] == urgent);
        CHECK(order[4] == urgent);
        d.ctrl.run_until_idle();
        CHECK(fetch_order(d, mark).size() == 22);
    }

    TEST_CASE("weighted round robin: urgent work cuts a weighted burst short, which resumes") {
        // §4.11.2: the urgent class has strict priority over the weighted classes, decided at
        // each fetch; the Arbitration Burst is only the most taken from one SQ at a time.
        TestDevice d;
        d.drv.enable(BringUpOptions{.ams = 1});
        // AB = 3 (bursts of 8), LPW = 15: the low class's weight (16) allows two whole bursts.
        // Saved, and in force from the next enable, where the weights' first round starts.
        const uint32_t arb = spec::ArbitrationFeature{3, 15, 0, 0}.encode();
        REQUIRE(d.drv.set_features(fid(spec::FeatureId::Arbitration), arb, true).ok());
        d.drv.enable(BringUpOptions{.ams = 1});
        const uint16_t urgent = d.drv.create_io_queue_pair(16, 0);
        const uint16_t low = d.drv.create_io_queue_pair(32, 3);
        const uint16_t low2 = d.drv.create_io_queue_pair(32, 3);
        const uint64_t mark = trace_mark(d);
        for (int i = 0; i < 12; ++i) {
            d.drv.submit(low, flush_sqe());
            d.drv.submit(low2, flush_sqe());
        }
        d.drv.ring(low);
        d.drv.ring(low2);
        while (fetch_order(d, mark).size() < 3)
            REQUIRE(d.ctrl.step());
        d.drv.submit(urgent, flush_sqe());
        d.drv.submit(urgent, flush_sqe());
        d.drv.ring(urgent);
        d.ctrl.run_until_idle();
        const auto order = fetch_order(d, mark);
        REQUIRE(order.size() == 26);
        // Three of low's burst of 8, the two urgent commands at once, then the other five of
        // low's burst, then low2's burst.
        std::vector<uint16_t> expected(3, low);
        expected.insert(expected.end(), 2, urgent);
        expected.insert(expected.end(), 5, low);
        expected.insert(expected.end(), 8, low2);
        const std::vector<uint16_t> first(order.begin(), order.begin() + 18);
        std::string shown;
        for (const uint16_t q : first)
            shown += std::to_string(q) + " ";
        INFO("fetch order: ", shown);
        CHECK(first == expected);
    }

    TEST_CASE("controller reset in the middle of traffic") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q1 = d.drv.create_io_queue_pair(16);
        const uint16_t q2 = d.drv.create_io_queue_pair(16);
        const uint64_t buf = d.mem.alloc(16 * 4096);
        for (int i = 0; i < 8; ++i) {
            for (uint16_t q : {q1, q2}) {
                spec::Sqe sqe = read_sqe(static_cast<uint64_t>(i), 0);
                d.drv.build_prps(sqe, buf + static_cast<uint64_t>(i) * 4096, 4096);
                d.drv.submit(q, sqe);
            }
        }
        const size_t base = d.ctrl.completions().size();
        d.drv.ring(q1);
        d.drv.ring(q2);
        // Let a few commands finish and others be in flight.
        while (d.ctrl.completions().size() < base + 4)
            REQUIRE(d.ctrl.step());
        const size_t posted = d.ctrl.completions().size();
        const size_t fetched = count_events(d, EventKind::SqeFetch);
        const size_t in_flight = d.ctrl.commands().size();
        CHECK(in_flight > 0);
        // Commands whose CQE is posted but whose interrupt is not raised yet have completed:
        // the reset drops the others only, so every fetched command ends exactly once.
        size_t not_completed = 0;
        for (const CommandView &c : d.ctrl.commands())
            not_completed += c.phase != CommandPhase::Interrupt;

        d.drv.disable();
        CHECK(d.ctrl.commands().empty());
        CHECK(d.ctrl.queues().empty());
        CHECK(count_events(d, EventKind::CommandAborted) == not_completed);
        CHECK(count_events(d, EventKind::CommandAborted) + count_events(d, EventKind::CqePost) ==
              fetched);
        CHECK_FALSE(d.drv.has_queue(q1));
        d.ctrl.run_until_idle();
        CHECK(d.ctrl.completions().size() == posted);
        CHECK(count_events(d, EventKind::SqeFetch) == fetched);

        d.drv.enable();
        CHECK(d.ctrl.queues().size() == 2);
        const uint16_t n1 = d.drv.create_io_queue_pair(16);
        CHECK(n1 == q1);
        std::vector<uint8_t> data(4096);
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = static_cast<uint8_t>(i * 13 + 1);
        CHECK(d.drv.write(n1, 1, 3, 0, data).ok());
        std::vector<uint8_t> back(4096);
        CHECK(d.drv.read(n1, 1, 3, 0, back).ok());
        CHECK(back == data);
        // The new queue started from slot 0.
        CHECK(find_queue(d, false, n1)->tail == 2);
    }

    TEST_CASE("Command Identifier conflict on one SQ") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const uint64_t buf = d.mem.alloc(2 * 4096);
        for (int i = 0; i < 2; ++i) {
            spec::Sqe sqe = read_sqe(static_cast<uint64_t>(i), 0);
            sqe.cid = 7;
            d.drv.build_prps(sqe, buf + static_cast<uint64_t>(i) * 4096, 4096);
            d.drv.submit(q, sqe, true);
        }
        d.drv.ring(q);
        d.ctrl.run_until_idle();
        const auto first = d.drv.reap(q);
        const auto second = d.drv.reap(q);
        REQUIRE(first);
        REQUIRE(second);
        CHECK(first->cqe.cid == 7);
        CHECK(second->cqe.cid == 7);
        // The second fails at once while the first is still reading.
        check_status(*first, kGeneric, sc(GenericStatus::CommandIdConflict), false);
        REQUIRE(first->why);
        CHECK(first->why->field == "CDW0.CID");
        check_status(*second, 0, 0, false);
        // Same CID on different SQs is fine.
        const uint16_t q2 = d.drv.create_io_queue_pair(8);
        spec::Sqe a = flush_sqe();
        a.cid = 9;
        d.drv.submit(q, a, true);
        d.drv.submit(q2, a, true);
        d.drv.ring(q);
        d.drv.ring(q2);
        d.ctrl.run_until_idle();
        check_status(*d.drv.reap(q), 0, 0, false);
        check_status(*d.drv.reap(q2), 0, 0, false);
    }

    TEST_CASE("Number of Queues limits the queue identifiers") {
        TestDevice d;
        d.drv.enable();
        const uint8_t nq = fid(spec::FeatureId::NumberOfQueues);
        CHECK(d.drv.get_features(nq).cqe.dw0 == 0x003F003Fu);       // 64 pairs by default
        const Completion set = d.drv.set_features(nq, 0x00000001u); // 2 SQs, 1 CQ
        check_status(set, 0, 0, false);
        CHECK(set.cqe.dw0 == 0x00000001u);
        CHECK(d.drv.get_features(nq).cqe.dw0 == 0x00000001u);

        const uint64_t mem = d.mem.alloc(8 * 4096);
        check_status(d.drv.execute(0, create_cq(2, 15, mem)), kSpecific,
                     sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        check_status(d.drv.execute(0, create_cq(1, 15, mem)), 0, 0, false);
        check_status(d.drv.execute(0, create_sq(1, 15, mem + 4096, 1)), 0, 0, false);
        check_status(d.drv.execute(0, create_sq(2, 15, mem + 8192, 1)), 0, 0, false);
        const Completion c3 = d.drv.execute(0, create_sq(3, 15, mem + 12288, 1));
        check_status(c3, kSpecific, sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
        REQUIRE(c3.why);
        CHECK(c3.why->rule.find("NSQA") != std::string::npos);

        // Only before any I/O queue exists.
        const Completion again = d.drv.set_features(nq, 0x00030003u);
        check_status(again, kGeneric, sc(GenericStatus::CommandSequenceError), true);
        CHECK(d.drv.get_features(nq).cqe.dw0 == 0x00000001u);
        // 65535 is not a valid count.
        check_status(d.drv.set_features(nq, 0x0000FFFFu), kGeneric, sc(GenericStatus::InvalidField),
                     true);
    }

    TEST_CASE("Number of Queues grants at most what the controller has") {
        DeviceConfig c = small_config();
        c.max_ioqpairs = 4;
        TestDevice d(c);
        d.drv.enable();
        const uint8_t nq = fid(spec::FeatureId::NumberOfQueues);
        const Completion set = d.drv.set_features(nq, 0x00FF0010u);
        check_status(set, 0, 0, false);
        CHECK(set.cqe.dw0 == 0x00030003u);
        const uint64_t mem = d.mem.alloc(4096);
        check_status(d.drv.execute(0, create_cq(4, 15, mem)), 0, 0, false);
        check_status(d.drv.execute(0, create_cq(5, 15, mem)), kSpecific,
                     sc(CommandSpecificStatus::InvalidQueueIdentifier), true);
    }

} // TEST_SUITE
