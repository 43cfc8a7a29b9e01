#include "core/namespaces/ocssd_params.h"

#include <charconv>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "core/controller/device_config.h"

namespace nvmelab {

namespace {
uint32_t parse_field(std::string_view text, const std::string &entry, const char *property) {
    uint32_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        throw ConfigError(fmt::format("property '{}': '{}' is not G/P/C{} (decimal numbers)",
                                      property, entry, ""));
    return v;
}
} // namespace

std::vector<ChunkCount> parse_chunk_list(const std::string &text, bool with_count,
                                         const char *property) {
    std::vector<ChunkCount> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find(',', pos);
        if (end == std::string::npos) end = text.size();
        const std::string entry = text.substr(pos, end - pos);
        pos = end + 1;
        std::string_view rest = entry;
        ChunkCount c;
        if (with_count) {
            const size_t colon = rest.find(':');
            if (colon == std::string_view::npos)
                throw ConfigError(
                    fmt::format("property '{}': '{}' is not G/P/C:N", property, entry));
            c.count = parse_field(rest.substr(colon + 1), entry, property);
            rest = rest.substr(0, colon);
        }
        const size_t s1 = rest.find('/');
        const size_t s2 = s1 == std::string_view::npos ? s1 : rest.find('/', s1 + 1);
        if (s2 == std::string_view::npos)
            throw ConfigError(fmt::format("property '{}': '{}' is not G/P/C{}", property, entry,
                                          with_count ? ":N" : ""));
        c.chunk.grp = parse_field(rest.substr(0, s1), entry, property);
        c.chunk.pu = parse_field(rest.substr(s1 + 1, s2 - s1 - 1), entry, property);
        c.chunk.chk = parse_field(rest.substr(s2 + 1), entry, property);
        out.push_back(c);
    }
    return out;
}

