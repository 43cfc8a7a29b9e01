#pragma once
// DeviceRig: one emulated SSD with its host, assembled the same way for every front end: the
// device properties, the media (in memory, or a store the caller owns such as a device image),
// the host's memory, the controller, the host driver model and, if asked, a console over them.
// The UI session, the lesson player, the CLI and the test fixtures build their device here, and
// power it off and on here, so a power cut counts its lost blocks in one place.
//
// Windows and front ends must not keep references across renew() or power_on(): both replace
// controller, host memory, driver and console (generation() tells them when).
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "console/console.h"
#include "core/controller/controller.h"
#include "core/controller/device_config.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"

namespace nvmelab {

struct RigOptions {
    // A cap on the host memory a device may map, below its host_memory property (which applies
    // within the build's limit, SparseHostMemory::limit_for). The fuzz targets keep it small:
    // mapped pages are real memory.
    uint64_t host_memory_limit = ~uint64_t{0};
    // Build a Console over the device (the UI and the lesson player drive it by console lines).
    bool console = true;
    // Called with each new controller before anything else talks to it (e.g. to follow its
    // trace from the first host action on).
    std::function<void(Controller &)> on_power_on;

    // For front ends that talk to the driver only (the CLI, most tests).
    static RigOptions without_console() {
        RigOptions o;
        o.console = false;
        return o;
    }
};

// What a power-off did.
struct PowerOffReport {
    bool was_powered = false; // false: the controller was already off, nothing happened
    // Blocks the power-off dropped from the volatile write cache, over every namespace: those of
    // an unclean power cut; 0 for a clean power-off, which writes the cache back (NVMe 1.3
    // §7.6.2; a write-back that fails is in Controller::durability_failures()).
    uint64_t lost_blocks = 0;
    // The LBAs of namespace 1 among them, ascending (for the UI's namespace map).
    std::vector<uint64_t> lost_lbas_ns1;
};

class DeviceRig {
public:
    // A powered-on device on fresh in-memory media, CC.EN = 0, empty host memory. The
    // configuration is validated first (throws ConfigError).
    explicit DeviceRig(const DeviceConfig &config, RigOptions options = {});
    // The same on media the caller owns and keeps alive (a device image): powering on loads its
    // saved state, and may throw what Controller's constructor throws.
    DeviceRig(const DeviceConfig &config, BackingStore &media, RigOptions options = {});
    ~DeviceRig();
    DeviceRig(const DeviceRig &) = delete;
    DeviceRig &operator=(const DeviceRig &) = delete;

    Controller &ctrl() { return *ctrl_; }
    const Controller &ctrl() const { return *ctrl_; }
    SparseHostMemory &mem() { return *mem_; }
    const SparseHostMemory &mem() const { return *mem_; }
    HostDriver &driver() { return *drv_; }
    // Only with RigOptions::console.
    Console &console() { return *console_; }
    BackingStore &media() { return *media_; }
    // The in-memory media, or null when the rig runs on the caller's store.
    const MemoryBackingStore *memory_media() const { return owned_media_.get(); }
    MemoryBackingStore *memory_media() { return owned_media_.get(); }
    const DeviceConfig &config() const { return config_; }
    // Bumps whenever renew() or power_on() replaced the device objects.
    uint64_t generation() const { return generation_; }
    // From the next device on (renew, power_on).
    void set_host_memory_limit(uint64_t bytes) { options_.host_memory_limit = bytes; }

    // A brand-new device: fresh in-memory media (of the new configuration, validated first; throws
    // ConfigError), CC.EN = 0, empty host memory. Only for rigs on in-memory media.
    void renew(const DeviceConfig &config);
    void renew() { renew(config_); }

    // A clean power-off of a ready controller begins with the host's normal shutdown (CC.SHN =
    // 01b, NVMe 1.3 §7.6.2), which the front end runs its own way (console line, driver call).
    bool shutdown_first(PowerOff kind) const;
    // Blocks now in the volatile write cache, over every namespace.
    uint64_t cached_blocks() const;
    // Cuts or switches off the power (media and persistent state survive). Nothing happens
    // when the controller is already off.
    PowerOffReport power_off(PowerOff kind);
    // A new controller on the same media, with fresh host memory, driver and console (a host
    // reboot); powering on loads the saved state.
    void power_on();
    // shutdown_first() -> host_shutdown(), power_off(kind), power_on().
    PowerOffReport power_cycle(PowerOff kind, const std::function<void()> &host_shutdown);

private:
    void build();
    void tear_down();

    DeviceConfig config_;
    RigOptions options_;
    std::unique_ptr<MemoryBackingStore> owned_media_;
    BackingStore *media_ = nullptr;
    std::unique_ptr<SparseHostMemory> mem_;
    std::unique_ptr<Controller> ctrl_;
    std::unique_ptr<HostDriver> drv_;
    std::unique_ptr<Console> console_;
    uint64_t generation_ = 0;
};

} // namespace nvmelab
