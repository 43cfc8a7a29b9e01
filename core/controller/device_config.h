#pragma once
// A device is described by named properties, the way QEMU's -device nvme,... is: the same
// names appear in `nvmelab create`, in the image header and (later) in the UI and URLs.
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/namespaces/namespace.h"

namespace nvmelab {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
// A property named a second time where each may be given once; the first value stays.
struct RepeatedPropertyError : ConfigError {
    using ConfigError::ConfigError;
};

struct DeviceConfig {
    uint64_t size = uint64_t{1} << 30; // namespace capacity in bytes (a multiple of the LBA size)
    uint8_t lbads = 12;                // LBA data size = 2^lbads bytes (9..16)
    uint8_t mdts = 5;                  // max data transfer = 2^mdts * min page; 0 = no limit
    uint16_t max_ioqpairs = 64;        // I/O SQs and CQs the controller can grant
    uint16_t mqes = 2047;              // CAP.MQES: 0's based max I/O queue entries
    bool vwc = true;                   // a volatile write cache is present
    uint32_t cache_blocks = 4096;      // write cache capacity in LBAs before it destages
    std::string serial = "NVMELAB00000001";
    std::string model = "nvmelab emulated NVMe SSD";
    std::string firmware = "1.0";
    uint16_t vid = 0x1b36;      // PCI vendor ID shown in Identify (QEMU's, an emulator's)
    uint8_t dstrd = 0;          // CAP.DSTRD doorbell stride 2^(2+dstrd)
    bool cqr = true;            // CAP.CQR: queues must be physically contiguous
    bool wrr = true;            // CAP.AMS bit 0: weighted round robin with urgent class
    uint8_t mpsmin = 0;         // CAP.MPSMIN
    uint8_t mpsmax = 4;         // CAP.MPSMAX
    uint8_t timeout = 20;       // CAP.TO in 500 ms units
    bool nssrs = true;          // CAP.NSSRS: NVM subsystem reset supported
    uint16_t msix_vectors = 65; // interrupt vectors (the admin CQ uses vector 0)
    // The host drives interrupts by MSI-X (true) or by multiple-message MSI (false: at most 32
    // vectors, which INTMS/INTMC mask; with MSI-X they must not be used, §3.1.3, §3.1.4).
    bool msix = true;
    uint16_t max_inflight = 64; // commands the controller works on at once
    // Host memory the host side may map at once, in bytes (SparseHostMemory's limit, within
    // what the build can map: 512 MiB in a 32-bit build). Pages cost memory once written.
    uint64_t host_memory = uint64_t{8} << 30;
    // Virtual-time costs in nanoseconds.
    uint64_t ready_ns = 2'000'000;
    uint64_t fetch_ns = 200;
    uint64_t dma_ns_per_kib = 100;
    uint64_t read_ns = 50'000;
    uint64_t write_ns = 200'000;
    uint64_t cache_ns = 2'000;

    uint32_t lba_size() const { return uint32_t{1} << lbads; }
    uint64_t nsze() const { return size >> lbads; }
    // The namespaces these properties describe: one NVM namespace of `size` bytes with one LBA
    // format (2^lbads data bytes, no metadata), in use. The image header and the flags stay
    // flat; this is the per-namespace shape the controller builds its namespaces from.
    std::vector<NamespaceConfig> namespace_configs() const;

    // Throws ConfigError naming the property and the rule it breaks.
    void validate() const;
    nlohmann::json to_json() const;
    // Unknown property names and wrong types are errors; missing ones keep their defaults.
    static DeviceConfig from_json(const nlohmann::json &j);
    // Sets one property from text (e.g. "size", "1G"); throws ConfigError.
    void set(const std::string &name, const std::string &value);
    static const std::vector<std::string> &property_names();
};

// Sets a DeviceConfig's properties one by one as a user lists them (CLI flags, a lesson's
// `device:` line, URL arguments). A property given twice is a mistake to name, not a choice of
// one of the values.
class DevicePropertySetter {
public:
    explicit DevicePropertySetter(DeviceConfig &config) : config_(config) {}
    // Throws ConfigError for an unknown name or a bad value, RepeatedPropertyError for a name
    // given before (whose first value stays).
    void set(const std::string &name, const std::string &value);

private:
    DeviceConfig &config_;
    std::set<std::string> given_;
};

// Parses sizes like "4096", "64K", "1G", "1T" (binary units). Throws ConfigError.
uint64_t parse_size(const std::string &text);

} // namespace nvmelab
