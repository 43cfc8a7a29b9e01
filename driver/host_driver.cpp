#include "driver/host_driver.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/spec/status_text.h"

namespace nvmelab {

using spec::AdminOpcode;
using spec::NvmOpcode;
using spec::Reg;

namespace {
constexpr uint32_t reg(Reg r) {
    return static_cast<uint32_t>(r);
}
} // namespace

std::string Completion::describe() const {
    const spec::Status s = status();
    std::string out = fmt::format("{} (0x{:04x})", spec::status_name(s.sct, s.sc), s.field());
    if (why)
        out += fmt::format(": {}=0x{:x}: {} ({})", why->field, why->value, why->rule, why->section);
    return out;
}

HostDriver::HostDriver(Controller &controller, SparseHostMemory &memory)
    : ctrl_(controller), mem_(memory) {}

void HostDriver::wait_ready(bool ready) {
    // Poll CSTS like a driver, letting virtual time pass up to CAP.TO (§3.1.1).
    const uint64_t to_ns = uint64_t{(ctrl_.read64(reg(Reg::Cap)) >> 24) & 0xFF} * 500'000'000;
    const uint64_t deadline = ctrl_.now_ns() + to_ns;
    while (true) {
        const spec::CstsReg csts{ctrl_.read32(reg(Reg::Csts))};
        if (csts.cfs() && ready) {
            std::string reason = "controller fatal status (CSTS.CFS = 1)";
            for (auto it = ctrl_.trace().events().rbegin(); it != ctrl_.trace().events().rend();
                 ++it) {
                if (it->kind != EventKind::ControllerFatal) continue;
                if (const Explanation *e = ctrl_.trace().explanation(it->explanation))
                    reason += fmt::format(": {}=0x{:x}: {} ({})", e->field, e->value, e->rule,
                                          e->section);
                break;
            }
            throw DriverError(reason);
        }
        if (csts.rdy() == ready) return;
        if (ctrl_.now_ns() >= deadline)
            throw DriverError(fmt::format("CSTS.RDY did not become {} within CAP.TO", ready));
        if (!ctrl_.step()) ctrl_.run_until(std::min(deadline, ctrl_.now_ns() + 1'000'000));
    }
}

void HostDriver::disable() {
    spec::CcReg cc{ctrl_.read32(reg(Reg::Cc))};
    if (cc.en()) ctrl_.write32(reg(Reg::Cc), cc.set_en(false).raw);
    wait_ready(false);
    queues_.clear();
    inbox_.clear();
}

void HostDriver::enable(const BringUpOptions &o) {
    disable();
    const uint32_t page_size = 4096u << o.mps;
    if (page_size != page_size_) {
        // PRP list pages and the data buffer were sized and aligned for the old page size.
        release_prp_lists();
        for (uint64_t page : free_list_pages_)
            mem_.free(page);
        free_list_pages_.clear();
        if (scratch_addr_ != 0) mem_.free(scratch_addr_);
        scratch_addr_ = 0;
        scratch_size_ = 0;
    }
    page_size_ = page_size;
    const uint16_t entries = o.admin_entries;
    QueuePair admin;
    admin.sq.entries = entries;
    admin.cq.entries = entries;
    admin.sq.memory =
        HostQueueMemory::contiguous(mem_.alloc(uint64_t{entries} * 64, "admin SQ", page_size_));
    admin.cq.memory =
        HostQueueMemory::contiguous(mem_.alloc(uint64_t{entries} * 16, "admin CQ", page_size_));
    ctrl_.write32(reg(Reg::Aqa), spec::AqaReg{0}.set_asqs(entries - 1).set_acqs(entries - 1).raw);
    ctrl_.write64(reg(Reg::Asq), admin.sq.memory.base());
    ctrl_.write64(reg(Reg::Acq), admin.cq.memory.base());
    spec::CcReg cc{0};
    cc.set_css(0).set_mps(o.mps).set_ams(o.ams).set_iosqes(6).set_iocqes(4).set_en(true);
    ctrl_.write32(reg(Reg::Cc), cc.raw);
    queues_[0] = admin;
    wait_ready(true);
}

void HostDriver::shutdown() {
    // Deleting the I/O queues first is what a host should do (§7.6.2), not what the shutdown
    // needs: a queue already gone (deleted by hand, say, in a console script) is forgotten
    // and the shutdown goes on.
    for (uint16_t qid : io_queue_ids()) {
        try {
            delete_io_queue_pair(qid);
        } catch (const DriverError &) {
            forget_queue_pair(qid);
        }
    }
    const spec::CstsReg before{ctrl_.read32(reg(Reg::Csts))};
    spec::CcReg cc{ctrl_.read32(reg(Reg::Cc))};
    // A shutdown notification already in CC.SHN starts nothing when written again: one that
    // went unnoticed (written with CC.EN) is cleared first, so writing it starts a shutdown.
    if (cc.shn() != 0 && before.shst() == static_cast<uint8_t>(spec::Shst::Normal))
        ctrl_.write32(reg(Reg::Cc), cc.set_shn(0).raw);
    ctrl_.write32(reg(Reg::Cc), cc.set_shn(static_cast<uint8_t>(spec::Shn::Normal)).raw);
    for (uint64_t i = 0; i < max_wait_events; ++i) {
        const spec::CstsReg csts{ctrl_.read32(reg(Reg::Csts))};
        if (csts.shst() == static_cast<uint8_t>(spec::Shst::Complete)) return;
        if (!ctrl_.step()) break;
    }
    throw DriverError("shutdown did not complete (CSTS.SHST never reached 10b)");
}

HostDriver::QueuePair &HostDriver::pair(uint16_t qid) {
    auto it = queues_.find(qid);
    if (it == queues_.end()) throw DriverError(fmt::format("no queue pair {} on the host", qid));
    return it->second;
}

const HostDriver::QueuePair &HostDriver::pair(uint16_t qid) const {
    auto it = queues_.find(qid);
    if (it == queues_.end()) throw DriverError(fmt::format("no queue pair {} on the host", qid));
    return it->second;
}

HostQueuePair HostDriver::queue(uint16_t qid) const {
    const QueuePair &p = pair(qid);
    HostQueuePair q;
    q.qid = p.sq.qid;
    q.cqid = p.sq.cqid;
    q.sq_entries = p.sq.entries;
    q.cq_entries = p.cq.entries;
    q.sq_base = p.sq.memory.base();
    q.cq_base = p.cq.memory.base();
    q.sq_tail = p.sq.tail;
    q.sq_head = p.sq.head;
    q.cq_head = p.cq.head;
    q.phase = p.cq.phase;
    q.next_cid = p.sq.next_cid;
    q.contiguous = p.sq.memory.is_contiguous();
    return q;
}

const HostSq &HostDriver::sq(uint16_t qid) const {
    return pair(qid).sq;
}

const HostCq &HostDriver::cq(uint16_t qid) const {
    return pair(qid).cq;
}

std::vector<uint16_t> HostDriver::io_queue_ids() const {
    std::vector<uint16_t> ids;
    for (const auto &[qid, q] : queues_)
        if (qid != 0) ids.push_back(qid);
    return ids;
}

HostQueueMemory HostDriver::alloc_queue_memory(uint64_t bytes, bool contiguous,
                                               const std::string &label) {
    if (contiguous) return HostQueueMemory::contiguous(mem_.alloc(bytes, label, page_size_));
    // One page at a time, so the queue really is scattered; then the PRP list naming them,
    // chained through the last entry of each full list page (§4.3).
    std::vector<uint64_t> pages;
    for (uint64_t done = 0; done < bytes; done += page_size_)
        pages.push_back(mem_.alloc(page_size_, label, page_size_));
    const uint64_t per_list = page_size_ / 8;
    std::vector<uint64_t> lists{mem_.alloc(page_size_, label + " PRP list", page_size_)};
    uint64_t slot = 0;
    for (size_t i = 0; i < pages.size(); ++i) {
        if (slot == per_list - 1 && i + 1 < pages.size()) {
            const uint64_t next = mem_.alloc(page_size_, label + " PRP list", page_size_);
            mem_.write(lists.back() + slot * 8,
                       std::span(reinterpret_cast<const uint8_t *>(&next), 8));
            lists.push_back(next);
            slot = 0;
        }
        mem_.write(lists.back() + slot * 8,
                   std::span(reinterpret_cast<const uint8_t *>(&pages[i]), 8));
        ++slot;
    }
    return HostQueueMemory::page_list(std::move(pages), std::move(lists), page_size_);
}

void HostDriver::free_queue_memory(const HostQueueMemory &memory) {
    if (memory.is_contiguous()) {
        mem_.free(memory.base());
        return;
    }
    for (uint64_t page : memory.pages())
        mem_.free(page);
    for (uint64_t page : memory.list_pages())
        mem_.free(page);
}

uint16_t HostDriver::create_io_queue_pair(uint32_t entries, uint8_t qprio, uint16_t vector,
                                          std::optional<uint16_t> wanted, bool contiguous) {
    uint16_t qid = wanted.value_or(1);
    if (!wanted)
        while (queues_.count(qid))
            ++qid;
    QueuePair q;
    q.sq.qid = qid;
    q.sq.cqid = qid;
    q.cq.cqid = qid;
    q.sq.entries = entries;
    q.cq.entries = entries;
    q.cq.memory =
        alloc_queue_memory(uint64_t{entries} * 16, contiguous, fmt::format("I/O CQ {}", qid));
    q.sq.memory =
        alloc_queue_memory(uint64_t{entries} * 64, contiguous, fmt::format("I/O SQ {}", qid));

    spec::Sqe cq{};
    cq.opc = static_cast<uint8_t>(AdminOpcode::CreateIoCq);
    cq.prp1 = q.cq.memory.base();
    spec::CreateIoCqFields{qid, static_cast<uint16_t>(entries - 1), contiguous, true, vector}.apply(
        cq);
    Completion c = execute(0, cq);
    if (!c.ok()) throw DriverError("Create I/O CQ failed: " + c.describe());
    spec::Sqe sq{};
    sq.opc = static_cast<uint8_t>(AdminOpcode::CreateIoSq);
    sq.prp1 = q.sq.memory.base();
    spec::CreateIoSqFields{qid, static_cast<uint16_t>(entries - 1), contiguous, qprio, qid}.apply(
        sq);
    c = execute(0, sq);
    if (!c.ok()) throw DriverError("Create I/O SQ failed: " + c.describe());
    queues_[qid] = q;
    return qid;
}

void HostDriver::delete_io_queue_pair(uint16_t qid) {
    const uint16_t cqid = pair(qid).sq.cqid;
    spec::Sqe sq{};
    sq.opc = static_cast<uint8_t>(AdminOpcode::DeleteIoSq);
    spec::DeleteIoQueueFields{qid}.apply(sq);
    Completion c = execute(0, sq);
    if (!c.ok()) throw DriverError("Delete I/O SQ failed: " + c.describe());
    spec::Sqe cq{};
    cq.opc = static_cast<uint8_t>(AdminOpcode::DeleteIoCq);
    spec::DeleteIoQueueFields{cqid}.apply(cq);
    c = execute(0, cq);
    if (!c.ok()) throw DriverError("Delete I/O CQ failed: " + c.describe());
    forget_queue_pair(qid);
}

void HostDriver::forget_queue_pair(uint16_t qid) {
    const QueuePair q = pair(qid);
    queues_.erase(qid);
    free_queue_memory(q.sq.memory);
    free_queue_memory(q.cq.memory);
}

uint16_t HostDriver::submit(uint16_t qid, spec::Sqe sqe, bool keep_cid) {
    HostSq &q = pair(qid).sq;
    if (q.full())
        throw DriverError(fmt::format("SQ {} is full (head {}, tail {})", qid, q.head, q.tail));
    q.push(mem_, sqe, keep_cid);
    return sqe.cid;
}

void HostDriver::ring(uint16_t qid) {
    ctrl_.write32(ctrl_.sq_doorbell_offset(qid), pair(qid).sq.tail);
}

Completion HostDriver::with_explanation(uint16_t qid, const spec::Cqe &cqe) const {
    Completion c{cqe, std::nullopt};
    if (!c.ok()) {
        const auto &recs = ctrl_.completions();
        for (auto it = recs.rbegin(); it != recs.rend(); ++it) {
            // Match the status too: a CID can repeat (e.g. a Command ID Conflict).
            if (it->sqid == qid && it->cqe.cid == cqe.cid &&
                it->cqe.status_field() == cqe.status_field()) {
                c.why = it->why;
                break;
            }
        }
    }
    return c;
}

std::optional<Completion> HostDriver::reap(uint16_t qid, bool ring_doorbell) {
    QueuePair &q = pair(qid);
    const std::optional<spec::Cqe> cqe = q.cq.peek(mem_);
    if (!cqe) return std::nullopt;
    q.cq.pop();
    q.sq.head = cqe->sqhd;
    if (ring_doorbell) ctrl_.write32(ctrl_.cq_doorbell_offset(q.sq.cqid), q.cq.head);
    return with_explanation(cqe->sqid, *cqe);
}

Completion HostDriver::wait(uint16_t qid, uint16_t cid) {
    for (uint64_t i = 0; i < max_wait_events; ++i) {
        if (auto it = inbox_.find({qid, cid}); it != inbox_.end()) {
            Completion c = it->second;
            inbox_.erase(it);
            return c;
        }
        // Let the controller finish what it does at this instant (e.g. raise the interrupt)
        // before the host looks at the CQ, as an interrupt-driven host would.
        if (!ctrl_.idle() && ctrl_.next_event_time() <= ctrl_.now_ns()) {
            ctrl_.step();
            continue;
        }
        while (auto c = reap(qid)) {
            if (c->cqe.cid == cid && c->cqe.sqid == qid) return *c;
            inbox_[{c->cqe.sqid, c->cqe.cid}] = *c;
        }
        if (!ctrl_.step()) {
            const spec::CstsReg csts{ctrl_.read32(reg(Reg::Csts))};
            const std::vector<CommandView> in_flight = ctrl_.commands();
            const bool waits_for_event =
                std::any_of(in_flight.begin(), in_flight.end(), [&](const CommandView &v) {
                    return v.sqid == qid && v.cid == cid && v.phase == CommandPhase::Outstanding;
                });
            throw DriverError(fmt::format(
                "command {} on queue {} did not complete: the controller is idle{}", cid, qid,
                csts.cfs()        ? " (CSTS.CFS = 1)"
                : !csts.rdy()     ? " (CSTS.RDY = 0)"
                : waits_for_event ? " (it is an Asynchronous Event Request: it completes when "
                                    "an event occurs)"
                                  : ""));
        }
    }
    throw DriverError(fmt::format("command {} on queue {} did not complete", cid, qid));
}

Completion HostDriver::execute(uint16_t qid, spec::Sqe sqe) {
    const uint16_t cid = submit(qid, sqe);
    ring(qid);
    return wait(qid, cid);
}

uint64_t HostDriver::scratch(uint64_t bytes) {
    if (bytes > scratch_size_) {
        if (scratch_addr_ != 0) mem_.free(scratch_addr_);
        scratch_size_ = std::max<uint64_t>(bytes, page_size_);
        scratch_addr_ = mem_.alloc(scratch_size_, "data buffer", page_size_);
    }
    return scratch_addr_;
}

uint64_t HostDriver::prp_list_page() {
    uint64_t page;
    if (!free_list_pages_.empty()) {
        page = free_list_pages_.back();
        free_list_pages_.pop_back();
    } else {
        page = mem_.alloc(page_size_, "PRP list", page_size_);
    }
    used_list_pages_.push_back(page);
    return page;
}

void HostDriver::release_prp_lists() {
    free_list_pages_.insert(free_list_pages_.end(), used_list_pages_.begin(),
                            used_list_pages_.end());
    used_list_pages_.clear();
    free_segment_pages_.insert(free_segment_pages_.end(), used_segment_pages_.begin(),
                               used_segment_pages_.end());
    used_segment_pages_.clear();
}

void HostDriver::build_sgl(spec::Sqe &sqe, uint64_t addr, uint64_t len, uint32_t segments) {
    using spec::SglDescriptor;
    using spec::SglType;
    sqe.set_psdt(1);
    auto put_dptr = [&](const SglDescriptor &d) {
        sqe.prp1 = d.address;
        sqe.prp2 = d.qword1();
    };
    const auto id = [](SglType t) { return SglDescriptor::make_identifier(t); };
    if (segments == 0) {
        put_dptr(SglDescriptor{addr, static_cast<uint32_t>(len), {}, id(SglType::DataBlock)});
        return;
    }
    // Each segment holds its Data Block and, but for the last, the pointer to the next: 32
    // bytes, laid out one after another in segment pages.
    const uint64_t per_page = page_size_ / 32;
    std::vector<uint64_t> where(segments);
    for (uint32_t k = 0; k < segments; ++k) {
        if (k % per_page == 0) {
            uint64_t page;
            if (!free_segment_pages_.empty()) {
                page = free_segment_pages_.back();
                free_segment_pages_.pop_back();
            } else {
                page = mem_.alloc(page_size_, "SGL segment", page_size_);
            }
            used_segment_pages_.push_back(page);
            where[k] = page;
        } else {
            where[k] = where[k - 1] + 32;
        }
    }
    // Pieces of equal size rounded up to a dword (SGLS: dword granularity); the last may be
    // shorter, or empty when the buffer is smaller than the chain.
    const uint64_t piece = ((len + segments - 1) / segments + 3) & ~uint64_t{3};
    const auto pointer_to = [&](uint32_t k) {
        const bool last = k + 1 == segments;
        return SglDescriptor{
            where[k], last ? 16u : 32u, {}, id(last ? SglType::LastSegment : SglType::Segment)};
    };
    for (uint32_t k = 0; k < segments; ++k) {
        const uint64_t off = std::min(len, k * piece);
        const uint64_t n = std::min(piece, len - off);
        std::array<SglDescriptor, 2> seg{
            SglDescriptor{addr + off, static_cast<uint32_t>(n), {}, id(SglType::DataBlock)},
            k + 1 < segments ? pointer_to(k + 1) : SglDescriptor{}};
        mem_.write(where[k], std::span(reinterpret_cast<const uint8_t *>(seg.data()),
                                       k + 1 < segments ? 32 : 16));
    }
    put_dptr(pointer_to(0));
}

void HostDriver::build_prps(spec::Sqe &sqe, uint64_t addr, uint64_t len) {
    const uint64_t page = page_size_;
    sqe.prp1 = addr;
    sqe.prp2 = 0;
    const uint64_t first = std::min(len, page - (addr & (page - 1)));
    if (len <= first) return;
    const uint64_t rest_addr = (addr & ~(page - 1)) + page;
    const uint64_t rest = len - first;
    if (rest <= page) {
        sqe.prp2 = rest_addr;
        return;
    }
    // PRP list: one entry per remaining page; the last slot of a full list page chains (§4.3).
    const uint64_t pages = (rest + page - 1) / page;
    const uint64_t per_list = page / 8;
    uint64_t list = prp_list_page();
    sqe.prp2 = list;
    uint64_t slot = 0;
    for (uint64_t i = 0; i < pages; ++i) {
        if (slot == per_list - 1 && i + 1 < pages) {
            const uint64_t next = prp_list_page();
            mem_.write(list + slot * 8, std::span(reinterpret_cast<const uint8_t *>(&next), 8));
            list = next;
            slot = 0;
        }
        const uint64_t entry = rest_addr + i * page;
        mem_.write(list + slot * 8, std::span(reinterpret_cast<const uint8_t *>(&entry), 8));
        ++slot;
    }
}

Completion HostDriver::execute_with_data(uint16_t qid, spec::Sqe sqe, std::span<const uint8_t> out,
                                         std::span<uint8_t> in) {
    const uint64_t len = std::max(out.size(), in.size());
    const uint64_t buf = scratch(len);
    if (!out.empty()) mem_.write(buf, out);
    if (qid != 0 && data_pointers_.sgl)
        build_sgl(sqe, buf, len, data_pointers_.sgl_segments);
    else
        build_prps(sqe, buf, len);
    Completion c = execute(qid, sqe);
    release_prp_lists();
    if (!in.empty()) mem_.read(buf, in);
    return c;
}

Completion HostDriver::execute_with_metadata(uint16_t qid, spec::Sqe sqe,
                                             std::span<const uint8_t> out, std::span<uint8_t> in,
                                             std::span<const uint8_t> meta_out,
                                             std::span<uint8_t> meta_in) {
    const uint64_t len = std::max(meta_out.size(), meta_in.size());
    const uint64_t meta = len == 0 ? 0 : mem_.alloc(len, "metadata buffer");
    if (!meta_out.empty()) mem_.write(meta, meta_out);
    sqe.mptr = meta;
    Completion c = execute_with_data(qid, sqe, out, in);
    if (!meta_in.empty()) mem_.read(meta, meta_in);
    if (meta != 0) mem_.free(meta);
    return c;
}

Completion HostDriver::identify(uint8_t cns, uint32_t nsid, std::span<uint8_t> out) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::Identify);
    sqe.nsid = nsid;
    spec::IdentifyFields{cns, 0}.apply(sqe);
    return execute_with_data(0, sqe, {}, out.first(std::min<size_t>(out.size(), 4096)));
}

