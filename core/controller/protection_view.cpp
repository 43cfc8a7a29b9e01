// A block's end-to-end protection information for front ends (the UI's PI view, the console's
// `pi show` and `pi corrupt`): read as a Read would see it, and a teaching aid that damages it
// as a media fault would, so the next read with PRCHK catches it (NVMe 1.3 §8.3).
#include "core/commands/nvm_protection.h"
#include "core/controller/controller.h"
#include "core/namespaces/nvm_namespace.h"

namespace nvmelab {

namespace {
// The block's data and metadata, newest first from the write cache; false when the namespace
// has no PI, the LBA is past its end, or the store cannot be read.
bool read_protected_block(const DeviceState &s, uint32_t nsid, uint64_t lba, pi::Protection &p,
                          std::vector<uint8_t> &data, std::vector<uint8_t> &metadata) {
    const NvmNamespace *ns = s.find_nvm_namespace(nsid);
    if (ns == nullptr || lba >= ns->nsze()) return false;
    p = commands::protection_of(*ns);
    if (!p.enabled()) return false;
    data.resize(p.data_size);
    metadata.resize(p.metadata_size);
    return ns->read(s.store, lba, 1, data) && ns->read_metadata(s.store, lba, 1, metadata);
}
} // namespace

std::optional<BlockProtection> Controller::block_protection(uint32_t nsid, uint64_t lba,
                                                            const pi::PiRequest &expect) const {
    pi::Protection p;
    std::vector<uint8_t> data, metadata;
    if (!read_protected_block(state_, nsid, lba, p, data, metadata)) return std::nullopt;
    pi::PiRequest r = expect;
    r.slba = lba;
    BlockProtection out;
    out.protection = p;
    out.report = pi::inspect(p, r, 0, data, metadata);
    out.metadata = std::move(metadata);
    return out;
}

bool Controller::corrupt_protection(uint32_t nsid, uint64_t lba, pi::Check field) {
    pi::Protection p;
    std::vector<uint8_t> data, metadata;
    if (!read_protected_block(state_, nsid, lba, p, data, metadata)) return false;
    // One bit of the field, its lowest: the smallest damage every check still catches.
    const size_t at = p.tuple_offset() + (field == pi::Check::Guard    ? 1
                                          : field == pi::Check::AppTag ? 3
                                                                       : 7);
    metadata[at] ^= 0x01;
    // Written back where it was read from: the volatile cache while the block is cached (its
    // metadata follows its data, MetadataArea), else the media; no command, no trace event.
    NvmNamespace &ns = *state_.find_nvm_namespace(nsid);
    return ns.write(state_.store, lba, 1, data, ns.is_cached(lba), metadata);
}

} // namespace nvmelab
