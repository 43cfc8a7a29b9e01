// Checks: expect status|sct|dnr|dw0|reg|mem|queue|sq|cq|cached. A check prints "ok: ..." or
// fails with "expect failed: WHAT: expected X, actual Y", which stops a script.
#include <algorithm>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/commands/memory.h"
#include "console/errors.h"
#include "console/format.h"
#include "console/host_queues.h"
#include "console/register_names.h"
#include "core/spec/status_text.h"

namespace nvmelab::console {

namespace {

enum class Op { Eq, Ne, Lt, Le, Gt, Ge };

std::optional<Op> parse_op(std::string_view s) {
    if (s == "==" || s == "=") return Op::Eq;
    if (s == "!=") return Op::Ne;
    if (s == "<") return Op::Lt;
    if (s == "<=") return Op::Le;
    if (s == ">") return Op::Gt;
    if (s == ">=") return Op::Ge;
    return std::nullopt;
}

std::string_view op_text(Op op) {
    switch (op) {
    case Op::Eq:
        return "==";
    case Op::Ne:
        return "!=";
    case Op::Lt:
        return "<";
    case Op::Le:
        return "<=";
    case Op::Gt:
        return ">";
    case Op::Ge:
        return ">=";
    }
    return "?";
}

bool compare(Op op, uint64_t a, uint64_t b) {
    switch (op) {
    case Op::Eq:
        return a == b;
    case Op::Ne:
        return a != b;
    case Op::Lt:
        return a < b;
    case Op::Le:
        return a <= b;
    case Op::Gt:
        return a > b;
    case Op::Ge:
        return a >= b;
    }
    return false;
}

struct Check {
    Op op = Op::Eq;
    Token value;
};

Check parse_check(Toks t, std::string_view key) {
    if (t.empty()) usage_error(key, "missing the expected VALUE");
    Check ck;
    size_t i = 0;
    if (const auto op = parse_op(t[0].text)) {
        ck.op = *op;
        i = 1;
    }
    if (i >= t.size()) usage_error(key, fmt::format("missing the VALUE after '{}'", t[0].text));
    if (t.size() > i + 1) usage_error(key, fmt::format("unexpected argument '{}'", t[i + 1].text));
    ck.value = t[i];
    return ck;
}

void check(const Context &c, std::string_view what, uint64_t actual, const Check &ck, bool hex,
           std::string &out) {
    const uint64_t want = number(c, ck.value, "the expected VALUE");
    auto f = [hex](uint64_t v) { return hex ? fmt::format("0x{:x}", v) : fmt::format("{}", v); };
    if (!compare(ck.op, actual, want))
        fail(fmt::format("expect failed: {}: expected {} {}, actual {}", what, op_text(ck.op),
                         f(want), f(actual)));
    if (ck.op == Op::Eq)
        put(out, "ok: {} == {}", what, f(want));
    else
        put(out, "ok: {} = {} ({} {})", what, f(actual), op_text(ck.op), f(want));
}

Completion last(const Context &c) {
    const auto done = c.last_completion();
    if (!done) fail("expect failed: there is no completion yet (nothing was reaped or run)");
    return *done;
}

std::string status_text(const Completion &done) {
    const spec::Status s = done.status();
    return fmt::format("{} (0x{:04x}{}) for cid {} on SQ {}", spec::status_name(s), s.field(),
                       s.dnr ? ", DNR" : "", done.cqe.cid, done.cqe.sqid);
}

bool known_status_name(const std::string &lname) {
    for (uint8_t sct : {0, 1, 2}) {
        for (unsigned sc = 0; sc < 256; ++sc) {
            const std::string_view n = spec::status_name(sct, static_cast<uint8_t>(sc));
            if (n != "Unknown" && lower(n) == lname) return true;
        }
    }
    return false;
}
void expect_status(Context &c, Toks t, std::string &out) {
    if (t.empty()) usage_error("expect status", "missing the expected status");
    std::string want;
    for (const Token &tok : t)
        want += (want.empty() ? "" : " ") + tok.text;
    const std::string lwant = lower(want);
    const bool numeric = !t[0].quoted() && !want.empty() && want[0] >= '0' && want[0] <= '9';
    if (!numeric && lwant != "success" && !known_status_name(lwant))
        usage_error("expect status",
                    fmt::format("unknown status name \"{}\" (use a name as reap prints it, "
                                "e.g. \"Invalid Field in Command\", or 0x4002, or success)",
                                want));
    uint64_t field = 0;
    if (numeric) {
        if (t.size() != 1)
            usage_error("expect status", fmt::format("unexpected argument '{}'", t[1].text));
        field = number(c, t[0], "status field", 0x7FFF);
    }
    const Completion done = last(c);
    const spec::Status s = done.status();
    // The More bit (0x2000: details in the Error log) only counts when it is given.
    const uint16_t mask = (field & 0x2000) ? 0x7FFF : 0x5FFF;
    const bool ok = lwant == "success" ? s.ok()
                    : numeric          ? (s.field() & mask) == field
                                       : lower(spec::status_name(s)) == lwant;
    const std::string expected =
        numeric
            ? fmt::format("0x{:04x} ({})", field,
                          spec::status_name(spec::Status::from_field(static_cast<uint16_t>(field))))
            : want;
    if (!ok)
        fail(fmt::format("expect failed: status: expected {}, actual {}", expected,
                         status_text(done)));
    put(out, "ok: status {}", status_text(done));
}

void expect_sct(Context &c, Toks t, std::string &out) {
    if (t.size() != 3 || lower(t[1].text) != "sc")
        usage_error("expect sct", "expected 'expect sct N sc N'");
    const uint64_t sct = number(c, t[0], "SCT", 7);
    const uint64_t sc = number(c, t[2], "SC", 0xFF);
    const Completion done = last(c);
    const spec::Status s = done.status();
    if (s.sct != sct || s.sc != sc)
        fail(fmt::format("expect failed: status: expected sct {} sc 0x{:02x}, actual sct {} "
                         "sc 0x{:02x} ({})",
                         sct, sc, s.sct, s.sc, status_text(done)));
    put(out, "ok: sct {} sc 0x{:02x} ({})", sct, sc, spec::status_name(s));
}

void expect_dnr(Context &c, Toks t, std::string &out) {
    const Check ck = parse_check(t, "expect dnr");
    check(c, "DNR", last(c).status().dnr ? 1 : 0, ck, false, out);
}

void expect_dw0(Context &c, Toks t, std::string &out) {
    const Check ck = parse_check(t, "expect dw0");
    check(c, "dw0", last(c).cqe.dw0, ck, true, out);
}

void expect_reg(Context &c, Toks t, std::string &out) {
    if (t.empty()) usage_error("expect reg", "missing register NAME");
    const auto [r, f] = find_register(t[0].text, "expect reg");
    const Check ck = parse_check(t.subspan(1), "expect reg");
    const uint64_t v = read_register(c.ctrl, *r);
    check(c, f ? fmt::format("{}.{}", r->name, f->name) : std::string(r->name),
          f ? field_get(v, *f) : v, ck, true, out);
}

void expect_mem(Context &c, Toks t, std::string &out) {
    if (t.size() < 2) usage_error("expect mem", "missing ADDR and what to compare");
    const uint64_t addr = number(c, t[0], "ADDR");
    if (lower(t[1].text) == "bytes") {
        const std::vector<uint8_t> want = data_items(c, t.subspan(2), "expect mem");
        if (want.empty()) usage_error("expect mem", "no bytes to compare: give the bytes expected");
        need_mapped(c, addr, want.size());
        std::vector<uint8_t> got(want.size());
        c.mem.read(addr, got);
        auto hex = [](const std::vector<uint8_t> &v) {
            std::string s;
            for (size_t i = 0; i < v.size() && i < 32; ++i)
                s += fmt::format("{}{:02x}", i ? " " : "", v[i]);
            return v.size() > 32 ? s + " ..." : s;
        };
        const auto diff = std::mismatch(want.begin(), want.end(), got.begin());
        if (diff.first != want.end())
            fail(fmt::format("expect failed: {} bytes at 0x{:x}: expected {}, actual {} "
                             "(first difference at 0x{:x})",
                             want.size(), addr, hex(want), hex(got),
                             addr + static_cast<uint64_t>(diff.first - want.begin())));
        put(out, "ok: {} bytes at 0x{:x} match", want.size(), addr);
        return;
    }
    const unsigned w = width_arg(t[1], "expect mem");
    const Check ck = parse_check(t.subspan(2), "expect mem");
    check(c, fmt::format("u{} at 0x{:x}", w * 8, addr), read_value(c, addr, w), ck, true, out);
}

void expect_queue_field(Context &c, const std::string &what, Toks t, std::string &out) {
    const std::string key = "expect " + what;
    if (t.size() < 2) usage_error(key, "missing QID and what to compare");
    const uint16_t qid = qid_arg(c, t[0]);
    const std::string field = lower(t[1].text);
    const Check ck = parse_check(t.subspan(2), key);
    const auto views = c.ctrl.queues();
    const bool want_sq = what == "sq" || (what == "queue" && field != "phase");
    const bool allowed =
        what == "sq"   ? field == "head" || field == "tail" || field == "size" || field == "cqid"
        : what == "cq" ? field == "head" || field == "tail" || field == "phase" ||
                             field == "pending" || field == "size"
                       : field == "head" || field == "tail" || field == "phase";
    if (!allowed) usage_error(key, fmt::format("unknown queue field '{}'", t[1].text));
    uint16_t id = qid;
    if (what == "queue" && field == "phase") {
        const QueueView *sq = find_view(views, true, qid);
        id = sq ? sq->cqid : qid;
    }
    const QueueView *v = find_view(views, want_sq, id);
    if (v == nullptr) no_queue(c, want_sq ? "SQ" : "CQ", id);
    const std::string label = fmt::format("{} {} {}", want_sq ? "SQ" : "CQ", id, field);
    uint64_t actual = 0;
    if (field == "head")
        actual = v->head;
    else if (field == "tail")
        actual = v->tail;
    else if (field == "phase")
        actual = v->phase ? 1 : 0;
    else if (field == "size")
        actual = v->size;
    else if (field == "cqid")
        actual = v->cqid;
    else {
        const auto h = host_cq(c, id);
        actual = h ? h->pending(c.mem) : 0;
    }
    check(c, label, actual, ck, false, out);
}

void expect_cached(Context &c, Toks t, std::string &out) {
    if (t.empty()) usage_error("expect cached", "missing NSID");
    const uint64_t nsid = number(c, t[0], "NSID", 0xFFFFFFFF);
    if (nsid == 0 || nsid > c.ctrl.namespace_count())
        fail(fmt::format("expect cached: there is no namespace {} (the device has "
                         "namespace{} 1..{})",
                         nsid, c.ctrl.namespace_count() == 1 ? "" : "s", c.ctrl.namespace_count()));
    const Check ck = parse_check(t.subspan(1), "expect cached");
    check(c, fmt::format("cached blocks of namespace {}", nsid),
          c.ctrl.namespace_blocks_cached(static_cast<uint32_t>(nsid)), ck, false, out);
}
void expect_queue(Context &c, Toks t, std::string &out) {
    expect_queue_field(c, "queue", t, out);
}
void expect_sq(Context &c, Toks t, std::string &out) {
    expect_queue_field(c, "sq", t, out);
}
void expect_cq(Context &c, Toks t, std::string &out) {
    expect_queue_field(c, "cq", t, out);
}

// The register name is checked before a line runs (lesson files, exec scripts).
void check_reg(Toks t) {
    if (!t.empty()) find_register(t[0].text, "expect reg");
}

constexpr CommandForm kForms[] = {
    {"expect status", "expect status success|NAME|0xFIELD",
     "Status of the last completion: 'success', a name as printed (\"PRP Offset Invalid\"), or "
     "the 15-bit status field in hex (0x4002 = DNR + Invalid Field; the More bit 0x2000 "
     "counts only when given).",
     expect_status},
    {"expect sct", "expect sct N sc N", "Status Code Type and Status Code of the last completion.",
     expect_sct},
    {"expect dnr", "expect dnr 0|1", "Do Not Retry bit of the last completion.", expect_dnr},
    {"expect dw0", "expect dw0 [OP] VALUE",
     "Dword 0 of the last completion. OP: == != < <= > >= (default ==).", expect_dw0},
    {"expect reg", "expect reg NAME[.FIELD] [OP] VALUE", "A register or field.", expect_reg,
     check_reg},
    {"expect mem", "expect mem ADDR u8|u16|u32|u64 [OP] VALUE | expect mem ADDR bytes DATA...",
     "Host memory: one little-endian value, or bytes (DATA as in mem write, e.g. \"de ad\").",
     expect_mem},
    {"expect queue", "expect queue QID head|tail|phase [OP] VALUE",
     "The controller's SQ QID head / tail, or the phase tag its CQ writes next.", expect_queue},
    {"expect sq", "expect sq QID head|tail|size|cqid [OP] VALUE",
     "The controller's SQ head (fetch position), tail (last doorbell), size (entries) or the CQ "
     "it posts to.",
     expect_sq},
    {"expect cq", "expect cq QID head|tail|phase|pending|size [OP] VALUE",
     "The controller's CQ head / tail / phase / size (entries); pending = CQEs in host memory "
     "the host has not reaped (phase tags).",
     expect_cq},
    {"expect cached", "expect cached NSID [OP] VALUE",
     "Blocks of namespace NSID held in the volatile write cache, not yet on the media.",
     expect_cached},
};

constexpr CommandWord kWords[] = {{"expect", "missing what to check", "unknown check"}};

} // namespace

constinit const CommandFamily kExpectCommands{"Checks (a failed check stops a script)", kForms,
                                              kWords};

} // namespace nvmelab::console
