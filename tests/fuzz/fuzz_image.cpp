// libFuzzer target: the device image reader (image/device_image.h) and the power-on that reads
// the persistent state out of it, as the CLI does (cli/session.cpp).
//
// An image is at least 3 MiB (header, two 1 MiB state slots, media), so the input describes a
// sparse file instead of being one (docs/fuzzing.md):
//   u16 n + n bytes   header block, written at offset 0 (at most 4096 bytes)
//   u16 n + n bytes   state slot A (slot header + payload) at offset 4096
//   u16 n + n bytes   state slot B at offset 4096 + 1 MiB
//   u8 mode [+ u32]   file length: 0 = what the header's media_offset + media_size ask for,
//                     1 = that minus a u32 (truncated), 2 = a u32 of its own; at most 16 MiB
//   rest              media bytes at the header's media offset (3 MiB if it has none)
// Invariants: the image opens, or is refused with an exception naming the problem; a refused
// image is byte-for-byte unchanged; an image that opens powers a controller on (or is refused
// with a message), takes a bring-up, an Identify and a read, and powers off cleanly.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "driver/host_driver.h"
#include "image/device_image.h"

namespace {

using nvmelab::DeviceImage;

[[noreturn]] void violation(const std::string &what) {
    std::fprintf(stderr, "\nfuzz_image: INVARIANT VIOLATED: %s\n", what.c_str());
    std::abort();
}

constexpr uint64_t kMaxFile = uint64_t{16} << 20;

struct Piece {
    uint64_t offset;
    std::vector<uint8_t> bytes;
};

struct Layout {
    std::vector<Piece> pieces;
    uint64_t length = 0;
};

class Reader {
public:
    Reader(const uint8_t *d, size_t n) : d_(d), n_(n) {}
    uint8_t u8() { return i_ < n_ ? d_[i_++] : 0; }
    uint16_t u16() { return static_cast<uint16_t>(u8() | (u8() << 8)); }
    uint32_t u32() { return u16() | (uint32_t{u16()} << 16); }
    std::vector<uint8_t> bytes(size_t n) {
        n = std::min(n, n_ - i_);
        std::vector<uint8_t> out(d_ + i_, d_ + i_ + n);
        i_ += n;
        return out;
    }
    std::vector<uint8_t> rest() { return bytes(n_ - i_); }

private:
    const uint8_t *d_;
    size_t n_;
    size_t i_ = 0;
};

Layout decode(const uint8_t *data, size_t size) {
    Reader in(data, size);
    Layout l;
    const auto header = in.bytes(std::min<size_t>(in.u16(), DeviceImage::kHeaderSize));
    l.pieces.push_back({0, header});
    l.pieces.push_back({DeviceImage::slot_offset(0), in.bytes(in.u16())});
    l.pieces.push_back({DeviceImage::slot_offset(1), in.bytes(in.u16())});
    // What the header asks for, when its JSON says it.
    uint64_t media_offset = DeviceImage::kDefaultMediaOffset;
    uint64_t wanted = media_offset;
    const auto text_start = std::min<size_t>(DeviceImage::kMagic.size(), header.size());
    const std::string text(
        header.begin() + static_cast<long>(text_start),
        std::find(header.begin() + static_cast<long>(text_start), header.end(), uint8_t{0}));
    const auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_object() && j.contains("media_offset") && j["media_offset"].is_number_unsigned() &&
        j.contains("media_size") && j["media_size"].is_number_unsigned()) {
        const uint64_t off = j["media_offset"].get<uint64_t>();
        const uint64_t sz = j["media_size"].get<uint64_t>();
        if (off < kMaxFile) media_offset = off;
        if (off < kMaxFile && sz < kMaxFile) wanted = off + sz;
    }
    const uint8_t mode = in.u8() % 3;
    if (mode == 0)
        l.length = wanted;
    else if (mode == 1)
        l.length = wanted - std::min<uint64_t>(wanted, in.u32() % 8192);
    else
        l.length = in.u32();
    l.length = std::min(l.length, kMaxFile);
    l.pieces.push_back({media_offset, in.rest()});
    for (auto &p : l.pieces) { // nothing past the file's end
        if (p.offset >= l.length)
            p.bytes.clear();
        else if (p.bytes.size() > l.length - p.offset)
            p.bytes.resize(l.length - p.offset);
    }
    return l;
}

