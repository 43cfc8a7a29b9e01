// The console language interpreter (see console.h and docs/console.md).
#include "console/console.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <limits>
#include <new>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/spec/field_decode.h"
#include "core/spec/status_text.h"
#include "core/util/number_text.h"

namespace nvmelab {

namespace {

using spec::Reg;

// A malformed line or a failed check; exec_line turns it into ConsoleResult::error.
struct ConsoleError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A malformed argument; exec_line appends the usage of the command form unless it is already
// part of the message.
struct SyntaxError : ConsoleError {
    SyntaxError(std::string message, bool with_usage)
        : ConsoleError(std::move(message)), has_usage(with_usage) {}
    bool has_usage;
};

[[noreturn]] void fail(std::string message) {
    throw ConsoleError(std::move(message));
}

// Calls fn(number, line) for each line of a script, numbered from 1, until fn returns a
// non-empty error; returns it as "source:LINE: error", or "" when every line passed.
template <typename Fn>
std::string first_line_error(std::string_view text, std::string_view source_name, Fn &&fn) {
    size_t pos = 0;
    for (size_t number = 1; pos < text.size(); ++number) {
        const size_t nl = text.find('\n', pos);
        const std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (std::string e = fn(line); !e.empty())
            return fmt::format("{}:{}: {}", source_name, number, e);
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return {};
}
[[noreturn]] void syntax(std::string message) {
    throw SyntaxError(std::move(message), false);
}

template <typename... T> void put(std::string &out, fmt::format_string<T...> f, T &&...args) {
    out += fmt::format(f, std::forward<T>(args)...);
    out += '\n';
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &ch : out)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char &ch : out)
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    return out;
}

bool is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

std::string human_size(uint64_t bytes) {
    return spec::size_text(bytes);
}

std::string us(uint64_t ns) {
    return fmt::format("{:.3f} us", static_cast<double>(ns) / 1000.0);
}

// ---------------------------------------------------------------------------
// The command reference: one entry per command form. help() prints it, and syntax errors quote
// the usage of the form that was typed.
// ---------------------------------------------------------------------------

struct Doc {
    std::string_view section;
    std::string_view key; // command words, e.g. "mem write"
    std::string_view usage;
    std::string_view text;
};

constexpr Doc kDocs[] = {
    {"Registers", "reg", "reg", "Show every controller register, decoded field by field."},
    {"Registers", "reg read", "reg read NAME[.FIELD]",
     "Show one register or one field. NAME: CAP VS INTMS INTMC CC CSTS NSSR AQA ASQ ACQ."},
    {"Registers", "reg write", "reg write NAME[.FIELD] VALUE",
     "Write a register. NAME.FIELD writes one field (read-modify-write), e.g. reg write CC.EN 1."},
    {"Registers", "doorbell", "doorbell sq|cq QID VALUE",
     "Write a raw SQ tail / CQ head doorbell; the host's own queue state is not changed."},

    {"Host memory", "mem alloc", "mem alloc NAME SIZE [align=N]",
     "Allocate host memory (whole pages) labelled NAME; sets $NAME to its address."},
    {"Host memory", "mem write", "mem write ADDR DATA...",
     "Write bytes. DATA: hex bytes (de ad be ef), str:\"text\", u8:/u16:/u32:/u64:VALUE "
     "(little endian)."},
    {"Host memory", "mem fill", "mem fill ADDR BYTE LEN", "Fill LEN bytes with BYTE."},
    {"Host memory", "mem read", "mem read ADDR u8|u16|u32|u64", "Read one little-endian value."},
    {"Host memory", "mem dump", "mem dump ADDR LEN", "Hex and ASCII dump, 16 bytes a line."},
    {"Host memory", "mem map", "mem map", "List the mapped host memory regions and their labels."},

    {"Bring-up (host driver)", "enable", "enable [mps=N] [ams=rr|wrr] [entries=N]",
     "Disable, program AQA/ASQ/ACQ and CC, set CC.EN and wait for CSTS.RDY (NVMe 1.3 §7.6.1)."},
    {"Bring-up (host driver)", "disable", "disable",
     "Clear CC.EN and wait for CSTS.RDY = 0: a controller reset, every queue is gone."},
    {"Bring-up (host driver)", "shutdown", "shutdown",
     "Delete the I/O queues, set CC.SHN = 01b, wait for CSTS.SHST = 10b (§7.6.2)."},
    {"Bring-up (host driver)", "queue create",
     "queue create [QID] [entries=N] [prio=urgent|high|medium|low] [iv=N]",
     "Create an I/O CQ and SQ pair with admin commands (entries defaults to 64)."},
    {"Bring-up (host driver)", "queue delete", "queue delete QID",
     "Delete an I/O SQ and then its CQ."},
    {"Bring-up (host driver)", "queues", "queues",
     "The controller's SQs and CQs (size, head, tail, phase, base) and the host's view."},

    {"Raw commands", "sqe", "sqe NAME [FIELD=VALUE]...",
     "Define (opc= needed) or change a named SQE; 'sqe NAME' shows it. FIELD: opc fuse psdt "
     "cid nsid cdw2 cdw3 mptr prp1 prp2 cdw10..cdw15, or cdw0..cdw15 as raw dwords; cid=auto "
     "lets submit assign the CID."},
    {"Raw commands", "prp", "prp NAME BUF LEN",
     "Fill prp1/prp2 of SQE NAME for LEN bytes at BUF, building a PRP list when needed."},
    {"Raw commands", "submit", "submit QID NAME",
     "Write SQE NAME at the host's tail of SQ QID. The doorbell is not rung."},
    {"Raw commands", "ring", "ring QID", "Ring the SQ tail doorbell with the host's tail."},
    {"Raw commands", "reap", "reap QID",
     "Take every new CQE (phase tag check) from queue pair QID's CQ, print each decoded, and "
     "write the CQ head doorbell."},

    {"Commands (submit, ring, wait)", "admin", "admin NAME",
     "Run SQE NAME on the admin queue until it completes; print the completion."},
    {"Commands (submit, ring, wait)", "io", "io QID NAME", "The same on I/O queue QID."},
    {"Commands (submit, ring, wait)", "identify",
     "identify ctrl|ns NSID|nslist [NSID]|nsdesc NSID [buf=ADDR]",
     "Identify, key fields decoded (4096 bytes of data; buf= keeps them where you say)."},
    {"Commands (submit, ring, wait)", "read", "read NSID SLBA NLB0 [buf=ADDR] [queue=QID] [fua]",
     "Read NLB0+1 blocks (NLB is 0's based, as in the SQE)."},
    {"Commands (submit, ring, wait)", "write",
     "write NSID SLBA NLB0 data=PATTERN|buf=ADDR [queue=QID] [fua]",
     "Write NLB0+1 blocks. PATTERN: a fill byte (0xA5) or str:\"text\" (zero padded)."},
    {"Commands (submit, ring, wait)", "flush", "flush NSID [queue=QID]",
     "Write the volatile cache back to the media."},
    {"Commands (submit, ring, wait)", "get-feature",
     "get-feature FID [sel=current|default|saved|supported] [cdw11=X] [nsid=N]",
     "Get Features; dw0 decoded for the known features."},
    {"Commands (submit, ring, wait)", "set-feature", "set-feature FID VALUE [save] [nsid=N]",
     "Set Features with CDW11 = VALUE."},
    {"Commands (submit, ring, wait)", "get-log", "get-log LID LEN [offset=N] [nsid=N] [buf=ADDR]",
     "Get Log Page (NSID defaults to 0xffffffff); hex dump of the data."},

    {"Virtual time", "step", "step [N] | step command",
     "Run N controller events (default 1), or until the next CQE is posted; print their trace."},
    {"Virtual time", "run", "run | run until TIME_US | run for US",
     "Run until idle, or until a virtual time (idle time passes too, e.g. waiting for RDY)."},
    {"Virtual time", "trace", "trace [N] | trace since-mark",
     "The last N trace lines (default 20), or every line since 'mark'."},
    {"Virtual time", "mark", "mark", "Remember the current trace position."},

    {"Checks (a failed check stops a script)", "expect status",
     "expect status success|NAME|0xFIELD",
     "Status of the last completion: 'success', a name as printed (\"PRP Offset Invalid\"), or "
     "the 15-bit status field in hex (0x4002 = DNR + Invalid Field; the More bit 0x2000 "
     "counts only when given)."},
    {"Checks (a failed check stops a script)", "expect sct", "expect sct N sc N",
     "Status Code Type and Status Code of the last completion."},
    {"Checks (a failed check stops a script)", "expect dnr", "expect dnr 0|1",
     "Do Not Retry bit of the last completion."},
    {"Checks (a failed check stops a script)", "expect dw0", "expect dw0 [OP] VALUE",
     "Dword 0 of the last completion. OP: == != < <= > >= (default ==)."},
    {"Checks (a failed check stops a script)", "expect reg", "expect reg NAME[.FIELD] [OP] VALUE",
     "A register or field."},
    {"Checks (a failed check stops a script)", "expect mem",
     "expect mem ADDR u8|u16|u32|u64 [OP] VALUE | expect mem ADDR bytes DATA...",
     "Host memory: one little-endian value, or bytes (DATA as in mem write, e.g. \"de ad\")."},
    {"Checks (a failed check stops a script)", "expect queue",
     "expect queue QID head|tail|phase [OP] VALUE",
     "The controller's SQ QID head / tail, or the phase tag its CQ writes next."},
    {"Checks (a failed check stops a script)", "expect sq",
     "expect sq QID head|tail|size|cqid [OP] VALUE",
     "The controller's SQ head (fetch position), tail (last doorbell), size (entries) or the CQ "
     "it posts to."},
    {"Checks (a failed check stops a script)", "expect cq",
     "expect cq QID head|tail|phase|pending|size [OP] VALUE",
     "The controller's CQ head / tail / phase / size (entries); pending = CQEs in host memory "
     "the host has not reaped (phase tags)."},
    {"Checks (a failed check stops a script)", "expect cached", "expect cached NSID [OP] VALUE",
     "Blocks of namespace NSID held in the volatile write cache, not yet on the media."},

    {"Other", "echo", "echo TEXT", "Print TEXT."},
    {"Other", "set", "set NAME VALUE | set", "Set $NAME; 'set' alone lists the variables."},
    {"Other", "help", "help [COMMAND]", "This reference, or the entries for one command."},
};

bool doc_matches(const Doc &d, std::string_view key) {
    return d.key == key || (d.key.size() > key.size() && d.key.substr(0, key.size()) == key &&
                            d.key[key.size()] == ' ');
}

// The usage of a command form; for a command with several forms (e.g. "reg"), all of them.
std::string usage(std::string_view key) {
    std::string out;
    for (const Doc &d : kDocs) {
        if (!doc_matches(d, key)) continue;
        if (!out.empty()) out += " | ";
        out += d.usage;
    }
    return out;
}

[[noreturn]] void usage_error(std::string_view key, std::string problem) {
    throw SyntaxError(fmt::format("{}; usage: {}", problem, usage(key)), true);
}

std::string format_docs(std::span<const Doc *const> docs) {
    std::string out;
    std::string_view section;
    for (const Doc *d : docs) {
        if (d->section != section) {
            if (!section.empty()) out += '\n';
            section = d->section;
            out += fmt::format("{}\n", section);
        }
        if (d->usage.size() <= 40)
            out += fmt::format("  {:<42}{}\n", d->usage, d->text);
        else
            out += fmt::format("  {}\n  {:<42}{}\n", d->usage, "", d->text);
    }
    return out;
}

// ---------------------------------------------------------------------------
// Tokens: whitespace separated; "..." quotes (with \" \\ \n \t \xHH escapes) may appear inside a
// token (str:"two words"); '#' at the start of a token starts a comment.
// ---------------------------------------------------------------------------

struct Token {
    std::string text;
    size_t quote = std::string::npos; // where the first quoted part starts in text
    bool quoted() const { return quote != std::string::npos; }
};

std::vector<Token> tokenize(std::string_view line) {
    std::vector<Token> out;
    size_t i = 0;
    while (true) {
        while (i < line.size() && is_space(line[i]))
            ++i;
        if (i >= line.size() || line[i] == '#') break;
        Token t;
        while (i < line.size() && !is_space(line[i])) {
            if (line[i] != '"') {
                t.text += line[i++];
                continue;
            }
            if (!t.quoted()) t.quote = t.text.size();
            ++i;
            bool closed = false;
            while (i < line.size()) {
                const char ch = line[i++];
                if (ch == '"') {
                    closed = true;
                    break;
                }
                if (ch != '\\' || i >= line.size()) {
                    t.text += ch;
                    continue;
                }
                const char esc = line[i++];
                switch (esc) {
                case 'n':
                    t.text += '\n';
                    break;
                case 't':
                    t.text += '\t';
                    break;
                case '0':
                    t.text += '\0';
                    break;
                case 'x': {
                    const int hi = i < line.size() ? hex_digit(line[i]) : -1;
                    const int lo = i + 1 < line.size() ? hex_digit(line[i + 1]) : -1;
                    if (hi < 0 || lo < 0) fail("bad escape in string: \\x needs two hex digits");
                    t.text += static_cast<char>(hi * 16 + lo);
                    i += 2;
                    break;
                }
                default:
                    t.text += esc;
                    break; // \" and \\ and anything else: the character
                }
            }
            if (!closed) fail("unterminated string: a '\"' has no closing quote");
        }
        out.push_back(std::move(t));
    }
    return out;
}

// Arguments of one command: positionals, key=value options (only the keys the command takes,
// case-insensitive) and bare flag words.
struct Args {
    std::string key; // command form for usage errors
    std::vector<Token> pos;
    std::vector<std::pair<std::string, Token>> opts;
    std::vector<std::string> flags;