spec::IdentifyController HostDriver::identify_controller() {
    spec::IdentifyController id{};
    std::array<uint8_t, 4096> raw{};
    Completion c = identify(static_cast<uint8_t>(spec::Cns::Controller), 0, raw);
    if (!c.ok()) throw DriverError("Identify Controller failed: " + c.describe());
    std::memcpy(&id, raw.data(), sizeof id);
    return id;
}

spec::IdentifyNamespace HostDriver::identify_namespace(uint32_t nsid) {
    spec::IdentifyNamespace id{};
    std::array<uint8_t, 4096> raw{};
    Completion c = identify(static_cast<uint8_t>(spec::Cns::Namespace), nsid, raw);
    if (!c.ok()) throw DriverError("Identify Namespace failed: " + c.describe());
    std::memcpy(&id, raw.data(), sizeof id);
    return id;
}

Completion HostDriver::get_log_page(uint8_t lid, uint32_t nsid, uint64_t offset,
                                    std::span<uint8_t> out) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::GetLogPage);
    sqe.nsid = nsid;
    spec::GetLogPageFields f{};
    f.lid = lid;
    f.set_length_bytes(out.size());
    f.set_offset(offset);
    f.apply(sqe);
    return execute_with_data(0, sqe, {}, out);
}

Completion HostDriver::get_features(uint8_t fid, uint8_t sel, uint32_t cdw11, uint32_t nsid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::GetFeatures);
    sqe.nsid = nsid;
    spec::GetFeaturesFields{fid, sel}.apply(sqe);
    sqe.cdw11 = cdw11;
    return execute(0, sqe);
}

