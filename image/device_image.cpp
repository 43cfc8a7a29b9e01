#include "image/device_image.h"

#include <zlib.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util/bounded_json.h"

namespace nvmelab {

namespace {

// Owns a file descriptor; closes it unless released.
class UniqueFd {
public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    ~UniqueFd() {
        if (fd_ >= 0) ::close(fd_);
    }
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    void reset(int fd) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_;
};

// By value: for a non-const std::string argument, std::quoted (found by argument-dependent
// lookup) would be a better match than a const reference parameter, and clang picks it.
std::string quoted(std::string path) {
    return "'" + path + "'";
}

std::string errno_text(int err) {
    return std::strerror(err);
}

DeviceImage::WriteHook g_write_hook = nullptr;

// pread/pwrite the whole buffer, retrying on EINTR and short transfers. On failure errno
// describes the problem (EIO for an unexpected end of file).
bool pread_all(int fd, uint8_t *buf, uint64_t len, uint64_t pos) {
    while (len > 0) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(len, 1u << 30));
        const ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(pos));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = EIO;
            return false;
        }
        buf += n;
        pos += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return true;
}

bool pwrite_all(int fd, const uint8_t *buf, uint64_t len, uint64_t pos) {
    if (g_write_hook != nullptr) g_write_hook(fd, buf, len, pos);
    while (len > 0) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(len, 1u << 30));
        const ssize_t n = ::pwrite(fd, buf, want, static_cast<off_t>(pos));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = ENOSPC;
            return false;
        }
        buf += n;
        pos += static_cast<uint64_t>(n);
        len -= static_cast<uint64_t>(n);
    }
    return true;
}

bool datasync(int fd) {
    if (g_write_hook != nullptr) g_write_hook(fd, nullptr, 0, 0);
    while (::fdatasync(fd) != 0) {
        if (errno != EINTR) return false;
    }
    return true;
}

void put_le(uint8_t *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t get_le(const uint8_t *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}

uint32_t crc32_of(std::string_view data) {
    // Slot payloads are at most 1 MiB, so the length fits zlib's uInt.
    uLong crc = ::crc32(0L, Z_NULL, 0);
    crc =
        ::crc32(crc, reinterpret_cast<const Bytef *>(data.data()), static_cast<uInt>(data.size()));
    return static_cast<uint32_t>(crc);
}

// Largest file offset we allow (off_t is signed 64-bit).
constexpr uint64_t kMaxFileSize = static_cast<uint64_t>(std::numeric_limits<off_t>::max());

// --- State slots ---------------------------------------------------------------------------

enum class SlotStatus { Empty, Valid, Corrupt };

struct Slot {
    SlotStatus status = SlotStatus::Empty;
    uint64_t sequence = 0;
    std::string payload;
};

// Reads and checks one slot. False only on an I/O error.
bool read_slot(int fd, int index, Slot &slot) {
    slot = Slot{};
    std::array<uint8_t, DeviceImage::kSlotHeaderSize> hdr{};
    const uint64_t base = DeviceImage::slot_offset(index);
    if (!pread_all(fd, hdr.data(), hdr.size(), base)) return false;

    bool all_zero = true;
    for (uint8_t b : hdr)
        all_zero = all_zero && b == 0;
    if (all_zero) return true; // never written

    slot.status = SlotStatus::Corrupt;
    if (std::memcmp(hdr.data(), DeviceImage::kSlotTag.data(), DeviceImage::kSlotTag.size()) != 0)
        return true;
    const uint64_t sequence = get_le(hdr.data() + 8, 8);
    const uint64_t length = get_le(hdr.data() + 16, 4);
    const uint32_t crc = static_cast<uint32_t>(get_le(hdr.data() + 20, 4));
    if (length > DeviceImage::kSlotCapacity) return true;

    std::string payload(length, '\0');
    if (!pread_all(fd, reinterpret_cast<uint8_t *>(payload.data()), length,
                   base + DeviceImage::kSlotHeaderSize))
        return false;
    if (crc32_of(payload) != crc) return true;
    // A sequence this program never writes makes the slot corrupt too: no save could go above
    // it, so every later save would fail and the state would never change again.
    if (sequence == std::numeric_limits<uint64_t>::max()) return true;

    slot.status = SlotStatus::Valid;
    slot.sequence = sequence;
    slot.payload = std::move(payload);
    return true;
}

struct SlotScan {
    std::array<Slot, 2> slots;
    // Index of the valid slot with the highest sequence (ties go to slot A), if any.
    std::optional<int> newest;
};

bool scan_slots(int fd, SlotScan &scan) {
    scan = SlotScan{};
    for (int i = 0; i < 2; ++i) {
        if (!read_slot(fd, i, scan.slots[i])) return false;
        if (scan.slots[i].status != SlotStatus::Valid) continue;
        if (!scan.newest || scan.slots[i].sequence > scan.slots[*scan.newest].sequence)
            scan.newest = i;
    }
    return true;
}

// --- Header --------------------------------------------------------------------------------

struct Header {
    uint64_t media_offset = 0;
    uint64_t media_size = 0;
    nlohmann::json properties;
};

uint64_t get_u64_field(const nlohmann::json &doc, const char *key, const std::string &path) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_number_unsigned())
        throw ImageError("image " + quoted(path) + ": corrupt header JSON: \"" + key +
                         "\" is missing or not a non-negative integer");
    return it->get<uint64_t>();
}