    const Token *opt(std::string_view k) const {
        for (const auto &[name, tok] : opts)
            if (name == k) return &tok;
        return nullptr;
    }
    bool flag(std::string_view f) const {
        return std::find(flags.begin(), flags.end(), f) != flags.end();
    }
};

Args split_args(std::string_view key, std::span<const Token> toks,
                std::span<const std::string_view> keys, std::span<const std::string_view> flags) {
    Args a;
    a.key = std::string(key);
    for (const Token &t : toks) {
        const size_t eq = t.text.find('=');
        if (eq != std::string::npos && eq > 0 && eq < t.quote) {
            const std::string k = lower(t.text.substr(0, eq));
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
                if (keys.size() == 0)
                    usage_error(key, fmt::format("'{}' takes no key=value options (got '{}')", key,
                                                 t.text));
                std::string allowed;
                for (std::string_view o : keys)
                    allowed += fmt::format(" {}=", o);
                usage_error(key, fmt::format("unknown option '{}=' (allowed:{})", k, allowed));
            }
            if (a.opt(k)) usage_error(key, fmt::format("option '{}=' is given twice", k));
            Token v{t.text.substr(eq + 1), t.quoted() ? t.quote - eq - 1 : std::string::npos};
            a.opts.emplace_back(k, std::move(v));
            continue;
        }
        const std::string l = lower(t.text);
        if (!t.quoted() && std::find(flags.begin(), flags.end(), l) != flags.end()) {
            if (!a.flag(l)) a.flags.push_back(l);
            continue;
        }
        a.pos.push_back(t);
    }
    return a;
}

Args split_args(std::string_view key, std::span<const Token> toks,
                std::initializer_list<std::string_view> keys = {},
                std::initializer_list<std::string_view> flags = {}) {
    return split_args(key, toks, std::span(keys.begin(), keys.size()),
                      std::span(flags.begin(), flags.size()));
}

const Token &arg(const Args &a, size_t i, std::string_view what) {
    if (i >= a.pos.size()) usage_error(a.key, fmt::format("missing {}", what));
    return a.pos[i];
}

void no_more(const Args &a, size_t n) {
    if (a.pos.size() > n)
        usage_error(a.key, fmt::format("unexpected argument '{}'", a.pos[n].text));
}

bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const char ch = s[i];
        const bool alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
        const bool digit = ch >= '0' && ch <= '9';
        if (!alpha && !(digit && i > 0)) return false;
    }
    return true;
}

// A plain number as nvme-cli reads one (core/util/number_text.h: 0x hex, a leading 0 octal,
// else decimal), decimal or octal with an optional K/M/G/T suffix (binary units). On failure
// `why` says what is wrong when the rule explains it ("" otherwise).
std::optional<uint64_t> parse_literal(std::string_view s, std::string *why = nullptr) {
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    const bool hex = s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const bool unit = !hex && s.size() > 1 && std::isalpha(static_cast<unsigned char>(s.back()));
    const std::string_view digits = unit ? s.substr(0, s.size() - 1) : s;
    if (std::string e = parse_unsigned(digits, v); !e.empty()) {
        // Only the rule's own complaint helps here; other text gets the console's usage.
        if (why != nullptr && e.find("octal (as in nvme-cli)") != std::string::npos) *why = e;
        return std::nullopt;
    }
    if (!unit) return v;
    unsigned shift = 0;
    switch (s.back()) {
    case 'k':
    case 'K':
        shift = 10;
        break;
    case 'm':
    case 'M':
        shift = 20;
        break;
    case 'g':
    case 'G':
        shift = 30;
        break;
    case 't':
    case 'T':
        shift = 40;
        break;
    default:
        return std::nullopt;
    }
    if ((v >> (64 - shift)) != 0) return std::nullopt;
    return v << shift;
}

// ---------------------------------------------------------------------------
// Registers: names and fields as in the spec views (nvme_spec.h CapReg, CcReg, CstsReg, AqaReg).
// ---------------------------------------------------------------------------

struct FieldDef {
    std::string_view name;
    unsigned hi;
    unsigned lo;
};

struct RegDef {
    std::string_view name;
    Reg reg;
    bool wide;
    std::span<const FieldDef> fields;
};

constexpr FieldDef kCapFields[] = {
    {"MQES", 15, 0},   {"CQR", 16, 16}, {"AMS", 18, 17}, {"TO", 31, 24},     {"DSTRD", 35, 32},
    {"NSSRS", 36, 36}, {"CSS", 44, 37}, {"BPS", 45, 45}, {"MPSMIN", 51, 48}, {"MPSMAX", 55, 52}};
constexpr FieldDef kVsFields[] = {{"MJR", 31, 16}, {"MNR", 15, 8}, {"TER", 7, 0}};
constexpr FieldDef kCcFields[] = {{"EN", 0, 0},      {"CSS", 6, 4},   {"MPS", 10, 7},
                                  {"AMS", 13, 11},   {"SHN", 15, 14}, {"IOSQES", 19, 16},
                                  {"IOCQES", 23, 20}};
constexpr FieldDef kCstsFields[] = {
    {"RDY", 0, 0}, {"CFS", 1, 1}, {"SHST", 3, 2}, {"NSSRO", 4, 4}, {"PP", 5, 5}};
constexpr FieldDef kAqaFields[] = {{"ASQS", 11, 0}, {"ACQS", 27, 16}};

// The tables above agree with the spec views.
constexpr uint64_t field_ones(const FieldDef &f) {
    return spec::detail::with_bits<uint64_t>(0, f.hi, f.lo, ~uint64_t{0});
}
static_assert(spec::CapReg{0}.set_mqes(0xFFFF).raw == field_ones(kCapFields[0]));
static_assert(spec::CapReg{0}.set_ams(3).raw == field_ones(kCapFields[2]));
static_assert(spec::CapReg{0}.set_to(0xFF).raw == field_ones(kCapFields[3]));
static_assert(spec::CapReg{0}.set_dstrd(0xF).raw == field_ones(kCapFields[4]));
static_assert(spec::CapReg{0}.set_css(0xFF).raw == field_ones(kCapFields[6]));
static_assert(spec::CapReg{0}.set_mpsmin(0xF).raw == field_ones(kCapFields[8]));
static_assert(spec::CapReg{0}.set_mpsmax(0xF).raw == field_ones(kCapFields[9]));
static_assert(spec::CcReg{0}.set_css(7).raw == field_ones(kCcFields[1]));
static_assert(spec::CcReg{0}.set_mps(0xF).raw == field_ones(kCcFields[2]));
static_assert(spec::CcReg{0}.set_ams(7).raw == field_ones(kCcFields[3]));
static_assert(spec::CcReg{0}.set_shn(3).raw == field_ones(kCcFields[4]));
static_assert(spec::CcReg{0}.set_iosqes(0xF).raw == field_ones(kCcFields[5]));
static_assert(spec::CcReg{0}.set_iocqes(0xF).raw == field_ones(kCcFields[6]));
static_assert(spec::CstsReg{0}.set_shst(3).raw == field_ones(kCstsFields[2]));
static_assert(spec::CstsReg{0}.set_pp(true).raw == field_ones(kCstsFields[4]));
static_assert(spec::AqaReg{0}.set_asqs(0xFFF).raw == field_ones(kAqaFields[0]));
static_assert(spec::AqaReg{0}.set_acqs(0xFFF).raw == field_ones(kAqaFields[1]));

const RegDef kRegs[] = {
    {"CAP", Reg::Cap, true, kCapFields}, {"VS", Reg::Vs, false, kVsFields},
    {"INTMS", Reg::Intms, false, {}},    {"INTMC", Reg::Intmc, false, {}},
    {"CC", Reg::Cc, false, kCcFields},   {"CSTS", Reg::Csts, false, kCstsFields},
    {"NSSR", Reg::Nssr, false, {}},      {"AQA", Reg::Aqa, false, kAqaFields},
    {"ASQ", Reg::Asq, true, {}},         {"ACQ", Reg::Acq, true, {}},
};

constexpr uint32_t off(Reg r) {
    return static_cast<uint32_t>(r);
}

uint64_t field_max(const FieldDef &f) {
    return field_ones(f) >> f.lo;
}
uint64_t field_get(uint64_t raw, const FieldDef &f) {
    return spec::detail::bits<uint64_t>(raw, f.hi, f.lo);
}

std::string register_names() {
    std::string s;
    for (const RegDef &r : kRegs)
        s += fmt::format("{}{}", s.empty() ? "" : " ", r.name);
    return s;
}

// NAME or NAME.FIELD; field is null for a whole register.
std::pair<const RegDef *, const FieldDef *> find_register(std::string_view text,
                                                          std::string_view key) {
    const size_t dot = text.find('.');
    const std::string name = upper(text.substr(0, dot));
    const RegDef *reg = nullptr;
    for (const RegDef &r : kRegs)
        if (r.name == name) reg = &r;
    if (reg == nullptr)
        usage_error(key, fmt::format("unknown register '{}' (registers: {})", text.substr(0, dot),
                                     register_names()));
    if (dot == std::string_view::npos) return {reg, nullptr};
    const std::string field = upper(text.substr(dot + 1));
    for (const FieldDef &f : reg->fields)
        if (f.name == field) return {reg, &f};
    if (reg->fields.empty())
        usage_error(key,
                    fmt::format("{} has no named fields; write the whole register", reg->name));
    std::string names;
    for (const FieldDef &f : reg->fields)
        names += fmt::format(" {}", f.name);
    usage_error(key, fmt::format("{} has no field '{}' (fields:{})", reg->name,
                                 text.substr(dot + 1), names));
}

std::string format_register(const RegDef &r, uint64_t v) {
    std::string s = r.wide ? fmt::format("{:<5} = 0x{:016x}", r.name, v)
                           : fmt::format("{:<5} = 0x{:08x}", r.name, v);
    if (!r.fields.empty()) s += ' ';
    for (const FieldDef &f : r.fields)
        s += fmt::format(" {}={}", f.name, field_get(v, f));
    return s;
}

