#pragma once
// Shared test fixture: one emulated device (host memory, in-memory media, controller) and the
// host driver model that talks to it. Tests that need something special build their own
// DeviceConfig and pass it in.
#include <cstdint>

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "driver/host_driver.h"

namespace nvmelab::test {

// A small device: 16 MiB namespace of 4 KiB LBAs, other properties at their defaults.
inline DeviceConfig small_config() {
    DeviceConfig c;
    c.size = uint64_t{16} << 20;
    return c;
}

struct TestDevice {
    DeviceConfig cfg;
    SparseHostMemory mem;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver drv;

    explicit TestDevice(const DeviceConfig &config = small_config())
        : cfg(config), store(config.size), ctrl(cfg, mem, store), drv(ctrl, mem) {}
};

} // namespace nvmelab::test
