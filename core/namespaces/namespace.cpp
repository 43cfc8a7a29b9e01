#include "core/namespaces/namespace.h"

#include <bit>

#include "core/controller/command.h"
#include "core/namespaces/nvm_namespace.h"
#include "core/namespaces/ocssd_namespace.h"

namespace nvmelab {

const char *namespace_type_name(NamespaceType type) {
    switch (type) {
    case NamespaceType::Nvm:
        return "NVM";
    case NamespaceType::Ocssd:
        return "OCSSD 2.0";
    }
    return "?";
}

uint64_t NamespaceConfig::store_bytes() const {
    const LbaFormatInfo &f = lba_formats.at(format_in_use);
    if (type == NamespaceType::Ocssd) return OcssdNamespace::store_bytes(ocssd, f);
    return data_bytes() + metadata_area;
}

std::vector<LbaFormatInfo> standard_lba_formats(uint8_t lbads, uint16_t ms, bool with_metadata,
                                                uint8_t &in_use) {
    std::vector<LbaFormatInfo> formats;
    // Relative performance: the media's native 4 KiB blocks are best; 512-byte blocks cost a
    // read-modify-write of their 4 KiB unit on writes (LBAF.RP 10b, Good).
    for (const uint32_t data : {512u, 4096u})
        for (const uint16_t meta : kMetadataSizes)
            if (meta == 0 || with_metadata)
                formats.push_back(LbaFormatInfo{data, meta, uint8_t(data == 4096 ? 0 : 2)});
    const uint32_t data_size = uint32_t{1} << lbads;
    if (data_size != 512 && data_size != 4096) formats.push_back(LbaFormatInfo{data_size, ms, 0});
    for (size_t i = 0; i < formats.size(); ++i)
        if (formats[i].data_size == data_size && formats[i].metadata_size == ms)
            in_use = static_cast<uint8_t>(i);
    return formats;
}

Namespace::Namespace(uint32_t nsid, const NamespaceConfig &config, const CommandSet &command_set)
    : nsid_(nsid), nsze_(config.nsze),
      lba_size_(config.lba_formats.at(config.format_in_use).data_size),
      lba_formats_(config.lba_formats), format_in_use_(config.format_in_use),
      extended_lba_(config.extended_lba), dps_(config.dps), capacity_bytes_(config.data_bytes()),
      metadata_area_(config.metadata_area), command_set_(&command_set) {}

void Namespace::set_format(const FormatRequest &request) {
    format_in_use_ = request.lbaf;
    extended_lba_ = request.extended_lba;
    dps_ = request.dps;
    lba_size_ = lba_formats_.at(format_in_use_).data_size;
    nsze_ = capacity_bytes_ / lba_size_;
    ++format_generation_;
}

void Namespace::identify(spec::IdentifyNamespace &id) const {
    id.nsze = nsze_;
    id.ncap = nsze_;
    id.nuse = nsze_; // not thin provisioned: every LBA is allocated
    id.nsfeat = 0;
    id.nlbaf = static_cast<uint8_t>(lba_formats_.size() - 1); // 0's based
    // FLBAS bits 3:0 name the format in use; bit 4: metadata at the end of each block's data
    // (1) or in a separate buffer (0).
    id.flbas = static_cast<uint8_t>(format_in_use_ | (extended_lba_ ? 0x10 : 0));
    id.dps = dps_;
    for (size_t i = 0; i < lba_formats_.size(); ++i) {
        id.lbaf[i].ms = lba_formats_[i].metadata_size;
        id.lbaf[i].lbads = static_cast<uint8_t>(std::countr_zero(lba_formats_[i].data_size));
        id.lbaf[i].rp = lba_formats_[i].relative_performance & 0x3;
    }
}

NamespaceView Namespace::view() const {
    return NamespaceView{.nsid = nsid_,
                         .type = type(),
                         .command_set = command_set_->name(),
                         .nsze = nsze_,
                         .lba_formats = lba_formats_,
                         .format_in_use = format_in_use_,
                         .extended_lba = extended_lba_,
                         .dps = dps_,
                         .cached_blocks = cached_blocks()};
}

std::unique_ptr<Namespace> make_namespace(uint32_t nsid, const NamespaceConfig &config,
                                          uint64_t store_offset) {
    switch (config.type) {
    case NamespaceType::Nvm:
        return std::make_unique<NvmNamespace>(nsid, config, store_offset);
    case NamespaceType::Ocssd:
        return std::make_unique<OcssdNamespace>(nsid, config, store_offset);
    }
    return nullptr;
}

} // namespace nvmelab