// ---------------------------------------------------------------------------
// Completions and data.
// ---------------------------------------------------------------------------

std::string describe(const Completion &c) {
    const spec::Status s = c.status();
    std::string out = fmt::format(
        "cqe cid={} sq={} sqhd={} phase={} dw0=0x{:08x} status=0x{:04x} {}", c.cqe.cid, c.cqe.sqid,
        c.cqe.sqhd, c.cqe.phase() ? 1 : 0, c.cqe.dw0, s.field(), spec::status_name(s));
    if (s.dnr) out += " [DNR]";
    if (s.more) out += " [M]";
    out += '\n';
    if (!s.ok()) {
        const std::string_view meaning = spec::status_description(s);
        if (!meaning.empty()) out += fmt::format("    meaning: {}\n", meaning);
        if (c.why)
            out += fmt::format("    why: {}=0x{:x}: {} ({})\n", c.why->field, c.why->value,
                               c.why->rule, c.why->section);
    }
    return out;
}

std::string hexdump(std::span<const uint8_t> bytes, uint64_t first_address, bool offsets) {
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 16) {
        const size_t n = std::min<size_t>(16, bytes.size() - i);
        std::string hex;
        std::string ascii;
        for (size_t j = 0; j < 16; ++j) {
            if (j == 8) hex += ' ';
            if (j < n) {
                hex += fmt::format(" {:02x}", bytes[i + j]);
                const uint8_t b = bytes[i + j];
                ascii += b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
            } else {
                hex += "   ";
            }
        }
        if (offsets)
            out += fmt::format("  +0x{:04x} {}  |{}|\n", first_address + i, hex, ascii);
        else
            out += fmt::format("0x{:08x} {}  |{}|\n", first_address + i, hex, ascii);
    }
    return out;
}

std::string opcode_text(uint8_t opc, bool admin) {
    const std::string_view name = admin ? spec::admin_opcode_name(opc) : spec::nvm_opcode_name(opc);
    return name.empty() ? fmt::format("0x{:02x}", opc) : fmt::format("0x{:02x} {}", opc, name);
}

std::string trimmed(const char *p, size_t n) {
    std::string s(p, n);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

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

// Host-side view of a CQ, whoever owns it.
struct HostCq {
    uint64_t base = 0;
    uint32_t size = 0;
    uint32_t head = 0;
    bool phase = true;
};

const QueueView *find_view(const std::vector<QueueView> &views, bool sq, uint16_t qid) {
    for (const QueueView &v : views)
        if (v.is_sq == sq && v.qid == qid) return &v;
    return nullptr;
}

constexpr uint64_t kMaxTransfer = uint64_t{16} << 20; // per console command
constexpr uint64_t kMaxAlloc = uint64_t{256} << 20;
constexpr uint64_t kMaxDump = 64 * 1024;

} // namespace

// ---------------------------------------------------------------------------
// The handlers.
// ---------------------------------------------------------------------------

struct Console::Impl {
    using C = Console;
    using Toks = std::span<const Token>;

    // ---- numbers and names ------------------------------------------------

    static uint64_t number(const C &c, const Token &t, std::string_view what,
                           uint64_t max = std::numeric_limits<uint64_t>::max()) {
        const std::string_view s = t.text;
        auto bad = [&]() -> std::string {
            return fmt::format("bad number '{}' for {}: use decimal (4096), hex (0x1000), octal "
                               "with a leading 0 (010 = 8, as in nvme-cli), a size (4K, 1M, 1G) "
                               "or a $variable, optionally with +/- offsets",
                               s, what);
        };
        if (t.quoted() || s.empty()) syntax(bad());
        uint64_t total = 0;
        size_t pos = 0;
        bool negative_term = false;
        while (pos <= s.size()) {
            size_t end = pos;
            while (end < s.size() && s[end] != '+' && s[end] != '-')
                ++end;
            const std::string_view term = s.substr(pos, end - pos);
            if (term.empty()) syntax(bad());
            uint64_t v = 0;
            if (term[0] == '$') {
                const std::string name(term.substr(1));
                auto it = c.vars_.find(name);
                if (it == c.vars_.end()) {
                    std::string known;
                    for (const auto &[k, val] : c.vars_)
                        known += fmt::format(" ${}", k);
                    syntax(fmt::format("unknown variable '${}' in {} ({})", name, what,
                                       known.empty() ? "no variables are set yet; 'mem alloc NAME "
                                                       "SIZE' and 'set NAME VALUE' define them"
                                                     : "defined:" + known));
                }
                v = it->second;
            } else {
                std::string why;
                const auto lit = parse_literal(term, &why);
                if (!lit) syntax(why.empty() ? bad() : fmt::format("{}: {}", what, why));
                v = *lit;
            }
            if (negative_term) {
                if (v > total) syntax(fmt::format("{} for {} is negative", s, what));
                total -= v;
            } else {
                if (total > std::numeric_limits<uint64_t>::max() - v)
                    syntax(fmt::format("{} for {} does not fit in 64 bits", s, what));
                total += v;
            }
            if (end >= s.size()) break;
            negative_term = s[end] == '-';
            pos = end + 1;
            if (pos >= s.size()) syntax(bad());
        }
        if (total > max) {
            const bool computed = s.find_first_of("$+-") != std::string_view::npos;
            syntax(fmt::format("{}{} is out of range for {} (max 0x{:x})", s,
                               computed ? fmt::format(" = 0x{:x}", total) : std::string(), what,
                               max));
        }
        return total;
    }

    static uint16_t qid_arg(const C &c, const Token &t) {
        return static_cast<uint16_t>(number(c, t, "QID", 0xFFFF));
    }

    static std::string name_arg(const Token &t, std::string_view key, std::string_view what) {
        std::string_view s = t.text;
        if (!s.empty() && s[0] == '$') s.remove_prefix(1);
        if (t.quoted() || !is_identifier(s))
            usage_error(key, fmt::format("bad {} '{}': use letters, digits and _", what, t.text));
        return std::string(s);
    }

    // ---- registers ----------------------------------------------------------

    static uint64_t read_reg(const C &c, const RegDef &r) {
        return r.wide ? c.ctrl_.read64(off(r.reg)) : c.ctrl_.read32(off(r.reg));
    }

    static bool cc_enabled(const C &c) { return spec::CcReg{c.ctrl_.read32(off(Reg::Cc))}.en(); }

    // Lines for problems the controller reported (in its trace) since event `seq`.
    static void report_problems(const C &c, uint64_t seq, std::string &out) {
        const Trace &tr = c.ctrl_.trace();
        for (const TraceEvent &ev : tr.events()) {
            if (ev.seq < seq) continue;
            if (ev.kind == EventKind::DoorbellInvalid || ev.kind == EventKind::ControllerFatal)
                put(out, "! {}", tr.format(ev));
        }
    }

    // Keeps the host-side state honest after a register write: a controller reset drops every
    // queue, so the driver's and the console's queue bookkeeping go too.
    static void after_register_write(C &c, bool was_enabled) {
        const bool enabled = cc_enabled(c);
        if (was_enabled != enabled) clear_raw(c);
        if (!enabled && c.drv_.has_queue(0)) c.drv_.disable();
    }

    static void clear_raw(C &c) {
        c.raw_sqs_.clear();
        c.raw_cqs_.clear();
    }

    static void reg(C &c, Toks t, std::string &out) {
        if (t.empty()) {
            for (const RegDef &r : kRegs)
                put(out, "{}", format_register(r, read_reg(c, r)));
            return;
        }
        const std::string sub = lower(t[0].text);
        if (sub == "write") return reg_write(c, t.subspan(1), out);
        if (sub == "read") return reg_read(c, t.subspan(1), out, "reg read");
        for (const RegDef &r : kRegs) // `reg CC` reads too
            if (upper(t[0].text.substr(0, t[0].text.find('.'))) == r.name)
                return reg_read(c, t, out, "reg read");
        usage_error("reg", fmt::format("unknown reg subcommand '{}'", t[0].text));
    }

    static void reg_read(C &c, Toks t, std::string &out, std::string_view key) {
        const Args a = split_args(key, t);
        const Token &name = arg(a, 0, "register NAME");
        no_more(a, 1);
        const auto [r, f] = find_register(name.text, key);
        const uint64_t v = read_reg(c, *r);
        if (f) {
            put(out, "{}.{} = {} (0x{:x})", r->name, f->name, field_get(v, *f), field_get(v, *f));
            return;
        }
        put(out, "{}", format_register(*r, v));
    }

