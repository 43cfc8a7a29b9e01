// Format NVM (NVMe 1.3 §5.23): switching LBA formats, the erase, the persisted format, and each
// malformed command's status.
#include <cstdint>
#include <cstring>
#include <vector>

#include "doctest/doctest.h"

#include "test_helpers.h"

namespace {

using namespace nvmelab;

// Status code type, code and DNR (the More bit says the Error log has an entry: not compared).
bool same_status(const spec::Status &a, const spec::Status &b) {
    return a.sct == b.sct && a.sc == b.sc && a.dnr == b.dnr;
}

DeviceConfig format_config() {
    DeviceConfig c;
    c.size = uint64_t{4} << 20;
    c.cache_blocks = 16;
    return c;
}

spec::Sqe format_sqe(uint32_t nsid, uint8_t lbaf, bool mset = false, uint8_t pi = 0,
                     bool pil = false, uint8_t ses = 0) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::FormatNvm);
    sqe.nsid = nsid;
    spec::FormatNvmFields{lbaf, mset, pi, pil, ses}.apply(sqe);
    return sqe;
}

struct FormatDevice {
    DeviceRig rig;
    uint16_t q = 0;
    explicit FormatDevice(const DeviceConfig &c = format_config())
        : rig(c, RigOptions::without_console()) {
        start();
    }
    void start() {
        rig.driver().enable();
        q = rig.driver().create_io_queue_pair(8);
    }
    HostDriver &drv() { return rig.driver(); }
    Completion format(const spec::Sqe &sqe) { return drv().execute(0, sqe); }
};

} // namespace

