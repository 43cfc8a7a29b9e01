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
    // Metadata (NVMe 1.3 §8.2) and protection information (§8.3), nvme-cli's flags.
    std::optional<uint64_t> metadata_size; // -y: bytes of the separate metadata buffer
    std::string metadata;                  // -M: its file
    uint8_t prinfo = 0;                    // -p: PRACT 8h, PRCHK guard 4h, app tag 2h, ref tag 1h
    uint32_t ref_tag = 0;                  // -r: ILBRT
    uint16_t app_tag = 0;                  // -a: LBAT
    uint16_t app_tag_mask = 0;             // -m: LBATM
};

// The namespace's format as the host sees it: data bytes per block, and metadata bytes per block
// in the data buffer (extended LBA) or in the separate buffer.
struct HostLayout {
    uint32_t ds = 0;
    uint32_t interleaved = 0;
    uint32_t separate = 0;
    uint32_t block() const { return ds + interleaved; }
};

HostLayout host_layout(Session &s, const RwOptions &o) {
    HostLayout l;
    const auto view = s.ctrl().namespace_view(o.nsid);
    l.ds = view ? view->lba_size() : s.config().lba_size();
    if (!view) return l; // an inactive NSID: the controller's status says so
    uint32_t ms = view->metadata_size();
    // With PRACT and exactly 8 bytes of PI the controller adds or strips the tuple: the host
    // moves no metadata (§8.3.1).
    if ((o.prinfo & 0x8) != 0 && (view->dps & 0x7) != 0 && ms == 8) ms = 0;
    (view->extended_lba ? l.interleaved : l.separate) = ms;
    if (ms == 0 && (o.metadata_size || !o.metadata.empty()))
        throw std::runtime_error(
            fmt::format("namespace {}'s LBA format moves no metadata{}: -y/-M do not apply", o.nsid,
                        view->metadata_size() != 0 ? " here (PRACT with 8 bytes of PI)" : ""));
    if (l.interleaved != 0 && !o.metadata.empty())
        throw std::runtime_error(fmt::format(
            "namespace {} keeps metadata at the end of each block (extended LBA, FLBAS bit 4): "
            "it travels in the data ({} + {} bytes per block), not in a -M file",
            o.nsid, l.ds, l.interleaved));
    return l;
}

