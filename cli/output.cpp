#include "cli/output.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <iterator>

#include <fmt/format.h>

#include "core/spec/field_decode.h"

namespace nvmelab::cli {

Table &Table::add(std::string name, std::string value) {
    rows_.emplace_back(std::move(name), std::move(value));
    return *this;
}

std::string Table::str() const {
    size_t width = 0;
    for (const auto &[name, value] : rows_)
        width = std::max(width, name.size());
    std::string out;
    for (const auto &[name, value] : rows_)
        out += fmt::format("{:<{}} : {}\n", name, width, value);
    return out;
}

std::string trim_field(const char *text, size_t size) {
    return spec::ascii_field(text, size);
}

std::string u128_decimal(const uint8_t (&bytes)[16]) {
    return spec::u128_decimal(bytes);
}

Json u128_json(const uint8_t (&bytes)[16]) {
    uint64_t high = 0;
    for (int i = 15; i >= 8; --i)
        high = (high << 8) | bytes[i];
    const uint64_t low = spec::get_u128_low(bytes);
    if (high == 0) return low;
    return static_cast<double>(high) * 18446744073709551616.0 + static_cast<double>(low);
}

std::string hex_string(std::span<const uint8_t> bytes) {
    return spec::hex_bytes(bytes);
}

std::string hex_dump(std::span<const uint8_t> bytes, uint64_t base_offset) {
    std::string out = "       0  1  2  3  4  5  6  7  8  9  a  b  c  d  e  f\n";
    for (size_t row = 0; row < bytes.size(); row += 16) {
        const size_t n = std::min<size_t>(16, bytes.size() - row);
        out += fmt::format("{:04x}:", base_offset + row);
        for (size_t i = 0; i < 16; ++i)
            out += i < n ? fmt::format(" {:02x}", bytes[row + i]) : std::string("   ");
        out += " \"";
        for (size_t i = 0; i < n; ++i) {
            const uint8_t ch = bytes[row + i];
            out += ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '.';
        }
        out += "\"\n";
    }
    return out;
}

void print_text(const std::string &text) {
    std::fputs(text.c_str(), stdout);
}

void print_json(const Json &j) {
    // Identify strings come from the device; never let a bad byte abort the dump.
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

bool write_binary(const void *data, size_t size) {
    // The error stays in ferror(stdout); main() names it once, for every command.
    return std::fwrite(data, 1, size, stdout) == size && std::fflush(stdout) == 0;
}

} // namespace nvmelab::cli
