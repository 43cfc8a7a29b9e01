// The console's way to a queue (see host_queues.h).
#include "console/host_queues.h"

#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

namespace {

using spec::Reg;

constexpr uint32_t off(Reg r) {
    return static_cast<uint32_t>(r);
}

HostCq &raw_cq(Context &c, uint16_t cqid);

// Where the controller's queue `v` lives: from its base, or in the pages the controller took
// from its PRP list (PC = 0).
HostQueueMemory queue_memory(const Context &c, const QueueView &v) {
    if (v.contiguous) return HostQueueMemory::contiguous(v.base);
    const uint64_t page = uint64_t{4096} << spec::CcReg{c.ctrl.read32(off(Reg::Cc))}.mps();
    return HostQueueMemory::pages_of(v.pages, page);
}

HostSq &raw_sq(Context &c, uint16_t qid) {
    const auto views = c.ctrl.queues();
    const QueueView *v = find_view(views, true, qid);
    if (v == nullptr) {
        c.raw_sqs.erase(qid);
        no_queue(c, "SQ", qid);
    }
    auto it = c.raw_sqs.find(qid);
    if (it == c.raw_sqs.end() || it->second.memory.base() != v->base ||
        it->second.entries != v->size || it->second.cqid != v->cqid) {
        HostSq s;
        s.qid = qid;
        s.cqid = v->cqid;
        s.entries = v->size;
        s.memory = queue_memory(c, *v);
        s.tail = v->tail;
        s.head = v->head;
        it = c.raw_sqs.insert_or_assign(qid, s).first;
        // Take the CQ on now too, before anything is posted to it (see raw_cq).
        if (find_view(views, false, v->cqid)) raw_cq(c, v->cqid);
    }
    return it->second;
}

HostCq &raw_cq(Context &c, uint16_t cqid) {
    const auto views = c.ctrl.queues();
    const QueueView *v = find_view(views, false, cqid);
    if (v == nullptr) {
        c.raw_cqs.erase(cqid);
        no_queue(c, "CQ", cqid);
    }
    auto it = c.raw_cqs.find(cqid);
    if (it == c.raw_cqs.end() || it->second.memory.base() != v->base ||
        it->second.entries != v->size) {
        // Entries between head and tail were written in the controller's current lap if
        // head <= tail, else in the previous one (opposite phase).
        HostCq q;
        q.cqid = cqid;
        q.entries = v->size;
        q.memory = queue_memory(c, *v);
        q.head = v->head;
        q.phase = v->head <= v->tail ? v->phase : !v->phase;
        // Slots from the tail on have not been written in this lap. In a lap with phase 1,
        // a 1 there is a stale tag (e.g. memory used before a controller reset) that would
        // pass for a new completion, so clear them as a driver clears a new CQ.
        if (v->phase && v->head <= v->tail) {
            if (q.memory.is_contiguous())
                c.mem.fill(q.slot_address(v->tail), 0,
                           uint64_t{q.entries - v->tail} * HostCq::kEntryBytes);
            else
                for (uint32_t slot = v->tail; slot < q.entries; ++slot)
                    c.mem.fill(q.slot_address(slot), 0, HostCq::kEntryBytes);
        }
        it = c.raw_cqs.insert_or_assign(cqid, q).first;
    }
    return it->second;
}
} // namespace

[[noreturn]] void no_queue(const Context &c, std::string_view kind, uint16_t qid) {
    // After a fatal error the queues are gone because of it, not because none was made.
    if (spec::CstsReg{c.ctrl.read32(off(Reg::Csts))}.cfs())
        fail(fmt::format("{} {} cannot be used: the controller reported Controller Fatal "
                         "Status (CSTS.CFS = 1) and processes no command until it is reset "
                         "(§3.1.6, §9.5): 'disable' (CC.EN = 0), then 'enable'",
                         kind, qid));
    if (!cc_enabled(c))
        fail(fmt::format("{} {} does not exist: the controller is disabled (CC.EN = 0); use "
                         "'enable', or program AQA/ASQ/ACQ and set CC.EN",
                         kind, qid));
    fail(fmt::format("{} {} does not exist on the controller (see 'queues'; 'queue create' "
                     "makes I/O queues)",
                     kind, qid));
}

void clear_raw(Context &c) {
    c.raw_sqs.clear();
    c.raw_cqs.clear();
}

std::optional<HostCq> host_cq(Context &c, uint16_t cqid) {
    std::vector<uint16_t> pairs = c.drv.io_queue_ids();
    if (c.drv.has_queue(0)) pairs.insert(pairs.begin(), 0);
    for (uint16_t q : pairs)
        if (c.drv.sq(q).cqid == cqid) return c.drv.cq(q);
    const auto views = c.ctrl.queues();
    if (find_view(views, false, cqid) == nullptr) return std::nullopt;
    return raw_cq(c, cqid);
}

uint32_t host_sq_tail(Context &c, uint16_t qid) {
    if (c.drv.has_queue(qid)) return c.drv.sq(qid).tail;
    return raw_sq(c, qid).tail;
}

// The CQ a queue pair (SQ qid) completes to.
uint16_t cq_of(Context &c, uint16_t qid) {
    if (c.drv.has_queue(qid)) return c.drv.sq(qid).cqid;
    const auto views = c.ctrl.queues();
    if (const QueueView *v = find_view(views, true, qid)) return v->cqid;
    if (find_view(views, false, qid)) return qid; // a CQ without an SQ of the same ID
    no_queue(c, "queue", qid);
}