TEST_SUITE("format-nvm") {
    TEST_CASE("Format NVM is advertised in OACS and the effects log") {
        FormatDevice d;
        const spec::IdentifyController id = d.drv().identify_controller();
        CHECK((id.oacs & 0x2) != 0);
        CHECK(int(id.fna) == 0);
        std::vector<uint8_t> log(4096);
        REQUIRE(d.drv().get_log_page(0x05, 0, 0, log).ok());
        uint32_t entry = 0;
        std::memcpy(&entry, log.data() + 0x80 * 4, 4);
        CHECK(entry == (1u | 1u << 1 | 1u << 2 | 1u << 16)); // CSUPP, LBCC, NCC, CSE 001b
    }

    TEST_CASE("Format NVM switches the format, erases the blocks and survives a power cycle") {
        FormatDevice d;
        std::vector<uint8_t> data(4096, 0xA5);
        REQUIRE(d.drv().write(d.q, 1, 5, 0, data).ok());       // cached
        REQUIRE(d.drv().write(d.q, 1, 6, 0, data, true).ok()); // on the media
        // LBA format 3: 512-byte blocks with 64 bytes of metadata, extended, PI type 1 first.
        const Completion c = d.format(format_sqe(1, 3, true, 1, true, 1));
        INFO(c.describe());
        REQUIRE(c.ok());
        spec::IdentifyNamespace id = d.drv().identify_namespace(1);
        CHECK(int(id.flbas) == 0x13);
        CHECK(int(id.dps) == 0x09);
        CHECK(id.nsze == (uint64_t{4} << 20) / 512);
        CHECK(d.rig.ctrl().namespace_blocks_cached(1) == 0);
        // Every block reads as zeros, data and metadata (the old 4 KiB blocks 5 and 6 are
        // 512-byte blocks 40..55 now).
        std::vector<uint8_t> back(16 * (512 + 64), 0xFF);
        spec::Sqe rd{};
        rd.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        rd.nsid = 1;
        rd.cdw10 = 40;
        rd.cdw12 = 15;
        REQUIRE(d.drv().execute_with_data(d.q, rd, {}, back).ok());
        CHECK(back == std::vector<uint8_t>(back.size(), 0));
        // The format outlives an unclean power cycle (saved at once, like a saved feature).
        d.rig.power_off(PowerOff::Unclean);
        d.rig.power_on();
        d.start();
        id = d.drv().identify_namespace(1);
        CHECK(int(id.flbas) == 0x13);
        CHECK(int(id.dps) == 0x09);
        CHECK(id.nsze == (uint64_t{4} << 20) / 512);
        // And back to 4 KiB without metadata; NSID FFFFFFFFh formats every namespace.
        REQUIRE(d.format(format_sqe(0xFFFFFFFFu, 4)).ok());
        id = d.drv().identify_namespace(1);
        CHECK(int(id.flbas) == 4);
        CHECK(int(id.dps) == 0);
        CHECK(id.nsze == (uint64_t{4} << 20) / 4096);
        REQUIRE(d.drv().write(d.q, 1, 0, 0, data).ok());
        std::vector<uint8_t> one(4096);
        REQUIRE(d.drv().read(d.q, 1, 0, 0, one).ok());
        CHECK(one == data);
    }

    TEST_CASE("PIL without a PI type leaves DPS 0") {
        FormatDevice d;
        REQUIRE(d.format(format_sqe(1, 5, false, 0, true)).ok());
        CHECK(int(d.drv().identify_namespace(1).dps) == 0);
    }

    TEST_CASE("malformed Format NVM commands get the spec's status") {
        FormatDevice d;
        const auto invalid_field = spec::generic(spec::GenericStatus::InvalidField, true);
        const auto invalid_format =
            spec::command_specific(spec::CommandSpecificStatus::InvalidFormat, true);
        const auto invalid_ns = spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true);
        struct Case {
            const char *what;
            spec::Sqe sqe;
            spec::Status status;
            const char *field;
        };
        spec::Sqe reserved = format_sqe(1, 4);
        reserved.cdw10 |= 1u << 12;
        spec::Sqe cdw11 = format_sqe(1, 4);
        cdw11.cdw11 = 1;
        const Case cases[] = {
            {"LBAF past NLBAF", format_sqe(1, 8), invalid_format, "CDW10.LBAF"},
            {"LBAF 15", format_sqe(1, 15), invalid_format, "CDW10.LBAF"},
            {"PI on a format without metadata", format_sqe(1, 4, false, 1), invalid_format,
             "CDW10.PI"},
            {"PI type 4", format_sqe(1, 5, false, 4), invalid_field, "CDW10.PI"},
            {"PI type 7", format_sqe(1, 5, false, 7), invalid_field, "CDW10.PI"},
            {"cryptographic erase", format_sqe(1, 4, false, 0, false, 2), invalid_field,
             "CDW10.SES"},
            {"reserved SES", format_sqe(1, 4, false, 0, false, 5), invalid_field, "CDW10.SES"},
            {"reserved CDW10 bits", reserved, invalid_field, "CDW10"},
            {"reserved CDW11", cdw11, invalid_field, "CDW11"},
            {"NSID 0", format_sqe(0, 4), invalid_ns, "NSID"},
            {"inactive NSID", format_sqe(2, 4), invalid_ns, "NSID"},
        };
        for (const Case &k : cases) {
            CAPTURE(k.what);
            const Completion c = d.format(k.sqe);
            CHECK(same_status(c.status(), k.status));
            REQUIRE(c.why);
            CHECK(c.why->field == k.field);
            // Nothing changed.
            CHECK(int(d.drv().identify_namespace(1).flbas) == 4);
        }
    }

    TEST_CASE("a write decoded before a Format NVM executed after it is refused") {
        // A 128 KiB write moves its data (32 DMA segments) before it executes; a Format NVM
        // submitted meanwhile on the admin queue executes in between. The write's transfer was
        // sized for 4 KiB blocks: it must not execute in the new 512-byte format.
        FormatDevice d;
        spec::Sqe wr{};
        wr.opc = static_cast<uint8_t>(spec::NvmOpcode::Write);
        wr.nsid = 1;
        wr.cdw12 = 31; // 32 blocks of 4 KiB
        const uint64_t buf = d.rig.mem().alloc(128 * 1024);
        d.rig.mem().write(buf, std::vector<uint8_t>(128 * 1024, 0x5A));
        d.drv().build_prps(wr, buf, 128 * 1024);
        const uint16_t write_cid = d.drv().submit(d.q, wr);
        d.drv().ring(d.q);
        Controller &ctrl = d.rig.ctrl();
        for (int i = 0; i < 4; ++i)
            REQUIRE(ctrl.step()); // fetched, decoded, its first data segments moved
        const uint16_t format_cid = d.drv().submit(0, format_sqe(1, 0));
        d.drv().ring(0);
        const Completion f = d.drv().wait(0, format_cid);
        const Completion w = d.drv().wait(d.q, write_cid);
        INFO(w.describe());
        CHECK(f.ok());
        CHECK(same_status(w.status(),
                          spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true)));
        REQUIRE(w.why);
        CHECK(w.why->rule.find("formatted") != std::string::npos);
        // Nothing of the write reached the namespace: block 0 reads as zeros.
        std::vector<uint8_t> one(512, 0xFF);
        REQUIRE(d.drv().read(d.q, 1, 0, 0, one).ok());
        CHECK(one == std::vector<uint8_t>(512, 0));
    }
}
