#pragma once
// Shared test fixture: one emulated device (host memory, in-memory media, controller) and the
// host driver model that talks to it, assembled by the device rig, and readers of the log pages
// tests check. Tests that need something special build their own DeviceConfig and pass it in.
#include <cstdint>
#include <cstring>
#include <vector>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"
#include "rig/device_rig.h"

namespace nvmelab::test {

// A small device: 16 MiB namespace of 4 KiB LBAs, other properties at their defaults.
inline DeviceConfig small_config() {
    DeviceConfig c;
    c.size = uint64_t{16} << 20;
    return c;
}

// The start of a log page for the whole controller (NSID FFFFFFFFh), read with Get Log Page
// into its structure.
template <typename Log> Log read_log_page(HostDriver &host, uint8_t lid) {
    std::vector<uint8_t> raw(sizeof(Log));
    REQUIRE(host.get_log_page(lid, 0xFFFFFFFFu, 0, raw).ok());
    Log log{};
    std::memcpy(&log, raw.data(), sizeof log);
    return log;
}

// The SMART / Health log page.
inline spec::SmartLog read_smart_log(HostDriver &host) {
    return read_log_page<spec::SmartLog>(host, 0x02);
}

// The newest entry of the Error Information log page.
inline spec::ErrorLogEntry read_newest_error(HostDriver &host) {
    return read_log_page<spec::ErrorLogEntry>(host, 0x01);
}

// The device of rig/device_rig.h (in-memory media, no console), its parts by name. A test
// that power cycles goes through `rig` and reads the parts from it again afterwards.
struct TestDevice {
    DeviceRig rig;
    const DeviceConfig &cfg;
    SparseHostMemory &mem;
    MemoryBackingStore &store;
    Controller &ctrl;
    HostDriver &drv;

    explicit TestDevice(const DeviceConfig &config = small_config())
        : rig(config, RigOptions::without_console()), cfg(rig.config()), mem(rig.mem()),
          store(*rig.memory_media()), ctrl(rig.ctrl()), drv(rig.driver()) {}
};

} // namespace nvmelab::test
