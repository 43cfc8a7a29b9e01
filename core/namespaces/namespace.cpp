#include "core/namespaces/namespace.h"

#include <bit>

#include "core/controller/command.h"
#include "core/namespaces/nvm_namespace.h"

namespace nvmelab {

const char *namespace_type_name(NamespaceType type) {
    switch (type) {
    case NamespaceType::Nvm:
        return "NVM";
    }
    return "?";
}

Namespace::Namespace(uint32_t nsid, const NamespaceConfig &config, const CommandSet &command_set)
    : nsid_(nsid), nsze_(config.nsze),
      lba_size_(config.lba_formats.at(config.format_in_use).data_size),
      lba_formats_(config.lba_formats), format_in_use_(config.format_in_use),
      command_set_(&command_set) {}

void Namespace::identify(spec::IdentifyNamespace &id) const {
    id.nsze = nsze_;
    id.ncap = nsze_;
    id.nuse = nsze_; // not thin provisioned: every LBA is allocated
    id.nsfeat = 0;
    id.nlbaf = static_cast<uint8_t>(lba_formats_.size() - 1); // 0's based
    // FLBAS bits 3:0 name the format in use; bit 4 = 0: metadata, if any, is a separate buffer.
    id.flbas = format_in_use_;
    for (size_t i = 0; i < lba_formats_.size(); ++i) {
        id.lbaf[i].ms = lba_formats_[i].metadata_size;
        id.lbaf[i].lbads = static_cast<uint8_t>(std::countr_zero(lba_formats_[i].data_size));
        id.lbaf[i].rp = 0;
    }
}

NamespaceView Namespace::view() const {
    return NamespaceView{.nsid = nsid_,
                         .type = type(),
                         .command_set = command_set_->name(),
                         .nsze = nsze_,
                         .lba_formats = lba_formats_,
                         .format_in_use = format_in_use_,
                         .cached_blocks = cached_blocks()};
}

std::unique_ptr<Namespace> make_namespace(uint32_t nsid, const NamespaceConfig &config,
                                          uint64_t store_offset) {
    switch (config.type) {
    case NamespaceType::Nvm:
        return std::make_unique<NvmNamespace>(nsid, config, store_offset);
    }
    return nullptr;
}

} // namespace nvmelab
