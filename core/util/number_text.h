#pragma once
// Unsigned numbers in text, read by one rule everywhere (CLI flags, device properties, console
// lines): nvme-cli's, which is strtoull's base 0: `0x` or `0X` starts hex, a leading `0`
// octal, anything else is decimal. So `010` is 8 in every front end.
#include <cstdint>
#include <string>
#include <string_view>

namespace nvmelab {

// Parses all of `text`; on success sets `value` and returns "", else returns why not, naming
// the text and the rule (e.g. "'09' is not a number: a leading 0 means octal (as in nvme-cli),
// so 8 and 9 are not digits").
inline std::string parse_unsigned(std::string_view text, uint64_t &value) {
    const std::string quoted = "'" + std::string(text) + "'";
    if (text.empty()) return "an empty text is not a number";
    if (text[0] == '-') return quoted + " is negative: the value is unsigned";
    unsigned base = 10;
    std::string_view digits = text;
    if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    } else if (text.size() > 1 && text[0] == '0') {
        base = 8;
        digits.remove_prefix(1);
    }
    if (digits.empty()) return quoted + " is not a number: '0x' needs hex digits after it";
    uint64_t v = 0;
    for (const char ch : digits) {
        unsigned d = 99;
        if (ch >= '0' && ch <= '9') d = static_cast<unsigned>(ch - '0');
        if (ch >= 'a' && ch <= 'f') d = static_cast<unsigned>(ch - 'a' + 10);
        if (ch >= 'A' && ch <= 'F') d = static_cast<unsigned>(ch - 'A' + 10);
        if (d >= base) {
            if (base == 8 && d < 10)
                return quoted + " is not a number: a leading 0 means octal (as in nvme-cli), so 8 "
                                "and 9 are not digits";
            return quoted + " is not a number: use decimal (4096), hex (0x1000) or octal with a "
                            "leading 0 (010 = 8), as nvme-cli reads them";
        }
        if (v > (UINT64_MAX - d) / base) return quoted + " is larger than 2^64 - 1";
        v = v * base + d;
    }
    value = v;
    return {};
}

} // namespace nvmelab
