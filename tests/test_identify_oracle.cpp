// An independent decoder checks nvmelab's Identify data: the bytes the controller DMAs to the
// host are read with libnvme's structures (struct nvme_id_ctrl, struct nvme_id_ns from
// <nvme/types.h>), not nvmelab's own, and compared field by field with what the device
// configuration implies. libnvme follows NVMe 2.0: only fields that exist in 1.3 are compared,
// and fields 2.0 defined in what 1.3 reserves must read as zero. Native only (libnvme headers).
#include <endian.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <nvme/types.h>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/controller/device_state.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"

static_assert(sizeof(struct nvme_id_ctrl) == 4096);
static_assert(sizeof(struct nvme_id_ns) == 4096);

namespace {

using namespace nvmelab;

// One powered device (own fixture: this file does not use tests/test_helpers.h).
struct OracleDevice {
    DeviceConfig config;
    SparseHostMemory memory;
    MemoryBackingStore store;
    Controller ctrl;
    HostDriver host;

    explicit OracleDevice(const DeviceConfig &c)
        : config(c), store(c.size), ctrl(config, memory, store), host(ctrl, memory) {
        host.enable();
    }

    // The raw 4096 bytes of an Identify, as the host sees them.
    std::vector<uint8_t> identify(uint8_t cns, uint32_t nsid) {
        std::vector<uint8_t> raw(4096, 0xA5);
        spec::Sqe sqe{};
        sqe.opc = 0x06;
        sqe.nsid = nsid;
        sqe.cdw10 = cns;
        const std::vector<uint8_t> before = raw;
        const Completion c = host.execute_with_data(0, sqe, before, raw);
        INFO(c.describe());
        REQUIRE(c.ok());
        return raw;
    }
};

std::string padded(const std::string &s, size_t n) {
    return s + std::string(n - s.size(), ' ');
}

bool all_zero(const void *p, size_t n) {
    const auto *b = static_cast<const uint8_t *>(p);
    return std::all_of(b, b + n, [](uint8_t v) { return v == 0; });
}

std::vector<DeviceConfig> oracle_configs() {
    DeviceConfig a;
    a.size = uint64_t{16} << 20;
    DeviceConfig b;
    b.size = uint64_t{5} << 20;
    b.lbads = 9;
    b.mdts = 2;
    b.vwc = false;
    b.vid = 0x144d;
    b.serial = "S4EWNX0R123456A";
    b.model = "Samsung-like test model with 40 chars!!";
    b.firmware = "2B2QEXM7";
    DeviceConfig c;
    c.size = uint64_t{64} << 20;
    c.lbads = 16;
    c.mdts = 0;
    c.serial = "12345678901234567890"; // all 20 bytes used: no padding
    c.model = "m";
    c.firmware = "f";
    return {a, b, c};
}

} // namespace

