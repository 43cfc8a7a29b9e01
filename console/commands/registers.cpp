// Registers: reg, reg read, reg write, doorbell (NVMe 1.3 §3.1).
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

// Keeps the host-side state honest after a register write: a controller reset drops every
// queue, so the driver's and the console's queue bookkeeping go too.
void after_register_write(Context &c, bool was_enabled) {
    const bool enabled = cc_enabled(c);
    if (was_enabled != enabled) clear_raw(c);
    if (!enabled && c.drv.has_queue(0)) c.drv.disable();
}

void reg_read(Context &c, Toks t, std::string &out, std::string_view key) {
    const Args a = split_form(key, t);
    const Token &name = arg(a, 0, "register NAME");
    no_more(a, 1);
    const auto [r, f] = find_register(name.text, key);
    const uint64_t v = read_register(c.ctrl, *r);
    if (f) {
        put(out, "{}.{} = {} (0x{:x})", r->name, f->name, field_get(v, *f), field_get(v, *f));
        return;
    }
    put(out, "{}", format_register(*r, v));
}

void reg_write(Context &c, Toks t, std::string &out) {
    const Args a = split_form("reg write", t);
    const Token &name = arg(a, 0, "register NAME");
    const Token &value_tok = arg(a, 1, "VALUE");
    no_more(a, 2);
    const auto [r, f] = find_register(name.text, "reg write");
    const uint64_t max = f ? field_max(*f) : r->wide ? ~uint64_t{0} : 0xFFFFFFFFu;
    const std::string what = f ? fmt::format("{}.{}", r->name, f->name) : std::string(r->name);
    const uint64_t value = number(c, value_tok, what, max);
    const uint64_t before = read_register(c.ctrl, *r);
    const uint64_t raw = f ? field_set(before, *f, value) : value;
    const bool was_enabled = cc_enabled(c);
    const bool was_fatal = spec::CstsReg{c.ctrl.read32(off(Reg::Csts))}.cfs();
    const uint64_t seq = c.ctrl.trace().total_recorded();
    if (r->wide)
        c.ctrl.write64(off(r->reg), raw);
    else
        c.ctrl.write32(off(r->reg), static_cast<uint32_t>(raw));
    after_register_write(c, was_enabled);
    const uint64_t now = read_register(c.ctrl, *r);
    if (f) put(out, "{} <- {}", what, value);
    put(out, "{}", format_register(*r, now));
    const bool notes = r->reg != Reg::Intms && r->reg != Reg::Intmc && r->reg != Reg::Nssr;
    if (notes && now != raw) {
        std::string why = "read-only and reserved bits ignore writes";
        if ((r->reg == Reg::Aqa || r->reg == Reg::Asq || r->reg == Reg::Acq) && was_enabled)
            why = "AQA, ASQ and ACQ only change while CC.EN = 0";
        else if (r->reg == Reg::Cc && was_enabled)
            why = "CSS, MPS and AMS cannot change while CC.EN = 1; reserved bits read 0";
        else if (r->reg == Reg::Csts)
            why = "CSTS is read-only except NSSRO, which is write-1-to-clear";
        put(out, "note: {} reads back 0x{:x}, not the 0x{:x} written ({})", r->name, now, raw, why);
    }
    report_problems(c, seq, out);
    if (r->reg == Reg::Cc) {
        const spec::CstsReg csts{c.ctrl.read32(off(Reg::Csts))};
        if (!was_enabled && cc_enabled(c) && !csts.cfs())
            put(out, "note: CSTS.RDY becomes 1 once the controller is ready; 'run' lets "
                     "virtual time pass");
        if (csts.cfs() && !was_fatal) put(out, "note: the controller refused: CSTS.CFS = 1");
    }
}

void doorbell(Context &c, Toks t, std::string &out) {
    const Args a = split_form("doorbell", t);
    const std::string kind = lower(arg(a, 0, "sq or cq").text);
    if (kind != "sq" && kind != "cq")
        usage_error("doorbell", fmt::format("expected sq or cq, got '{}'", a.pos[0].text));
    const uint16_t qid = qid_arg(c, arg(a, 1, "QID"));
    const auto value = static_cast<uint32_t>(number(c, arg(a, 2, "VALUE"), "VALUE", 0xFFFFFFFF));
    no_more(a, 3);
    const uint32_t offset =
        kind == "sq" ? c.ctrl.sq_doorbell_offset(qid) : c.ctrl.cq_doorbell_offset(qid);
    const uint64_t seq = c.ctrl.trace().total_recorded();
    c.ctrl.write32(offset, value);
    put(out, "{} {} {} doorbell (0x{:x}) <- {}", kind == "sq" ? "SQ" : "CQ", qid,
        kind == "sq" ? "tail" : "head", offset, value);
    report_problems(c, seq, out);
}
// `reg` alone shows every register; `reg NAME` reads one.
void reg(Context &c, Toks t, std::string &out) {
    if (t.empty()) {
        for (const RegDef &r : console_registers())
            put(out, "{}", format_register(r, read_register(c.ctrl, r)));
        return;
    }
    for (const RegDef &r : console_registers())
        if (upper(t[0].text.substr(0, t[0].text.find('.'))) == r.name)
            return reg_read(c, t, out, "reg read");
    usage_error("reg", fmt::format("unknown reg subcommand '{}'", t[0].text));
}

// Register names are checked before a line runs (lesson files, exec scripts).
void check_bare(Toks t) {
    if (t.size() == 1) find_register(t[0].text, "reg");
}
void check_read(Toks t) {
    if (!t.empty()) find_register(t[0].text, "reg read");
}
void check_write(Toks t) {
    if (!t.empty()) find_register(t[0].text, "reg write");
}

void reg_read_form(Context &c, Toks t, std::string &out) {
    reg_read(c, t, out, "reg read");
}

constexpr CommandForm kForms[] = {
    {"reg", "reg", "Show every controller register, decoded field by field.", reg, check_bare},
    {"reg read", "reg read NAME[.FIELD]",
     "Show one register or one field. NAME: CAP VS INTMS INTMC CC CSTS NSSR AQA ASQ ACQ.",
     reg_read_form, check_read},
    {"reg write", "reg write NAME[.FIELD] VALUE",
     "Write a register. NAME.FIELD writes one field (read-modify-write), e.g. reg write CC.EN 1.",
     reg_write, check_write},
    {"doorbell", "doorbell sq|cq QID VALUE",
     "Write a raw SQ tail / CQ head doorbell; the host's own queue state is not changed.",
     doorbell},
};

} // namespace

constinit const CommandFamily kRegisterCommands{"Registers", kForms};

} // namespace nvmelab::console
