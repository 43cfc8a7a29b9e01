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

#include "core/spec/nvme_spec.h"

namespace nvmelab {

class BackingStore;
class CommandSet;

enum class NamespaceType : uint8_t { Nvm };
const char *namespace_type_name(NamespaceType type);

// One LBA format (Identify Namespace LBAF, §5.15 Figure 114): the data and metadata bytes of one
// logical block.
struct LbaFormatInfo {
    uint32_t data_size = 4096;
    uint16_t metadata_size = 0;
    bool operator==(const LbaFormatInfo &) const = default;
};

// What one namespace is made of. DeviceConfig::namespace_configs() builds it from the device
// properties (size, lbads), so every image header and flag keeps meaning what it did.
struct NamespaceConfig {
    NamespaceType type = NamespaceType::Nvm;
    uint64_t nsze = 0;                      // blocks, in the format in use
    std::vector<LbaFormatInfo> lba_formats; // at most 16 (NLBAF is 0's based, 4 bits of FLBAS)
    uint8_t format_in_use = 0;              // index into lba_formats (FLBAS bits 3:0)
    uint32_t cache_blocks = 0;              // volatile write cache capacity, in blocks
};

// A read-only snapshot of one namespace, for front ends.
struct NamespaceView {
    uint32_t nsid = 0;
    NamespaceType type = NamespaceType::Nvm;
    const char *command_set = ""; // the name of the command set its I/O commands use
    uint64_t nsze = 0;
    std::vector<LbaFormatInfo> lba_formats;
    uint8_t format_in_use = 0;
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
    // The opcodes its I/O commands are decoded by.
    const CommandSet &command_set() const { return *command_set_; }

    // The volatile write cache in front of the media, for the namespaces that have one (the
    // defaults: none). flush returns the blocks written back or -1 on a store failure.
    virtual int64_t flush(BackingStore &) { return 0; }
    virtual uint64_t drop_cache() { return 0; }
    virtual uint64_t cached_blocks() const { return 0; }
    virtual bool is_cached(uint64_t) const { return false; }
    virtual std::vector<uint64_t> cached_lbas() const { return {}; }

    // Identify Namespace (§5.15, Figure 114): size and LBA formats here; a type adds its own
    // fields by overriding and calling this first.
    virtual void identify(spec::IdentifyNamespace &id) const;
    NamespaceView view() const;

protected:
    Namespace(uint32_t nsid, const NamespaceConfig &config, const CommandSet &command_set);

    uint32_t nsid_;
    uint64_t nsze_;
    uint32_t lba_size_; // data bytes of a block in the format in use
    std::vector<LbaFormatInfo> lba_formats_;
    uint8_t format_in_use_;
    const CommandSet *command_set_;
};

// Builds the namespace a config describes; `store_offset` is where its LBA 0 is on the store.
std::unique_ptr<Namespace> make_namespace(uint32_t nsid, const NamespaceConfig &config,
                                          uint64_t store_offset);

} // namespace nvmelab
