// The console's lexical rules (see lexer.h).
#include "console/lexer.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "console/errors.h"
#include "core/util/number_text.h"

namespace nvmelab::console {

namespace {

bool is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' || ch == '\f';
}

} // namespace

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

int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

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

const Token *Args::opt(std::string_view k) const {
    for (const auto &[name, tok] : opts)
        if (name == k) return &tok;
    return nullptr;
}

bool Args::flag(std::string_view f) const {
    return std::find(flags.begin(), flags.end(), f) != flags.end();
}

Args split_args(std::string_view key, Toks toks, std::span<const std::string_view> keys,
                std::span<const std::string_view> flags) {
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

Args split_args(std::string_view key, Toks toks, std::initializer_list<std::string_view> keys,
                std::initializer_list<std::string_view> flags) {
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

std::string name_arg(const Token &t, std::string_view key, std::string_view what) {
    std::string_view s = t.text;
    if (!s.empty() && s[0] == '$') s.remove_prefix(1);
    if (t.quoted() || !is_identifier(s))
        usage_error(key, fmt::format("bad {} '{}': use letters, digits and _", what, t.text));
    return std::string(s);
}

std::optional<uint64_t> parse_literal(std::string_view s, std::string *why) {
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

uint64_t evaluate_number(const std::map<std::string, uint64_t> &vars, const Token &t,
                         std::string_view what, uint64_t max) {
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
            auto it = vars.find(name);
            if (it == vars.end()) {
                std::string known;
                for (const auto &[k, val] : vars)
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
                           computed ? fmt::format(" = 0x{:x}", total) : std::string(), what, max));
    }
    return total;
}

} // namespace nvmelab::console
