// Commands that wait for their completion: admin, io, identify, read, write, flush,
// get-feature, set-feature, get-log. Each submits, rings, runs the controller until the command
// completes and prints the completion, then what its data says.
#include <algorithm>
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/commands/sqe.h"
#include "console/errors.h"
#include "console/format.h"
#include "console/host_queues.h"
#include "core/spec/field_decode.h"
#include "core/spec/status_text.h"

namespace nvmelab::console {

namespace {

using spec::Reg;

constexpr uint32_t off(Reg r) {
    return static_cast<uint32_t>(r);
}

void admin(Context &c, Toks t, std::string &out) {
    const Args a = split_form("admin", t);
    const NamedSqe &s = named_sqe(c, arg(a, 0, "SQE NAME"), "admin");
    no_more(a, 1);
    out += describe(run_command(c, 0, s.sqe, s.keep_cid, out));
}

void io(Context &c, Toks t, std::string &out) {
    const Args a = split_form("io", t);
    const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
    const NamedSqe &s = named_sqe(c, arg(a, 1, "SQE NAME"), "io");
    no_more(a, 2);
    if (qid == 0) usage_error("io", "queue 0 is the admin queue: use 'admin NAME'");
    out += describe(run_command(c, qid, s.sqe, s.keep_cid, out));
}

void identify(Context &c, Toks t, std::string &out) {
    const Args a = split_form("identify", t);
    const std::string what = lower(arg(a, 0, "ctrl, ns, nslist or nsdesc").text);
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::Identify);
    spec::Cns cns{};
    if (what == "ctrl") {
        no_more(a, 1);
        cns = spec::Cns::Controller;
    } else if (what == "ns" || what == "nsdesc") {
        sqe.nsid = static_cast<uint32_t>(number(c, arg(a, 1, "NSID"), "NSID", 0xFFFFFFFF));
        no_more(a, 2);
        cns = what == "ns" ? spec::Cns::Namespace : spec::Cns::NamespaceIdDescriptorList;
    } else if (what == "nslist") {
        if (a.pos.size() > 1)
            sqe.nsid = static_cast<uint32_t>(number(c, a.pos[1], "NSID", 0xFFFFFFFF));
        no_more(a, 2);
        cns = spec::Cns::ActiveNamespaceList;
    } else {
        usage_error("identify", fmt::format("unknown identify target '{}'", a.pos[0].text));
    }
    spec::IdentifyFields{static_cast<uint8_t>(cns), 0}.apply(sqe);
    const uint64_t buf = data_buffer(c, a, 4096);
    const Completion done = run_with_data(c, 0, sqe, buf, 4096, out);
    out += describe(done);
    if (!done.ok()) return;
    std::array<uint8_t, 4096> raw{};
    c.mem.read(buf, raw);
    if (cns == spec::Cns::Controller) {
        spec::IdentifyController id{};
        std::memcpy(&id, raw.data(), sizeof id);
        const uint64_t min_page = uint64_t{4096}
                                  << spec::CapReg{c.ctrl.read64(off(Reg::Cap))}.mpsmin();
        put(out, "vid     0x{:04x}", id.vid);
        put(out, "ssvid   0x{:04x}", id.ssvid);
        put(out, "sn      \"{}\"", trimmed(id.sn, sizeof id.sn));
        put(out, "mn      \"{}\"", trimmed(id.mn, sizeof id.mn));
        put(out, "fr      \"{}\"", trimmed(id.fr, sizeof id.fr));
        // Meanings from the shared field table (core/spec/field_decode.h).
        const auto fields = spec::identify_controller_fields(id, min_page);
        auto meaning = [&fields](std::string_view name) {
            for (const spec::DecodedField &f : fields)
                if (f.name == name) return f.meaning;
            return std::string();
        };
        put(out, "mdts    {} ({})", id.mdts, meaning("mdts"));
        put(out, "cntlid  0x{:04x}", id.cntlid);
        put(out, "ver     0x{:08x} ({}.{}.{})", id.ver, id.ver >> 16, (id.ver >> 8) & 0xFF,
            id.ver & 0xFF);
        put(out, "oacs    0x{:04x} ({})", id.oacs, meaning("oacs"));
        put(out, "sqes    0x{:02x} ({})", id.sqes, meaning("sqes"));
        put(out, "cqes    0x{:02x} ({})", id.cqes, meaning("cqes"));
        put(out, "nn      {}", id.nn);
        put(out, "oncs    0x{:04x} ({})", id.oncs, meaning("oncs"));
        put(out, "vwc     0x{:02x} ({})", id.vwc, meaning("vwc"));
    } else if (cns == spec::Cns::Namespace) {
        spec::IdentifyNamespace id{};
        std::memcpy(&id, raw.data(), sizeof id);
        const uint64_t lbs =
            id.lbaf[id.flbas_index()].lbads >= 9 && id.lbaf[id.flbas_index()].lbads < 32
                ? id.lba_data_size()
                : 0;
        auto blocks = [&](uint64_t n) {
            return lbs ? fmt::format("{} blocks ({})", n, human_size(n * lbs))
                       : fmt::format("{} blocks", n);
        };
        put(out, "nsze    {}", blocks(id.nsze));
        put(out, "ncap    {}", blocks(id.ncap));
        put(out, "nuse    {}", blocks(id.nuse));
        put(out, "nlbaf   {} ({} format{})", id.nlbaf, id.nlbaf + 1, id.nlbaf ? "s" : "");
        put(out, "flbas   0x{:02x} (format {})", id.flbas, id.flbas_index());
        for (unsigned i = 0; i <= id.nlbaf && i < 16; ++i) {
            const spec::LbaFormat &f = id.lbaf[i];
            put(out, "lbaf{:<2}  ms={} lbads={} ({}-byte blocks) rp={}{}", i, f.ms, f.lbads,
                f.lbads < 32 ? (uint64_t{1} << f.lbads) : 0, f.relative_performance(),
                i == id.flbas_index() ? " (in use)" : "");
        }
    } else if (cns == spec::Cns::ActiveNamespaceList) {
        std::string ids;
        unsigned n = 0;
        for (size_t i = 0; i < 1024; ++i) {
            uint32_t v;
            std::memcpy(&v, raw.data() + i * 4, 4);
            if (v == 0) break;
            ids += fmt::format(" {}", v);
            ++n;
        }
        put(out, "active namespaces ({}):{}", n, n ? ids : " none");
    } else {
        size_t pos = 0;
        unsigned n = 0;
        while (pos + 4 <= raw.size()) {
            const uint8_t type = raw[pos];
            const uint8_t len = raw[pos + 1];
            if (type == 0) break;
            if (pos + 4 + len > raw.size()) break;
            std::string value;
            for (size_t i = 0; i < len; ++i)
                value += fmt::format("{:02x}", raw[pos + 4 + i]);
            const char *kind = type == 1 ? "EUI64" : type == 2 ? "NGUID" : type == 3 ? "UUID" : "?";
            put(out, "nidt {} {:<5} nidl {:>2}  {}", type, kind, len, value);
            pos += 4 + len;
            ++n;
        }
        if (n == 0) put(out, "no namespace identification descriptors");
    }
    put(out, "data: 4096 bytes at 0x{:x}", buf);
}

void data_preview(Context &c, uint64_t buf, uint64_t len, std::string &out) {
    const uint64_t n = std::min<uint64_t>(len, 64);
    std::vector<uint8_t> bytes(n);
    c.mem.read(buf, bytes);
    out += hexdump(bytes, buf, false);
    if (len > n) put(out, "... {} more bytes ('mem dump 0x{:x} {}')", len - n, buf, len);
}

// Metadata bytes per block the host moves for a Read or Write (NVMe 1.3 §8.2): the format's,
// none with PRACT on exactly 8 bytes of PI (the controller adds or strips it, §8.3.1).
struct HostMetadata {
    uint32_t interleaved = 0; // at the end of each block in the data buffer (extended LBA)
    uint32_t separate = 0;    // in the buffer MPTR names
};
HostMetadata host_metadata(Context &c, const Args &a, uint32_t nsid) {
    HostMetadata m;
    const auto view = c.ctrl.namespace_view(nsid);
    if (!view) return m;
    uint32_t ms = view->metadata_size();
    const Token *p = a.opt("prinfo");
    const uint64_t prinfo = p ? number(c, *p, "prinfo", 0xF) : 0;
    if ((prinfo & 0x8) != 0 && (view->dps & 0x7) != 0 && ms == 8) ms = 0;
    (view->extended_lba ? m.interleaved : m.separate) = ms;
    return m;
}

uint64_t rw_length(Context &c, uint32_t nsid, uint32_t nlb0, uint32_t interleaved = 0) {
    uint32_t lbs = c.ctrl.lba_size(nsid);
    if (lbs == 0) lbs = c.ctrl.config().lba_size(); // the controller will reject the NSID
    return (uint64_t{nlb0} + 1) * (lbs + interleaved);
}

// The separate metadata buffer of a Read or Write: mptr=ADDR as given (any address: the
// controller checks its alignment), or one allocated for the blocks' metadata when the format
// has a separate buffer; 0 when there is none.
uint64_t metadata_buffer(Context &c, const Args &a, uint64_t bytes) {
    if (const Token *v = a.opt("mptr")) return number(c, *v, "mptr");
    if (bytes == 0) return 0;
    return c.mem.alloc(bytes, "metadata buffer");
}

spec::Sqe rw_sqe(spec::NvmOpcode op, uint32_t nsid, uint64_t slba, uint32_t nlb0, bool fua) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(op);
    sqe.nsid = nsid;
    spec::ReadWriteFields f{};
    f.slba = slba;
    f.nlb = static_cast<uint16_t>(nlb0);
    f.fua = fua;
    f.apply(sqe);
    return sqe;
}

