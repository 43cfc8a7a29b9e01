#pragma once
// The console's lexical rules (docs/console.md, "Lexical rules"): tokens, key=value options and
// flags, numbers with sizes, $variables and +/- terms.
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nvmelab::console {

std::string lower(std::string_view s);
std::string upper(std::string_view s);
int hex_digit(char ch); // -1 if ch is not one

// Tokens: whitespace separated; "..." quotes (with \" \\ \n \t \0 \xHH escapes) may appear
// inside a token (str:"two words"); '#' at the start of a token starts a comment.
struct Token {
    std::string text;
    size_t quote = std::string::npos; // where the first quoted part starts in text
    bool quoted() const { return quote != std::string::npos; }
};
using Toks = std::span<const Token>;

// Throws ConsoleError for an unterminated string or a bad \x escape.
std::vector<Token> tokenize(std::string_view line);

// Arguments of one command: positionals, key=value options (only the keys the command takes,
// case-insensitive) and bare flag words.
struct Args {
    std::string key; // command form for usage errors
    std::vector<Token> pos;
    std::vector<std::pair<std::string, Token>> opts;
    std::vector<std::string> flags;

    const Token *opt(std::string_view k) const;
    bool flag(std::string_view f) const;
};

Args split_args(std::string_view key, Toks toks, std::span<const std::string_view> keys,
                std::span<const std::string_view> flags);
Args split_args(std::string_view key, Toks toks, std::initializer_list<std::string_view> keys = {},
                std::initializer_list<std::string_view> flags = {});
// Positional i, or a usage error naming `what` as missing.
const Token &arg(const Args &a, size_t i, std::string_view what);
// A usage error if there are more than n positionals.
void no_more(const Args &a, size_t n);

bool is_identifier(std::string_view s);
// NAME or $NAME for `mem alloc`, `set`, `sqe`: a usage error (form `key`) unless an identifier.
std::string name_arg(const Token &t, std::string_view key, std::string_view what);

// A plain number as nvme-cli reads one (core/util/number_text.h: 0x hex, a leading 0 octal,
// else decimal), decimal or octal with an optional K/M/G/T suffix (binary units). On failure
// `why` says what is wrong when the rule explains it ("" otherwise).
std::optional<uint64_t> parse_literal(std::string_view s, std::string *why = nullptr);

// A number argument: literals and $variables joined by + and - without spaces ($buf+0x10),
// at most `max`. `what` names the argument in errors (syntax errors).
uint64_t evaluate_number(const std::map<std::string, uint64_t> &vars, const Token &t,
                         std::string_view what,
                         uint64_t max = std::numeric_limits<uint64_t>::max());

} // namespace nvmelab::console
