// Raw commands: sqe, prp, sgl, submit, ring, reap (an SQE and its data pointers written by
// hand, NVMe 1.3 §4.2-§4.4, §4.6).
#include "console/commands/sqe.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"
#include "console/host_queues.h"
#include "core/spec/status_text.h"

namespace nvmelab::console {

NamedSqe &named_sqe(Context &c, const Token &t, std::string_view key) {
    const std::string name = name_arg(t, key, "SQE NAME");
    auto it = c.sqes.find(name);
    if (it == c.sqes.end()) {
        std::string known;
        for (const auto &[k, v] : c.sqes)
            known += " " + k;
        fail(
            fmt::format("no SQE named '{}' ({})", name,
                        known.empty() ? "define one with 'sqe NAME opc=...'" : "defined:" + known));
    }
    return it->second;
}
namespace {

constexpr std::string_view kSqeFields[] = {"opc",   "fuse",  "psdt",  "cid",   "nsid",  "cdw2",
                                           "cdw3",  "mptr",  "prp1",  "prp2",  "cdw10", "cdw11",
                                           "cdw12", "cdw13", "cdw14", "cdw15", "cdw0",  "cdw1",
                                           "cdw4",  "cdw5",  "cdw6",  "cdw7",  "cdw8",  "cdw9"};

void set_sqe_field(Context &c, NamedSqe &s, const std::string &field, const Token &v) {
    spec::Sqe &q = s.sqe;
    if (field == "opc")
        q.opc = static_cast<uint8_t>(number(c, v, "opc", 0xFF));
    else if (field == "fuse")
        q.set_fuse(static_cast<uint8_t>(number(c, v, "fuse", 3)));
    else if (field == "psdt")
        q.set_psdt(static_cast<uint8_t>(number(c, v, "psdt", 3)));
    else if (field == "cid") {
        if (lower(v.text) == "auto") {
            s.keep_cid = false;
            q.cid = 0;
        } else {
            q.cid = static_cast<uint16_t>(number(c, v, "cid", 0xFFFF));
            s.keep_cid = true;
        }
    } else if (field == "nsid")
        q.nsid = static_cast<uint32_t>(number(c, v, "nsid", 0xFFFFFFFF));
    else if (field == "mptr")
        q.mptr = number(c, v, "mptr");
    else if (field == "prp1")
        q.prp1 = number(c, v, "prp1");
    else if (field == "prp2")
        q.prp2 = number(c, v, "prp2");
    else { // cdwN
        const int n = std::stoi(field.substr(3));
        q.set_cdw(n, static_cast<uint32_t>(number(c, v, field, 0xFFFFFFFF)));
        if (n == 0) s.keep_cid = true;
    }
}

std::string sqe_summary(const std::string &name, const NamedSqe &s) {
    const spec::Sqe &q = s.sqe;
    std::string line = fmt::format("sqe {}: opc=0x{:02x}", name, q.opc);
    const std::string_view admin = spec::admin_opcode_name(q.opc);
    const std::string_view nvm = spec::nvm_opcode_name(q.opc);
    if (!admin.empty() || !nvm.empty())
        line += fmt::format(" ({}{}{})", admin.empty() ? "" : fmt::format("admin: {}", admin),
                            !admin.empty() && !nvm.empty() ? ", " : "",
                            nvm.empty() ? "" : fmt::format("I/O: {}", nvm));
    line += s.keep_cid ? fmt::format(" cid={}", q.cid) : std::string(" cid=auto");
    if (q.fuse()) line += fmt::format(" fuse={}", q.fuse());
    if (q.psdt()) line += fmt::format(" psdt={}", q.psdt());
    line += fmt::format(" nsid=0x{:x}", q.nsid);
    if (q.cdw2) line += fmt::format(" cdw2=0x{:x}", q.cdw2);
    if (q.cdw3) line += fmt::format(" cdw3=0x{:x}", q.cdw3);
    if (q.mptr) line += fmt::format(" mptr=0x{:x}", q.mptr);
    line += fmt::format(" prp1=0x{:x} prp2=0x{:x}", q.prp1, q.prp2);
    for (int n = 10; n <= 15; ++n)
        if (q.cdw(n)) line += fmt::format(" cdw{}=0x{:x}", n, q.cdw(n));
    return line;
}

void sqe(Context &c, Toks t, std::string &out) {
    if (t.empty()) usage_error("sqe", "missing NAME");
    const std::string name = name_arg(t[0], "sqe", "SQE NAME");
    const Args a = split_args("sqe", t.subspan(1), kSqeFields, {});
    if (!a.pos.empty())
        usage_error("sqe", fmt::format("unexpected argument '{}': SQE fields are written "
                                       "field=value",
                                       a.pos[0].text));
    auto it = c.sqes.find(name);
    if (it == c.sqes.end()) {
        if (a.opts.empty())
            fail(fmt::format("no SQE named '{}'; define it with e.g. 'sqe {} opc=0x06 cdw10=1'",
                             name, name));
        if (!a.opt("opc") && !a.opt("cdw0"))
            usage_error("sqe", fmt::format("SQE '{}' is new: give its opcode with opc=", name));
    }
    NamedSqe s = it == c.sqes.end() ? NamedSqe{} : it->second;
    for (const auto &[field, value] : a.opts)
        set_sqe_field(c, s, field, value);
    c.sqes[name] = s;
    if (!a.opts.empty()) {
        put(out, "{}", sqe_summary(name, s));
        return;
    }
    // Full dump, dword by dword.
    put(out, "{}", sqe_summary(name, s));
    for (int row = 0; row < 16; row += 4)
        put(out, "  cdw{:<2} 0x{:08x} 0x{:08x} 0x{:08x} 0x{:08x}", row, s.sqe.cdw(row),
            s.sqe.cdw(row + 1), s.sqe.cdw(row + 2), s.sqe.cdw(row + 3));
}
void prp(Context &c, Toks t, std::string &out) {
    const Args a = split_form("prp", t);
    NamedSqe &s = named_sqe(c, arg(a, 0, "SQE NAME"), "prp");
    const uint64_t buf = number(c, arg(a, 1, "BUF"), "BUF");
    const uint64_t len = number(c, arg(a, 2, "LEN"), "LEN", kMaxTransfer);
    no_more(a, 3);
    if (len == 0) usage_error("prp", "LEN must be at least 1");
    c.drv.build_prps(s.sqe, buf, len);
    const uint64_t page = c.drv.page_size();
    const uint64_t first = std::min(len, page - (buf & (page - 1)));
    const std::string kind = len <= first          ? "one page: prp2 unused"
                             : len - first <= page ? "two pages: prp2 is the second page"
                                                   : "prp2 points to a PRP list";
    put(out, "sqe {}: prp1=0x{:x} prp2=0x{:x} ({})", a.pos[0].text, s.sqe.prp1, s.sqe.prp2, kind);
}

// SGL descriptors by hand (NVMe 1.3 §4.4): any type, length and address, including the ones
// the controller must refuse.
uint8_t sgl_type_arg(const Context &c, const Token &t, std::string_view key) {
    static constexpr std::pair<std::string_view, spec::SglType> kNames[] = {
        {"data", spec::SglType::DataBlock},
        {"bucket", spec::SglType::BitBucket},
        {"segment", spec::SglType::Segment},
        {"last", spec::SglType::LastSegment},
        {"keyed", spec::SglType::KeyedDataBlock}};
    for (const auto &[name, type] : kNames)
        if (t.text == name) return static_cast<uint8_t>(type);
    if (t.text.empty() || (t.text[0] < '0' || t.text[0] > '9'))
        usage_error(key, fmt::format("'{}' is not an SGL descriptor type: data, bucket, "
                                     "segment, last, keyed, or a type number 0-15",
                                     t.text));
    return static_cast<uint8_t>(number(c, t, "TYPE", 15));
}

std::string sgl_type_name(uint8_t type) {
    switch (static_cast<spec::SglType>(type)) {
    case spec::SglType::DataBlock:
        return "Data Block";
    case spec::SglType::BitBucket:
        return "Bit Bucket";
    case spec::SglType::Segment:
        return "Segment";
    case spec::SglType::LastSegment:
        return "Last Segment";
    case spec::SglType::KeyedDataBlock:
        return "Keyed Data Block";
    case spec::SglType::VendorSpecific:
        return "vendor specific";
    }
    return fmt::format("reserved type {:X}h", type);
}

std::string sgl_text(const spec::SglDescriptor &d) {
    std::string s =
        fmt::format("{} addr=0x{:x} len={}", sgl_type_name(d.type()), d.address, d.length);
    if (d.subtype() != 0) s += fmt::format(" subtype={:X}h", d.subtype());
    return s;
}

// TYPE ADDR LEN [subtype=N] from position `first` of a form's arguments.
spec::SglDescriptor sgl_descriptor(const Context &c, const Args &a, size_t first,
                                   std::string_view key) {
    spec::SglDescriptor d{};
    const uint8_t type = sgl_type_arg(c, arg(a, first, "TYPE"), key);
    d.address = number(c, arg(a, first + 1, "ADDR"), "ADDR");
    d.length = static_cast<uint32_t>(number(c, arg(a, first + 2, "LEN"), "LEN", UINT32_MAX));
    const uint8_t subtype =
        a.opt("subtype") ? static_cast<uint8_t>(number(c, *a.opt("subtype"), "subtype", 15)) : 0;
    d.identifier = static_cast<uint8_t>(type << 4 | subtype);
    return d;
}

void sgl1(Context &c, Toks t, std::string &out) {
    const Args a = split_form("sgl", t);
    NamedSqe &s = named_sqe(c, arg(a, 0, "SQE NAME"), "sgl");
    const spec::SglDescriptor d = sgl_descriptor(c, a, 1, "sgl");
    no_more(a, 4);
    s.sqe.prp1 = d.address;
    s.sqe.prp2 = d.qword1();
    // SGL1 means nothing with PSDT 00b: make it an SGL unless the user chose 10b already.
    if (s.sqe.psdt() == 0) s.sqe.set_psdt(1);
    put(out, "sqe {}: psdt={} SGL1 = {}", a.pos[0].text, s.sqe.psdt(), sgl_text(d));
}

void sgl_put(Context &c, Toks t, std::string &out) {
    const Args a = split_form("sgl put", t);
    const uint64_t at = number(c, arg(a, 0, "AT"), "AT");
    const spec::SglDescriptor d = sgl_descriptor(c, a, 1, "sgl put");
    no_more(a, 4);
    need_mapped(c, at, sizeof d);
    c.mem.write(at, std::span(reinterpret_cast<const uint8_t *>(&d), sizeof d));
    put(out, "0x{:x} <- {}", at, sgl_text(d));
}

void sgl_show(Context &c, Toks t, std::string &out) {
    const Args a = split_form("sgl show", t);
    const uint64_t at = number(c, arg(a, 0, "AT"), "AT");
    const uint64_t count = number(c, arg(a, 1, "COUNT"), "COUNT", 256);
    no_more(a, 2);
    need_mapped(c, at, count * sizeof(spec::SglDescriptor));
    for (uint64_t i = 0; i < count; ++i) {
        spec::SglDescriptor d{};
        c.mem.read(at + i * sizeof d, std::span(reinterpret_cast<uint8_t *>(&d), sizeof d));
        put(out, "0x{:x} [{}] {}", at + i * sizeof d, i, sgl_text(d));
    }
}

void submit_cmd(Context &c, Toks t, std::string &out) {
    const Args a = split_form("submit", t);
    const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
    const NamedSqe &s = named_sqe(c, arg(a, 1, "SQE NAME"), "submit");
    no_more(a, 2);
    const Submitted done = submit(c, qid, s.sqe, s.keep_cid);
    put(out, "SQ {} slot {} <- {} (cid {}, opc {}); host tail now {} (not rung: 'ring {}')", qid,
        done.slot, a.pos[1].text, done.cid,
        opcode_text(s.sqe.opc, c.ctrl.command_set_of(qid, s.sqe.nsid)), host_sq_tail(c, qid), qid);
}

void ring(Context &c, Toks t, std::string &out) {
    const Args a = split_form("ring", t);
    const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
    no_more(a, 1);
    const uint64_t seq = c.ctrl.trace().total_recorded();
    const uint32_t tail = ring_sq(c, qid);
    put(out, "SQ {} tail doorbell (0x{:x}) <- {}", qid, c.ctrl.sq_doorbell_offset(qid), tail);
    report_problems(c, seq, out);
}

void reap(Context &c, Toks t, std::string &out) {
    const Args a = split_form("reap", t);
    const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
    no_more(a, 1);
    const uint64_t seq = c.ctrl.trace().total_recorded();
    unsigned n = 0;
    while (auto done = reap_one(c, qid)) {
        out += describe(*done);
        c.last = *done;
        ++n;
    }
    if (n == 0) {
        const uint16_t cqid = cq_of(c, qid);
        if (const auto h = host_cq(c, cqid)) {
            const spec::Cqe at_head = h->entry(c.mem, h->head).value_or(spec::Cqe{});
            put(out, "CQ {}: no new completion (entry {} has phase tag {}, the host expects {})",
                cqid, h->head, at_head.phase() ? 1 : 0, h->phase ? 1 : 0);
        }
    }
    report_problems(c, seq, out);
}
constexpr std::string_view kSglOptions[] = {"subtype"};

constexpr CommandForm kForms[] = {
    {"sqe", "sqe NAME [FIELD=VALUE]...",
     "Define (opc= needed) or change a named SQE; 'sqe NAME' shows it. FIELD: opc fuse psdt "
     "cid nsid cdw2 cdw3 mptr prp1 prp2 cdw10..cdw15, or cdw0..cdw15 as raw dwords; cid=auto "
     "lets submit assign the CID.",
     sqe},
    {"prp", "prp NAME BUF LEN",
     "Fill prp1/prp2 of SQE NAME for LEN bytes at BUF, building a PRP list when needed.", prp},
    {"sgl", "sgl NAME TYPE ADDR LEN [subtype=N]",
     "Set SGL1 of SQE NAME to one descriptor (PSDT becomes 01b if it was 00b). TYPE: data, "
     "bucket, segment, last, keyed, or a type number 0-15.",
     sgl1, nullptr, kSglOptions},
    {"sgl put", "sgl put AT TYPE ADDR LEN [subtype=N]",
     "Write one 16-byte SGL descriptor at host address AT (an entry of a segment).", sgl_put,
     nullptr, kSglOptions},
    {"sgl show", "sgl show AT COUNT", "Decode COUNT SGL descriptors at host address AT.", sgl_show},
    {"submit", "submit QID NAME",
     "Write SQE NAME at the host's tail of SQ QID. The doorbell is not rung.", submit_cmd},
    {"ring", "ring QID", "Ring the SQ tail doorbell with the host's tail.", ring},
    {"reap", "reap QID",
     "Take every new CQE (phase tag check) from queue pair QID's CQ, print each decoded, and "
     "write the CQ head doorbell.",
     reap},
};

} // namespace

constinit const CommandFamily kSqeCommands{"Raw commands", kForms};

} // namespace nvmelab::console