// The end-to-end protection fields of a Read or Write (§8.3): prinfo=N (PRINFO as a nibble: 8
// PRACT, 4 guard, 2 application tag, 1 reference tag check), reftag= ((E)ILBRT), apptag= and
// appmask= ((E)LBAT, (E)LBATM).
spec::Sqe with_protection(Context &c, const Args &a, spec::Sqe sqe) {
    auto f = spec::ReadWriteFields::decode(sqe);
    if (const Token *v = a.opt("prinfo"))
        f.prinfo =
            static_cast<uint8_t>(number(c, *v, "prinfo (PRACT 8 | guard 4 | app 2 | ref 1)", 0xF));
    if (const Token *v = a.opt("reftag"))
        f.reftag = static_cast<uint32_t>(number(c, *v, "reftag", 0xFFFFFFFF));
    if (const Token *v = a.opt("apptag"))
        f.apptag = static_cast<uint16_t>(number(c, *v, "apptag", 0xFFFF));
    if (const Token *v = a.opt("appmask"))
        f.appmask = static_cast<uint16_t>(number(c, *v, "appmask", 0xFFFF));
    f.apply(sqe);
    return sqe;
}

void read(Context &c, Toks t, std::string &out) {
    const Args a = split_form("read", t);
    const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
    const uint64_t slba = number(c, arg(a, 1, "SLBA"), "SLBA");
    const auto nlb0 =
        static_cast<uint32_t>(number(c, arg(a, 2, "NLB0 (blocks - 1)"), "NLB0", 0xFFFF));
    no_more(a, 3);
    const uint16_t qid = io_queue(c, a);
    const HostMetadata md = host_metadata(c, a, nsid);
    const uint64_t len = rw_length(c, nsid, nlb0, md.interleaved);
    const uint64_t buf = data_buffer(c, a, len);
    const uint64_t meta_len = (uint64_t{nlb0} + 1) * md.separate;
    spec::Sqe sqe =
        with_protection(c, a, rw_sqe(spec::NvmOpcode::Read, nsid, slba, nlb0, a.flag("fua")));
    sqe.mptr = metadata_buffer(c, a, meta_len);
    const Completion done = run_with_data(c, qid, sqe, buf, len, out);
    out += describe(done);
    if (done.ok()) {
        put(out, "read {} block{} ({} bytes{}) into 0x{:x}", nlb0 + 1, nlb0 ? "s" : "", len,
            md.interleaved ? fmt::format(", each {} data + {} metadata",
                                         len / (nlb0 + 1) - md.interleaved, md.interleaved)
                           : "",
            buf);
        data_preview(c, buf, len, out);
        if (meta_len != 0 && sqe.mptr != 0) {
            put(out, "metadata: {} bytes ({} per block) at MPTR 0x{:x}", meta_len, md.separate,
                sqe.mptr);
            data_preview(c, sqe.mptr, meta_len, out);
        }
    }
}

