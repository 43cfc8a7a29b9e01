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
    // The LBA format in use, with QEMU's names: ms metadata bytes per block (0, 8, 16, 64; with
    // lbads it picks FLBAS), mset 1 = metadata at the end of each block's data (extended LBA,
    // FLBAS bit 4) or 0 = in a separate buffer (MPTR), pi the protection type (0 off, 1..3) and
    // pil 1 = PI in the first 8 metadata bytes (DPS bit 3), 0 = the last 8 (§5.15, §8.2, §8.3).
    uint16_t ms = 0;
    uint8_t mset = 0;
    uint8_t pi = 0;
    uint8_t pil = 0;
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
    // The namespace type: "nvm", or "ocssd" for an Open-Channel SSD 2.0 namespace whose geometry
    // and rules are the `ocssd` properties (num_grp, num_pu, num_chk, clba, ws_min, ...); its
    // size follows from the geometry, so `size` does not apply (core/namespaces/ocssd_params.h).
    std::string type = "nvm";
    OcssdParams ocssd;
    bool is_ocssd() const { return type == "ocssd"; }

    uint32_t lba_size() const { return uint32_t{1} << lbads; }
    uint64_t nsze() const { return size >> lbads; }
    // The namespaces these properties describe: one NVM namespace of `size` bytes listing the
    // standard LBA formats (standard_lba_formats), the one 2^lbads + ms names in use. The image
    // header and the flags stay flat; this is the per-namespace shape the controller builds its
    // namespaces from. `metadata_area` false: the media has no room for metadata (an image made
    // before metadata existed), so only the metadata-free formats are offered.
    std::vector<NamespaceConfig> namespace_configs(bool metadata_area = true) const;
    // Room for metadata after an NVM namespace's data: 64 bytes per 512-byte block, the largest
    // ratio of the formats Format NVM can switch to.
    uint64_t metadata_area_bytes() const { return is_ocssd() ? 0 : size / 8; }
    // Bytes of backing store the namespaces need: `size` plus the metadata area for an NVM
    // device (an image made before metadata existed has only `size`: it keeps working, without
    // the formats with metadata); data, metadata and chunk table for an OCSSD one.
    uint64_t media_bytes() const;

    // Throws ConfigError naming the property and the rule it breaks.
    void validate() const;
    nlohmann::json to_json() const;
    // Unknown property names and wrong types are errors; missing ones keep their defaults.
    static DeviceConfig from_json(const nlohmann::json &j);
    // Sets one property from text (e.g. "size", "1G"); throws ConfigError.
    void set(const std::string &name, const std::string &value);
    static const std::vector<std::string> &property_names();
    // `type` and the OCSSD properties, which an NVM device's JSON leaves out.
    static bool is_ocssd_property(const std::string &name);
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