Submitted submit(Context &c, uint16_t qid, spec::Sqe sqe, bool keep_cid) {
    if (c.drv.has_queue(qid)) {
        const uint32_t slot = c.drv.sq(qid).tail;
        return {c.drv.submit(qid, sqe, keep_cid), slot};
    }
    HostSq &q = raw_sq(c, qid);
    if (q.full())
        fail(fmt::format("SQ {} is full (head {}, tail {}): reap completions first", qid, q.head,
                         q.tail));
    const uint64_t addr = q.slot_address(q.tail);
    if (!c.mem.is_mapped(addr, HostSq::kEntryBytes)) {
        if (!keep_cid) ++q.next_cid; // a CID once handed out is not handed out again
        fail(fmt::format("SQ {} entry at 0x{:x} is not mapped host memory", qid, addr));
    }
    const uint32_t slot = q.tail;
    q.push(c.mem, sqe, keep_cid);
    return {sqe.cid, slot};
}

uint32_t ring_sq(Context &c, uint16_t qid) {
    const uint32_t tail = host_sq_tail(c, qid);
    c.ctrl.write32(c.ctrl.sq_doorbell_offset(qid), tail);
    return tail;
}

std::optional<Completion> reap_one(Context &c, uint16_t qid) {
    if (c.drv.has_queue(qid)) return c.drv.reap(qid);
    const uint16_t cqid = cq_of(c, qid);
    HostCq &q = raw_cq(c, cqid);
    const uint64_t addr = q.slot_address(q.head);
    if (!c.mem.is_mapped(addr, HostCq::kEntryBytes))
        fail(fmt::format("CQ {} entry at 0x{:x} is not mapped host memory", cqid, addr));
    const std::optional<spec::Cqe> cqe = q.peek(c.mem);
    if (!cqe) return std::nullopt;
    q.pop();
    if (auto it = c.raw_sqs.find(cqe->sqid); it != c.raw_sqs.end()) it->second.head = cqe->sqhd;
    c.ctrl.write32(c.ctrl.cq_doorbell_offset(cqid), q.head);
    Completion done = c.drv.with_explanation(cqe->sqid, *cqe);
    return done;
}

// Runs the controller until command `cid` of SQ `qid` completes. Other completions found on
// the way are printed.
Completion wait(Context &c, uint16_t qid, uint16_t cid, std::string &out) {
    for (uint64_t i = 0; i < c.drv.max_wait_events; ++i) {
        // Let the controller finish what it does at this instant before looking at the CQ.
        if (!c.ctrl.idle() && c.ctrl.next_event_time() <= c.ctrl.now_ns()) {
            c.ctrl.step();
            continue;
        }
        while (auto done = reap_one(c, qid)) {
            if (done->cqe.cid == cid && done->cqe.sqid == qid) return *done;
            out += "also reaped: " + describe(*done);
        }
        if (!c.ctrl.step()) {
            const spec::CstsReg csts{c.ctrl.read32(off(Reg::Csts))};
            fail(fmt::format("command {} on SQ {} did not complete: the controller is idle{}", cid,
                             qid,
                             csts.cfs()    ? " (CSTS.CFS = 1)"
                             : !csts.rdy() ? " (CSTS.RDY = 0)"
                                           : ""));
        }
    }
    fail(fmt::format("command {} on SQ {} did not complete within {} events", cid, qid,
                     c.drv.max_wait_events));
}

Completion run_command(Context &c, uint16_t qid, const spec::Sqe &sqe, bool keep_cid,
                       std::string &out) {
    const Submitted s = submit(c, qid, sqe, keep_cid);
    ring_sq(c, qid);
    Completion done = wait(c, qid, s.cid, out);
    c.last = done;
    return done;
}

// Runs a command with a data buffer (PRPs built for it; PRP list pages recycled after).
Completion run_with_data(Context &c, uint16_t qid, spec::Sqe sqe, uint64_t buf, uint64_t len,
                         std::string &out) {
    if (len > 0) c.drv.build_prps(sqe, buf, len);
    try {
        Completion done = run_command(c, qid, sqe, false, out);
        c.drv.release_prp_lists();
        return done;
    } catch (...) {
        c.drv.release_prp_lists();
        throw;
    }
}

// buf= if given (must be mapped), else the console's own data buffer.
uint64_t data_buffer(Context &c, const Args &a, uint64_t len) {
    if (len > kMaxTransfer)
        usage_error(a.key, fmt::format("the transfer ({} bytes) is larger than the console "
                                       "allows ({})",
                                       len, human_size(kMaxTransfer)));
    if (const Token *b = a.opt("buf")) {
        const uint64_t addr = number(c, *b, "buf");
        need_mapped(c, addr, len);
        return addr;
    }
    if (len > c.scratch_size || c.scratch_addr == 0) {
        if (c.scratch_addr != 0) c.mem.free(c.scratch_addr);
        const uint64_t page = std::max<uint64_t>(c.drv.page_size(), SparseHostMemory::kPageSize);
        c.scratch_size = std::max<uint64_t>((len + page - 1) / page * page, page);
        c.scratch_addr = c.mem.alloc(c.scratch_size, "console data", page);
    }
    c.mem.fill(c.scratch_addr, 0, c.scratch_size);
    return c.scratch_addr;
}

uint16_t io_queue(Context &c, const Args &a) {
    if (const Token *q = a.opt("queue")) {
        // SQ 0 is the admin queue: the same opcodes there are other commands (Write is
        // Create I/O SQ), so an I/O command is not sent there.
        const uint16_t qid = qid_arg(c, *q);
        if (qid == 0)
            fail("queue=0 is the admin queue: read, write and flush go to an I/O queue "
                 "(1 or above)");
        return qid;
    }
    for (const QueueView &v : c.ctrl.queues())
        if (v.is_sq && v.qid != 0) return v.qid;
    fail("there is no I/O queue yet: create one with 'queue create' (or give queue=QID)");
}
} // namespace nvmelab::console
