// End-to-end protection information of one block (NVMe 1.3 §8.3): `pi show` decodes the tuple a
// Read would find and runs each check; `pi corrupt` damages one field as a media fault would, so
// the next read that checks it fails.
#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"
#include "core/pi/protection_info.h"

namespace nvmelab::console {

namespace {

struct Block {
    uint32_t nsid = 0;
    uint64_t lba = 0;
    uint8_t pi_type = 0;
};

Block protected_block(Context &c, const Args &a) {
    Block b;
    b.nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
    b.lba = number(c, arg(a, 1, "LBA"), "LBA");
    const auto view = c.ctrl.namespace_view(b.nsid);
    if (!view) fail(fmt::format("namespace {} is not active", b.nsid));
    b.pi_type = view->dps & 0x7;
    if (b.pi_type == 0)
        fail(fmt::format("namespace {} is not formatted with protection information (DPS = 0)",
                         b.nsid));
    if (b.lba >= view->nsze)
        fail(fmt::format("LBA {} is past the end of namespace {} (NSZE {})", b.lba, b.nsid,
                         view->nsze));
    return b;
}

std::string outcome(const pi::CheckOutcome &o, int digits) {
    return fmt::format("expected {:0{}X}h  {}", o.expected, digits,
                       pi::check_result_name(o.result));
}

void show(Context &c, Toks t, std::string &out) {
    const Args a = split_form("pi show", t);
    const Block b = protected_block(c, a);
    no_more(a, 2);
    // Expectations as a Read with every PRCHK bit would have them: type 1's reference tag is
    // the LBA's low 32 bits; types 2 and 3 take the command's (reftag=).
    pi::PiRequest r;
    r.prinfo = spec::kPrinfoCheckGuard | spec::kPrinfoCheckAppTag | spec::kPrinfoCheckRefTag;
    r.ref_tag = static_cast<uint32_t>(b.lba);
    if (const Token *v = a.opt("reftag"))
        r.ref_tag = static_cast<uint32_t>(number(c, *v, "reftag", 0xFFFFFFFF));
    if (const Token *v = a.opt("apptag"))
        r.app_tag = static_cast<uint16_t>(number(c, *v, "apptag", 0xFFFF));
    if (const Token *v = a.opt("appmask"))
        r.app_mask = static_cast<uint16_t>(number(c, *v, "appmask", 0xFFFF));
    const auto bp = c.ctrl.block_protection(b.nsid, b.lba, r);
    if (!bp) fail(fmt::format("the metadata of LBA {} could not be read", b.lba));
    const pi::Protection &p = bp->protection;
    const spec::PiTuple &tu = bp->report.tuple;
    put(out, "LBA {}: PI type {}, tuple in the {} 8 of {} metadata bytes", b.lba, b.pi_type,
        p.first ? "first" : "last", p.metadata_size);
    const auto &ck = bp->report.checks;
    put(out, "  guard    {:04X}h      {} (CRC-16 T10-DIF of the block)", tu.guard_value(),
        outcome(ck[0], 4));
    put(out, "  app tag  {:04X}h      {} (under mask {:04X}h)", tu.app_tag_value(),
        outcome(ck[1], 4), r.app_mask);
    put(out, "  ref tag  {:08X}h  {}", tu.ref_tag_value(), outcome(ck[2], 8));
    if (bp->report.escaped) put(out, "  escape values set: a Read checks nothing in this block");
}

pi::Check field_named(const Token &t) {
    const std::string f = lower(t.text);
    if (f == "guard") return pi::Check::Guard;
    if (f == "apptag") return pi::Check::AppTag;
    if (f == "reftag") return pi::Check::RefTag;
    usage_error("pi corrupt", fmt::format("unknown field '{}' (guard, apptag or reftag)", t.text));
}

void corrupt(Context &c, Toks t, std::string &out) {
    const Args a = split_form("pi corrupt", t);
    const Block b = protected_block(c, a);
    const pi::Check field = field_named(arg(a, 2, "guard|apptag|reftag"));
    no_more(a, 3);
    if (!c.ctrl.corrupt_protection(b.nsid, b.lba, field))
        fail(fmt::format("the metadata of LBA {} could not be changed", b.lba));
    put(out, "flipped the low bit of the {} of LBA {}: a Read that checks it fails",
        pi::check_name(field), b.lba);
}

constexpr std::string_view kShowOptions[] = {"reftag", "apptag", "appmask"};

constexpr CommandForm kForms[] = {
    {"pi show", "pi show NSID LBA [reftag=N] [apptag=N] [appmask=N]",
     "A block's PI tuple (§8.3) decoded, and each check against the values given (type 1: the "
     "reference tag is the LBA's).",
     show, nullptr, kShowOptions},
    {"pi corrupt", "pi corrupt NSID LBA guard|apptag|reftag",
     "Flip one bit of a block's stored guard, application or reference tag, as a media fault "
     "would.",
     corrupt},
};

constexpr CommandWord kWords[] = {
    {"pi", "missing a pi subcommand (show or corrupt)", "unknown pi subcommand"},
};

} // namespace

constinit const CommandFamily kProtectionCommands{"End-to-end protection (PI)", kForms, kWords};

} // namespace nvmelab::console
