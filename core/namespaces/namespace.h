#pragma once
// A namespace as the controller sees it: a range of LBAs in one of its LBA formats, with the
// command set its I/O commands are decoded by (NVMe 1.3 §6: the NVM command set; an Open-Channel
// SSD 2.0 namespace would bring its own). Each kind of namespace is a class derived from
// Namespace (nvm_namespace.h); make_namespace() builds one from its NamespaceConfig.
//
// To add a namespace type: a NamespaceType value, a class derived from Namespace that passes its
// CommandSet to the constructor, and a case in make_namespace() (namespace.cpp).
#include <cstdint>
#include <memory>
#include <vector>

#include "core/namespaces/ocssd_params.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

class BackingStore;
class CommandSet;

// Ocssd: an Open-Channel SSD 2.0 namespace (ocssd_namespace.h).
enum class NamespaceType : uint8_t { Nvm, Ocssd };
const char *namespace_type_name(NamespaceType type);

// One LBA format (Identify Namespace LBAF, §5.15 Figure 114): the data and metadata bytes of one
// logical block.
struct LbaFormatInfo {
    uint32_t data_size = 4096;
    uint16_t metadata_size = 0;
    uint8_t relative_performance = 0; // LBAF.RP: 0 best .. 3 degraded
    bool operator==(const LbaFormatInfo &) const = default;
};

// The LBA formats an NVM namespace lists (Identify Namespace LBAF0..): data 512 B and 4 KiB, each
// with 0, 8, 16 and 64 bytes of metadata; only the metadata-free ones when the media has no room
// for metadata (`with_metadata` false: an image made before metadata existed). A data size
// 2^lbads other than those two (an older image's, or a property's) is added as one more format
// with `ms` bytes of metadata, so every image keeps meaning what it did. Returns the list and
// sets `in_use` to the index of 2^lbads data bytes with `ms` bytes of metadata, or leaves it
// untouched when no format matches (ms not in the list).
std::vector<LbaFormatInfo> standard_lba_formats(uint8_t lbads, uint16_t ms, bool with_metadata,
                                                uint8_t &in_use);
// The metadata sizes those formats offer.
inline constexpr uint16_t kMetadataSizes[] = {0, 8, 16, 64};

// What one namespace is made of. DeviceConfig::namespace_configs() builds it from the device
// properties (size, lbads), so every image header and flag keeps meaning what it did.
struct NamespaceConfig {
    NamespaceType type = NamespaceType::Nvm;
    uint64_t nsze = 0;                      // blocks, in the format in use
    std::vector<LbaFormatInfo> lba_formats; // at most 16 (NLBAF is 0's based, 4 bits of FLBAS)
    uint8_t format_in_use = 0;              // index into lba_formats (FLBAS bits 3:0)
    uint32_t cache_blocks = 0;              // volatile write cache capacity, in blocks
    bool extended_lba = false;              // FLBAS bit 4: metadata at the end of each block's data
    uint8_t dps = 0;                        // DPS: 2:0 PI type, bit 3 PI in the first 8 bytes
    // Bytes of data area on the store (0: nsze x data size); Format NVM recomputes NSZE from it
    // for the new data size.
    uint64_t capacity_bytes = 0;
    // Bytes for metadata on the store right after the data area (0: no room, the formats with
    // metadata are not offered).
    uint64_t metadata_area = 0;
    uint64_t data_bytes() const {
        return capacity_bytes != 0 ? capacity_bytes
                                   : nsze * lba_formats.at(format_in_use).data_size;
    }
    OcssdParams ocssd; // geometry and rules, for NamespaceType::Ocssd
    // Bytes of the backing store the namespace occupies (data, and whatever state it keeps
    // there: an OCSSD namespace's chunk table).
    uint64_t store_bytes() const;
};

// A read-only snapshot of one namespace, for front ends.
struct NamespaceView {
    uint32_t nsid = 0;
    NamespaceType type = NamespaceType::Nvm;
    const char *command_set = ""; // the name of the command set its I/O commands use
    uint64_t nsze = 0;
    std::vector<LbaFormatInfo> lba_formats;
    uint8_t format_in_use = 0;
    bool extended_lba = false; // FLBAS bit 4
    uint8_t dps = 0;
    uint64_t cached_blocks = 0;
    uint32_t lba_size() const { return lba_formats.at(format_in_use).data_size; }
    uint16_t metadata_size() const { return lba_formats.at(format_in_use).metadata_size; }
};