void write(Context &c, Toks t, std::string &out) {
    const Args a = split_form("write", t);
    const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
    const uint64_t slba = number(c, arg(a, 1, "SLBA"), "SLBA");
    const auto nlb0 =
        static_cast<uint32_t>(number(c, arg(a, 2, "NLB0 (blocks - 1)"), "NLB0", 0xFFFF));
    no_more(a, 3);
    const Token *data = a.opt("data");
    if ((data != nullptr) == (a.opt("buf") != nullptr))
        usage_error("write", "give exactly one of data=PATTERN or buf=ADDR");
    const uint16_t qid = io_queue(c, a);
    const HostMetadata md = host_metadata(c, a, nsid);
    const uint64_t len = rw_length(c, nsid, nlb0, md.interleaved);
    const uint64_t buf = data_buffer(c, a, len);
    const uint64_t meta_len = (uint64_t{nlb0} + 1) * md.separate;
    const uint64_t mptr = metadata_buffer(c, a, meta_len);
    // meta=BYTE fills the separate metadata buffer (default 0) when the console allocated it.
    if (mptr != 0 && a.opt("mptr") == nullptr) {
        const Token *m = a.opt("meta");
        c.mem.write(mptr, std::vector<uint8_t>(
                              meta_len, m ? static_cast<uint8_t>(number(
                                                c, *m, "meta (the metadata's fill byte)", 0xFF))
                                          : uint8_t{0}));
    }
    if (data) {
        std::vector<uint8_t> bytes(len, 0);
        const std::string l = lower(data->text);
        if (l.rfind("str:", 0) == 0) {
            const std::string text = data->text.substr(4);
            std::copy_n(text.begin(), std::min<size_t>(text.size(), bytes.size()), bytes.begin());
        } else {
            std::fill(
                bytes.begin(), bytes.end(),
                static_cast<uint8_t>(number(c, *data, "data (a fill byte or str:\"...\")", 0xFF)));
        }
        c.mem.write(buf, bytes);
    }
    spec::Sqe sqe =
        with_protection(c, a, rw_sqe(spec::NvmOpcode::Write, nsid, slba, nlb0, a.flag("fua")));
    sqe.mptr = mptr;
    const Completion done = run_with_data(c, qid, sqe, buf, len, out);
    out += describe(done);
    if (done.ok())
        put(out, "wrote {} block{} ({} bytes) from 0x{:x}{}", nlb0 + 1, nlb0 ? "s" : "", len, buf,
            a.flag("fua") ? " with FUA" : "");
}

