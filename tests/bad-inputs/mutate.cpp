// Makes a hostile copy of a file for the bad-input corpus (tests/bad-inputs/run.cmake):
//
//   nvmelab_mutate IN OUT OP [OP...]
//     truncate N           keep the first N bytes
//     flip OFFSET BIT      invert one bit
//     put OFFSET TEXT      write TEXT's bytes at OFFSET (%HH escapes allowed, as in TEXT
//                          below: a byte given in hex)
//     header TEXT          replace the first line after the magic through the end of the
//                          JSON (the header block's text) by TEXT, NUL padded to 4096 bytes
//     fill OFFSET N BYTE   write N copies of BYTE (decimal or 0x..) at OFFSET
//     slot INDEX TEXT      write state slot INDEX (0 = A, 1 = B) holding TEXT with a valid
//                          slot header (tag, sequence 1, length, CRC-32): a slot that passes
//                          the checksum but whose document is hostile
//
// Offsets and sizes are decimal or 0x hex. Exits 2 with a message on a bad recipe.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const std::string &why) {
    std::fprintf(stderr, "nvmelab_mutate: %s\n", why.c_str());
    std::exit(2);
}

uint64_t number(const std::string &text) {
    try {
        size_t used = 0;
        const uint64_t v = std::stoull(text, &used, 0);
        if (used != text.size()) die("not a number: " + text);
        return v;
    } catch (const std::exception &) {
        die("not a number: " + text);
    }
}

std::string unescape(const std::string &text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// CRC-32 as zlib computes it (reflected, polynomial 0xEDB88320).
uint32_t crc32(const std::string &bytes) {
    uint32_t crc = 0xFFFFFFFFu;
    for (const char c : bytes) {
        crc ^= static_cast<uint8_t>(c);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put_le(std::vector<char> &bytes, size_t at, uint64_t value, int width) {
    for (int i = 0; i < width; ++i)
        bytes[at + static_cast<size_t>(i)] = static_cast<char>(value >> (8 * i));
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 4) die("usage: nvmelab_mutate IN OUT OP [ARGS] ...");
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) die(std::string("cannot read ") + argv[1]);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto need = [&](size_t end) {
        if (bytes.size() < end) bytes.resize(end, '\0');
    };
    for (int i = 3; i < argc;) {
        const std::string op = argv[i++];
        const auto arg = [&]() -> std::string {
            if (i >= argc) die("missing argument for " + op);
            return argv[i++];
        };
        if (op == "truncate") {
            bytes.resize(number(arg()));
        } else if (op == "flip") {
            const uint64_t offset = number(arg());
            const uint64_t bit = number(arg());
            if (offset >= bytes.size() || bit > 7) die("flip past the end or bit > 7");
            bytes[offset] = static_cast<char>(bytes[offset] ^ (1 << bit));
        } else if (op == "put") {
            const uint64_t offset = number(arg());
            const std::string text = unescape(arg());
            need(offset + text.size());
            std::copy(text.begin(), text.end(), bytes.begin() + static_cast<long>(offset));
        } else if (op == "header") {
            const std::string magic = "NVMELAB-IMAGE\n";
            const std::string text = unescape(arg());
            need(4096);
            std::fill(bytes.begin() + static_cast<long>(magic.size()), bytes.begin() + 4096, '\0');
            if (magic.size() + text.size() > 4096) die("header text longer than the block");
            std::copy(text.begin(), text.end(), bytes.begin() + static_cast<long>(magic.size()));
        } else if (op == "fill") {
            const uint64_t offset = number(arg());
            const uint64_t n = number(arg());
            const char value = static_cast<char>(number(arg()));
            need(offset + n);
            std::fill_n(bytes.begin() + static_cast<long>(offset), n, value);
        } else if (op == "slot") {
            // The layout of image/device_image.h: slots of 1 MiB after the 4096-byte header.
            const uint64_t index = number(arg());
            const std::string text = unescape(arg());
            if (index > 1) die("slot index is 0 or 1");
            const size_t base = 4096 + static_cast<size_t>(index) * 1024 * 1024;
            need(base + 32 + text.size());
            std::copy_n("NVLSTATE", 8, bytes.begin() + static_cast<long>(base));
            put_le(bytes, base + 8, 1, 8);
            put_le(bytes, base + 16, text.size(), 4);
            put_le(bytes, base + 20, crc32(text), 4);
            put_le(bytes, base + 24, 0, 8);
            std::copy(text.begin(), text.end(), bytes.begin() + static_cast<long>(base + 32));
        } else {
            die("unknown operation " + op);
        }
    }
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) die(std::string("cannot write ") + argv[2]);
    return 0;
}
