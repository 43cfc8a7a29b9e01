// NVM I/O commands in nvme-cli style: read, write, flush (through one I/O queue pair).
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/session.h"
#include "cli/status_report.h"

namespace nvmelab::cli {

namespace {

// The CLI holds a whole transfer in memory; larger ones are refused before any command runs.
constexpr uint64_t kMaxTransferBytes = uint64_t{64} << 20;

struct FileCloser {
    void operator()(std::FILE *f) const {
        if (f != nullptr && f != stdin && f != stdout) std::fclose(f);
    }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_file(const std::string &path, bool for_write) {
    if (path.empty() || path == "-") return File(for_write ? stdout : stdin);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error(fmt::format("data file '{}' is a directory", path));
    std::FILE *f = std::fopen(path.c_str(), for_write ? "wb" : "rb");
    if (f == nullptr)
        throw std::runtime_error(fmt::format("cannot open data file '{}' for {}: {}", path,
                                             for_write ? "writing" : "reading",
                                             std::strerror(errno)));
    return File(f);
}

// Reads at most `limit` bytes (all of the input when nullopt).
std::vector<uint8_t> read_input(std::FILE *f, std::optional<uint64_t> limit) {
    std::vector<uint8_t> data;
    uint8_t chunk[65536];
    while (!limit || data.size() < *limit) {
        size_t want = sizeof chunk;
        if (limit) want = static_cast<size_t>(std::min<uint64_t>(want, *limit - data.size()));
        const size_t n = std::fread(chunk, 1, want, f);
        data.insert(data.end(), chunk, chunk + n);
        if (n < want) break;
        if (data.size() > kMaxTransferBytes)
            throw std::runtime_error(fmt::format("input is larger than {} MiB, the most one "
                                                 "command moves here",
                                                 kMaxTransferBytes >> 20));
    }
    if (std::ferror(f)) throw std::runtime_error("error reading the input data");
    return data;
}

struct RwOptions {
    CommonOptions common;
    uint32_t nsid = 1;
    uint64_t slba = 0;
    std::optional<uint32_t> block_count; // 0's based, as on the wire
    std::optional<uint64_t> data_size;
    std::string data;
    bool fua = false;
    bool sgl = false;          // describe the buffer with an SGL (PSDT 01b) instead of PRPs
    uint32_t sgl_segments = 0; // with --sgl-segments: a chain of that many segments
};

// --sgl / --sgl-segments: how the host driver describes the data buffer (NVMe 1.3 §4.4).
void choose_data_pointers(Session &s, const RwOptions &o) {
    if (o.sgl || o.sgl_segments > 0) s.drv().set_data_pointers({true, o.sgl_segments});
}

uint64_t blocks_for(const RwOptions &o, uint64_t bytes, uint32_t lba_size) {
    if (o.block_count) return uint64_t{*o.block_count} + 1;
    // Rounded up without overflow: -z 2^64-1 must not wrap to a small count.
    return std::max<uint64_t>(1, bytes / lba_size + (bytes % lba_size != 0 ? 1 : 0));
}

void check_transfer(uint64_t blocks, uint32_t lba_size) {
    if (blocks > 65536)
        throw std::runtime_error(fmt::format(
            "{} blocks do not fit one command (NLB is 16 bits: at most 65536)", blocks));
    if (blocks * lba_size > kMaxTransferBytes)
        throw std::runtime_error(fmt::format("a transfer of {} bytes is more than this CLI "
                                             "moves in one command ({} MiB)",
                                             blocks * lba_size, kMaxTransferBytes >> 20));
}

std::string blocks_text(uint64_t blocks, uint32_t lba_size) {
    return fmt::format("{} block{} of {} bytes = {} bytes", blocks, blocks == 1 ? "" : "s",
                       lba_size, blocks * lba_size);
}

// -z and -c must agree: a -z smaller than the blocks is padded with zeros to them (as nvme-cli
// rounds it up), but a larger one would lose its bytes past the blocks (nvme-cli drops them
// silently), and -z 0 moves nothing (nvme-cli: "data size not provided").
void check_size_and_count(const RwOptions &o, uint32_t lba_size) {
    if (o.data_size && *o.data_size == 0)
        throw std::runtime_error("--data-size 0 moves no data; give the number of bytes");
    if (!o.data_size || !o.block_count) return;
    const uint64_t blocks = uint64_t{*o.block_count} + 1;
    if (*o.data_size > blocks * lba_size)
        throw std::runtime_error(fmt::format(
            "--data-size {} bytes does not fit --block-count {} ({}); give a larger -c, or "
            "leave it out to take the count from -z",
            *o.data_size, *o.block_count, blocks_text(blocks, lba_size)));
}

int run_write(const RwOptions &o) {
    File in = open_file(o.data, false);
    if (in.get() == stdin && isatty(STDIN_FILENO) != 0)
        std::fprintf(stderr, "nvmelab: reading the data to write from the terminal; end it with "
                             "Ctrl-D (or use -d FILE)\n");
    // The flags and the input are checked before the device powers on, so a refused write
    // leaves the image as it was. Every namespace has the image's LBA size (no Format NVM).
    uint32_t lba = 0;
    std::vector<uint8_t> input;
    uint64_t blocks = 0;
    Session s(o.common, true, true, [&](const DeviceConfig &config) {
        lba = config.lba_size();
        check_size_and_count(o, lba);
        if (o.data_size || o.block_count)
            check_transfer(blocks_for(o, o.data_size.value_or(0), lba), lba);
        // -z bounds the input; so does -c without -z, and one byte more shows input past it.
        const uint64_t count_bytes = o.block_count ? (uint64_t{*o.block_count} + 1) * lba : 0;
        std::optional<uint64_t> limit = o.data_size;
        if (!limit && o.block_count) limit = count_bytes + 1;
        input = read_input(in.get(), limit);
        // User data is never silently cut or made up: the input must hold what -z or -c says.
        if (input.empty()) throw std::runtime_error("no data to write (the input is empty)");
        if (o.data_size && input.size() < *o.data_size)
            throw std::runtime_error(fmt::format("the input ends after {} bytes, but --data-size "
                                                 "asks for {}: nothing was written",
                                                 input.size(), *o.data_size));
        if (!o.data_size && o.block_count && input.size() > count_bytes)
            throw std::runtime_error(fmt::format(
                "the input is longer than --block-count {} holds ({}): nothing was written; give "
                "-z to write only its first bytes",
                *o.block_count, blocks_text(uint64_t{*o.block_count} + 1, lba)));
        blocks = blocks_for(o, o.data_size.value_or(input.size()), lba);
        check_transfer(blocks, lba);
    });
    // The last block is padded with zeros past the data.
    std::vector<uint8_t> buf(blocks * lba, 0);
    std::copy_n(input.begin(), std::min<size_t>(input.size(), buf.size()), buf.begin());
    choose_data_pointers(s, o);

    const Completion c =
        s.drv().write(s.io_qid(), o.nsid, o.slba, static_cast<uint32_t>(blocks - 1), buf, o.fua);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    std::fprintf(stderr, "write: Success\n");
    return s.finish(0);
}

int run_read(const RwOptions &o) {
    const bool to_stdout = o.data.empty() || o.data == "-";
    // Never `-d IMG` (or a symlink or hard link to it): opening it "wb" would truncate the
    // device. Checked before the device powers on.
    if (!to_stdout)
        refuse_output_onto_image(o.common.image, fmt::format("data file '{}'", o.data), o.data);
    Session s(o.common, true);
    if (to_stdout) s.trace_to_stderr();
    const uint32_t lba =
        s.ctrl().lba_size(o.nsid) != 0 ? s.ctrl().lba_size(o.nsid) : s.config().lba_size();
    check_size_and_count(o, lba);
    const uint64_t blocks = blocks_for(o, o.data_size.value_or(0), lba);
    check_transfer(blocks, lba);
    std::vector<uint8_t> buf(blocks * lba, 0);
    choose_data_pointers(s, o);
    const Completion c =
        s.drv().read(s.io_qid(), o.nsid, o.slba, static_cast<uint32_t>(blocks - 1), buf, o.fua);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    // The output file is created only once there is data for it.
    File out = open_file(o.data, true);
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(o.data_size.value_or(buf.size()), buf.size()));
    if (std::fwrite(buf.data(), 1, n, out.get()) != n || std::fflush(out.get()) != 0) {
        // Errors on stdout are named by main(), for every command.
        if (!to_stdout)
            std::fprintf(stderr, "nvmelab: cannot write the data to '%s': %s\n", o.data.c_str(),
                         std::strerror(errno));
        return s.finish(1);
    }
    std::fprintf(stderr, "read: Success\n");
    return s.finish(0);
}

struct FlushOptions {
    CommonOptions common;
    uint32_t nsid = 1;
};

int run_flush(const FlushOptions &o) {
    Session s(o.common, true);
    const Completion c = s.drv().flush(s.io_qid(), o.nsid);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    std::printf("NVMe Flush: success\n");
    return s.finish(0);
}

void add_rw_options(CLI::App *sub, RwOptions &o, bool is_write) {
    add_device_options(sub, o.common);
    sub->add_option("-n,--namespace-id", o.nsid, "Namespace ID")->capture_default_str();
    sub->add_option("-s,--start-block", o.slba, "First LBA (SLBA)")->capture_default_str();
    sub->add_option("-c,--block-count", o.block_count,
                    "Number of blocks, 0's based as on the wire: 0 = one block "
                    "(default: from --data-size, else one block)")
        ->check(number_range(0, 65535));
    sub->add_option("-z,--data-size", o.data_size,
                    is_write ? "Bytes of input to write (default: all of it; padded with zeros "
                               "to whole blocks)"
                             : "Bytes to output (default: all blocks read)");
    sub->add_option("-d,--data", o.data,
                    is_write ? "File with the data to write (default: stdin)"
                             : "File to write the data to (default: stdout)")
        ->type_name("FILE");
    sub->add_flag("--force-unit-access", o.fua,
                  is_write ? "FUA: write through to the media, bypassing the volatile cache"
                           : "FUA: read from the media");
    sub->add_flag("--sgl", o.sgl,
                  "Describe the data buffer with an SGL (PSDT 01b): one Data Block descriptor");
    sub->add_option("--sgl-segments", o.sgl_segments,
                    "Describe the data buffer with an SGL chain of N segments, one Data Block "
                    "in each (implies --sgl)")
        ->type_name("N")
        ->check(number_range(1, 4096));
}

} // namespace

void register_io_commands(Registry &reg) {
    add_command<RwOptions>(
        reg, "read", "Read blocks from a namespace (data to stdout or -d FILE)",
        [](CLI::App *sub, RwOptions &o) { add_rw_options(sub, o, false); }, run_read);
    add_command<RwOptions>(
        reg, "write", "Write blocks to a namespace (data from stdin or -d FILE)",
        [](CLI::App *sub, RwOptions &o) { add_rw_options(sub, o, true); }, run_write);
    add_command<FlushOptions>(
        reg, "flush", "Flush: make cached writes durable on the media",
        [](CLI::App *sub, FlushOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-n,--namespace-id", o.nsid, "Namespace ID")->capture_default_str();
        },
        run_flush);
}

} // namespace nvmelab::cli