void flush(Context &c, Toks t, std::string &out) {
    const Args a = split_form("flush", t);
    const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
    no_more(a, 1);
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Flush);
    sqe.nsid = nsid;
    out += describe(run_command(c, io_queue(c, a), sqe, false, out));
}

void get_feature(Context &c, Toks t, std::string &out) {
    const Args a = split_form("get-feature", t);
    const auto fid = static_cast<uint8_t>(number(c, arg(a, 0, "FID"), "FID", 0xFF));
    no_more(a, 1);
    uint8_t sel = 0;
    if (const Token *v = a.opt("sel")) {
        const std::string s = lower(v->text);
        if (s == "current")
            sel = 0;
        else if (s == "default")
            sel = 1;
        else if (s == "saved")
            sel = 2;
        else if (s == "supported")
            sel = 3;
        else
            sel = static_cast<uint8_t>(number(c, *v, "sel (current|default|saved|supported)", 7));
    }
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetFeatures);
    spec::GetFeaturesFields{fid, sel}.apply(sqe);
    if (const Token *v = a.opt("cdw11"))
        sqe.cdw11 = static_cast<uint32_t>(number(c, *v, "cdw11", 0xFFFFFFFF));
    if (const Token *v = a.opt("nsid"))
        sqe.nsid = static_cast<uint32_t>(number(c, *v, "nsid", 0xFFFFFFFF));
    // Timestamp (0Eh) and Host Identifier (81h) return their value as 8 bytes of data, except
    // with SEL 011b (NVMe 1.3 §5.21.1.14, §5.21.1.26).
    const bool has_data =
        sel != 3 && (fid == static_cast<uint8_t>(spec::FeatureId::Timestamp) ||
                     fid == static_cast<uint8_t>(spec::FeatureId::HostIdentifier));
    const uint64_t buf = has_data ? data_buffer(c, a, 8) : 0;
    const Completion done =
        has_data ? run_with_data(c, 0, sqe, buf, 8, out) : run_command(c, 0, sqe, false, out);
    out += describe(done);
    if (!done.ok()) return;
    if (has_data) {
        std::vector<uint8_t> bytes(8);
        c.mem.read(buf, bytes);
        put(out, "feature {} data:{}", feature_label(fid), hexdump(bytes, 0, false));
    }
    constexpr std::array<const char *, 8> sels{"current", "default", "saved", "supported",
                                               "sel=4",   "sel=5",   "sel=6", "sel=7"};
    std::string decoded;
    if (sel == 3)
        decoded = fmt::format("saveable={} namespace-specific={} changeable={}", done.cqe.dw0 & 1,
                              (done.cqe.dw0 >> 1) & 1, (done.cqe.dw0 >> 2) & 1);
    else
        decoded = spec::feature_value_text(fid, done.cqe.dw0);
    put(out, "feature {} ({}): 0x{:08x}{}{}", feature_label(fid), sels[sel & 7], done.cqe.dw0,
        decoded.empty() ? "" : "  ", decoded);
}