// Parses and checks the header block (block.size() <= kHeaderSize bytes were read).
Header parse_header(const std::string &path, const std::vector<uint8_t> &block) {
    const std::string_view magic = DeviceImage::kMagic;
    if (block.size() < magic.size() || std::memcmp(block.data(), magic.data(), magic.size()) != 0)
        throw ImageError("image " + quoted(path) +
                         ": not an nvmelab image (bad magic; expected the file to start with "
                         "\"NVMELAB-IMAGE\")");
    if (block.size() < DeviceImage::kHeaderSize)
        throw ImageError("image " + quoted(path) + ": truncated: file is " +
                         std::to_string(block.size()) + " bytes, shorter than the " +
                         std::to_string(DeviceImage::kHeaderSize) + "-byte header");

    const char *text = reinterpret_cast<const char *>(block.data()) + magic.size();
    const size_t max_len = block.size() - magic.size();
    const size_t len = ::strnlen(text, max_len);
    nlohmann::json doc;
    try {
        doc = parse_bounded_json(std::string_view(text, len));
    } catch (const std::exception &e) {
        throw ImageError("image " + quoted(path) + ": corrupt header JSON: " + e.what());
    }
    if (!doc.is_object())
        throw ImageError("image " + quoted(path) + ": corrupt header JSON: not a JSON object");

    auto version = doc.find("format_version");
    if (version == doc.end() || !version->is_number_integer())
        throw ImageError("image " + quoted(path) +
                         ": corrupt header JSON: \"format_version\" is missing or not an integer");
    if (*version != DeviceImage::kFormatVersion)
        throw ImageError("image " + quoted(path) + ": unsupported format version " +
                         version->dump() + " (this nvmelab reads version " +
                         std::to_string(DeviceImage::kFormatVersion) + ")");

    Header h;
    h.media_offset = get_u64_field(doc, "media_offset", path);
    h.media_size = get_u64_field(doc, "media_size", path);
    if (h.media_offset % DeviceImage::kMediaAlignment != 0 ||
        h.media_offset < DeviceImage::kSlotsEnd)
        throw ImageError("image " + quoted(path) + ": corrupt header: media_offset " +
                         std::to_string(h.media_offset) +
                         " is not a 1 MiB multiple past the state slots");
    if (h.media_offset > kMaxFileSize || h.media_size > kMaxFileSize - h.media_offset)
        throw ImageError("image " + quoted(path) + ": corrupt header: media_size " +
                         std::to_string(h.media_size) + " is too large");

    auto props = doc.find("properties");
    if (props == doc.end() || !props->is_object())
        throw ImageError("image " + quoted(path) +
                         ": corrupt header JSON: \"properties\" is missing or not an object");
    h.properties = *props;
    return h;
}