std::string image_path() {
    static const std::string path = [] {
        const std::string dir = "/dev/shm/nvmelab-fuzz-image-" + std::to_string(::getpid());
        std::filesystem::create_directories(dir);
        return dir + "/fuzz.img";
    }();
    return path;
}

void write_file(const std::string &path, const Layout &l) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) violation("cannot create " + path);
    if (::ftruncate(fd, static_cast<off_t>(l.length)) != 0) violation("ftruncate");
    for (const auto &p : l.pieces)
        if (!p.bytes.empty() &&
            ::pwrite(fd, p.bytes.data(), p.bytes.size(), static_cast<off_t>(p.offset)) !=
                static_cast<ssize_t>(p.bytes.size()))
            violation("pwrite");
    ::close(fd);
}

// The file still holds exactly what was written: same length, same bytes where the pieces
// are, nothing allocated elsewhere (a refused image must not be touched).
void check_unchanged(const std::string &path, const Layout &l, const struct stat &before,
                     const std::string &refusal) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) violation("the refused image is gone: " + refusal);
    if (static_cast<uint64_t>(st.st_size) != l.length || st.st_blocks != before.st_blocks)
        violation("the refused image changed size or allocation (" + refusal + ")");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    for (const auto &p : l.pieces) {
        std::vector<uint8_t> now(p.bytes.size());
        if (!now.empty() && ::pread(fd, now.data(), now.size(), static_cast<off_t>(p.offset)) !=
                                static_cast<ssize_t>(now.size()))
            violation("cannot read back the refused image");
        if (now != p.bytes) violation("the refused image's bytes changed (" + refusal + ")");
    }
    ::close(fd);
}

void refused(const std::string &message, const std::string &path, const Layout &l,
             const struct stat &before) {
    if (message.empty()) violation("an image was refused with an empty message");
    check_unchanged(path, l, before, message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    using namespace nvmelab;
    const Layout layout = decode(data, size);
    const std::string path = image_path();
    write_file(path, layout);
    struct stat before {};
    ::stat(path.c_str(), &before);

    std::unique_ptr<DeviceImage> image;
    try {
        image = DeviceImage::open(path, 0);
    } catch (const ImageError &e) {
        refused(e.what(), path, layout, before);
        return 0;
    }
    DeviceConfig config;
    try {
        config = DeviceConfig::from_json(image->properties());
        if (config.size != image->media_size())
            throw ConfigError("properties contradict the media size");
        if (config.size > (uint64_t{64} << 20)) return 0; // a valid but large device: no run
        config.validate();
    } catch (const ConfigError &e) {
        image.reset();
        refused(e.what(), path, layout, before);
        return 0;
    }
    SparseHostMemory mem;
    std::unique_ptr<Controller> ctrl;
    try {
        ctrl = std::make_unique<Controller>(config, mem, *image);
    } catch (const std::exception &e) { // ConfigError, or a corrupt saved state
        image.reset();
        refused(e.what(), path, layout, before);
        return 0;
    }
    // A tiny bring-up on the device the image holds.
    HostDriver drv(*ctrl, mem);
    drv.max_wait_events = 100'000;
    try {
        drv.enable();
        (void)drv.identify_controller();
        const uint16_t q = drv.create_io_queue_pair(4, 2, config.msix_vectors > 1 ? 1 : 0);
        std::vector<uint8_t> block(config.lba_size());
        (void)drv.read(q, 1, 0, 0, block);
        (void)drv.write(q, 1, 0, 0, block);
        drv.shutdown();
    } catch (const DriverError &) {
        // A device the image configures may refuse a default bring-up (e.g. MPSMIN): its
        // error names the reason; what matters here is that nothing crashed.
    }
    ctrl->power_off(PowerOff::Clean);
    return 0;
}