void set_feature(Context &c, Toks t, std::string &out) {
    const Args a = split_form("set-feature", t);
    const auto fid = static_cast<uint8_t>(number(c, arg(a, 0, "FID"), "FID", 0xFF));
    const auto value = static_cast<uint32_t>(number(c, arg(a, 1, "VALUE"), "VALUE", 0xFFFFFFFF));
    no_more(a, 2);
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::SetFeatures);
    spec::SetFeaturesFields{fid, a.flag("save")}.apply(sqe);
    sqe.cdw11 = value;
    if (const Token *v = a.opt("nsid"))
        sqe.nsid = static_cast<uint32_t>(number(c, *v, "nsid", 0xFFFFFFFF));
    const Completion done = run_command(c, 0, sqe, false, out);
    out += describe(done);
    if (!done.ok()) return;
    const std::string decoded = spec::feature_value_text(fid, value);
    put(out, "feature {} set to 0x{:08x}{}{}{}", feature_label(fid), value,
        decoded.empty() ? "" : "  ", decoded, a.flag("save") ? " (saved)" : "");
}

void get_log(Context &c, Toks t, std::string &out) {
    const Args a = split_form("get-log", t);
    const auto lid = static_cast<uint8_t>(number(c, arg(a, 0, "LID"), "LID", 0xFF));
    const uint64_t len = number(c, arg(a, 1, "LEN"), "LEN", kMaxTransfer);
    no_more(a, 2);
    if (len == 0) usage_error("get-log", "LEN must be at least 1");
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetLogPage);
    sqe.nsid = 0xFFFFFFFF;
    if (const Token *v = a.opt("nsid"))
        sqe.nsid = static_cast<uint32_t>(number(c, *v, "nsid", 0xFFFFFFFF));
    spec::GetLogPageFields f{};
    f.lid = lid;
    f.set_length_bytes(len);
    if (const Token *v = a.opt("offset")) f.set_offset(number(c, *v, "offset"));
    // LSP (e.g. 1 on log 07h: capture new Telemetry Host-Initiated data) and RAE (§5.14).
    if (const Token *v = a.opt("lsp")) f.lsp = static_cast<uint8_t>(number(c, *v, "lsp", 0xF));
    f.rae = a.flag("rae");
    f.apply(sqe);
    const uint64_t xfer = f.length_bytes();
    const uint64_t buf = data_buffer(c, a, xfer);
    const Completion done = run_with_data(c, 0, sqe, buf, xfer, out);
    out += describe(done);
    if (!done.ok()) return;
    const std::string_view name = spec::log_page_name(lid);
    put(out, "log 0x{:02x}{}{}: {} bytes at 0x{:x} (offset 0x{:x})", lid, name.empty() ? "" : " ",
        name, xfer, buf, f.offset());
    std::vector<uint8_t> bytes(std::min<uint64_t>(xfer, kMaxDump));
    c.mem.read(buf, bytes);
    out += hexdump(bytes, f.offset(), true);
}
constexpr std::string_view kBuf[] = {"buf"};
constexpr std::string_view kReadOptions[] = {"buf",    "queue",   "prinfo", "reftag",
                                             "apptag", "appmask", "mptr"};