void validate_ocssd_params(const OcssdParams &p, uint8_t lbads) {
    auto fail = [](const std::string &msg) { throw ConfigError(msg); };
    // Geometry NUM_GRP and NUM_PU are 16-bit fields (OC §3).
    if (p.num_grp < 1 || p.num_grp > 0xFFFF) fail("num_grp must be 1..65535");
    if (p.num_pu < 1 || p.num_pu > 0xFFFF) fail("num_pu must be 1..65535");
    if (p.num_chk < 1) fail("num_chk must be at least 1");
    if (p.clba < 1) fail("clba must be at least 1 (logical blocks per chunk)");
    const uint64_t chunks = uint64_t{p.num_grp} * p.num_pu * p.num_chk;
    // The chunk table is kept in memory (about 32 bytes a chunk).
    if (chunks > (uint64_t{1} << 22))
        fail(fmt::format("num_grp x num_pu x num_chk = {} chunks; at most 4194304 fit", chunks));
    // The address fields packed together must fit the 64-bit LBA (OC §2).
    const unsigned bits = address_bits(p.num_grp) + address_bits(p.num_pu) +
                          address_bits(p.num_chk) + address_bits(p.clba);
    if (bits > 63)
        fail(fmt::format("the address format needs {} bits (grp + pu + chk + lbk); at most 63",
                         bits));
    if (chunks * p.clba > (uint64_t{1} << 50) >> lbads)
        fail("the chunks must fit: num_grp x num_pu x num_chk x clba x 2^lbads must be at most "
             "1 PiB");
    // Write requirements (OC §3, §8.2).
    if (p.ws_min < 1) fail("ws_min must be at least 1");
    if (p.clba % p.ws_min != 0)
        fail(fmt::format("ws_min ({}) must divide clba ({}): a chunk is filled in whole minimum "
                         "writes",
                         p.ws_min, p.clba));
    if (p.ws_opt < p.ws_min || p.ws_opt % p.ws_min != 0)
        fail(fmt::format("ws_opt ({}) must be a non-zero multiple of ws_min ({})", p.ws_opt,
                         p.ws_min));
    if (p.ws_opt > p.clba)
        fail(fmt::format("ws_opt ({}) must be at most clba ({})", p.ws_opt, p.clba));
    if (p.mw_cunits % p.ws_min != 0)
        fail(
            fmt::format("mw_cunits ({}) must be a multiple of ws_min ({})", p.mw_cunits, p.ws_min));
    if (p.mw_cunits > p.clba)
        fail(fmt::format("mw_cunits ({}) must be at most clba ({})", p.mw_cunits, p.clba));
    if (p.maxoc > chunks)
        fail(fmt::format("maxoc ({}) must be at most the number of chunks ({}); 0 = no limit",
                         p.maxoc, chunks));
    if (p.maxocpu > p.num_chk)
        fail(fmt::format("maxocpu ({}) must be at most num_chk ({}); 0 = no limit per PU",
                         p.maxocpu, p.num_chk));
    if (p.maxoc != 0 && p.maxocpu > p.maxoc)
        fail(fmt::format("maxocpu ({}) must be at most maxoc ({})", p.maxocpu, p.maxoc));
    if ((p.mccap & ~uint32_t{0x7}) != 0)
        fail(fmt::format("mccap {:#x} sets reserved bits: only bit 0 (vector copy), bit 1 "
                         "(multiple resets) and bit 2 (early reset) are defined",
                         p.mccap));
    if (p.pe_cycles < 1) fail("pe_cycles must be at least 1 (resets a chunk survives)");
    if (p.trdt > p.trdm) fail("trdt (typical read time) must be at most trdm (maximum)");
    if (p.tprt > p.tprm) fail("tprt (typical write time) must be at most tprm (maximum)");
    if (p.tbet > p.tbem) fail("tbet (typical reset time) must be at most tbem (maximum)");
    if (p.closed_write_status != "write_fault" && p.closed_write_status != "out_of_order")
        fail("closed_write_status must be write_fault or out_of_order");
    if (p.offline_read != "predefined" && p.offline_read != "offline_error")
        fail("offline_read must be predefined or offline_error");
    auto check_chunk = [&](const ChunkAddress &c, const char *property) {
        if (c.grp >= p.num_grp || c.pu >= p.num_pu || c.chk >= p.num_chk)
            fail(fmt::format("property '{}': chunk {}/{}/{} is outside the geometry ({} groups, "
                             "{} PUs, {} chunks)",
                             property, c.grp, c.pu, c.chk, p.num_grp, p.num_pu, p.num_chk));
    };
    std::set<std::tuple<uint32_t, uint32_t, uint32_t>> offline;
    for (const ChunkCount &c : parse_chunk_list(p.offline_chunks, false, "offline_chunks")) {
        check_chunk(c.chunk, "offline_chunks");
        offline.emplace(c.chunk.grp, c.chunk.pu, c.chunk.chk);
    }
    for (const ChunkCount &c : parse_chunk_list(p.fail_reset, false, "fail_reset"))
        check_chunk(c.chunk, "fail_reset");
    for (const ChunkCount &c : parse_chunk_list(p.fail_write, true, "fail_write")) {
        check_chunk(c.chunk, "fail_write");
        if (c.count >= p.clba)
            fail(fmt::format("property 'fail_write': sector {} of chunk {}/{}/{} is past clba ({})",
                             c.count, c.chunk.grp, c.chunk.pu, c.chunk.chk, p.clba));
    }
    for (const ChunkCount &c : parse_chunk_list(p.worn_chunks, true, "worn_chunks")) {
        check_chunk(c.chunk, "worn_chunks");
        if (c.count >= p.pe_cycles)
            fail(fmt::format("property 'worn_chunks': chunk {}/{}/{} with {} resets is worn out "
                             "(pe_cycles {}); list it in offline_chunks instead",
                             c.chunk.grp, c.chunk.pu, c.chunk.chk, c.count, p.pe_cycles));
        if (offline.count({c.chunk.grp, c.chunk.pu, c.chunk.chk}))
            fail(fmt::format("chunk {}/{}/{} is in both offline_chunks and worn_chunks",
                             c.chunk.grp, c.chunk.pu, c.chunk.chk));
    }
}

} // namespace nvmelab