class Namespace {
public:
    virtual ~Namespace() = default;
    Namespace(const Namespace &) = delete;
    Namespace &operator=(const Namespace &) = delete;

    virtual NamespaceType type() const = 0;

    uint32_t nsid() const { return nsid_; }
    uint64_t nsze() const { return nsze_; }
    const std::vector<LbaFormatInfo> &lba_formats() const { return lba_formats_; }
    uint8_t format_in_use() const { return format_in_use_; }
    const LbaFormatInfo &lba_format() const { return lba_formats_[format_in_use_]; }
    uint32_t lba_size() const { return lba_size_; }
    uint16_t metadata_size() const { return lba_format().metadata_size; }
    // FLBAS bit 4: metadata travels at the end of each block's data (an extended LBA) instead of
    // in the separate buffer MPTR names (§5.15, §8.2).
    bool extended_lba() const { return extended_lba_; }
    // End-to-end protection settings (DPS, §5.15): type 0 (off) .. 3, and whether the 8-byte
    // tuple is the first (true) or the last 8 bytes of each block's metadata.
    uint8_t dps() const { return dps_; }
    uint8_t pi_type() const { return dps_ & 0x7; }
    bool pi_first() const { return (dps_ & 0x8) != 0; }
    // Bytes of the data area; NSZE x data size in the format in use never exceeds it.
    uint64_t capacity_bytes() const { return capacity_bytes_; }
    // Whether the media has room for metadata (the formats with metadata are offered).
    bool has_metadata_area() const { return metadata_area_ != 0; }
    // Counts Format NVM's changes: a command decoded before a format must not execute after it
    // with the old sizes.
    uint32_t format_generation() const { return format_generation_; }

    // Format NVM (§5.23): switches to LBA format `lbaf` with the layout and protection given;
    // every block's data and metadata are gone (they read as zeros), cached ones included.
    // A type that cannot be formatted returns false from can_format(). format() returns false
    // on a backing-store failure (the namespace then keeps its old format).
    struct FormatRequest {
        uint8_t lbaf = 0;
        bool extended_lba = false;
        uint8_t dps = 0;
    };
    virtual bool can_format() const { return false; }
    virtual bool format(BackingStore &, const FormatRequest &) { return false; }
    // At power-on: the format a Format NVM chose (kept in the persistent state), without
    // touching the media.
    virtual void restore_format(const FormatRequest &request) { set_format(request); }
    // The opcodes its I/O commands are decoded by.
    const CommandSet &command_set() const { return *command_set_; }

    // The volatile write cache in front of the media, for the namespaces that have one (the
    // defaults: none). flush returns the blocks written back or -1 on a store failure.
    virtual int64_t flush(BackingStore &) { return 0; }
    virtual uint64_t drop_cache() { return 0; }
    virtual uint64_t cached_blocks() const { return 0; }
    virtual bool is_cached(uint64_t) const { return false; }
    virtual std::vector<uint64_t> cached_lbas() const { return {}; }
    // At power-on, after the controller's persistent state: a namespace that keeps state on the
    // store (an OCSSD namespace's chunk table) loads it; throws std::runtime_error naming the
    // damage when the store's copy is not one the device could have written.
    virtual void power_on(BackingStore &) {}

    // Identify Namespace (§5.15, Figure 114): size and LBA formats here; a type adds its own
    // fields by overriding and calling this first.
    virtual void identify(spec::IdentifyNamespace &id) const;
    NamespaceView view() const;

protected:
    Namespace(uint32_t nsid, const NamespaceConfig &config, const CommandSet &command_set);
    // Takes the format a request names (the caller checked it exists): sizes follow.
    void set_format(const FormatRequest &request);

    uint32_t nsid_;
    uint64_t nsze_;
    uint32_t lba_size_; // data bytes of a block in the format in use
    std::vector<LbaFormatInfo> lba_formats_;
    uint8_t format_in_use_;
    bool extended_lba_ = false;
    uint8_t dps_ = 0;
    uint64_t capacity_bytes_ = 0;
    uint64_t metadata_area_ = 0;
    uint32_t format_generation_ = 0;
    const CommandSet *command_set_;
};

// Builds the namespace a config describes; `store_offset` is where its LBA 0 is on the store.
std::unique_ptr<Namespace> make_namespace(uint32_t nsid, const NamespaceConfig &config,
                                          uint64_t store_offset);

} // namespace nvmelab
