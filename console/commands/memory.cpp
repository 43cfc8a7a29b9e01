// Host memory: mem alloc|write|fill|read|dump|map, and the DATA items `expect mem` shares.
#include "console/commands/memory.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

std::vector<uint8_t> data_items(const Context &c, Toks t, std::string_view key) {
    std::vector<uint8_t> out;
    if (t.empty()) usage_error(key, "missing DATA");
    for (const Token &tok : t) {
        const std::string l = lower(tok.text);
        const size_t colon = tok.text.find(':');
        const std::string prefix =
            colon != std::string::npos && colon < tok.quote ? l.substr(0, colon) : std::string();
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

unsigned width_arg(const Token &t, std::string_view key) {
    const std::string w = lower(t.text);
    if (w == "u8") return 1;
    if (w == "u16") return 2;
    if (w == "u32") return 4;
    if (w == "u64") return 8;
    usage_error(key, fmt::format("expected u8, u16, u32 or u64, got '{}'", t.text));
}

uint64_t read_value(const Context &c, uint64_t addr, unsigned bytes) {
    need_mapped(c, addr, bytes);
    std::array<uint8_t, 8> raw{};
    c.mem.read(addr, std::span(raw).first(bytes));
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i)
        v |= uint64_t{raw[i]} << (8 * i);
    return v;
}
namespace {

void mem_alloc(Context &c, Toks t, std::string &out) {
    const Args a = split_form("mem alloc", t);
    const std::string name = name_arg(arg(a, 0, "NAME"), "mem alloc", "NAME");
    const uint64_t size = number(c, arg(a, 1, "SIZE"), "SIZE", kMaxAlloc);
    no_more(a, 2);
    if (size == 0) usage_error("mem alloc", "SIZE must be at least 1 byte");
    uint64_t align = SparseHostMemory::kPageSize;
    if (const Token *al = a.opt("align")) align = number(c, *al, "align");
    if (align < SparseHostMemory::kPageSize || (align & (align - 1)) != 0)
        usage_error("mem alloc", "align must be a power of two, at least 4096 (a page)");
    const uint64_t base = c.mem.alloc(size, name, align);
    c.vars[name] = base;
    const SparseHostMemory::Region *region = c.mem.region_at(base);
    put(out, "${} = 0x{:x} ({} mapped)", name, base, human_size(region ? region->size : size));
}

void mem_write(Context &c, Toks t, std::string &out) {
    if (t.empty()) usage_error("mem write", "missing ADDR");
    const uint64_t addr = number(c, t[0], "ADDR");
    const std::vector<uint8_t> data = data_items(c, t.subspan(1), "mem write");
    need_mapped(c, addr, data.size());
    c.mem.write(addr, data);
    put(out, "wrote {} bytes at 0x{:x}", data.size(), addr);
}

void mem_fill(Context &c, Toks t, std::string &out) {
    const Args a = split_form("mem fill", t);
    const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
    const auto byte = static_cast<uint8_t>(number(c, arg(a, 1, "BYTE"), "BYTE", 0xFF));
    const uint64_t len = number(c, arg(a, 2, "LEN"), "LEN");
    no_more(a, 3);
    need_mapped(c, addr, len);
    c.mem.fill(addr, byte, len);
    put(out, "filled {} bytes at 0x{:x} with 0x{:02x}", len, addr, byte);
}

void mem_read(Context &c, Toks t, std::string &out) {
    const Args a = split_form("mem read", t);
    const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
    const unsigned w = width_arg(arg(a, 1, "u8|u16|u32|u64"), "mem read");
    no_more(a, 2);
    const uint64_t v = read_value(c, addr, w);
    put(out, "u{} at 0x{:x} = 0x{:0{}x} ({})", w * 8, addr, v, w * 2, v);
}

void mem_dump(Context &c, Toks t, std::string &out) {
    const Args a = split_form("mem dump", t);
    const uint64_t addr = number(c, arg(a, 0, "ADDR"), "ADDR");
    const uint64_t len = number(c, arg(a, 1, "LEN"), "LEN");
    no_more(a, 2);
    if (len > kMaxDump)
        usage_error("mem dump", fmt::format("LEN is limited to {} bytes", kMaxDump));
    need_mapped(c, addr, len);
    std::vector<uint8_t> bytes(len);
    c.mem.read(addr, bytes);
    out += hexdump(bytes, addr, false);
}

void mem_map(Context &c, Toks t, std::string &out) {
    no_more(split_form("mem map", t), 0);
    if (c.mem.regions().empty()) put(out, "no host memory is mapped");
    for (const auto &[base, r] : c.mem.regions()) {
        std::string names;
        for (const auto &[k, v] : c.vars)
            if (v == base && k != r.label) names += fmt::format(" ${}", k);
        put(out, "0x{:08x}-0x{:08x}  {:>10}  {}{}", base, base + r.size - 1, human_size(r.size),
            r.label.empty() ? "-" : r.label, names);
    }
}
constexpr std::string_view kAllocOptions[] = {"align"};

constexpr CommandForm kForms[] = {
    {"mem alloc", "mem alloc NAME SIZE [align=N]",
     "Allocate host memory (whole pages) labelled NAME; sets $NAME to its address.", mem_alloc,
     nullptr, kAllocOptions},
    {"mem write", "mem write ADDR DATA...",
     "Write bytes. DATA: hex bytes (de ad be ef), str:\"text\", u8:/u16:/u32:/u64:VALUE "
     "(little endian).",
     mem_write},
    {"mem fill", "mem fill ADDR BYTE LEN", "Fill LEN bytes with BYTE.", mem_fill},
    {"mem read", "mem read ADDR u8|u16|u32|u64", "Read one little-endian value.", mem_read},
    {"mem dump", "mem dump ADDR LEN", "Hex and ASCII dump, 16 bytes a line.", mem_dump},
    {"mem map", "mem map", "List the mapped host memory regions and their labels.", mem_map},
};

constexpr CommandWord kWords[] = {{"mem", "missing a mem subcommand", "unknown mem subcommand"}};

} // namespace

constinit const CommandFamily kMemoryCommands{"Host memory", kForms, kWords};

} // namespace nvmelab::console
