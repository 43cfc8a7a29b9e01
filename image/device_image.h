#pragma once
// The native device image file: the BackingStore the `nvmelab` CLI keeps a device in.
//
// File format, version 1 (integers in binary fields are little-endian):
//
//   offset 0            Header block, exactly 4096 bytes, readable with `head -c 4096 IMAGE`:
//                         NVMELAB-IMAGE\n                     magic line, 14 ASCII bytes
//                         {                                   pretty-printed JSON object
//                             "format_version": 1,
//                             "media_offset": 3145728,
//                             "media_size": <bytes>,
//                             "properties": { ... }           as given to create()
//                         }\n
//                         NUL padding up to 4096 (at least one NUL ends the JSON text).
//
//   offset 4096         State slot A, 1 MiB.
//   offset 4096+1 MiB   State slot B, 1 MiB.
//                       Each slot is a 32-byte slot header followed by the payload:
//                         [0, 8)    ASCII tag "NVLSTATE"
//                         [8, 16)   u64 sequence number (the first save is 1)
//                         [16, 20)  u32 payload length, at most 1 MiB - 32
//                         [20, 24)  u32 CRC-32 (zlib crc32) of the payload
//                         [24, 32)  reserved, zero
//                       The payload is the controller's persistent-state JSON document.
//                       A slot whose 32-byte header is all zeros was never written.
//
//   media_offset        Media area, media_size bytes. media_offset is a multiple of 1 MiB
//                       and lies past slot B (3 MiB in the images this version creates).
//
// The file is created with ftruncate to media_offset + media_size bytes, so it is sparse:
// unwritten state slots and media take no disk space and read as zeros.
//
// State updates: save_state writes the slot that does NOT hold the newest valid state (a valid
// slot has the tag, a length within capacity and a matching CRC), with that state's sequence
// number + 1, then fdatasyncs. load_state returns the valid slot with the highest sequence
// number. A crash in the middle of save_state therefore leaves the previous state readable
// (tests/test_device_image.cpp kills a whole session at each of its writes, torn in half).
//
// create() builds the image as "<path>.tmp-<pid>" and renames it into place, so a killed
// create never leaves a half-made image at the path.
//
// Media read/write may be called from several threads (pread/pwrite); load_state/save_state
// must not run concurrently with each other.
#include "core/media/backing_store.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nvmelab {

struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class DeviceImage final : public BackingStore {
public:
    static constexpr std::string_view kMagic = "NVMELAB-IMAGE\n";
    static constexpr int kFormatVersion = 1;
    static constexpr uint64_t kHeaderSize = 4096;
    static constexpr uint64_t kSlotSize = 1024 * 1024;
    static constexpr uint64_t kSlotHeaderSize = 32;
    static constexpr uint64_t kSlotCapacity = kSlotSize - kSlotHeaderSize; // max state bytes
    static constexpr std::string_view kSlotTag = "NVLSTATE";
    static constexpr uint64_t kMediaAlignment = 1024 * 1024;
    // File offset of state slot 0 (A) or 1 (B).
    static constexpr uint64_t slot_offset(int slot) { return kHeaderSize + slot * kSlotSize; }
    // End of slot B; the media area starts at or after it.
    static constexpr uint64_t kSlotsEnd = kHeaderSize + 2 * kSlotSize;
    // Media offset used by create(): kSlotsEnd rounded up to kMediaAlignment (3 MiB).
    static constexpr uint64_t kDefaultMediaOffset =
        (kSlotsEnd + kMediaAlignment - 1) / kMediaAlignment * kMediaAlignment;

    // Creates a new image with the given device properties (a JSON object; null counts as
    // {}) and media size. Throws ImageError if the path exists (unless overwrite), if the
    // header JSON does not fit in the header block, or on an I/O error. With overwrite, an
    // image another process has open is not replaced: create waits for its lock like open
    // does, then fails naming the image as in use.
    static std::unique_ptr<DeviceImage> create(const std::string &path,
                                               const nlohmann::json &properties,
                                               uint64_t media_size, bool overwrite = false,
                                               unsigned lock_wait_ms = 10'000);
    // Opens an existing image read-write. Throws ImageError naming the path and the problem
    // (missing file, bad magic, unsupported format version, corrupt header JSON, truncated
    // file, both state slots corrupt, ...). Never modifies the file.
    // One process at a time may have an image open (an exclusive flock): two would each read
    // the persistent state and save over the other's. open waits up to `lock_wait_ms` for
    // another process to finish, then fails naming the image as in use.
    static std::unique_ptr<DeviceImage> open(const std::string &path,
                                             unsigned lock_wait_ms = 10'000);

    ~DeviceImage() override;
    DeviceImage(const DeviceImage &) = delete;
    DeviceImage &operator=(const DeviceImage &) = delete;

    const nlohmann::json &properties() const { return properties_; }
    const std::string &path() const { return path_; }
    uint64_t media_offset() const { return media_offset_; }
    // The slot load_state reads, for messages: "state slot B (sequence 7, file offset
    // 1052672)", or "" when no slot is valid.
    std::string newest_state_slot() const;
    // Bytes the file occupies on disk (st_blocks * 512); 0 if fstat fails.
    uint64_t allocated_bytes() const;

    // BackingStore. None of these throws: failures return false / "".
    uint64_t media_size() const override { return media_size_; }
    bool read(uint64_t offset, std::span<uint8_t> out) override;
    bool write(uint64_t offset, std::span<const uint8_t> data) override;
    // Punches a hole (the range reads as zeros and takes no disk space).
    bool discard(uint64_t offset, uint64_t len) override;
    bool sync() override;
    std::string load_state() override;
    // False if the state exceeds kSlotCapacity or on an I/O error.
    bool save_state(std::string_view json) override;
    // The OS error of the last failed write, sync or state save (strerror text), "" if none.
    std::string failure() const override { return failure_; }

    // Test seam for crash tests: called before every low-level write of every image in the
    // process, with the bytes about to go to the file (`data` null for an fdatasync). A test
    // (in a forked child) sets it to write part of the buffer and raise SIGKILL at a chosen
    // write. Null in normal use.
    using WriteHook = void (*)(int fd, const uint8_t *data, uint64_t len, uint64_t pos);
    static void set_write_hook(WriteHook hook);

private:
    // Records errno's text as failure() and returns false.
    bool failed(const char *doing);

    DeviceImage(int fd, std::string path, nlohmann::json properties, uint64_t media_offset,
                uint64_t media_size);

    int fd_;
    std::string path_;
    nlohmann::json properties_;
    uint64_t media_offset_;
    uint64_t media_size_;
    std::string failure_;
};

} // namespace nvmelab
