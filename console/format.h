#pragma once
// How the console prints things: completions, hex dumps, sizes and times, opcode and feature
// names, and the help text. Every line of console output ends in '\n'.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "core/spec/status_text.h"
#include "driver/host_driver.h"

namespace nvmelab::console {

// Appends one formatted line to out.
template <typename... T> void put(std::string &out, fmt::format_string<T...> f, T &&...args) {
    out += fmt::format(f, std::forward<T>(args)...);
    out += '\n';
}

std::string human_size(uint64_t bytes); // "4 KiB"
std::string us(uint64_t ns);            // "2000.000 us"

// "cqe cid=3 sq=0 sqhd=4 phase=1 dw0=... status=0x6013 PRP Offset Invalid [DNR] [M]", then the
// meaning of a failure and the controller's reason, each on a line of its own.
std::string describe(const Completion &c);
// 16 bytes a line with ASCII; addresses (0x...) or offsets from first_address (+0x...).
std::string hexdump(std::span<const uint8_t> bytes, uint64_t first_address, bool offsets);
// "0x06 Identify" (its name in that command set), or "0x99" for an opcode without one.
std::string opcode_text(uint8_t opc, spec::CommandSetId set);
// A fixed-size, space-padded ASCII field (Identify sn, mn, fr) without its padding.
std::string trimmed(const char *p, size_t n);
// "0x07 Number of Queues".
std::string feature_label(uint8_t fid);

// One line of the command reference.
struct HelpLine {
    std::string_view section;
    std::string_view usage;
    std::string_view text;
};
// The reference as `help` prints it: a heading per section, then usage and text.
std::string format_help(std::span<const HelpLine> lines);

} // namespace nvmelab::console