    static void reg_write(C &c, Toks t, std::string &out) {
        const Args a = split_args("reg write", t);
        const Token &name = arg(a, 0, "register NAME");
        const Token &value_tok = arg(a, 1, "VALUE");
        no_more(a, 2);
        const auto [r, f] = find_register(name.text, "reg write");
        const uint64_t max = f ? field_max(*f) : r->wide ? ~uint64_t{0} : 0xFFFFFFFFu;
        const std::string what = f ? fmt::format("{}.{}", r->name, f->name) : std::string(r->name);
        const uint64_t value = number(c, value_tok, what, max);
        const uint64_t before = read_reg(c, *r);
        const uint64_t raw =
            f ? spec::detail::with_bits<uint64_t>(before, f->hi, f->lo, value) : value;
        const bool was_enabled = cc_enabled(c);
        const bool was_fatal = spec::CstsReg{c.ctrl_.read32(off(Reg::Csts))}.cfs();
        const uint64_t seq = c.ctrl_.trace().total_recorded();
        if (r->wide)
            c.ctrl_.write64(off(r->reg), raw);
        else
            c.ctrl_.write32(off(r->reg), static_cast<uint32_t>(raw));
        after_register_write(c, was_enabled);
        const uint64_t now = read_reg(c, *r);
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
            put(out, "note: {} reads back 0x{:x}, not the 0x{:x} written ({})", r->name, now, raw,
                why);
        }
        report_problems(c, seq, out);
        if (r->reg == Reg::Cc) {
            const spec::CstsReg csts{c.ctrl_.read32(off(Reg::Csts))};
            if (!was_enabled && cc_enabled(c) && !csts.cfs())
                put(out, "note: CSTS.RDY becomes 1 once the controller is ready; 'run' lets "
                         "virtual time pass");
            if (csts.cfs() && !was_fatal) put(out, "note: the controller refused: CSTS.CFS = 1");
        }
    }

    static void doorbell(C &c, Toks t, std::string &out) {
        const Args a = split_args("doorbell", t);
        const std::string kind = lower(arg(a, 0, "sq or cq").text);
        if (kind != "sq" && kind != "cq")
            usage_error("doorbell", fmt::format("expected sq or cq, got '{}'", a.pos[0].text));
        const uint16_t qid = qid_arg(c, arg(a, 1, "QID"));
        const auto value =
            static_cast<uint32_t>(number(c, arg(a, 2, "VALUE"), "VALUE", 0xFFFFFFFF));
        no_more(a, 3);
        const uint32_t offset =
            kind == "sq" ? c.ctrl_.sq_doorbell_offset(qid) : c.ctrl_.cq_doorbell_offset(qid);
        const uint64_t seq = c.ctrl_.trace().total_recorded();
        c.ctrl_.write32(offset, value);
        put(out, "{} {} {} doorbell (0x{:x}) <- {}", kind == "sq" ? "SQ" : "CQ", qid,
            kind == "sq" ? "tail" : "head", offset, value);
        report_problems(c, seq, out);
    }

    // ---- host memory -----------------------------------------------------------

    static void need_mapped(const C &c, uint64_t addr, uint64_t len) {
        if (!c.mem_.is_mapped(addr, std::max<uint64_t>(len, 1)))
            fail(fmt::format("0x{:x}..0x{:x} is not mapped host memory (see 'mem map')", addr,
                             addr + std::max<uint64_t>(len, 1) - 1));
    }

    // DATA items of mem write / expect mem bytes.
    static std::vector<uint8_t> data_items(const C &c, Toks t, std::string_view key) {
        std::vector<uint8_t> out;
        if (t.empty()) usage_error(key, "missing DATA");
        for (const Token &tok : t) {
            const std::string l = lower(tok.text);
            const size_t colon = tok.text.find(':');
            const std::string prefix = colon != std::string::npos && colon < tok.quote
                                           ? l.substr(0, colon)
                                           : std::string();
            if (prefix == "str") {
                out.insert(out.end(), tok.text.begin() + 4, tok.text.end());
                continue;
            }
            if (prefix == "u8" || prefix == "u16" || prefix == "u32" || prefix == "u64") {
                const unsigned bytes = prefix == "u8"    ? 1
                                       : prefix == "u16" ? 2
                                       : prefix == "u32" ? 4
                                                         : 8;
                const uint64_t max = bytes == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * bytes)) - 1;
                Token v{tok.text.substr(colon + 1), std::string::npos};
                const uint64_t value = number(c, v, prefix, max);
                for (unsigned i = 0; i < bytes; ++i)
                    out.push_back(static_cast<uint8_t>(value >> (8 * i)));
                continue;
            }
            if (!prefix.empty())
                usage_error(key, fmt::format("unknown data item '{}:' (use str: u8: u16: u32: u64: "
                                             "or hex bytes)",
                                             prefix));
            // Hex bytes; a quoted token may hold several ("de ad be ef").
            std::vector<std::string> words;
            if (tok.quoted()) {
                for (const Token &w : tokenize(tok.text))
                    words.push_back(w.text);
            } else {
                words.push_back(tok.text);
            }
            for (const std::string &w : words) {
                if (w.size() > 1 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
                    usage_error(key, fmt::format("'{}': write hex bytes without 0x (de ad), or a "
                                                 "number as u8:/u16:/u32:/u64:{}",
                                                 w, w));
                const bool ok =
                    !w.empty() && (w.size() <= 2 || w.size() % 2 == 0) &&
                    std::all_of(w.begin(), w.end(), [](char ch) { return hex_digit(ch) >= 0; });
                if (!ok)
                    usage_error(key, fmt::format("'{}' is not hex bytes (e.g. de ad be ef or "
                                                 "deadbeef)",
                                                 w));
                if (w.size() <= 2) {
                    out.push_back(static_cast<uint8_t>(std::stoul(w, nullptr, 16)));
                    continue;
                }
                for (size_t i = 0; i < w.size(); i += 2)
                    out.push_back(static_cast<uint8_t>(hex_digit(w[i]) * 16 + hex_digit(w[i + 1])));
            }
        }
        return out;
    }

    static unsigned width_arg(const Token &t, std::string_view key) {
        const std::string w = lower(t.text);
        if (w == "u8") return 1;
        if (w == "u16") return 2;
        if (w == "u32") return 4;
        if (w == "u64") return 8;
        usage_error(key, fmt::format("expected u8, u16, u32 or u64, got '{}'", t.text));
    }

    static uint64_t read_value(const C &c, uint64_t addr, unsigned bytes) {
        need_mapped(c, addr, bytes);
        std::array<uint8_t, 8> raw{};
        c.mem_.read(addr, std::span(raw).first(bytes));
        uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i)
            v |= uint64_t{raw[i]} << (8 * i);
        return v;
    }

    static void mem(C &c, Toks t, std::string &out) {
        if (t.empty()) usage_error("mem", "missing a mem subcommand");
        const std::string sub = lower(t[0].text);
        const Toks rest = t.subspan(1);
        if (sub == "alloc") {
            const Args a = split_args("mem alloc", rest, {"align"});
            const std::string name = name_arg(arg(a, 0, "NAME"), "mem alloc", "NAME");
            const uint64_t size = number(c, arg(a, 1, "SIZE"), "SIZE", kMaxAlloc);
            no_more(a, 2);
            if (size == 0) usage_error("mem alloc", "SIZE must be at least 1 byte");
            uint64_t align = SparseHostMemory::kPageSize;
            if (const Token *al = a.opt("align")) align = number(c, *al, "align");
            if (align < SparseHostMemory::kPageSize || (align & (align - 1)) != 0)
                usage_error("mem alloc", "align must be a power of two, at least 4096 (a page)");
            const uint64_t base = c.mem_.alloc(size, name, align);
            c.vars_[name] = base;
            const SparseHostMemory::Region *region = c.mem_.region_at(base);
            put(out, "${} = 0x{:x} ({} mapped)", name, base,
                human_size(region ? region->size : size));
        } else if (sub == "write") {
            if (rest.empty()) usage_error("mem write", "missing ADDR");
            const uint64_t addr = number(c, rest[0], "ADDR");
            const std::vector<uint8_t> data = data_items(c, rest.subspan(1), "mem write");
            need_mapped(c, addr, data.size());
            c.mem_.write(addr, data);
            put(out, "wrote {} bytes at 0x{:x}", data.size(), addr);
        } else if (sub == "fill") {
            const Args a = split_args("mem fill", rest);
            const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
            const auto byte = static_cast<uint8_t>(number(c, arg(a, 1, "BYTE"), "BYTE", 0xFF));
            const uint64_t len = number(c, arg(a, 2, "LEN"), "LEN");
            no_more(a, 3);
            need_mapped(c, addr, len);
            c.mem_.fill(addr, byte, len);
            put(out, "filled {} bytes at 0x{:x} with 0x{:02x}", len, addr, byte);
        } else if (sub == "read") {
            const Args a = split_args("mem read", rest);
            const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
            const unsigned w = width_arg(arg(a, 1, "u8|u16|u32|u64"), "mem read");
            no_more(a, 2);
            const uint64_t v = read_value(c, addr, w);
            put(out, "u{} at 0x{:x} = 0x{:0{}x} ({})", w * 8, addr, v, w * 2, v);
        } else if (sub == "dump") {
            const Args a = split_args("mem dump", rest);
            const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
            const uint64_t len = number(c, arg(a, 1, "LEN"), "LEN");
            no_more(a, 2);
            if (len > kMaxDump)
                usage_error("mem dump", fmt::format("LEN is limited to {} bytes", kMaxDump));
            need_mapped(c, addr, len);
            std::vector<uint8_t> bytes(len);
            c.mem_.read(addr, bytes);
            out += hexdump(bytes, addr, false);
        } else if (sub == "map") {
            no_more(split_args("mem map", rest), 0);
            if (c.mem_.regions().empty()) put(out, "no host memory is mapped");
            for (const auto &[base, r] : c.mem_.regions()) {
                std::string names;
                for (const auto &[k, v] : c.vars_)
                    if (v == base && k != r.label) names += fmt::format(" ${}", k);
                put(out, "0x{:08x}-0x{:08x}  {:>10}  {}{}", base, base + r.size - 1,
                    human_size(r.size), r.label.empty() ? "-" : r.label, names);
            }
        } else {
            usage_error("mem", fmt::format("unknown mem subcommand '{}'", t[0].text));
        }
    }

    // ---- host queues: the driver's, or the console's own for queues it does not know -----

    [[noreturn]] static void no_queue(const C &c, std::string_view kind, uint16_t qid) {
        // After a fatal error the queues are gone because of it, not because none was made.
        if (spec::CstsReg{c.ctrl_.read32(off(Reg::Csts))}.cfs())
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

    static C::RawSq &raw_sq(C &c, uint16_t qid) {
        const auto views = c.ctrl_.queues();
        const QueueView *v = find_view(views, true, qid);
        if (v == nullptr) {
            c.raw_sqs_.erase(qid);
            no_queue(c, "SQ", qid);
        }
        if (!v->contiguous)
            fail(fmt::format("SQ {} is not physically contiguous; the console only drives "
                             "contiguous queues",
                             qid));
        auto it = c.raw_sqs_.find(qid);
        if (it == c.raw_sqs_.end() || it->second.base != v->base || it->second.size != v->size ||
            it->second.cqid != v->cqid) {
            C::RawSq s;
            s.base = v->base;
            s.size = v->size;
            s.cqid = v->cqid;
            s.tail = v->tail;
            s.head = v->head;
            it = c.raw_sqs_.insert_or_assign(qid, s).first;
            // Take the CQ on now too, before anything is posted to it (see raw_cq).
            if (find_view(views, false, v->cqid)) raw_cq(c, v->cqid);
        }
        return it->second;
    }

    static C::RawCq &raw_cq(C &c, uint16_t cqid) {
        const auto views = c.ctrl_.queues();
        const QueueView *v = find_view(views, false, cqid);
        if (v == nullptr) {
            c.raw_cqs_.erase(cqid);
            no_queue(c, "CQ", cqid);
        }
        if (!v->contiguous)
            fail(fmt::format("CQ {} is not physically contiguous; the console only drives "
                             "contiguous queues",
                             cqid));
        auto it = c.raw_cqs_.find(cqid);
        if (it == c.raw_cqs_.end() || it->second.base != v->base || it->second.size != v->size) {
            // Entries between head and tail were written in the controller's current lap if
            // head <= tail, else in the previous one (opposite phase).
            C::RawCq q;
            q.base = v->base;
            q.size = v->size;
            q.head = v->head;
            q.phase = v->head <= v->tail ? v->phase : !v->phase;
            // Slots from the tail on have not been written in this lap. In a lap with phase 1,
            // a 1 there is a stale tag (e.g. memory used before a controller reset) that would
            // pass for a new completion, so clear them as a driver clears a new CQ.
            if (v->phase && v->head <= v->tail)
                c.mem_.fill(q.base + uint64_t{v->tail} * 16, 0, uint64_t{q.size - v->tail} * 16);
            it = c.raw_cqs_.insert_or_assign(cqid, q).first;
        }
        return it->second;
    }

    static std::optional<HostCq> host_cq(C &c, uint16_t cqid) {
        std::vector<uint16_t> pairs = c.drv_.io_queue_ids();
        if (c.drv_.has_queue(0)) pairs.insert(pairs.begin(), 0);
        for (uint16_t q : pairs) {
            const HostQueuePair &p = c.drv_.queue(q);
            if (p.cqid == cqid) return HostCq{p.cq_base, p.cq_entries, p.cq_head, p.phase};
        }
        const auto views = c.ctrl_.queues();
        if (find_view(views, false, cqid) == nullptr) return std::nullopt;
        const C::RawCq &r = raw_cq(c, cqid);
        return HostCq{r.base, r.size, r.head, r.phase};
    }

    static uint32_t host_sq_tail(C &c, uint16_t qid) {
        if (c.drv_.has_queue(qid)) return c.drv_.queue(qid).sq_tail;
        return raw_sq(c, qid).tail;
    }

    // The CQ a queue pair (SQ qid) completes to.
    static uint16_t cq_of(C &c, uint16_t qid) {
        if (c.drv_.has_queue(qid)) return c.drv_.queue(qid).cqid;
        const auto views = c.ctrl_.queues();
        if (const QueueView *v = find_view(views, true, qid)) return v->cqid;
        if (find_view(views, false, qid)) return qid; // a CQ without an SQ of the same ID
        no_queue(c, "queue", qid);
    }

    static uint32_t pending(const C &c, const HostCq &q) {
        uint32_t n = 0;
        uint32_t idx = q.head;
        bool phase = q.phase;
        for (uint32_t i = 0; i < q.size; ++i) {
            spec::Cqe cqe{};
            std::array<uint8_t, 16> raw{};
            if (!c.mem_.read(q.base + uint64_t{idx} * 16, raw)) break;
            std::memcpy(&cqe, raw.data(), raw.size());
            if (cqe.phase() != phase) break;
            ++n;
            idx = (idx + 1) % q.size;
            if (idx == 0) phase = !phase;
        }
        return n;
    }

    struct Submitted {
        uint16_t cid;
        uint32_t slot;
    };

    static Submitted submit(C &c, uint16_t qid, spec::Sqe sqe, bool keep_cid) {
        if (c.drv_.has_queue(qid)) {
            const uint32_t slot = c.drv_.queue(qid).sq_tail;
            return {c.drv_.submit(qid, sqe, keep_cid), slot};
        }
        C::RawSq &q = raw_sq(c, qid);
        if ((q.tail + 1) % q.size == q.head)
            fail(fmt::format("SQ {} is full (head {}, tail {}): reap completions first", qid,
                             q.head, q.tail));
        if (!keep_cid) sqe.cid = q.next_cid++;
        std::array<uint8_t, 64> raw{};
        std::memcpy(raw.data(), &sqe, raw.size());
        const uint64_t addr = q.base + uint64_t{q.tail} * 64;
        if (!c.mem_.write(addr, raw))
            fail(fmt::format("SQ {} entry at 0x{:x} is not mapped host memory", qid, addr));
        const uint32_t slot = q.tail;
        q.tail = (q.tail + 1) % q.size;
        return {sqe.cid, slot};
    }

    static uint32_t ring_sq(C &c, uint16_t qid) {
        const uint32_t tail = host_sq_tail(c, qid);
        c.ctrl_.write32(c.ctrl_.sq_doorbell_offset(qid), tail);
        return tail;
    }

    static std::optional<Completion> reap_one(C &c, uint16_t qid) {
        if (c.drv_.has_queue(qid)) return c.drv_.reap(qid);
        const uint16_t cqid = cq_of(c, qid);
        C::RawCq &q = raw_cq(c, cqid);
        std::array<uint8_t, 16> raw{};
        const uint64_t addr = q.base + uint64_t{q.head} * 16;
        if (!c.mem_.read(addr, raw))
            fail(fmt::format("CQ {} entry at 0x{:x} is not mapped host memory", cqid, addr));
        spec::Cqe cqe{};
        std::memcpy(&cqe, raw.data(), raw.size());
        if (cqe.phase() != q.phase) return std::nullopt;
        q.head = (q.head + 1) % q.size;
        if (q.head == 0) q.phase = !q.phase;
        if (auto it = c.raw_sqs_.find(cqe.sqid); it != c.raw_sqs_.end()) it->second.head = cqe.sqhd;
        c.ctrl_.write32(c.ctrl_.cq_doorbell_offset(cqid), q.head);
        Completion done{cqe, std::nullopt};
        if (!done.ok()) {
            const auto &recs = c.ctrl_.completions();
            for (auto it = recs.rbegin(); it != recs.rend(); ++it) {
                // The status too: a CID can repeat (e.g. a Command ID Conflict).
                if (it->sqid == cqe.sqid && it->cqe.cid == cqe.cid &&
                    it->cqe.status_field() == cqe.status_field()) {
                    done.why = it->why;
                    break;
                }
            }
        }
        return done;
    }

    // Runs the controller until command `cid` of SQ `qid` completes. Other completions found on
    // the way are printed.
    static Completion wait(C &c, uint16_t qid, uint16_t cid, std::string &out) {
        for (uint64_t i = 0; i < c.drv_.max_wait_events; ++i) {
            // Let the controller finish what it does at this instant before looking at the CQ.
            if (!c.ctrl_.idle() && c.ctrl_.next_event_time() <= c.ctrl_.now_ns()) {
                c.ctrl_.step();
                continue;
            }
            while (auto done = reap_one(c, qid)) {
                if (done->cqe.cid == cid && done->cqe.sqid == qid) return *done;
                out += "also reaped: " + describe(*done);
            }
            if (!c.ctrl_.step()) {
                const spec::CstsReg csts{c.ctrl_.read32(off(Reg::Csts))};
                fail(fmt::format("command {} on SQ {} did not complete: the controller is idle{}",
                                 cid, qid,
                                 csts.cfs()    ? " (CSTS.CFS = 1)"
                                 : !csts.rdy() ? " (CSTS.RDY = 0)"
                                               : ""));
            }
        }
        fail(fmt::format("command {} on SQ {} did not complete within {} events", cid, qid,
                         c.drv_.max_wait_events));
    }

    static Completion run_command(C &c, uint16_t qid, const spec::Sqe &sqe, bool keep_cid,
                                  std::string &out) {
        const Submitted s = submit(c, qid, sqe, keep_cid);
        ring_sq(c, qid);
        Completion done = wait(c, qid, s.cid, out);
        c.last_ = done;
        return done;
    }

    // Runs a command with a data buffer (PRPs built for it; PRP list pages recycled after).
    static Completion run_with_data(C &c, uint16_t qid, spec::Sqe sqe, uint64_t buf, uint64_t len,
                                    std::string &out) {
        if (len > 0) c.drv_.build_prps(sqe, buf, len);
        try {
            Completion done = run_command(c, qid, sqe, false, out);
            c.drv_.release_prp_lists();
            return done;
        } catch (...) {
            c.drv_.release_prp_lists();
            throw;
        }
    }

    // buf= if given (must be mapped), else the console's own data buffer.
    static uint64_t data_buffer(C &c, const Args &a, uint64_t len) {
        if (len > kMaxTransfer)
            usage_error(a.key, fmt::format("the transfer ({} bytes) is larger than the console "
                                           "allows ({})",
                                           len, human_size(kMaxTransfer)));
        if (const Token *b = a.opt("buf")) {
            const uint64_t addr = number(c, *b, "buf");
            need_mapped(c, addr, len);
            return addr;
        }
        if (len > c.scratch_size_ || c.scratch_addr_ == 0) {
            if (c.scratch_addr_ != 0) c.mem_.free(c.scratch_addr_);
            const uint64_t page =
                std::max<uint64_t>(c.drv_.page_size(), SparseHostMemory::kPageSize);
            c.scratch_size_ = std::max<uint64_t>((len + page - 1) / page * page, page);
            c.scratch_addr_ = c.mem_.alloc(c.scratch_size_, "console data", page);
        }
        c.mem_.fill(c.scratch_addr_, 0, c.scratch_size_);
        return c.scratch_addr_;
    }

    static uint16_t io_queue(C &c, const Args &a) {
        if (const Token *q = a.opt("queue")) {
            // SQ 0 is the admin queue: the same opcodes there are other commands (Write is
            // Create I/O SQ), so an I/O command is not sent there.
            const uint16_t qid = qid_arg(c, *q);
            if (qid == 0)
                fail("queue=0 is the admin queue: read, write and flush go to an I/O queue "
                     "(1 or above)");
            return qid;
        }
        for (const QueueView &v : c.ctrl_.queues())
            if (v.is_sq && v.qid != 0) return v.qid;
        fail("there is no I/O queue yet: create one with 'queue create' (or give queue=QID)");
    }

    // ---- bring-up ---------------------------------------------------------------

    static void enable(C &c, Toks t, std::string &out) {
        const Args a = split_args("enable", t, {"mps", "ams", "entries"});
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
        const uint64_t t0 = c.ctrl_.now_ns();
        c.drv_.enable(o);
        const HostQueuePair &admin = c.drv_.queue(0);
        put(out, "controller ready: CSTS.RDY = 1 after {}", us(c.ctrl_.now_ns() - t0));
        put(out, "{}", format_register(kRegs[4], read_reg(c, kRegs[4])));
        put(out, "admin queue: {} entries, SQ at 0x{:x}, CQ at 0x{:x}", admin.sq_entries,
            admin.sq_base, admin.cq_base);
    }

    static void disable(C &c, Toks t, std::string &out) {
        no_more(split_args("disable", t), 0);
        clear_raw(c);
        const uint64_t t0 = c.ctrl_.now_ns();
        c.drv_.disable();
        put(out, "controller disabled: CSTS.RDY = 0 after {}; every queue is gone",
            us(c.ctrl_.now_ns() - t0));
    }

    static void shutdown(C &c, Toks t, std::string &out) {
        no_more(split_args("shutdown", t), 0);
        const uint64_t t0 = c.ctrl_.now_ns();
        c.drv_.shutdown();
        clear_raw(c);
        put(out, "shutdown complete: CSTS.SHST = 10b after {}", us(c.ctrl_.now_ns() - t0));
    }

    static void take_controller_completion(C &c) {
        if (const auto &r = c.ctrl_.last_completion()) c.last_ = Completion{r->cqe, r->why};
    }

    static void queue(C &c, Toks t, std::string &out) {
        if (t.empty()) usage_error("queue", "missing create or delete");
        const std::string sub = lower(t[0].text);
        if (sub == "create") {
            const Args a = split_args("queue create", t.subspan(1), {"entries", "prio", "iv"});
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
            if (const Token *v = a.opt("iv"))
                iv = static_cast<uint16_t>(number(c, *v, "iv", 0xFFFF));
            if (!c.drv_.has_queue(0)) return create_raw_pair(c, qid, entries, prio, iv, out);
            try {
                const uint16_t id = c.drv_.create_io_queue_pair(entries, prio, iv, qid);
                take_controller_completion(c);
                const HostQueuePair &q = c.drv_.queue(id);
                constexpr std::array<const char *, 4> names{"urgent", "high", "medium", "low"};
                put(out,
                    "I/O queue pair {}: {} entries, SQ at 0x{:x}, CQ at 0x{:x}, prio {}, "
                    "vector {}",
                    id, entries, q.sq_base, q.cq_base, names[prio & 3], iv);
            } catch (const DriverError &) {
                take_controller_completion(c);
                throw;
            }
        } else if (sub == "delete") {
            const Args a = split_args("queue delete", t.subspan(1));
            const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
            no_more(a, 1);
            if (qid == 0) usage_error("queue delete", "the admin queue cannot be deleted");
            if (!c.drv_.has_queue(qid)) return delete_raw_pair(c, qid, out);
            try {
                c.drv_.delete_io_queue_pair(qid);
                take_controller_completion(c);
            } catch (const DriverError &) {
                take_controller_completion(c);
                throw;
            }
            put(out, "I/O queue pair {} deleted", qid);
        } else {
            usage_error("queue", fmt::format("unknown queue subcommand '{}'", t[0].text));
        }
    }

    // Queue pairs on an admin queue the driver does not own (bring-up through registers): the
    // console sends the admin commands itself.
    static void create_raw_pair(C &c, std::optional<uint16_t> wanted, uint32_t entries,
                                uint8_t prio, uint16_t iv, std::string &out) {
        const auto views = c.ctrl_.queues();
        uint16_t qid = wanted.value_or(1);
        if (!wanted)
            while (find_view(views, true, qid) || find_view(views, false, qid))
                ++qid;
        const uint64_t page = uint64_t{4096} << spec::CcReg{c.ctrl_.read32(off(Reg::Cc))}.mps();
        const uint64_t cq_base =
            c.mem_.alloc(uint64_t{entries} * 16, fmt::format("I/O CQ {}", qid), page);
        const uint64_t sq_base =
            c.mem_.alloc(uint64_t{entries} * 64, fmt::format("I/O SQ {}", qid), page);
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
        put(out, "I/O queue pair {}: {} entries, SQ at 0x{:x}, CQ at 0x{:x}, prio {}, vector {}",
            qid, entries, sq_base, cq_base, names[prio & 3], iv);
    }

    static void delete_raw_pair(C &c, uint16_t qid, std::string &out) {
        const auto views = c.ctrl_.queues();
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
        c.raw_sqs_.erase(qid);
        c.raw_cqs_.erase(cqid);
        put(out, "I/O queue pair {} deleted", qid);
    }

    static void queues(C &c, Toks t, std::string &out) {
        no_more(split_args("queues", t), 0);
        const auto views = c.ctrl_.queues();
        if (views.empty()) {
            put(out, "no queues{}", cc_enabled(c) ? "" : " (the controller is disabled)");
            return;
        }
        put(out, "queue  qid   cq  size  head  tail  phase  base                host");
        for (const QueueView &v : views) {
            std::string host;
            if (v.is_sq) {
                if (c.drv_.has_queue(v.qid) || v.contiguous)
                    host = fmt::format("tail={} {}", host_sq_tail(c, v.qid),
                                       c.drv_.has_queue(v.qid) ? "(driver)" : "(console)");
                put(out, "SQ    {:>4} {:>4} {:>5} {:>5} {:>5}      -  0x{:016x}  {}", v.qid, v.cqid,
                    v.size, v.head, v.tail, v.base, host);
            } else {
                if (const auto h = v.contiguous ? host_cq(c, v.qid) : std::nullopt)
                    host = fmt::format("head={} phase={} pending={}", h->head, h->phase ? 1 : 0,
                                       pending(c, *h));
                put(out, "CQ    {:>4}    - {:>5} {:>5} {:>5} {:>6}  0x{:016x}  {}", v.qid, v.size,
                    v.head, v.tail, v.phase ? 1 : 0, v.base, host);
            }
        }
    }

    // ---- raw SQEs ----------------------------------------------------------------

    static constexpr std::string_view kSqeFields[] = {
        "opc",  "fuse", "psdt",  "cid",   "nsid",  "cdw2",  "cdw3",  "mptr",
        "prp1", "prp2", "cdw10", "cdw11", "cdw12", "cdw13", "cdw14", "cdw15",
        "cdw0", "cdw1", "cdw4",  "cdw5",  "cdw6",  "cdw7",  "cdw8",  "cdw9"};

    static void set_sqe_field(C &c, C::NamedSqe &s, const std::string &field, const Token &v) {
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

    static std::string sqe_summary(const std::string &name, const C::NamedSqe &s) {
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

    static void sqe(C &c, Toks t, std::string &out) {
        if (t.empty()) usage_error("sqe", "missing NAME");
        const std::string name = name_arg(t[0], "sqe", "SQE NAME");
        const Args a = split_args("sqe", t.subspan(1), kSqeFields, {});
        if (!a.pos.empty())
            usage_error("sqe", fmt::format("unexpected argument '{}': SQE fields are written "
                                           "field=value",
                                           a.pos[0].text));
        auto it = c.sqes_.find(name);
        if (it == c.sqes_.end()) {
            if (a.opts.empty())
                fail(fmt::format("no SQE named '{}'; define it with e.g. 'sqe {} opc=0x06 cdw10=1'",
                                 name, name));
            if (!a.opt("opc") && !a.opt("cdw0"))
                usage_error("sqe", fmt::format("SQE '{}' is new: give its opcode with opc=", name));
        }
        C::NamedSqe s = it == c.sqes_.end() ? C::NamedSqe{} : it->second;
        for (const auto &[field, value] : a.opts)
            set_sqe_field(c, s, field, value);
        c.sqes_[name] = s;
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

    static C::NamedSqe &named_sqe(C &c, const Token &t, std::string_view key) {
        const std::string name = name_arg(t, key, "SQE NAME");
        auto it = c.sqes_.find(name);
        if (it == c.sqes_.end()) {
            std::string known;
            for (const auto &[k, v] : c.sqes_)
                known += " " + k;
            fail(fmt::format("no SQE named '{}' ({})", name,
                             known.empty() ? "define one with 'sqe NAME opc=...'"
                                           : "defined:" + known));
        }
        return it->second;
    }

    static void prp(C &c, Toks t, std::string &out) {
        const Args a = split_args("prp", t);
        C::NamedSqe &s = named_sqe(c, arg(a, 0, "SQE NAME"), "prp");
        const uint64_t buf = number(c, arg(a, 1, "BUF"), "BUF");
        const uint64_t len = number(c, arg(a, 2, "LEN"), "LEN", kMaxTransfer);
        no_more(a, 3);
        if (len == 0) usage_error("prp", "LEN must be at least 1");
        c.drv_.build_prps(s.sqe, buf, len);
        const uint64_t page = c.drv_.page_size();
        const uint64_t first = std::min(len, page - (buf & (page - 1)));
        const std::string kind = len <= first          ? "one page: prp2 unused"
                                 : len - first <= page ? "two pages: prp2 is the second page"
                                                       : "prp2 points to a PRP list";
        put(out, "sqe {}: prp1=0x{:x} prp2=0x{:x} ({})", a.pos[0].text, s.sqe.prp1, s.sqe.prp2,
            kind);
    }

    static void submit_cmd(C &c, Toks t, std::string &out) {
        const Args a = split_args("submit", t);
        const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
        const C::NamedSqe &s = named_sqe(c, arg(a, 1, "SQE NAME"), "submit");
        no_more(a, 2);
        const Submitted done = submit(c, qid, s.sqe, s.keep_cid);
        put(out, "SQ {} slot {} <- {} (cid {}, opc {}); host tail now {} (not rung: 'ring {}')",
            qid, done.slot, a.pos[1].text, done.cid, opcode_text(s.sqe.opc, qid == 0),
            host_sq_tail(c, qid), qid);
    }

    static void ring(C &c, Toks t, std::string &out) {
        const Args a = split_args("ring", t);
        const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
        no_more(a, 1);
        const uint64_t seq = c.ctrl_.trace().total_recorded();
        const uint32_t tail = ring_sq(c, qid);
        put(out, "SQ {} tail doorbell (0x{:x}) <- {}", qid, c.ctrl_.sq_doorbell_offset(qid), tail);
        report_problems(c, seq, out);
    }

    static void reap(C &c, Toks t, std::string &out) {
        const Args a = split_args("reap", t);
        const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
        no_more(a, 1);
        const uint64_t seq = c.ctrl_.trace().total_recorded();
        unsigned n = 0;
        while (auto done = reap_one(c, qid)) {
            out += describe(*done);
            c.last_ = *done;
            ++n;
        }
        if (n == 0) {
            const uint16_t cqid = cq_of(c, qid);
            if (const auto h = host_cq(c, cqid)) {
                std::array<uint8_t, 16> raw{};
                c.mem_.read(h->base + uint64_t{h->head} * 16, raw);
                put(out,
                    "CQ {}: no new completion (entry {} has phase tag {}, the host expects {})",
                    cqid, h->head, raw[14] & 1, h->phase ? 1 : 0);
            }
        }
        report_problems(c, seq, out);
    }

    // ---- high-level commands ---------------------------------------------------

    static void admin(C &c, Toks t, std::string &out) {
        const Args a = split_args("admin", t);
        const C::NamedSqe &s = named_sqe(c, arg(a, 0, "SQE NAME"), "admin");
        no_more(a, 1);
        out += describe(run_command(c, 0, s.sqe, s.keep_cid, out));
    }

    static void io(C &c, Toks t, std::string &out) {
        const Args a = split_args("io", t);
        const uint16_t qid = qid_arg(c, arg(a, 0, "QID"));
        const C::NamedSqe &s = named_sqe(c, arg(a, 1, "SQE NAME"), "io");
        no_more(a, 2);
        if (qid == 0) usage_error("io", "queue 0 is the admin queue: use 'admin NAME'");
        out += describe(run_command(c, qid, s.sqe, s.keep_cid, out));
    }

    static void identify(C &c, Toks t, std::string &out) {
        const Args a = split_args("identify", t, {"buf"});
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
        c.mem_.read(buf, raw);
        if (cns == spec::Cns::Controller) {
            spec::IdentifyController id{};
            std::memcpy(&id, raw.data(), sizeof id);
            const uint64_t min_page = uint64_t{4096}
                                      << spec::CapReg{c.ctrl_.read64(off(Reg::Cap))}.mpsmin();
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
                const char *kind = type == 1   ? "EUI64"
                                   : type == 2 ? "NGUID"
                                   : type == 3 ? "UUID"
                                               : "?";
                put(out, "nidt {} {:<5} nidl {:>2}  {}", type, kind, len, value);
                pos += 4 + len;
                ++n;
            }
            if (n == 0) put(out, "no namespace identification descriptors");
        }
        put(out, "data: 4096 bytes at 0x{:x}", buf);
    }

    static void data_preview(C &c, uint64_t buf, uint64_t len, std::string &out) {
        const uint64_t n = std::min<uint64_t>(len, 64);
        std::vector<uint8_t> bytes(n);
        c.mem_.read(buf, bytes);
        out += hexdump(bytes, buf, false);
        if (len > n) put(out, "... {} more bytes ('mem dump 0x{:x} {}')", len - n, buf, len);
    }

    static uint64_t rw_length(C &c, uint32_t nsid, uint32_t nlb0) {
        uint32_t lbs = c.ctrl_.lba_size(nsid);
        if (lbs == 0) lbs = c.ctrl_.config().lba_size(); // the controller will reject the NSID
        return (uint64_t{nlb0} + 1) * lbs;
    }

    static spec::Sqe rw_sqe(spec::NvmOpcode op, uint32_t nsid, uint64_t slba, uint32_t nlb0,
                            bool fua) {
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

    static void read(C &c, Toks t, std::string &out) {
        const Args a = split_args("read", t, {"buf", "queue"}, {"fua"});
        const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
        const uint64_t slba = number(c, arg(a, 1, "SLBA"), "SLBA");
        const auto nlb0 =
            static_cast<uint32_t>(number(c, arg(a, 2, "NLB0 (blocks - 1)"), "NLB0", 0xFFFF));
        no_more(a, 3);
        const uint16_t qid = io_queue(c, a);
        const uint64_t len = rw_length(c, nsid, nlb0);
        const uint64_t buf = data_buffer(c, a, len);
        const Completion done = run_with_data(
            c, qid, rw_sqe(spec::NvmOpcode::Read, nsid, slba, nlb0, a.flag("fua")), buf, len, out);
        out += describe(done);
        if (done.ok()) {
            put(out, "read {} block{} ({} bytes) into 0x{:x}", nlb0 + 1, nlb0 ? "s" : "", len, buf);
            data_preview(c, buf, len, out);
        }
    }

    static void write(C &c, Toks t, std::string &out) {
        const Args a = split_args("write", t, {"buf", "data", "queue"}, {"fua"});
        const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
        const uint64_t slba = number(c, arg(a, 1, "SLBA"), "SLBA");
        const auto nlb0 =
            static_cast<uint32_t>(number(c, arg(a, 2, "NLB0 (blocks - 1)"), "NLB0", 0xFFFF));
        no_more(a, 3);
        const Token *data = a.opt("data");
        if ((data != nullptr) == (a.opt("buf") != nullptr))
            usage_error("write", "give exactly one of data=PATTERN or buf=ADDR");
        const uint16_t qid = io_queue(c, a);
        const uint64_t len = rw_length(c, nsid, nlb0);
        const uint64_t buf = data_buffer(c, a, len);
        if (data) {
            std::vector<uint8_t> bytes(len, 0);
            const std::string l = lower(data->text);
            if (l.rfind("str:", 0) == 0) {
                const std::string text = data->text.substr(4);
                std::copy_n(text.begin(), std::min<size_t>(text.size(), bytes.size()),
                            bytes.begin());
            } else {
                std::fill(bytes.begin(), bytes.end(),
                          static_cast<uint8_t>(
                              number(c, *data, "data (a fill byte or str:\"...\")", 0xFF)));
            }
            c.mem_.write(buf, bytes);
        }
        const Completion done = run_with_data(
            c, qid, rw_sqe(spec::NvmOpcode::Write, nsid, slba, nlb0, a.flag("fua")), buf, len, out);
        out += describe(done);
        if (done.ok())
            put(out, "wrote {} block{} ({} bytes) from 0x{:x}{}", nlb0 + 1, nlb0 ? "s" : "", len,
                buf, a.flag("fua") ? " with FUA" : "");
    }

    static void flush(C &c, Toks t, std::string &out) {
        const Args a = split_args("flush", t, {"queue"});
        const auto nsid = static_cast<uint32_t>(number(c, arg(a, 0, "NSID"), "NSID", 0xFFFFFFFF));
        no_more(a, 1);
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Flush);
        sqe.nsid = nsid;
        out += describe(run_command(c, io_queue(c, a), sqe, false, out));
    }

    static std::string feature_label(uint8_t fid) {
        const std::string_view name = spec::feature_name(fid);
        return name.empty() ? fmt::format("0x{:02x}", fid) : fmt::format("0x{:02x} {}", fid, name);
    }

    static void get_feature(C &c, Toks t, std::string &out) {
        const Args a = split_args("get-feature", t, {"sel", "cdw11", "nsid"});
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
                sel =
                    static_cast<uint8_t>(number(c, *v, "sel (current|default|saved|supported)", 7));
        }
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetFeatures);
        spec::GetFeaturesFields{fid, sel}.apply(sqe);
        if (const Token *v = a.opt("cdw11"))
            sqe.cdw11 = static_cast<uint32_t>(number(c, *v, "cdw11", 0xFFFFFFFF));
        if (const Token *v = a.opt("nsid"))
            sqe.nsid = static_cast<uint32_t>(number(c, *v, "nsid", 0xFFFFFFFF));
        const Completion done = run_command(c, 0, sqe, false, out);
        out += describe(done);
        if (!done.ok()) return;
        constexpr std::array<const char *, 8> sels{"current", "default", "saved", "supported",
                                                   "sel=4",   "sel=5",   "sel=6", "sel=7"};
        std::string decoded;
        if (sel == 3)
            decoded =
                fmt::format("saveable={} namespace-specific={} changeable={}", done.cqe.dw0 & 1,
                            (done.cqe.dw0 >> 1) & 1, (done.cqe.dw0 >> 2) & 1);
        else
            decoded = spec::feature_value_text(fid, done.cqe.dw0);
        put(out, "feature {} ({}): 0x{:08x}{}{}", feature_label(fid), sels[sel & 7], done.cqe.dw0,
            decoded.empty() ? "" : "  ", decoded);
    }

    static void set_feature(C &c, Toks t, std::string &out) {
        const Args a = split_args("set-feature", t, {"nsid"}, {"save"});
        const auto fid = static_cast<uint8_t>(number(c, arg(a, 0, "FID"), "FID", 0xFF));
        const auto value =
            static_cast<uint32_t>(number(c, arg(a, 1, "VALUE"), "VALUE", 0xFFFFFFFF));
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

    static void get_log(C &c, Toks t, std::string &out) {
        const Args a = split_args("get-log", t, {"offset", "nsid", "buf"});
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
        f.apply(sqe);
        const uint64_t xfer = f.length_bytes();
        const uint64_t buf = data_buffer(c, a, xfer);
        const Completion done = run_with_data(c, 0, sqe, buf, xfer, out);
        out += describe(done);
        if (!done.ok()) return;
        const std::string_view name = spec::log_page_name(lid);
        put(out, "log 0x{:02x}{}{}: {} bytes at 0x{:x} (offset 0x{:x})", lid,
            name.empty() ? "" : " ", name, xfer, buf, f.offset());
        std::vector<uint8_t> bytes(std::min<uint64_t>(xfer, kMaxDump));
        c.mem_.read(buf, bytes);
        out += hexdump(bytes, f.offset(), true);
    }

    // ---- time --------------------------------------------------------------------

    static void step(C &c, Toks t, std::string &out) {
        const uint64_t seq = c.ctrl_.trace().total_recorded();
        if (!t.empty() && lower(t[0].text) == "command") {
            no_more(split_args("step", t), 1);
            const bool posted = c.ctrl_.step_command();
            out += c.ctrl_.trace().format_since(seq);
            if (!posted) put(out, "controller idle: no completion was posted");
            return;
        }
        const Args a = split_args("step", t);
        const uint64_t n = a.pos.empty() ? 1 : number(c, a.pos[0], "N", 1'000'000);
        no_more(a, 1);
        uint64_t ran = 0;
        while (ran < n && c.ctrl_.step())
            ++ran;
        out += c.ctrl_.trace().format_since(seq);
        if (ran < n) put(out, "controller idle after {} event{}", ran, ran == 1 ? "" : "s");
    }

    static void run(C &c, Toks t, std::string &out) {
        const uint64_t t0 = c.ctrl_.now_ns();
        if (t.empty()) {
            const uint64_t n = c.ctrl_.run_until_idle();
            put(out, "ran {} event{} in {}; now {}; controller idle", n, n == 1 ? "" : "s",
                us(c.ctrl_.now_ns() - t0), us(c.ctrl_.now_ns()));
            return;
        }
        const Args a = split_args("run", t);
        const std::string mode = lower(a.pos[0].text);
        if (mode != "until" && mode != "for")
            usage_error("run", fmt::format("unexpected argument '{}'", a.pos[0].text));
        const uint64_t v =
            number(c, arg(a, 1, "TIME_US"), "TIME_US", std::numeric_limits<uint64_t>::max() / 1000);
        no_more(a, 2);
        if (mode == "for" && v * 1000 > std::numeric_limits<uint64_t>::max() - t0)
            fail(fmt::format("run for {} us would pass the end of virtual time (2^64 ns); it is "
                             "now {}",
                             v, us(t0)));
        const uint64_t target = mode == "until" ? v * 1000 : t0 + v * 1000;
        if (target < t0)
            fail(fmt::format("virtual time is already {}; 'run until' cannot go back", us(t0)));
        uint64_t n = 0;
        while (!c.ctrl_.idle() && c.ctrl_.next_event_time() <= target)
            if (c.ctrl_.step()) ++n;
        c.ctrl_.run_until(target);
        put(out, "ran {} event{}; now {}{}", n, n == 1 ? "" : "s", us(c.ctrl_.now_ns()),
            c.ctrl_.idle() ? "; controller idle" : "");
    }

    static void trace(C &c, Toks t, std::string &out) {
        const Trace &tr = c.ctrl_.trace();
        if (!t.empty() && lower(t[0].text) == "since-mark") {
            no_more(split_args("trace", t), 1);
            out += tr.format_since(c.mark_);
            return;
        }
        const Args a = split_args("trace", t);
        const uint64_t n = a.pos.empty() ? 20 : number(c, a.pos[0], "N");
        no_more(a, 1);
        const auto &events = tr.events();
        const size_t first = events.size() > n ? events.size() - static_cast<size_t>(n) : 0;
        for (size_t i = first; i < events.size(); ++i)
            put(out, "{}", tr.format(events[i]));
        if (events.empty()) put(out, "the trace is empty");
    }

    static void mark(C &c, Toks t, std::string &out) {
        no_more(split_args("mark", t), 0);
        c.mark_ = c.ctrl_.trace().total_recorded();
        put(out, "mark at trace event {}", c.mark_);
    }

    // ---- checks --------------------------------------------------------------------

    static Check parse_check(Toks t, std::string_view key) {
        if (t.empty()) usage_error(key, "missing the expected VALUE");
        Check ck;
        size_t i = 0;
        if (const auto op = parse_op(t[0].text)) {
            ck.op = *op;
            i = 1;
        }
        if (i >= t.size()) usage_error(key, fmt::format("missing the VALUE after '{}'", t[0].text));
        if (t.size() > i + 1)
            usage_error(key, fmt::format("unexpected argument '{}'", t[i + 1].text));
        ck.value = t[i];
        return ck;
    }

    static void check(const C &c, std::string_view what, uint64_t actual, const Check &ck, bool hex,
                      std::string &out) {
        const uint64_t want = number(c, ck.value, "the expected VALUE");
        auto f = [hex](uint64_t v) {
            return hex ? fmt::format("0x{:x}", v) : fmt::format("{}", v);
        };
        if (!compare(ck.op, actual, want))
            fail(fmt::format("expect failed: {}: expected {} {}, actual {}", what, op_text(ck.op),
                             f(want), f(actual)));
        if (ck.op == Op::Eq)
            put(out, "ok: {} == {}", what, f(want));
        else
            put(out, "ok: {} = {} ({} {})", what, f(actual), op_text(ck.op), f(want));
    }

    static Completion last(const C &c) {
        const auto done = c.last_completion();
        if (!done) fail("expect failed: there is no completion yet (nothing was reaped or run)");
        return *done;
    }

    static std::string status_text(const Completion &done) {
        const spec::Status s = done.status();
        return fmt::format("{} (0x{:04x}{}) for cid {} on SQ {}", spec::status_name(s), s.field(),
                           s.dnr ? ", DNR" : "", done.cqe.cid, done.cqe.sqid);
    }

    static bool known_status_name(const std::string &lname) {
        for (uint8_t sct : {0, 1, 2}) {
            for (unsigned sc = 0; sc < 256; ++sc) {
                const std::string_view n = spec::status_name(sct, static_cast<uint8_t>(sc));
                if (n != "Unknown" && lower(n) == lname) return true;
            }
        }
        return false;
    }

    static void expect(C &c, Toks t, std::string &out) {
        if (t.empty()) usage_error("expect", "missing what to check");
        const std::string what = lower(t[0].text);
        const Toks rest = t.subspan(1);
        if (what == "status") {
            if (rest.empty()) usage_error("expect status", "missing the expected status");
            std::string want;
            for (const Token &tok : rest)
                want += (want.empty() ? "" : " ") + tok.text;
            const std::string lwant = lower(want);
            const bool numeric =
                !rest[0].quoted() && !want.empty() && want[0] >= '0' && want[0] <= '9';
            if (!numeric && lwant != "success" && !known_status_name(lwant))
                usage_error("expect status",
                            fmt::format("unknown status name \"{}\" (use a name as reap prints it, "
                                        "e.g. \"Invalid Field in Command\", or 0x4002, or success)",
                                        want));
            uint64_t field = 0;
            if (numeric) {
                if (rest.size() != 1)
                    usage_error("expect status",
                                fmt::format("unexpected argument '{}'", rest[1].text));
                field = number(c, rest[0], "status field", 0x7FFF);
            }
            const Completion done = last(c);
            const spec::Status s = done.status();
            // The More bit (0x2000: details in the Error log) only counts when it is given.
            const uint16_t mask = (field & 0x2000) ? 0x7FFF : 0x5FFF;
            const bool ok = lwant == "success" ? s.ok()
                            : numeric          ? (s.field() & mask) == field
                                               : lower(spec::status_name(s)) == lwant;
            const std::string expected =
                numeric ? fmt::format("0x{:04x} ({})", field,
                                      spec::status_name(
                                          spec::Status::from_field(static_cast<uint16_t>(field))))
                        : want;
            if (!ok)
                fail(fmt::format("expect failed: status: expected {}, actual {}", expected,
                                 status_text(done)));
            put(out, "ok: status {}", status_text(done));
        } else if (what == "sct") {
            if (rest.size() != 3 || lower(rest[1].text) != "sc")
                usage_error("expect sct", "expected 'expect sct N sc N'");
            const uint64_t sct = number(c, rest[0], "SCT", 7);
            const uint64_t sc = number(c, rest[2], "SC", 0xFF);
            const Completion done = last(c);
            const spec::Status s = done.status();
            if (s.sct != sct || s.sc != sc)
                fail(
                    fmt::format("expect failed: status: expected sct {} sc 0x{:02x}, actual sct {} "
                                "sc 0x{:02x} ({})",
                                sct, sc, s.sct, s.sc, status_text(done)));
            put(out, "ok: sct {} sc 0x{:02x} ({})", sct, sc, spec::status_name(s));
        } else if (what == "dnr") {
            const Check ck = parse_check(rest, "expect dnr");
            check(c, "DNR", last(c).status().dnr ? 1 : 0, ck, false, out);
        } else if (what == "dw0") {
            const Check ck = parse_check(rest, "expect dw0");
            check(c, "dw0", last(c).cqe.dw0, ck, true, out);
        } else if (what == "reg") {
            if (rest.empty()) usage_error("expect reg", "missing register NAME");
            const auto [r, f] = find_register(rest[0].text, "expect reg");
            const Check ck = parse_check(rest.subspan(1), "expect reg");
            const uint64_t v = read_reg(c, *r);
            check(c, f ? fmt::format("{}.{}", r->name, f->name) : std::string(r->name),
                  f ? field_get(v, *f) : v, ck, true, out);
        } else if (what == "mem") {
            if (rest.size() < 2) usage_error("expect mem", "missing ADDR and what to compare");
            const uint64_t addr = number(c, rest[0], "ADDR");
            if (lower(rest[1].text) == "bytes") {
                const std::vector<uint8_t> want = data_items(c, rest.subspan(2), "expect mem");
                if (want.empty())
                    usage_error("expect mem", "no bytes to compare: give the bytes expected");
                need_mapped(c, addr, want.size());
                std::vector<uint8_t> got(want.size());
                c.mem_.read(addr, got);
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
            const unsigned w = width_arg(rest[1], "expect mem");
            const Check ck = parse_check(rest.subspan(2), "expect mem");
            check(c, fmt::format("u{} at 0x{:x}", w * 8, addr), read_value(c, addr, w), ck, true,
                  out);
        } else if (what == "queue" || what == "sq" || what == "cq") {
            const std::string key = "expect " + what;
            if (rest.size() < 2) usage_error(key, "missing QID and what to compare");
            const uint16_t qid = qid_arg(c, rest[0]);
            const std::string field = lower(rest[1].text);
            const Check ck = parse_check(rest.subspan(2), key);
            const auto views = c.ctrl_.queues();
            const bool want_sq = what == "sq" || (what == "queue" && field != "phase");
            const bool allowed =
                what == "sq"
                    ? field == "head" || field == "tail" || field == "size" || field == "cqid"
                : what == "cq" ? field == "head" || field == "tail" || field == "phase" ||
                                     field == "pending" || field == "size"
                               : field == "head" || field == "tail" || field == "phase";
            if (!allowed) usage_error(key, fmt::format("unknown queue field '{}'", rest[1].text));
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
                actual = h ? pending(c, *h) : 0;
            }
            check(c, label, actual, ck, false, out);
        } else if (what == "cached") {
            if (rest.empty()) usage_error("expect cached", "missing NSID");
            const uint64_t nsid = number(c, rest[0], "NSID", 0xFFFFFFFF);
            if (nsid == 0 || nsid > c.ctrl_.namespace_count())
                fail(fmt::format("expect cached: there is no namespace {} (the device has "
                                 "namespace{} 1..{})",
                                 nsid, c.ctrl_.namespace_count() == 1 ? "" : "s",
                                 c.ctrl_.namespace_count()));
            const Check ck = parse_check(rest.subspan(1), "expect cached");
            check(c, fmt::format("cached blocks of namespace {}", nsid),
                  c.ctrl_.namespace_blocks_cached(static_cast<uint32_t>(nsid)), ck, false, out);
        } else {
            usage_error("expect", fmt::format("unknown check '{}'", t[0].text));
        }
    }

    // ---- other ---------------------------------------------------------------------

    static void echo(C &, Toks t, std::string &out) {
        std::string s;
        for (const Token &tok : t)
            s += (s.empty() ? "" : " ") + tok.text;
        put(out, "{}", s);
    }

    static void set(C &c, Toks t, std::string &out) {
        if (t.empty()) {
            if (c.vars_.empty()) put(out, "no variables");
            for (const auto &[k, v] : c.vars_)
                put(out, "${:<12} = 0x{:x} ({})", k, v, v);
            return;
        }
        const Args a = split_args("set", t);
        const std::string name = name_arg(arg(a, 0, "NAME"), "set", "variable NAME");
        const uint64_t v = number(c, arg(a, 1, "VALUE"), "VALUE");
        no_more(a, 2);
        c.vars_[name] = v;
        put(out, "${} = 0x{:x} ({})", name, v, v);
    }

    static void help_cmd(C &, Toks t, std::string &out) {
        if (t.empty()) {
            out += Console::help();
            return;
        }
        std::string topic;
        for (const Token &tok : t)
            topic += (topic.empty() ? "" : " ") + lower(tok.text);
        const std::string text = Console::help(topic);
        if (text.empty()) fail(fmt::format("no help for '{}'; 'help' lists every command", topic));
        out += text;
    }

    // ---- dispatch -------------------------------------------------------------------

    using Handler = void (*)(C &, Toks, std::string &);
    struct Entry {
        std::string_view name;
        Handler fn;
    };
    static constexpr Entry kTable[] = {
        {"reg", reg},
        {"doorbell", doorbell},
        {"mem", mem},
        {"enable", enable},
        {"disable", disable},
        {"shutdown", shutdown},
        {"queue", queue},
        {"queues", queues},
        {"sqe", sqe},
        {"prp", prp},
        {"submit", submit_cmd},
        {"ring", ring},
        {"reap", reap},
        {"admin", admin},
        {"io", io},
        {"identify", identify},
        {"read", read},
        {"write", write},
        {"flush", flush},
        {"get-feature", get_feature},
        {"set-feature", set_feature},
        {"get-log", get_log},
        {"step", step},
        {"run", run},
        {"trace", trace},
        {"mark", mark},
        {"expect", expect},
        {"echo", echo},
        {"set", set},
        {"help", help_cmd},
    };

    static void dispatch(C &c, const std::vector<Token> &toks, std::string &out) {
        const std::string word = lower(toks[0].text);
        for (const Entry &e : kTable) {
            if (e.name == word) {
                e.fn(c, Toks(toks).subspan(1), out);
                return;
            }
        }
        fail(fmt::format("unknown command '{}'; 'help' lists the commands", toks[0].text));
    }
};

Console::Console(Controller &ctrl, SparseHostMemory &mem, HostDriver &driver)
    : ctrl_(ctrl), mem_(mem), drv_(driver) {}

std::optional<Completion> Console::last_completion() const {
    if (last_) return last_;
    if (const auto &r = ctrl_.last_completion()) return Completion{r->cqe, r->why};
    return std::nullopt;
}

std::string Console::text_error(std::string_view line) {
    if (const size_t nul = line.find('\0'); nul != std::string_view::npos)
        return fmt::format("a NUL byte at column {}: console lines are text", nul + 1);
    const std::string e = utf8_error(line);
    return e.empty() ? e : e + ": console lines are UTF-8 text";
}

std::string Console::utf8_error(std::string_view line) {
    // UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past U+10FFFF.
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(line[i]); };
    for (size_t i = 0; i < line.size();) {
        const uint8_t c = byte(i);
        size_t len = 1;
        uint32_t cp = c;
        uint32_t min = 0;
        if (c >= 0xF0 && c <= 0xF7) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if (c >= 0x80) {
            len = 0; // a continuation byte or 0xF8-0xFF where a character should start
        }
        bool ok = len > 0 && i + len <= line.size();
        for (size_t k = 1; ok && k < len; ++k) {
            ok = (byte(i + k) & 0xC0) == 0x80;
            cp = (cp << 6) | (byte(i + k) & 0x3Fu);
        }
        ok = ok && cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        if (!ok) return fmt::format("byte 0x{:02X} at column {} is not UTF-8", c, i + 1);
        i += len;
    }
    return {};
}

