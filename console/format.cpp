// How the console prints things (see format.h).
#include "console/format.h"

#include <algorithm>

#include "core/spec/field_decode.h"
#include "core/spec/status_text.h"

namespace nvmelab::console {

std::string human_size(uint64_t bytes) {
    return spec::size_text(bytes);
}

std::string us(uint64_t ns) {
    return fmt::format("{:.3f} us", static_cast<double>(ns) / 1000.0);
}

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

std::string opcode_text(uint8_t opc, spec::CommandSetId set) {
    const std::string_view name = spec::opcode_name(set, opc);
    return name.empty() ? fmt::format("0x{:02x}", opc) : fmt::format("0x{:02x} {}", opc, name);
}

std::string trimmed(const char *p, size_t n) {
    std::string s(p, n);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

std::string feature_label(uint8_t fid) {
    const std::string_view name = spec::feature_name(fid);
    return name.empty() ? fmt::format("0x{:02x}", fid) : fmt::format("0x{:02x} {}", fid, name);
}

std::string format_help(std::span<const HelpLine> lines) {
    std::string out;
    std::string_view section;
    for (const HelpLine &d : lines) {
        if (d.section != section) {
            if (!section.empty()) out += '\n';
            section = d.section;
            out += fmt::format("{}\n", section);
        }
        if (d.usage.size() <= 40)
            out += fmt::format("  {:<42}{}\n", d.usage, d.text);
        else
            out += fmt::format("  {}\n  {:<42}{}\n", d.usage, "", d.text);
    }
    return out;
}

} // namespace nvmelab::console