// The 4096-byte header block for a new image.
std::vector<uint8_t> build_header(const std::string &path, const nlohmann::json &properties,
                                  uint64_t media_offset, uint64_t media_size) {
    nlohmann::json doc = nlohmann::json::object();
    doc["format_version"] = DeviceImage::kFormatVersion;
    doc["media_offset"] = media_offset;
    doc["media_size"] = media_size;
    doc["properties"] = properties;
    std::string text;
    try {
        text = std::string(DeviceImage::kMagic) + doc.dump(4) + "\n";
    } catch (const nlohmann::json::exception &e) {
        throw ImageError("cannot create image " + quoted(path) +
                         ": properties cannot be stored as JSON: " + e.what());
    }
    // At least one NUL must follow the JSON text.
    if (text.size() >= DeviceImage::kHeaderSize)
        throw ImageError("cannot create image " + quoted(path) + ": header JSON is " +
                         std::to_string(text.size()) + " bytes; it must fit in " +
                         std::to_string(DeviceImage::kHeaderSize - 1) +
                         " bytes (too many properties)");
    std::vector<uint8_t> block(DeviceImage::kHeaderSize, 0);
    std::memcpy(block.data(), text.data(), text.size());
    return block;
}

// Takes the image's exclusive flock, waiting up to wait_ms for another process to let it go;
// throws the "in use" error after that.
void lock_image(int fd, const std::string &path, unsigned wait_ms) {
    for (unsigned waited = 0; ::flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 10) {
        if (errno != EWOULDBLOCK && errno != EINTR) return; // no locks on this file system
        if (waited >= wait_ms)
            throw ImageError("image " + quoted(path) +
                             " is in use by another nvmelab process (waited " +
                             std::to_string(wait_ms / 1000) + " s)");
        ::usleep(10'000);
    }
}

void sync_parent_dir(const std::string &path) {
    std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (dir.empty()) dir = ".";
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0) ::fsync(dfd.get()); // best effort
}

} // namespace

// --- DeviceImage ---------------------------------------------------------------------------

DeviceImage::DeviceImage(int fd, std::string path, nlohmann::json properties, uint64_t media_offset,
                         uint64_t media_size)
    : fd_(fd), path_(std::move(path)), properties_(std::move(properties)),
      media_offset_(media_offset), media_size_(media_size) {}

void DeviceImage::set_write_hook(WriteHook hook) {
    g_write_hook = hook;
}