std::string Console::script_text_error(std::string_view text, std::string_view source_name) {
    return first_line_error(text, source_name,
                            [](std::string_view line) { return text_error(line); });
}

std::string Console::script_check_error(std::string_view text, std::string_view source_name) {
    return first_line_error(text, source_name, [](std::string_view line) {
        std::string e = text_error(line);
        return e.empty() ? syntax_error(line) : e;
    });
}

ConsoleResult Console::exec_line(std::string_view line) {
    ConsoleResult r;
    if (std::string e = text_error(line); !e.empty()) {
        r.ok = false;
        r.error = std::move(e);
        return r;
    }
    std::string command;
    std::string usage_key;
    try {
        const std::vector<Token> toks = tokenize(line);
        if (toks.empty()) return r;
        command = lower(toks[0].text);
        usage_key = command;
        if (toks.size() > 1) {
            const std::string two = command + " " + lower(toks[1].text);
            for (const Doc &d : kDocs)
                if (d.key == two) usage_key = two;
        }
        Impl::dispatch(*this, toks, r.output);
    } catch (const SyntaxError &e) {
        r.ok = false;
        r.error = e.what();
        const std::string form = usage(usage_key);
        if (!e.has_usage && !form.empty()) r.error += "; usage: " + form;
    } catch (const ConsoleError &e) {
        r.ok = false;
        r.error = e.what();
    } catch (const DriverError &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (const ConfigError &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (const std::bad_alloc &) {
        r.ok = false;
        r.error = fmt::format("{} failed: out of memory", command);
    } catch (const std::exception &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (...) {
        r.ok = false;
        r.error = fmt::format("{} failed: unexpected error", command);
    }
    return r;
}

ConsoleResult Console::exec_script(std::string_view text, std::string_view source_name) {
    ConsoleResult r;
    if (std::string e = script_text_error(text, source_name); !e.empty()) {
        r.ok = false;
        r.error = std::move(e);
        return r;
    }
    r.error = first_line_error(text, source_name, [&](std::string_view line) {
        ConsoleResult one = exec_line(line);
        r.output += one.output;
        if (one.ok) return std::string();
        return one.error.empty() ? std::string("failed") : std::move(one.error); // stops here
    });
    r.ok = r.error.empty();
    return r;
}

std::string Console::help() {
    std::vector<const Doc *> docs;
    for (const Doc &d : kDocs)
        docs.push_back(&d);
    return "Numbers: 4096, 0x1000, 010 (octal, as in nvme-cli), 4K / 1M / 1G, $var, $var+0x10. "
           "Options are key=value; "
           "keywords are case-insensitive;\n'#' starts a comment. 'help COMMAND' shows one "
           "command.\n\n" +
           format_docs(docs);
}

std::string Console::syntax_error(std::string_view line) {
    try {
        const std::vector<Token> toks = tokenize(line);
        if (toks.empty()) return {};
        const std::string word = lower(toks[0].text);
        bool known = false;
        for (const Impl::Entry &e : Impl::kTable)
            known = known || e.name == word;
        if (!known) return fmt::format("unknown command '{}'; 'help' lists the commands", word);
        // Commands documented only with sub-forms need one of them.
        bool bare = false;
        std::string forms;
        bool form_ok = false;
        const std::string second = toks.size() > 1 ? lower(toks[1].text) : std::string();
        for (const Doc &d : kDocs) {
            if (d.key == word) bare = true;
            if (d.key.size() <= word.size() || !doc_matches(d, word)) continue;
            const std::string_view sub = d.key.substr(word.size() + 1);
            forms += fmt::format("{}{}", forms.empty() ? "" : " ", sub);
            form_ok = form_ok || sub == second;
        }
        if (!bare && !forms.empty() && !form_ok)
            return second.empty()
                       ? fmt::format("'{}' needs one of: {}; usage: {}", word, forms, usage(word))
                       : fmt::format("unknown form '{} {}' (forms: {}); usage: {}", word,
                                     toks[1].text, forms, usage(word));
        const bool reg_form = word == "reg" && (second == "read" || second == "write");
        if ((reg_form || (word == "expect" && second == "reg")) && toks.size() > 2)
            find_register(toks[2].text, fmt::format("{} {}", word, second));
        if (word == "reg" && toks.size() == 2 && !reg_form) find_register(toks[1].text, "reg");
    } catch (const ConsoleError &e) {
        return e.what();
    }
    return {};
}

bool Console::is_register(std::string_view name) {
    try {
        find_register(name, "reg");
        return true;
    } catch (const ConsoleError &) {
        return false;
    }
}

std::string Console::help(std::string_view command) {
    const std::string key = lower(command);
    std::vector<const Doc *> docs;
    for (const Doc &d : kDocs)
        if (doc_matches(d, key)) docs.push_back(&d);
    return docs.empty() ? std::string() : format_docs(docs);
}

} // namespace nvmelab
