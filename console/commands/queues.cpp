// Bring-up and queues with the host driver: enable, disable, shutdown, queue create|delete,
// queues (NVMe 1.3 §7.6.1, §7.6.2, §5.3-§5.6).
#include <array>
#include <optional>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"
#include "console/host_queues.h"
#include "console/register_names.h"

namespace nvmelab::console {

namespace {

using spec::Reg;

constexpr uint32_t off(Reg r) {
    return static_cast<uint32_t>(r);
}

void enable(Context &c, Toks t, std::string &out) {
    const Args a = split_form("enable", t);
    no_more(a, 0);
    BringUpOptions o;
    if (const Token *v = a.opt("mps")) o.mps = static_cast<uint8_t>(number(c, *v, "mps", 15));
    if (const Token *v = a.opt("ams")) {
        const std::string s = lower(v->text);
        o.ams = s == "rr"    ? 0
                : s == "wrr" ? 1
                             : static_cast<uint8_t>(number(c, *v, "ams (rr, wrr or 0-7)", 7));
    }
    if (const Token *v = a.opt("entries")) {
        o.admin_entries = static_cast<uint16_t>(number(c, *v, "entries", 4096));
        if (o.admin_entries == 0) usage_error("enable", "entries must be at least 1");
    }
    clear_raw(c);
    const uint64_t t0 = c.ctrl.now_ns();
    c.drv.enable(o);
    const HostQueuePair &admin = c.drv.queue(0);
    put(out, "controller ready: CSTS.RDY = 1 after {}", us(c.ctrl.now_ns() - t0));
    put(out, "{}",
        format_register(console_register(Reg::Cc),
                        read_register(c.ctrl, console_register(Reg::Cc))));
    put(out, "admin queue: {} entries, SQ at 0x{:x}, CQ at 0x{:x}", admin.sq_entries, admin.sq_base,
        admin.cq_base);
}

void disable(Context &c, Toks t, std::string &out) {
    no_more(split_form("disable", t), 0);
    clear_raw(c);
    const uint64_t t0 = c.ctrl.now_ns();
    c.drv.disable();
    put(out, "controller disabled: CSTS.RDY = 0 after {}; every queue is gone",
        us(c.ctrl.now_ns() - t0));
}

void shutdown(Context &c, Toks t, std::string &out) {
    no_more(split_form("shutdown", t), 0);
    const uint64_t t0 = c.ctrl.now_ns();
    c.drv.shutdown();
    clear_raw(c);
    put(out, "shutdown complete: CSTS.SHST = 10b after {}", us(c.ctrl.now_ns() - t0));
}

// Queue pairs on an admin queue the driver does not own (bring-up through registers): the
// console sends the admin commands itself.
void create_raw_pair(Context &c, std::optional<uint16_t> wanted, uint32_t entries, uint8_t prio,
                     uint16_t iv, std::string &out) {
    const auto views = c.ctrl.queues();
    uint16_t qid = wanted.value_or(1);
    if (!wanted)
        while (find_view(views, true, qid) || find_view(views, false, qid))
            ++qid;
    const uint64_t page = uint64_t{4096} << spec::CcReg{c.ctrl.read32(off(Reg::Cc))}.mps();
    const uint64_t cq_base =
        c.mem.alloc(uint64_t{entries} * 16, fmt::format("I/O CQ {}", qid), page);
    const uint64_t sq_base =
        c.mem.alloc(uint64_t{entries} * 64, fmt::format("I/O SQ {}", qid), page);
    const auto qsize = static_cast<uint16_t>(entries - 1);
    spec::Sqe cq{};
    cq.opc = static_cast<uint8_t>(spec::AdminOpcode::CreateIoCq);
    cq.prp1 = cq_base;
    spec::CreateIoCqFields{qid, qsize, true, true, iv}.apply(cq);
    Completion done = run_command(c, 0, cq, false, out);
    if (!done.ok()) fail("Create I/O CQ failed: " + done.describe());
    spec::Sqe sq{};
    sq.opc = static_cast<uint8_t>(spec::AdminOpcode::CreateIoSq);
    sq.prp1 = sq_base;
    spec::CreateIoSqFields{qid, qsize, true, prio, qid}.apply(sq);
    done = run_command(c, 0, sq, false, out);
    if (!done.ok()) fail("Create I/O SQ failed: " + done.describe());
    constexpr std::array<const char *, 4> names{"urgent", "high", "medium", "low"};
    put(out, "I/O queue pair {}: {} entries, SQ at 0x{:x}, CQ at 0x{:x}, prio {}, vector {}", qid,
        entries, sq_base, cq_base, names[prio & 3], iv);
}

void delete_raw_pair(Context &c, uint16_t qid, std::string &out) {
    const auto views = c.ctrl.queues();
    const QueueView *v = find_view(views, true, qid);
    if (v == nullptr) no_queue(c, "SQ", qid);
    const uint16_t cqid = v->cqid;
    spec::Sqe sq{};
    sq.opc = static_cast<uint8_t>(spec::AdminOpcode::DeleteIoSq);
    spec::DeleteIoQueueFields{qid}.apply(sq);
    Completion done = run_command(c, 0, sq, false, out);
    if (!done.ok()) fail("Delete I/O SQ failed: " + done.describe());
    spec::Sqe cq{};
    cq.opc = static_cast<uint8_t>(spec::AdminOpcode::DeleteIoCq);
    spec::DeleteIoQueueFields{cqid}.apply(cq);
    done = run_command(c, 0, cq, false, out);
    if (!done.ok()) fail("Delete I/O CQ failed: " + done.describe());
    c.raw_sqs.erase(qid);
    c.raw_cqs.erase(cqid);
    put(out, "I/O queue pair {} deleted", qid);
}

void queues(Context &c, Toks t, std::string &out) {
    no_more(split_form("queues", t), 0);
    const auto views = c.ctrl.queues();
    if (views.empty()) {
        put(out, "no queues{}", cc_enabled(c) ? "" : " (the controller is disabled)");
        return;
    }
    put(out, "queue  qid   cq  size  head  tail  phase  base                host");
    for (const QueueView &v : views) {
        std::string host;
        if (v.is_sq) {
            host = fmt::format("tail={} {}", host_sq_tail(c, v.qid),
                               c.drv.has_queue(v.qid) ? "(driver)" : "(console)");
            put(out, "SQ    {:>4} {:>4} {:>5} {:>5} {:>5}      -  0x{:016x}  {}", v.qid, v.cqid,
                v.size, v.head, v.tail, v.base, host);
        } else {
            if (const auto h = host_cq(c, v.qid))
                host = fmt::format("head={} phase={} pending={}", h->head, h->phase ? 1 : 0,
                                   h->pending(c.mem));
            put(out, "CQ    {:>4}    - {:>5} {:>5} {:>5} {:>6}  0x{:016x}  {}", v.qid, v.size,
                v.head, v.tail, v.phase ? 1 : 0, v.base, host);
        }
    }
}
void queue_create(Context &c, Toks t, std::string &out) {
    const Args a = split_form("queue create", t);
    std::optional<uint16_t> qid;
    if (!a.pos.empty()) qid = qid_arg(c, a.pos[0]);
    no_more(a, 1);
    if (qid == 0) usage_error("queue create", "QID 0 is the admin queue");
    uint32_t entries = 64;
    if (const Token *v = a.opt("entries"))
        entries = static_cast<uint32_t>(number(c, *v, "entries", 65536));
    if (entries < 2) usage_error("queue create", "a queue needs at least 2 entries");
    uint8_t prio = 2;
    if (const Token *v = a.opt("prio")) {
        const std::string p = lower(v->text);
        if (p == "urgent")
            prio = 0;
        else if (p == "high")
            prio = 1;
        else if (p == "medium")
            prio = 2;
        else if (p == "low")
            prio = 3;
        else
            prio = static_cast<uint8_t>(number(c, *v, "prio (urgent|high|medium|low)", 3));
    }
    uint16_t iv = 1;
    if (const Token *v = a.opt("iv")) iv = static_cast<uint16_t>(number(c, *v, "iv", 0xFFFF));
    if (!c.drv.has_queue(0)) return create_raw_pair(c, qid, entries, prio, iv, out);
    try {
        const uint16_t id = c.drv.create_io_queue_pair(entries, prio, iv, qid);
        take_controller_completion(c);
        const HostQueuePair &q = c.drv.queue(id);
        constexpr std::array<const char *, 4> names{"urgent", "high", "medium", "low"};
        put(out,
            "I/O queue pair {}: {} entries, SQ at 0x{:x}, CQ at 0x{:x}, prio {}, "
            "vector {}",
            id, entries, q.sq_base, q.cq_base, names[prio & 3], iv);
    } catch (const DriverError &) {
        take_controller_completion(c);
        throw;
    }
}

void queue_delete(Context &c, Toks t, std::string &out) {
    const Args a = split_form("queue delete", t);
    const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
    no_more(a, 1);
    if (qid == 0) usage_error("queue delete", "the admin queue cannot be deleted");
    if (!c.drv.has_queue(qid)) return delete_raw_pair(c, qid, out);
    try {
        c.drv.delete_io_queue_pair(qid);
        take_controller_completion(c);
    } catch (const DriverError &) {
        take_controller_completion(c);
        throw;
    }
    put(out, "I/O queue pair {} deleted", qid);
}

constexpr std::string_view kEnableOptions[] = {"mps", "ams", "entries"};
constexpr std::string_view kCreateOptions[] = {"entries", "prio", "iv"};

constexpr CommandForm kForms[] = {
    {"enable", "enable [mps=N] [ams=rr|wrr] [entries=N]",
     "Disable, program AQA/ASQ/ACQ and CC, set CC.EN and wait for CSTS.RDY (NVMe 1.3 §7.6.1).",
     enable, nullptr, kEnableOptions},
    {"disable", "disable",
     "Clear CC.EN and wait for CSTS.RDY = 0: a controller reset, every queue is gone.", disable},
    {"shutdown", "shutdown",
     "Delete the I/O queues, set CC.SHN = 01b, wait for CSTS.SHST = 10b (§7.6.2).", shutdown},
    {"queue create", "queue create [QID] [entries=N] [prio=urgent|high|medium|low] [iv=N]",
     "Create an I/O CQ and SQ pair with admin commands (entries defaults to 64).", queue_create,
     nullptr, kCreateOptions},
    {"queue delete", "queue delete QID", "Delete an I/O SQ and then its CQ.", queue_delete},
    {"queues", "queues",
     "The controller's SQs and CQs (size, head, tail, phase, base) and the host's view.", queues},
};

constexpr CommandWord kWords[] = {
    {"queue", "missing create or delete", "unknown queue subcommand"}};

} // namespace

constinit const CommandFamily kQueueCommands{"Bring-up (host driver)", kForms, kWords};

} // namespace nvmelab::console