DeviceImage::~DeviceImage() {
    if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<DeviceImage> DeviceImage::create(const std::string &path,
                                                 const nlohmann::json &properties,
                                                 uint64_t media_size, bool overwrite,
                                                 unsigned lock_wait_ms) {
    const std::string what = "cannot create image " + quoted(path) + ": ";
    if (path.empty()) throw ImageError("cannot create image: empty path");
    if (!properties.is_null() && !properties.is_object())
        throw ImageError(what + "properties must be a JSON object");
    const nlohmann::json props = properties.is_null() ? nlohmann::json::object() : properties;

    const uint64_t media_offset = kDefaultMediaOffset;
    if (media_size > kMaxFileSize - media_offset)
        throw ImageError(what + "media size " + std::to_string(media_size) + " is too large");
    const std::vector<uint8_t> header = build_header(path, props, media_offset, media_size);

    struct stat st {};
    // The image being replaced stays locked until the new one is in place: replacing an image
    // another process has open would send that process's writes to the unlinked file.
    UniqueFd replaced;
    if (::lstat(path.c_str(), &st) == 0) {
        if (!overwrite)
            throw ImageError(what + "the file already exists (nvmelab create --force "
                                    "replaces it)");
        if (S_ISDIR(st.st_mode)) throw ImageError(what + "it is a directory");
        // A symlink is replaced itself; its target is left alone (O_NOFOLLOW).
        replaced.reset(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (replaced.get() >= 0 && S_ISREG(st.st_mode))
            lock_image(replaced.get(), path, lock_wait_ms);
    } else if (const int err = errno; err != ENOENT) {
        throw ImageError(what + errno_text(err));
    }

    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    if (fd.get() < 0 && errno == EEXIST) {
        // Left over from a killed create of an earlier process with the same pid.
        ::unlink(tmp.c_str());
        fd.reset(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
    }
    if (fd.get() < 0) {
        const int err = errno;
        throw ImageError(what + "cannot create temporary file " + quoted(tmp) + ": " +
                         errno_text(err));
    }

    // Removes the temporary file and describes the failed step (err is the step's errno).
    auto fail = [&](int err, const std::string &step) {
        ::unlink(tmp.c_str());
        return ImageError(what + step + ": " + errno_text(err));
    };
    // The slots and the media stay holes: ftruncate makes the file sparse.
    if (::ftruncate(fd.get(), static_cast<off_t>(media_offset + media_size)) != 0) {
        const int err = errno;
        throw fail(err, "cannot size the file to " + std::to_string(media_offset + media_size) +
                            " bytes");
    }
    if (!pwrite_all(fd.get(), header.data(), header.size(), 0)) {
        const int err = errno;
        throw fail(err, "cannot write the header");
    }
    if (!datasync(fd.get())) {
        const int err = errno;
        throw fail(err, "cannot sync the file");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        throw fail(err, "cannot rename " + quoted(tmp) + " into place");
    }
    sync_parent_dir(path);

    return std::unique_ptr<DeviceImage>(
        new DeviceImage(fd.release(), path, props, media_offset, media_size));
}

std::unique_ptr<DeviceImage> DeviceImage::open(const std::string &path, unsigned lock_wait_ms) {
    auto os_error = [&](const char *doing) {
        const int err = errno;
        return ImageError(std::string(doing) + " image " + quoted(path) + ": " + errno_text(err));
    };
    UniqueFd fd;
    struct stat st {};
    for (int attempt = 0;; ++attempt) {
        fd.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
        if (fd.get() < 0 && (errno == EACCES || errno == EROFS) &&
            ::access(path.c_str(), R_OK) == 0) {
            // Readable but not writable: say why a command that only reads needs to write.
            const int err = errno;
            throw ImageError("cannot open image " + quoted(path) +
                             " for writing: " + errno_text(err) +
                             ". Every command powers the device on and off and saves its state "
                             "(SMART counters, logs, saved features) in the image at shutdown, so "
                             "the image must be writable: chmod u+w it, or work on a copy");
        }
        if (fd.get() < 0) throw os_error("cannot open");
        if (::fstat(fd.get(), &st) != 0) throw os_error("cannot open");
        if (!S_ISREG(st.st_mode))
            throw ImageError("cannot open image " + quoted(path) + ": not a regular file");
        lock_image(fd.get(), path, lock_wait_ms);
        // A `create --force` that held the lock before us may have renamed a new image into
        // place: the lock is then the unlinked file's, and so would be every write. Open again.
        struct stat now {};
        if (::stat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino)
            break;
        if (attempt == 100)
            throw ImageError("cannot open image " + quoted(path) + ": it keeps being replaced");
    }
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);

    std::vector<uint8_t> block(static_cast<size_t>(std::min<uint64_t>(file_size, kHeaderSize)));
    if (!pread_all(fd.get(), block.data(), block.size(), 0)) throw os_error("cannot read");
    Header h = parse_header(path, block);

    const uint64_t expected = h.media_offset + h.media_size;
    if (file_size < expected)
        throw ImageError("image " + quoted(path) + ": truncated: file is " +
                         std::to_string(file_size) + " bytes but its header says " +
                         std::to_string(expected));

    SlotScan scan;
    if (!scan_slots(fd.get(), scan)) throw os_error("cannot read the state slots of");
    if (scan.slots[0].status == SlotStatus::Corrupt && scan.slots[1].status == SlotStatus::Corrupt)
        throw ImageError("image " + quoted(path) +
                         ": both persistent-state slots are corrupt (bad tag, length or CRC)");

    return std::unique_ptr<DeviceImage>(
        new DeviceImage(fd.release(), path, std::move(h.properties), h.media_offset, h.media_size));
}

std::string DeviceImage::newest_state_slot() const {
    SlotScan scan;
    if (!scan_slots(fd_, scan) || !scan.newest) return "";
    return std::string("state slot ") + (*scan.newest == 0 ? "A" : "B") + " (sequence " +
           std::to_string(scan.slots[*scan.newest].sequence) + ", file offset " +
           std::to_string(slot_offset(*scan.newest)) + ")";
}

uint64_t DeviceImage::allocated_bytes() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return 0;
    return static_cast<uint64_t>(st.st_blocks) * 512;
}

bool DeviceImage::read(uint64_t offset, std::span<uint8_t> out) {
    if (offset > media_size_ || out.size() > media_size_ - offset) return false;
    return pread_all(fd_, out.data(), out.size(), media_offset_ + offset);
}

bool DeviceImage::failed(const char *doing) {
    failure_ = std::string(doing) + " image " + nvmelab::quoted(path_) + ": " + errno_text(errno);
    return false;
}

bool DeviceImage::write(uint64_t offset, std::span<const uint8_t> data) {
    failure_.clear();
    if (offset > media_size_ || data.size() > media_size_ - offset) return false;
    if (!pwrite_all(fd_, data.data(), data.size(), media_offset_ + offset))
        return failed("cannot write the media of");
    return true;
}

bool DeviceImage::discard(uint64_t offset, uint64_t len) {
    failure_.clear();
    if (offset > media_size_ || len > media_size_ - offset) return false;
    if (len == 0) return true;
    // A hole reads as zeros and frees the disk space; a file system without hole punching gets
    // the zeros written.
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                    static_cast<off_t>(media_offset_ + offset), static_cast<off_t>(len)) == 0)
        return true;
    return BackingStore::discard(offset, len);
}