constexpr std::string_view kWriteOptions[] = {"buf",    "data",    "queue", "prinfo", "reftag",
                                              "apptag", "appmask", "mptr",  "meta"};
constexpr std::string_view kFua[] = {"fua"};
constexpr std::string_view kQueue[] = {"queue"};
constexpr std::string_view kGetFeatureOptions[] = {"sel", "cdw11", "nsid"};
constexpr std::string_view kNsid[] = {"nsid"};
constexpr std::string_view kSave[] = {"save"};
constexpr std::string_view kGetLogOptions[] = {"offset", "nsid", "buf", "lsp"};
constexpr std::string_view kRae[] = {"rae"};

constexpr CommandForm kForms[] = {
    {"admin", "admin NAME",
     "Run SQE NAME on the admin queue until it completes; print the completion.", admin},
    {"io", "io QID NAME", "The same on I/O queue QID.", io},
    {"identify", "identify ctrl|ns NSID|nslist [NSID]|nsdesc NSID [buf=ADDR]",
     "Identify, key fields decoded (4096 bytes of data; buf= keeps them where you say).", identify,
     nullptr, kBuf},
    {"read",
     "read NSID SLBA NLB0 [buf=ADDR] [queue=QID] [fua] [prinfo=N] [reftag=N] [apptag=N] "
     "[appmask=N] [mptr=ADDR]",
     "Read NLB0+1 blocks (NLB is 0's based, as in the SQE). prinfo: 8 PRACT, 4 guard, 2 app tag, "
     "1 ref tag check. Metadata: in the data for extended LBAs, else at MPTR (allocated unless "
     "mptr= names it).",
     read, nullptr, kReadOptions, kFua},
    {"write",
     "write NSID SLBA NLB0 data=PATTERN|buf=ADDR [queue=QID] [fua] [prinfo=N] [reftag=N] "
     "[apptag=N] [appmask=N] [mptr=ADDR|meta=BYTE]",
     "Write NLB0+1 blocks. PATTERN: a fill byte (0xA5) or str:\"text\" (zero padded). prinfo as "
     "for read. Separate metadata: meta= fills the buffer the console allocates, or mptr=.",
     write, nullptr, kWriteOptions, kFua},
    {"flush", "flush NSID [queue=QID]", "Write the volatile cache back to the media.", flush,
     nullptr, kQueue},
    {"get-feature", "get-feature FID [sel=current|default|saved|supported] [cdw11=X] [nsid=N]",
     "Get Features; dw0 decoded for the known features.", get_feature, nullptr, kGetFeatureOptions},
    {"set-feature", "set-feature FID VALUE [save] [nsid=N]", "Set Features with CDW11 = VALUE.",
     set_feature, nullptr, kNsid, kSave},
    {"get-log", "get-log LID LEN [offset=N] [nsid=N] [buf=ADDR] [lsp=N] [rae]",
     "Get Log Page (NSID defaults to 0xffffffff); hex dump of the data. lsp=1 on log 7 captures "
     "new telemetry; rae keeps the log's event masked.",
     get_log, nullptr, kGetLogOptions, kRae},
};

} // namespace

constinit const CommandFamily kNvmeCommands{"Commands (submit, ring, wait)", kForms};

} // namespace nvmelab::console