TEST_SUITE("oracle") {

    TEST_CASE("Identify Controller decoded with libnvme's nvme_id_ctrl") {
        for (const DeviceConfig &cfg : oracle_configs()) {
            CAPTURE(cfg.serial);
            OracleDevice d(cfg);
            const std::vector<uint8_t> raw = d.identify(0x01, 0);
            struct nvme_id_ctrl id;
            std::memcpy(&id, raw.data(), sizeof id);

            CHECK(le16toh(id.vid) == cfg.vid);
            CHECK(le16toh(id.ssvid) == cfg.vid);
            CHECK(std::string(id.sn, sizeof id.sn) == padded(cfg.serial, 20));
            CHECK(std::string(id.mn, sizeof id.mn) == padded(cfg.model, 40));
            CHECK(std::string(id.fr, sizeof id.fr) == padded(cfg.firmware, 8));
            // RAB matches the default Arbitration Burst the controller starts with.
            const Completion arb = d.host.get_features(0x01, 1);
            REQUIRE(arb.ok());
            CHECK(int(id.rab) == int(arb.cqe.dw0 & 0x7));
            CHECK(int(id.rab) == 3);
            // IEEE: the company identifier 02-6E-76 (local, not group), least significant
            // byte first; the namespace's EUI-64 starts with the same three octets.
            CHECK(int(id.ieee[0]) == 0x76);
            CHECK(int(id.ieee[1]) == 0x6E);
            CHECK(int(id.ieee[2]) == 0x02);
            CHECK(int(id.cmic) == 0);
            CHECK(int(id.mdts) == int(cfg.mdts));
            CHECK(le16toh(id.cntlid) == 0);
            CHECK(le32toh(id.ver) == 0x00010300u);
            CHECK(le32toh(id.ver) == d.ctrl.read32(0x08));
            CHECK(le32toh(id.oaes) == 0);
            CHECK(le32toh(id.ctratt) == 0);
            CHECK(le16toh(id.oacs) == 0x2); // Format NVM
            CHECK(int(id.acl) == 3);
            CHECK(int(id.aerl) == 3);
            CHECK(int(id.frmw) == 0x03); // slot 1 read-only, one slot
            // SMART per namespace, Commands Supported and Effects, extended data, Telemetry.
            CHECK(int(id.lpa) == 0x0F);
            CHECK(int(id.elpe) == int(DeviceState::kErrorLogEntries - 1));
            CHECK(int(id.npss) == int(DeviceState::kNumberOfPowerStates - 1));
            CHECK(int(id.npss) == 2);
            CHECK(int(id.avscc) == 0);
            CHECK(int(id.apsta) == 0);
            CHECK(le16toh(id.wctemp) == DeviceState::kWarningTemperatureK);
            CHECK(le16toh(id.cctemp) == DeviceState::kCriticalTemperatureK);
            CHECK(le16toh(id.wctemp) == 343);
            CHECK(le16toh(id.cctemp) == 353);
            CHECK(le16toh(id.cctemp) > le16toh(id.wctemp));
            CHECK(all_zero(id.tnvmcap, sizeof id.tnvmcap));
            CHECK(le16toh(id.kas) == 1); // Keep Alive in 100 ms steps
            CHECK(le16toh(id.hctma) == 1);
            CHECK(le16toh(id.mntmt) == 273);
            CHECK(le16toh(id.mxtmt) == le16toh(id.cctemp));
            CHECK(le32toh(id.sanicap) == 0);
            CHECK(int(id.sqes) == 0x66);
            CHECK(int(id.cqes) == 0x44);
            CHECK(le32toh(id.nn) == 1);
            CHECK(le16toh(id.oncs) == 0x0050); // Save / Select, Timestamp
            CHECK(le16toh(id.fuses) == 0);
            CHECK(int(id.fna) == 0);
            CHECK(int(id.vwc) == (cfg.vwc ? 1 : 0));
            // SGLs: dword granularity (1:0 = 10b), Bit Bucket (16), byte-aligned MPTR (17),
            // MPTR to an SGL (19); libnvme names the same bits.
            CHECK(le32toh(id.sgls) == 0x000B0002u);
            const std::string nqn = "nqn.2026-11.io.nvmelab:" + cfg.serial;
            CHECK(std::string(id.subnqn) == nqn); // NUL terminated
            CHECK(all_zero(id.subnqn + nqn.size(), sizeof id.subnqn - nqn.size()));
            const uint16_t watts[] = {900, 600, 300};
            for (int ps = 0; ps < 3; ++ps) {
                CAPTURE(ps);
                CHECK(le16toh(id.psd[ps].mp) == watts[ps]);
                CHECK(int(id.psd[ps].flags) == 0); // centiwatts, operational
            }
            // Power states grow less power-hungry and slower to leave.
            CHECK(le32toh(id.psd[1].exlat) <= le32toh(id.psd[2].exlat));
            for (int ps = 3; ps < 32; ++ps)
                CHECK(all_zero(&id.psd[ps], sizeof id.psd[ps]));
            // What NVMe 2.0 added in space 1.3 reserves is zero.
            CHECK(le16toh(id.rrls) == 0);
            CHECK(int(id.cntrltype) == 0);
            CHECK(le16toh(id.crdt1) == 0);
            CHECK(int(id.nvmsr) == 0);
            CHECK(int(id.mec) == 0);
            CHECK(le32toh(id.hmminds) == 0);
            CHECK(int(id.anacap) == 0);
            CHECK(int(id.nwpc) == 0);
            CHECK(le32toh(id.mnan) == 0);
            CHECK(all_zero(id.rsvd1024, sizeof id.rsvd1024));
            CHECK(all_zero(id.vs, sizeof id.vs));
        }
    }

    TEST_CASE("the controller behaves as its Identify Controller data says") {
        for (const DeviceConfig &cfg : oracle_configs()) {
            CAPTURE(cfg.serial);
            OracleDevice d(cfg);
            const std::vector<uint8_t> raw = d.identify(0x01, 0);
            struct nvme_id_ctrl id;
            std::memcpy(&id, raw.data(), sizeof id);
            // ELPE + 1 error log entries; the log ends there.
            const size_t log_bytes = (size_t{id.elpe} + 1) * 64;
            std::vector<uint8_t> log(log_bytes);
            CHECK(d.host.get_log_page(0x01, 0xFFFFFFFFu, 0, log).ok());
            std::vector<uint8_t> four(4);
            CHECK_FALSE(d.host.get_log_page(0x01, 0xFFFFFFFFu, log_bytes, four).ok());
            // LPA bit 2: a dword-aligned offset works.
            CHECK(d.host.get_log_page(0x01, 0xFFFFFFFFu, 64, four).ok());
            // NPSS: power states 0..NPSS.
            CHECK(d.host.set_features(0x02, id.npss).ok());
            CHECK_FALSE(d.host.set_features(0x02, id.npss + 1u).ok());
            // VWC: the Volatile Write Cache feature exists exactly when reported.
            CHECK(d.host.get_features(0x06).ok() == (id.vwc & 1));
            // ONCS bit 4: Get Features SEL and Set Features SV work.
            CHECK(d.host.get_features(0x01, 3).ok());
            CHECK(d.host.set_features(0x01, 3, true).ok());
            // NN: the active namespace list holds NSIDs 1..NN.
            std::vector<uint8_t> list(4096);
            REQUIRE(d.host.identify(0x02, 0, list).ok());
            uint32_t first = 0;
            std::memcpy(&first, list.data(), 4);
            CHECK(first == 1);
            CHECK(le32toh(id.nn) == 1);
            // MDTS in units of CAP.MPSMIN pages; a transfer of exactly that size works.
            const uint64_t cap = d.ctrl.read64(0x00);
            const uint64_t min_page = uint64_t{4096} << ((cap >> 48) & 0xF);
            if (id.mdts != 0) {
                std::vector<uint8_t> big((min_page << id.mdts) + 4);
                CHECK(
                    d.host.get_log_page(0x01, 0xFFFFFFFFu, 0, std::span(big).first(big.size() - 4))
                        .ok());
                CHECK_FALSE(d.host.get_log_page(0x01, 0xFFFFFFFFu, 0, big).ok());
            }
        }
    }

    TEST_CASE("Identify Namespace decoded with libnvme's nvme_id_ns") {
        for (const DeviceConfig &cfg : oracle_configs()) {
            CAPTURE(cfg.serial);
            OracleDevice d(cfg);
            const std::vector<uint8_t> raw = d.identify(0x00, 1);
            struct nvme_id_ns ns;
            std::memcpy(&ns, raw.data(), sizeof ns);
            const uint64_t blocks = cfg.size >> cfg.lbads;
            CHECK(le64toh(ns.nsze) == blocks);
            CHECK(le64toh(ns.ncap) == blocks);
            CHECK(le64toh(ns.nuse) == blocks);
            CHECK(int(ns.nsfeat) == 0);
            // The store has no metadata area: the formats without metadata (512 B, 4 KiB), and
            // 2^lbads when it is neither.
            std::vector<int> sizes = {9, 12};
            if (cfg.lbads != 9 && cfg.lbads != 12) sizes.push_back(cfg.lbads);
            const int in_use = cfg.lbads == 9 ? 0 : cfg.lbads == 12 ? 1 : 2;
            CHECK(int(ns.nlbaf) == int(sizes.size()) - 1);
            CHECK(int(ns.flbas) == in_use);
            CHECK(int(ns.mc) == 0);
            CHECK(int(ns.dpc) == 0);
            CHECK(int(ns.dps) == 0);
            CHECK(int(ns.nmic) == 0);
            CHECK(int(ns.rescap) == 0);
            for (size_t i = 0; i < sizes.size(); ++i) {
                CHECK(int(ns.lbaf[i].ds) == sizes[i]);
                CHECK(le16toh(ns.lbaf[i].ms) == 0);
                CHECK(int(ns.lbaf[i].rp) == (sizes[i] == 9 ? 2 : 0)); // 512 B: Good
            }
            CHECK((uint64_t{1} << ns.lbaf[in_use].ds) * le64toh(ns.nsze) == cfg.size);
            // The 1.3 LBA format array has 16 entries; entries past NLBAF are unused and the
            // bytes after it (2.0's lbaf[16..63]) are reserved in 1.3.
            for (size_t i = sizes.size(); i < 64; ++i)
                CHECK(all_zero(&ns.lbaf[i], sizeof ns.lbaf[i]));
            // 2.0 fields in space 1.3 reserves.
            CHECK(le16toh(ns.npwg) == 0);
            CHECK(le32toh(ns.anagrpid) == 0);
            CHECK(int(ns.nsattr) == 0);
            CHECK(le16toh(ns.nvmsetid) == 0);
            CHECK(le16toh(ns.endgid) == 0);
            // NGUID and EUI-64: non-zero, and the same as the CNS 03h descriptors.
            CHECK_FALSE(all_zero(ns.nguid, sizeof ns.nguid));
            CHECK_FALSE(all_zero(ns.eui64, sizeof ns.eui64));
            const std::vector<uint8_t> desc = d.identify(0x03, 1);
            size_t pos = 0;
            int seen = 0;
            while (pos + 4 <= desc.size() && desc[pos] != 0) {
                const uint8_t type = desc[pos];
                const uint8_t len = desc[pos + 1];
                if (type == 1) {
                    REQUIRE(len == 8);
                    CHECK(std::memcmp(desc.data() + pos + 4, ns.eui64, 8) == 0);
                    seen |= 1;
                } else if (type == 2) {
                    REQUIRE(len == 16);
                    CHECK(std::memcmp(desc.data() + pos + 4, ns.nguid, 16) == 0);
                    seen |= 2;
                }
                pos += 4 + len;
            }
            CHECK(seen == 3);
            // nvmelab's own structure decodes the same bytes to the same values.
            const spec::IdentifyNamespace own = d.host.identify_namespace(1);
            CHECK(own.nsze == le64toh(ns.nsze));
            CHECK(std::memcmp(own.nguid, ns.nguid, 16) == 0);
            CHECK(std::memcmp(own.eui64, ns.eui64, 8) == 0);
            CHECK(own.lbaf[0].lbads == ns.lbaf[0].ds);
        }
    }

} // TEST_SUITE("oracle")