bool DeviceImage::sync() {
    failure_.clear();
    return datasync(fd_) || failed("cannot sync");
}

std::string DeviceImage::load_state() {
    try {
        SlotScan scan;
        if (!scan_slots(fd_, scan) || !scan.newest) return "";
        return std::move(scan.slots[*scan.newest].payload);
    } catch (...) { // std::bad_alloc
        return "";
    }
}

bool DeviceImage::save_state(std::string_view json) {
    failure_.clear();
    if (json.size() > kSlotCapacity) {
        failure_ = "the state is " + std::to_string(json.size()) + " bytes, more than a slot of " +
                   nvmelab::quoted(path_) + " holds (" + std::to_string(kSlotCapacity) + ")";
        return false;
    }
    try {
        SlotScan scan;
        if (!scan_slots(fd_, scan)) return failed("cannot read the state slots of");
        int target = 0;
        uint64_t sequence = 1;
        if (scan.newest) {
            const uint64_t newest_seq = scan.slots[*scan.newest].sequence;
            if (newest_seq == std::numeric_limits<uint64_t>::max()) {
                failure_ =
                    "the state slots of " + nvmelab::quoted(path_) + " are at their last sequence";
                return false;
            }
            target = 1 - *scan.newest;
            sequence = newest_seq + 1;
        }

        std::vector<uint8_t> buf(kSlotHeaderSize + json.size(), 0);
        std::memcpy(buf.data(), kSlotTag.data(), kSlotTag.size());
        put_le(buf.data() + 8, sequence, 8);
        put_le(buf.data() + 16, json.size(), 4);
        put_le(buf.data() + 20, crc32_of(json), 4);
        if (!json.empty()) std::memcpy(buf.data() + kSlotHeaderSize, json.data(), json.size());

        if (!pwrite_all(fd_, buf.data(), buf.size(), slot_offset(target)))
            return failed("cannot write a state slot of");
        return datasync(fd_) || failed("cannot sync the state of");
    } catch (...) { // std::bad_alloc
        failure_ = "out of memory saving the state";
        return false;
    }
}

} // namespace nvmelab
