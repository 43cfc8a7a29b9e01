#pragma once
// The properties of an Open-Channel SSD 2.0 namespace (../shared/reference/ocssd-2.0.md, "OC §n"
// below): its geometry, write requirements, timings and initial chunk state, named as QEMU's
// ocssd device names them (num_grp, num_pu, ..., tprt/tprm, tbet/tbem). DeviceConfig carries one
// of these for `type = ocssd` and stores it in the image header with the other properties.
#include <cstdint>
#include <string>
#include <vector>

namespace nvmelab {

// One chunk's address in the geometry: group / parallel unit / chunk.
struct ChunkAddress {
    uint32_t grp = 0;
    uint32_t pu = 0;
    uint32_t chk = 0;
    bool operator==(const ChunkAddress &) const = default;
};

struct OcssdParams {
    // Geometry (OC §3). Defaults: the QEMU ocssd image defaults scaled down to 2 x 4 x 16 chunks
    // of 1024 sectors, so a default device is 128 MiB and quick to create.
    uint32_t num_grp = 2;      // groups
    uint32_t num_pu = 4;       // parallel units per group
    uint32_t num_chk = 16;     // chunks per parallel unit
    uint32_t clba = 1024;      // logical blocks per chunk
    uint32_t ws_min = 4;       // minimum write size, logical blocks
    uint32_t ws_opt = 8;       // optimal write size, logical blocks
    uint32_t mw_cunits = 24;   // a read keeps this many blocks from an OPEN chunk's WP (OC §8.3)
    uint32_t maxoc = 0;        // open chunks in the device, 0 = no limit (OC §8.4 †)
    uint32_t maxocpu = 0;      // open chunks per PU, 0 = only maxoc applies (OC §8.4 †)
    uint32_t mccap = 0x1;      // b0 vector copy, b1 multiple resets, b2 early reset (QEMU's)
    uint8_t wit = 10;          // wear-level index delta threshold
    uint32_t pe_cycles = 1000; // resets a chunk survives; WLI = resets x 255 / pe_cycles (QEMU)
    // Timings in ns (Geometry 192-215), QEMU's fixed values; the NAND timing model uses the
    // typical ones (trdt read, tprt program, tbet erase) per write unit and parallel unit.
    uint32_t trdt = 70'000;
    uint32_t trdm = 100'000;
    uint32_t tprt = 1'900'000;
    uint32_t tprm = 3'500'000;
    uint32_t tbet = 3'000'000;
    uint32_t tbem = 3'000'000;
    // Initial state, as lists of chunks "G/P/C,G/P/C" (offline_chunks) and "G/P/C:resets,..."
    // (worn_chunks: resets already done; the chunk's WLI follows from pe_cycles).
    std::string offline_chunks;
    std::string worn_chunks;
    // Where the sources disagree (†), the choice is a property:
    // A write to a CLOSED or OFFLINE chunk: "write_fault" (2h/80h, QEMU and liblightnvm's tests)
    // or "out_of_order" (2h/F2h, SPDK's description of that status).
    std::string closed_write_status = "write_fault";
    // A read of an OFFLINE chunk: "predefined" (zeros, or 2h/87h with DULBE, as QEMU) or
    // "offline_error" (2h/C0h).
    std::string offline_read = "predefined";
    // Fault injection, deterministic: every reset of a chunk in fail_reset ("G/P/C,...") fails
    // in the media, taking the chunk OFFLINE (2h/C0h); a write that reaches a sector in
    // fail_write ("G/P/C:S,...") fails with Chunk Early Close (2h/F1h): the chunk is CLOSED at
    // its WP, the write's sectors of that chunk are not written. Each posts a chunk notification.
    std::string fail_reset;
    std::string fail_write;
    bool operator==(const OcssdParams &) const = default;
};

// Parses "G/P/C,..." (and "G/P/C:N,..." when with_count); throws ConfigError naming the entry.
struct ChunkCount {
    ChunkAddress chunk;
    uint32_t count = 0;
};
std::vector<ChunkCount> parse_chunk_list(const std::string &text, bool with_count,
                                         const char *property);

// Throws ConfigError naming the property and the rule it breaks; lbads is the device's.
void validate_ocssd_params(const OcssdParams &p, uint8_t lbads);

// Bits needed for `count` values 0..count-1 (0 for a count of 1): the emulators' minimal LBA
// format widths (OC §2).
constexpr uint8_t address_bits(uint64_t count) {
    uint8_t bits = 0;
    while (count > 1 && (uint64_t{1} << bits) < count)
        ++bits;
    return bits;
}

} // namespace nvmelab
