// Runs a fixed command stream and prints the controller's trace. The trace-identity test
// compares this output between the native and the WASM build: it must be byte-identical.
#include <cstdio>
#include <vector>

#include "driver/host_driver.h"

int main() {
    using namespace nvmelab;
    DeviceConfig config;
    config.size = uint64_t{64} << 20;
    config.cache_blocks = 64;
    SparseHostMemory memory;
    MemoryBackingStore store(config.size);
    Controller ctrl(config, memory, store);
    HostDriver host(ctrl, memory);
    host.enable();
    host.identify_controller();
    host.identify_namespace(1);
    host.set_features(0x07, 0x00030003);
    const uint16_t q1 = host.create_io_queue_pair(8);
    const uint16_t q2 = host.create_io_queue_pair(4, 1, 2);
    std::vector<uint8_t> data(64 * 1024);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = static_cast<uint8_t>(i * 7 + 3);
    host.write(q1, 1, 0, 15, data);                               // 16 blocks through a PRP list
    host.write(q2, 1, 100, 0, std::span(data).first(4096), true); // FUA
    std::vector<uint8_t> back(64 * 1024);
    host.read(q1, 1, 0, 15, back);
    host.read(q2, 1, 1u << 30, 0, std::span(back).first(4096)); // LBA out of range
    // Several commands in flight on two queues under arbitration.
    for (int i = 0; i < 6; ++i) {
        spec::Sqe sqe{};
        sqe.opc = 0x02;
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(i);
        const uint16_t q = i % 2 ? q1 : q2;
        host.build_prps(sqe, memory.alloc(4096), 4096);
        host.submit(q, sqe);
    }
    host.ring(q1);
    host.ring(q2);
    ctrl.run_until_idle();
    while (host.reap(q1)) {
    }
    while (host.reap(q2)) {
    }
    host.flush(q1, 1);
    host.shutdown();
    ctrl.power_off(PowerOff::Clean);
    std::fputs(ctrl.trace().format_all().c_str(), stdout);
    return 0;
}