// CDW12 PRINFO and CDW14/15 tags (the controller checks them, §8.3).
spec::Sqe io_sqe(const RwOptions &o, bool write, uint64_t blocks) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(write ? spec::NvmOpcode::Write : spec::NvmOpcode::Read);
    sqe.nsid = o.nsid;
    sqe.cdw10 = static_cast<uint32_t>(o.slba);
    sqe.cdw11 = static_cast<uint32_t>(o.slba >> 32);
    sqe.cdw12 = static_cast<uint32_t>(blocks - 1) | (o.fua ? 1u << 30 : 0u) |
                uint32_t{o.prinfo & 0xFu} << 26;
    sqe.cdw14 = o.ref_tag;
    sqe.cdw15 = o.app_tag | uint32_t{o.app_tag_mask} << 16;
    return sqe;
}

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
    // The input is read before the device powers on. Its checks need the namespace's block as
    // the host sees it (data, plus metadata for an extended-LBA format), which a Format NVM may
    // have changed since the image was made: they run once the device is on, before the write.
    std::vector<uint8_t> input;
    std::vector<uint8_t> meta_input;
    Session s(o.common, true, true, [&](const DeviceConfig &config) {
        // What the flags and input break whatever the format, checked now so a refused write
        // leaves the image as it was; the block is the properties' (data, plus metadata when
        // it is interleaved) until the device says otherwise.
        check_size_and_count(o, config.lba_size() + (config.mset != 0 ? config.ms : 0));
        // -z bounds the input; so does -c without -z (for the largest block there is, 64 KiB
        // + 64 bytes), and one byte more shows input past it.
        std::optional<uint64_t> limit = o.data_size;
        if (!limit && o.block_count) limit = (uint64_t{*o.block_count} + 1) * (65536 + 64) + 1;
        input = read_input(in.get(), limit);
        if (input.empty()) throw std::runtime_error("no data to write (the input is empty)");
        if (o.data_size && input.size() < *o.data_size)
            throw std::runtime_error(fmt::format("the input ends after {} bytes, but --data-size "
                                                 "asks for {}: nothing was written",
                                                 input.size(), *o.data_size));
        if (!o.metadata.empty()) {
            File meta = open_file(o.metadata, false);
            meta_input = read_input(meta.get(), o.metadata_size);
        }
    });
    const HostLayout layout = host_layout(s, o);
    const uint32_t lba = layout.block();
    check_size_and_count(o, lba);
    // User data is never silently cut or made up: the input must hold what -z or -c says.
    if (input.empty()) throw std::runtime_error("no data to write (the input is empty)");
    if (o.data_size && input.size() < *o.data_size)
        throw std::runtime_error(fmt::format("the input ends after {} bytes, but --data-size "
                                             "asks for {}: nothing was written",
                                             input.size(), *o.data_size));
    const uint64_t count_bytes = o.block_count ? (uint64_t{*o.block_count} + 1) * lba : 0;
    if (!o.data_size && o.block_count && input.size() > count_bytes)
        throw std::runtime_error(fmt::format(
            "the input is longer than --block-count {} holds ({}): nothing was written; give "
            "-z to write only its first bytes",
            *o.block_count, blocks_text(uint64_t{*o.block_count} + 1, lba)));
    const uint64_t blocks = blocks_for(o, o.data_size.value_or(input.size()), lba);
    check_transfer(blocks, lba);
    // The last block is padded with zeros past the data; so is the metadata.
    std::vector<uint8_t> buf(blocks * lba, 0);
    std::copy_n(input.begin(), std::min<size_t>(input.size(), buf.size()), buf.begin());
    std::vector<uint8_t> meta(blocks * layout.separate, 0);
    if (meta_input.size() > meta.size())
        throw std::runtime_error(fmt::format("the metadata input ({} bytes) is more than the {} "
                                             "blocks' metadata ({} bytes of {} per block): "
                                             "nothing was written",
                                             meta_input.size(), blocks, meta.size(),
                                             layout.separate));
    std::copy(meta_input.begin(), meta_input.end(), meta.begin());
    choose_data_pointers(s, o);

    const spec::Sqe sqe = io_sqe(o, true, blocks);
    const Completion c = layout.separate != 0
                             ? s.drv().execute_with_metadata(s.io_qid(), sqe, buf, {}, meta, {})
                             : s.drv().execute_with_data(s.io_qid(), sqe, buf, {});
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
    // A block in the host's buffer: data plus interleaved metadata for an extended-LBA format.
    const HostLayout layout = host_layout(s, o);
    const uint32_t lba = layout.block();
    check_size_and_count(o, lba);
    const uint64_t blocks = blocks_for(o, o.data_size.value_or(0), lba);
    check_transfer(blocks, lba);
    std::vector<uint8_t> buf(blocks * lba, 0);
    std::vector<uint8_t> meta(blocks * layout.separate, 0);
    choose_data_pointers(s, o);
    const spec::Sqe sqe = io_sqe(o, false, blocks);
    const Completion c = layout.separate != 0
                             ? s.drv().execute_with_metadata(s.io_qid(), sqe, {}, buf, {}, meta)
                             : s.drv().execute_with_data(s.io_qid(), sqe, {}, buf);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    if (!o.metadata.empty()) {
        refuse_output_onto_image(o.common.image, fmt::format("metadata file '{}'", o.metadata),
                                 o.metadata);
        File mout = open_file(o.metadata, true);
        const size_t m = static_cast<size_t>(
            std::min<uint64_t>(o.metadata_size.value_or(meta.size()), meta.size()));
        if (std::fwrite(meta.data(), 1, m, mout.get()) != m || std::fflush(mout.get()) != 0)
            throw std::runtime_error(fmt::format("cannot write the metadata to '{}': {}",
                                                 o.metadata, std::strerror(errno)));
    }
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
    sub->add_option("-y,--metadata-size", o.metadata_size,
                    is_write ? "Bytes of the separate metadata to write (default: all of -M)"
                             : "Bytes of metadata to output (default: all blocks')");
    sub->add_option("-M,--metadata", o.metadata,
                    is_write ? "File with the separate metadata (MPTR) to write"
                             : "File to write the separate metadata (MPTR) to")
        ->type_name("FILE");
    sub->add_option("-p,--prinfo", o.prinfo,
                    "PRINFO: 8 PRACT, 4 check guard, 2 check app tag, 1 check ref tag")
        ->check(number_range(0, 15));
    sub->add_option("-r,--ref-tag", o.ref_tag, "Initial logical block reference tag (ILBRT)");
    sub->add_option("-a,--app-tag", o.app_tag, "Logical block application tag (LBAT)");
    sub->add_option("-m,--app-tag-mask", o.app_tag_mask,
                    "Logical block application tag mask (LBATM)");
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
