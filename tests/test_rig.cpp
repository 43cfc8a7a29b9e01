// The device rig (rig/device_rig.h): power cycles count what a power cut loses, keep what a
// clean power-off writes back, and every front end's device is assembled the same way.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "doctest/doctest.h"
#include "test_helpers.h"

#include "player/lesson_device.h"
#include "rig/device_rig.h"

using namespace nvmelab;

namespace {

std::vector<uint8_t> block(const DeviceRig &rig, uint8_t fill) {
    return std::vector<uint8_t>(rig.config().lba_size(), fill);
}

// Writes one block at each LBA (through the volatile write cache unless fua).
void write_blocks(DeviceRig &rig, uint16_t q, const std::vector<uint64_t> &lbas, uint8_t fill,
                  bool fua = false) {
    for (uint64_t lba : lbas)
        REQUIRE(rig.driver().write(q, 1, lba, 0, block(rig, fill), fua).ok());
}

std::vector<uint8_t> read_block(DeviceRig &rig, uint16_t q, uint64_t lba) {
    std::vector<uint8_t> out(rig.config().lba_size());
    REQUIRE(rig.driver().read(q, 1, lba, 0, out).ok());
    return out;
}

uint16_t bring_up(DeviceRig &rig) {
    rig.driver().enable();
    return rig.driver().create_io_queue_pair(16);
}

} // namespace

TEST_SUITE("rig") {

    TEST_CASE("rig: an unclean power cut drops exactly the cached blocks and reports them") {
        DeviceRig rig(test::small_config(), RigOptions::without_console());
        uint16_t q = bring_up(rig);
        write_blocks(rig, q, {7, 3, 100}, 0xAA);    // cached
        write_blocks(rig, q, {50, 51}, 0xBB, true); // FUA: on the media already
        write_blocks(rig, q, {3}, 0xCC);            // the same LBA again: still one block
        REQUIRE(rig.cached_blocks() == 3);
        const uint64_t generation = rig.generation();

        const PowerOffReport off = rig.power_off(PowerOff::Unclean);
        CHECK(off.was_powered);
        CHECK(off.lost_blocks == 3);
        CHECK(off.lost_lbas_ns1 == std::vector<uint64_t>{3, 7, 100});
        CHECK_FALSE(rig.ctrl().powered());
        CHECK(rig.cached_blocks() == 0);
        // Already off: a second power-off does nothing and loses nothing.
        const PowerOffReport again = rig.power_off(PowerOff::Unclean);
        CHECK_FALSE(again.was_powered);
        CHECK(again.lost_blocks == 0);

        rig.power_on();
        CHECK(rig.generation() == generation + 1);
        CHECK(rig.ctrl().powered());
        CHECK(rig.mem().regions().empty()); // the host starts over
        q = bring_up(rig);
        for (uint64_t lba : {3, 7, 100})
            CHECK(read_block(rig, q, lba) == block(rig, 0)); // lost: never reached the media
        CHECK(read_block(rig, q, 50) == block(rig, 0xBB));
        CHECK(read_block(rig, q, 51) == block(rig, 0xBB));
    }

    TEST_CASE("rig: a clean power cycle shuts down first and keeps the cached blocks") {
        DeviceRig rig(test::small_config(), RigOptions::without_console());
        uint16_t q = bring_up(rig);
        write_blocks(rig, q, {1, 2, 9}, 0x5A);
        REQUIRE(rig.cached_blocks() == 3);
        CHECK(rig.shutdown_first(PowerOff::Clean));
        CHECK_FALSE(rig.shutdown_first(PowerOff::Unclean));
        bool shut_down = false;
        const PowerOffReport off = rig.power_cycle(PowerOff::Clean, [&] {
            rig.driver().shutdown();
            shut_down = true;
        });
        CHECK(shut_down);
        CHECK(off.was_powered);
        CHECK(off.lost_blocks == 0);
        CHECK(off.lost_lbas_ns1.empty());
        q = bring_up(rig);
        for (uint64_t lba : {1, 2, 9})
            CHECK(read_block(rig, q, lba) == block(rig, 0x5A));
        // A controller that is not ready is powered off without the host's shutdown; the
        // power-off writes the cache back itself.
        write_blocks(rig, q, {4}, 0x11);
        rig.driver().disable();
        CHECK_FALSE(rig.shutdown_first(PowerOff::Clean));
        CHECK(rig.power_cycle(PowerOff::Clean, [] { FAIL("no shutdown without CSTS.RDY"); })
                  .lost_blocks == 0);
        q = bring_up(rig);
        CHECK(read_block(rig, q, 4) == block(rig, 0x11));
    }

    TEST_CASE("rig: renew gives a brand-new device; a rig on foreign media cannot") {
        DeviceRig rig(test::small_config());
        const uint16_t q = bring_up(rig);
        write_blocks(rig, q, {0}, 0x77, true);
        REQUIRE(rig.console().exec_line("reg read CC.EN").ok);
        DeviceConfig bigger = test::small_config();
        bigger.size *= 2;
        rig.renew(bigger);
        CHECK(rig.config().size == bigger.size);
        CHECK(rig.memory_media()->media_size() == bigger.media_bytes()); // data + metadata area
        CHECK_FALSE(spec::CcReg{rig.ctrl().read32(0x14)}.en());
        DeviceConfig bad = bigger;
        bad.size = 3; // not a multiple of the LBA size
        CHECK_THROWS_AS(rig.renew(bad), ConfigError);
        CHECK(rig.config().size == bigger.size); // unchanged by the refusal

        MemoryBackingStore foreign(test::small_config().size);
        DeviceRig on_foreign(test::small_config(), foreign, RigOptions::without_console());
        CHECK(on_foreign.memory_media() == nullptr);
        CHECK(&on_foreign.media() == &foreign);
        CHECK_THROWS_AS(on_foreign.renew(), std::logic_error);
    }

    TEST_CASE("rig: the lesson device reports the count the rig measured") {
        lesson::LessonDevice dev(test::small_config());
        REQUIRE(dev.exec("enable").ok);
        REQUIRE(dev.exec("queue create entries=8").ok);
        for (int lba : {5, 6, 40})
            REQUIRE(dev.exec(fmt::format("write 1 {} 0 data=0x42", lba)).ok);
        const uint64_t generation = dev.generation();
        const ConsoleResult cut = dev.exec("power-cycle cut");
        REQUIRE(cut.ok);
        CHECK(cut.output.find("power cut: 3 blocks in the volatile write cache lost") !=
              std::string::npos);
        CHECK(dev.generation() == generation + 1);
        REQUIRE(dev.exec("enable").ok);
        REQUIRE(dev.exec("queue create entries=8").ok);
        REQUIRE(dev.exec("write 1 7 0 data=0x42").ok);
        const ConsoleResult clean = dev.exec("power-cycle clean");
        REQUIRE(clean.ok);
        CHECK(clean.output.find("clean power off: the volatile write cache was written back") !=
              std::string::npos);
    }

} // TEST_SUITE("rig")