Completion HostDriver::set_features(uint8_t fid, uint32_t cdw11, bool save, uint32_t nsid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(AdminOpcode::SetFeatures);
    sqe.nsid = nsid;
    spec::SetFeaturesFields{fid, save}.apply(sqe);
    sqe.cdw11 = cdw11;
    return execute(0, sqe);
}

namespace {
spec::Sqe rw_sqe(NvmOpcode op, uint32_t nsid, uint64_t slba, uint32_t nlb0, bool fua) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(op);
    sqe.nsid = nsid;
    sqe.cdw10 = static_cast<uint32_t>(slba);
    sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
    sqe.cdw12 = (nlb0 & 0xFFFF) | (fua ? 0x40000000u : 0u);
    return sqe;
}
} // namespace

Completion HostDriver::read(uint16_t qid, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                            std::span<uint8_t> out, bool fua) {
    return execute_with_data(qid, rw_sqe(NvmOpcode::Read, nsid, slba, nlb0, fua), {}, out);
}

Completion HostDriver::write(uint16_t qid, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                             std::span<const uint8_t> data, bool fua) {
    return execute_with_data(qid, rw_sqe(NvmOpcode::Write, nsid, slba, nlb0, fua), data, {});
}

Completion HostDriver::flush(uint16_t qid, uint32_t nsid) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(NvmOpcode::Flush);
    sqe.nsid = nsid;
    return execute(qid, sqe);
}

} // namespace nvmelab
