#include "rig/device_rig.h"

#include <algorithm>
#include <stdexcept>

#include "core/spec/nvme_spec.h"

namespace nvmelab {

namespace {

DeviceConfig validated(const DeviceConfig &config) {
    DeviceConfig c = config;
    c.validate();
    return c;
}

} // namespace

DeviceRig::DeviceRig(const DeviceConfig &config, RigOptions options)
    : config_(validated(config)), options_(std::move(options)) {
    owned_media_ = std::make_unique<MemoryBackingStore>(config_.media_bytes());
    media_ = owned_media_.get();
    build();
}

DeviceRig::DeviceRig(const DeviceConfig &config, BackingStore &media, RigOptions options)
    : config_(validated(config)), options_(std::move(options)), media_(&media) {
    build();
}

DeviceRig::~DeviceRig() {
    tear_down();
}

void DeviceRig::tear_down() {
    // Reverse order of the references between them.
    console_.reset();
    drv_.reset();
    ctrl_.reset();
    mem_.reset();
}

void DeviceRig::build() {
    tear_down();
    mem_ = std::make_unique<SparseHostMemory>(
        std::min(options_.host_memory_limit, SparseHostMemory::limit_for(config_.host_memory)));
    ctrl_ = std::make_unique<Controller>(config_, *mem_, *media_);
    if (options_.on_power_on) options_.on_power_on(*ctrl_);
    drv_ = std::make_unique<HostDriver>(*ctrl_, *mem_);
    if (options_.console) console_ = std::make_unique<Console>(*ctrl_, *mem_, *drv_);
    ++generation_;
}

void DeviceRig::renew(const DeviceConfig &config) {
    if (!owned_media_)
        throw std::logic_error("DeviceRig::renew: the rig runs on media it does not own");
    DeviceConfig c = validated(config);
    tear_down(); // the controller refers to the old media
    config_ = std::move(c);
    owned_media_ = std::make_unique<MemoryBackingStore>(config_.media_bytes());
    media_ = owned_media_.get();
    build();
}

bool DeviceRig::shutdown_first(PowerOff kind) const {
    if (kind != PowerOff::Clean || !ctrl_->powered()) return false;
    const spec::CstsReg csts{ctrl_->read32(static_cast<uint32_t>(spec::Reg::Csts))};
    return csts.rdy() && !csts.cfs();
}

uint64_t DeviceRig::cached_blocks() const {
    uint64_t n = 0;
    for (uint32_t nsid = 1; nsid <= ctrl_->namespace_count(); ++nsid)
        n += ctrl_->namespace_blocks_cached(nsid);
    return n;
}

PowerOffReport DeviceRig::power_off(PowerOff kind) {
    PowerOffReport report;
    if (!ctrl_->powered()) return report;
    report.was_powered = true;
    // An unclean power cut drops every namespace's volatile write cache (Controller::power_off);
    // a clean one writes it back first.
    if (kind == PowerOff::Unclean) {
        report.lost_blocks = cached_blocks();
        report.lost_lbas_ns1 = ctrl_->cached_lbas(1);
    }
    ctrl_->power_off(kind);
    return report;
}

void DeviceRig::power_on() {
    build();
}

PowerOffReport DeviceRig::power_cycle(PowerOff kind, const std::function<void()> &host_shutdown) {
    if (shutdown_first(kind) && host_shutdown) host_shutdown();
    PowerOffReport report = power_off(kind);
    power_on();
    return report;
}

} // namespace nvmelab
