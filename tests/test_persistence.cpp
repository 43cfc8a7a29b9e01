// What survives a power cycle (NVMe 1.3 §5.21.1.6 volatile write cache, §7.6.2 shutdown,
// §5.14.1.2 SMART counters, §5.21 saved features, §5.14.1.1 error log), on the in-memory store
// and on a device image file. Every scenario runs on both stores.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"
#include "test_helpers.h"
// Image files are native only: the WASM build runs these tests on the memory store alone.
#ifndef __EMSCRIPTEN__
#include "image/device_image.h"
#define NVMELAB_TEST_IMAGES 1
#endif

namespace {

using namespace nvmelab;
namespace fs = std::filesystem;

enum class StoreKind { Memory, Image };
#ifdef NVMELAB_TEST_IMAGES
constexpr StoreKind kStoreKinds[] = {StoreKind::Memory, StoreKind::Image};
#else
constexpr StoreKind kStoreKinds[] = {StoreKind::Memory};
#endif

const char *kind_name(StoreKind k) {
    return k == StoreKind::Memory ? "memory" : "image";
}

DeviceConfig persist_config() {
    DeviceConfig c;
    c.size = uint64_t{8} << 20;
    c.cache_blocks = 64;
    return c;
}

std::vector<uint8_t> pattern(size_t bytes, uint32_t seed) {
    std::vector<uint8_t> v(bytes);
    uint32_t x = seed * 2246822519u + 7;
    for (auto &b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(x >> 24);
    }
    return v;
}

// The device's non-volatile side: an in-memory store, or an image file that is closed and
// opened again at every power-on (so nothing survives in process memory).
class StoreBox {
public:
    StoreBox(StoreKind kind, const DeviceConfig &config) : kind_(kind) {
        if (kind == StoreKind::Memory) {
            memory_ = std::make_unique<MemoryBackingStore>(config.size);
            return;
        }
#ifdef NVMELAB_TEST_IMAGES
        static std::atomic<unsigned> counter{0};
        path_ = fs::temp_directory_path() / ("nvmelab-persistence-" + std::to_string(::getpid()) +
                                             "-" + std::to_string(counter++) + ".img");
        image_ = DeviceImage::create(path_.string(), config.to_json(), config.size, true);
#endif
    }
    ~StoreBox() {
#ifdef NVMELAB_TEST_IMAGES
        image_.reset();
#endif
        if (!path_.empty()) {
            std::error_code ec;
            fs::remove(path_, ec);
        }
    }
    StoreBox(const StoreBox &) = delete;
    StoreBox &operator=(const StoreBox &) = delete;

    BackingStore &get() {
#ifdef NVMELAB_TEST_IMAGES
        if (kind_ == StoreKind::Image) return *image_;
#endif
        return *memory_;
    }
    // Called between power cycles, while no controller uses the store.
    void reopen() {
#ifdef NVMELAB_TEST_IMAGES
        if (kind_ != StoreKind::Image) return;
        image_.reset();
        image_ = DeviceImage::open(path_.string());
#endif
    }

private:
    [[maybe_unused]] StoreKind kind_; // only images differ from the memory store
    std::unique_ptr<MemoryBackingStore> memory_;
#ifdef NVMELAB_TEST_IMAGES
    std::unique_ptr<DeviceImage> image_;
#endif
    fs::path path_;
};

// One power-on of the device: fresh host memory, controller and driver, brought up with an I/O
// queue pair.
struct PowerSession {
    SparseHostMemory memory;
    Controller ctrl;
    HostDriver host;
    uint16_t q = 0;

    PowerSession(const DeviceConfig &config, BackingStore &store)
        : ctrl(config, memory, store), host(ctrl, memory) {
        host.enable();
        q = host.create_io_queue_pair(8);
    }
};

// A device across power cycles (own fixture, not test::TestDevice).
struct PowerCycledDevice {
    DeviceConfig config;
    StoreBox box;
    std::unique_ptr<PowerSession> s;

    explicit PowerCycledDevice(StoreKind kind, const DeviceConfig &c = persist_config())
        : config(c), box(kind, c) {
        power_on();
    }
    void power_on() {
        box.reopen();
        s = std::make_unique<PowerSession>(config, box.get());
    }
    void power_cycle(PowerOff how) {
        s->ctrl.power_off(how);
        CHECK_FALSE(s->ctrl.powered());
        // Nothing is left in the volatile cache: written back (clean) or lost (unclean).
        CHECK(s->ctrl.namespace_blocks_cached(1) == 0);
        const auto &events = s->ctrl.trace().events();
        REQUIRE_FALSE(events.empty());
        CHECK(events.back().kind == EventKind::PowerOff);
        CHECK(events.back().u32 == (how == PowerOff::Clean ? 1u : 0u));
        s.reset();
        power_on();
    }

    uint32_t ls() const { return config.lba_size(); }
    Completion write(uint64_t slba, std::span<const uint8_t> data, bool fua = false) {
        const auto nlb0 = static_cast<uint32_t>(data.size() / ls() - 1);
        return s->host.write(s->q, 1, slba, nlb0, data, fua);
    }
    std::vector<uint8_t> read(uint64_t slba, uint32_t blocks) {
        std::vector<uint8_t> out(uint64_t{blocks} * ls());
        const Completion c = s->host.read(s->q, 1, slba, blocks - 1, out);
        INFO(c.describe());
        REQUIRE(c.ok());
        return out;
    }
    std::vector<uint8_t> media(uint64_t slba, uint32_t blocks) {
        std::vector<uint8_t> out(uint64_t{blocks} * ls());
        REQUIRE(box.get().read(slba * ls(), out));
        return out;
    }
    spec::SmartLog smart() { return test::read_smart_log(s->host); }
    uint64_t power_cycles() { return spec::get_u128_low(smart().power_cycles); }
    uint64_t unsafe_shutdowns() { return spec::get_u128_low(smart().unsafe_shutdowns); }
    std::vector<uint8_t> error_log() {
        std::vector<uint8_t> raw(64 * 64);
        REQUIRE(s->host.get_log_page(0x01, 0xFFFFFFFFu, 0, raw).ok());
        return raw;
    }
    uint32_t feature(uint8_t fid, uint8_t sel = 0, uint32_t cdw11 = 0, uint32_t nsid = 0) {
        const Completion c = s->host.get_features(fid, sel, cdw11, nsid);
        INFO("FID ", int(fid), " SEL ", int(sel), ": ", c.describe());
        REQUIRE(c.ok());
        return c.cqe.dw0;
    }
    void set(uint8_t fid, uint32_t value, bool save, uint32_t nsid = 0) {
        const Completion c = s->host.set_features(fid, value, save, nsid);
        INFO("FID ", int(fid), ": ", c.describe());
        REQUIRE(c.ok());
    }
};

} // namespace

TEST_SUITE("persistence") {

    TEST_CASE("flushed data survives clean and unclean power cycles") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            const auto a = pattern(8 * d.ls(), 1);
            const auto b = pattern(3 * d.ls(), 2);
            REQUIRE(d.write(0, a).ok());
            REQUIRE(d.write(1000, b, true).ok()); // FUA: on the media at completion
            REQUIRE(d.s->host.flush(d.s->q, 1).ok());
            CHECK(d.media(0, 8) == a);
            d.power_cycle(PowerOff::Clean);
            CHECK(d.read(0, 8) == a);
            CHECK(d.read(1000, 3) == b);
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.read(0, 8) == a);
            CHECK(d.read(1000, 3) == b);
            CHECK(d.s->ctrl.namespace_blocks_cached(1) == 0);
        }
    }

    TEST_CASE("cached data: a clean power off writes it back, an unclean one loses it") {
        for (StoreKind kind : kStoreKinds) {
            for (PowerOff how : {PowerOff::Clean, PowerOff::Unclean}) {
                CAPTURE(kind_name(kind));
                CAPTURE(how == PowerOff::Clean ? "clean" : "unclean");
                PowerCycledDevice d(kind);
                const uint32_t ls = d.ls();
                const auto old_data = pattern(2 * ls, 10);
                const auto new_data = pattern(2 * ls, 11);
                const auto fresh = pattern(4 * ls, 12);
                const auto flushed = pattern(ls, 13);
                // A whole media chunk too (it moves into the cache and the store uncopied).
                const auto chunk_blocks = static_cast<uint32_t>(kMediaChunkSize / ls);
                const uint64_t chunk_lba = 4 * chunk_blocks;
                const auto old_chunk = pattern(kMediaChunkSize, 14);
                const auto new_chunk = pattern(kMediaChunkSize, 15);
                REQUIRE(d.write(chunk_lba, old_chunk, true).ok());
                REQUIRE(d.write(10, old_data, true).ok());
                REQUIRE(d.write(30, flushed).ok());
                REQUIRE(d.s->host.flush(d.s->q, 1).ok());
                // Cached, never flushed: an overwrite and a never-written range.
                REQUIRE(d.write(10, new_data).ok());
                REQUIRE(d.write(20, fresh).ok());
                REQUIRE(d.write(chunk_lba, new_chunk).ok());
                REQUIRE(d.s->ctrl.lba_cached(1, chunk_lba + chunk_blocks - 1));
                CHECK(d.media(chunk_lba, chunk_blocks) == old_chunk);
                REQUIRE(d.s->ctrl.lba_cached(1, 10));
                REQUIRE(d.s->ctrl.lba_cached(1, 20));
                CHECK(d.read(10, 2) == new_data);
                CHECK(d.media(10, 2) == old_data);

                d.power_cycle(how);
                CHECK(d.s->ctrl.namespace_blocks_cached(1) == 0);
                CHECK(d.read(30, 1) == flushed);
                if (how == PowerOff::Clean) {
                    CHECK(d.read(10, 2) == new_data);
                    CHECK(d.read(20, 4) == fresh);
                    CHECK(d.read(chunk_lba, chunk_blocks) == new_chunk);
                } else {
                    CHECK(d.read(chunk_lba, chunk_blocks) == old_chunk);
                    CHECK(d.read(10, 2) == old_data);
                    CHECK(d.read(20, 4) == std::vector<uint8_t>(4 * ls, 0));
                }
            }
        }
    }

    TEST_CASE("a shutdown notification (CC.SHN) writes back the cache and counts as safe") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            const auto data = pattern(5 * d.ls(), 20);
            REQUIRE(d.write(7, data).ok());
            REQUIRE(d.s->ctrl.namespace_blocks_cached(1) == 5);
            const uint64_t m = d.s->ctrl.trace().total_recorded();
            d.s->host.shutdown();
            const spec::CstsReg csts{d.s->ctrl.read32(0x1C)};
            CHECK(int(csts.shst()) == 2);
            CHECK(d.s->ctrl.namespace_blocks_cached(1) == 0);
            CHECK(d.media(7, 5) == data);
            uint64_t flushed = 0;
            for (const TraceEvent &ev : d.s->ctrl.trace().events())
                if (ev.seq >= m && ev.kind == EventKind::CacheFlush) flushed += ev.len;
            CHECK(flushed == 5);
            // Power is then cut without any further notice.
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.read(7, 5) == data);
            CHECK(d.power_cycles() == 2);
            CHECK(d.unsafe_shutdowns() == 0);
        }
    }

    TEST_CASE("SMART power cycles and unsafe shutdowns count across power cycles") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            CHECK(d.power_cycles() == 1);
            CHECK(d.unsafe_shutdowns() == 0);
            d.power_cycle(PowerOff::Clean);
            CHECK(d.power_cycles() == 2);
            CHECK(d.unsafe_shutdowns() == 0);
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.power_cycles() == 3);
            CHECK(d.unsafe_shutdowns() == 1);
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.power_cycles() == 4);
            CHECK(d.unsafe_shutdowns() == 2);
            d.power_cycle(PowerOff::Clean);
            CHECK(d.power_cycles() == 5);
            CHECK(d.unsafe_shutdowns() == 2);
        }
    }

    TEST_CASE("a device used again after a shutdown is unsafe to cut again") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            const auto before = pattern(2 * d.ls(), 30);
            REQUIRE(d.write(0, before).ok());
            d.s->host.shutdown();
            // The host resets the controller and keeps using it (§7.6.2: re-enable after a
            // controller reset); data written now sits in the cache again.
            d.s->host.enable();
            d.s->q = d.s->host.create_io_queue_pair(8);
            const auto after = pattern(2 * d.ls(), 31);
            REQUIRE(d.write(0, after).ok());
            REQUIRE(d.s->ctrl.lba_cached(1, 0));
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.read(0, 2) == before);    // the cached write was lost ...
            CHECK(d.unsafe_shutdowns() == 1); // ... so this was an unsafe shutdown
            CHECK(d.power_cycles() == 2);
        }
    }

    TEST_CASE("SMART data counters persist across a clean power cycle") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            const auto data = pattern(32 * d.ls(), 40);
            for (int i = 0; i < 5; ++i)
                REQUIRE(d.write(32u * i, data).ok());
            d.read(0, 1);
            d.read(1, 1);
            const spec::SmartLog before = d.smart();
            CHECK(spec::get_u128_low(before.host_write_commands) == 5);
            CHECK(spec::get_u128_low(before.host_read_commands) == 2);
            d.power_cycle(PowerOff::Clean);
            const spec::SmartLog after = d.smart();
            CHECK(spec::get_u128_low(after.host_write_commands) == 5);
            CHECK(spec::get_u128_low(after.host_read_commands) == 2);
            // 5 x 128 KiB = 1280 units of 512 bytes -> 2 thousands (rounded up).
            CHECK(spec::get_u128_low(after.data_units_written) == 2);
            CHECK(spec::get_u128_low(after.data_units_read) == 1);
            CHECK(std::memcmp(before.data_units_written, after.data_units_written, 16) == 0);
            d.read(2, 1);
            CHECK(spec::get_u128_low(d.smart().host_read_commands) == 3);
        }
    }

    TEST_CASE("saved features come back after a power cycle, others return to their defaults") {
        constexpr uint8_t kArb = 0x01, kPm = 0x02, kTemp = 0x04, kEr = 0x05, kVwc = 0x06,
                          kQueues = 0x07, kCoal = 0x08, kIvc = 0x09, kWan = 0x0A, kAec = 0x0B;
        auto tt = [](uint16_t k, uint8_t tmpsel, uint8_t thsel) {
            return spec::TemperatureThresholdFeature{k, tmpsel, thsel}.encode();
        };
        for (StoreKind kind : kStoreKinds) {
            for (PowerOff how : {PowerOff::Clean, PowerOff::Unclean}) {
                CAPTURE(kind_name(kind));
                CAPTURE(how == PowerOff::Clean ? "clean" : "unclean");
                PowerCycledDevice d(kind);
                const uint32_t arb_default = d.feature(kArb, 1);
                const uint32_t queues_default = d.feature(kQueues, 1);
                d.set(kArb, 0x01020305, true);
                d.set(kPm, 1, true);
                d.set(kPm, 2, false); // current 2, saved 1
                d.set(kTemp, tt(350, 0, 0), true);
                d.set(kTemp, tt(260, 1, 1), false);
                d.set(kEr, 0x20, true, 1);
                d.set(kVwc, 0, true);
                d.set(kCoal, 0x0A05, false);
                d.set(kIvc, 0x10002, true);
                d.set(kWan, 1, false);
                d.set(kAec, 0x02, true);
                CHECK(d.feature(kPm) == 2);
                CHECK(d.feature(kPm, 2) == 1);

                d.power_cycle(how);
                for (int cycle = 0; cycle < 2; ++cycle) {
                    CAPTURE(cycle);
                    // Saved values are current after power-on and still reported as saved.
                    CHECK(d.feature(kArb) == 0x01020305);
                    CHECK(d.feature(kArb, 2) == 0x01020305);
                    CHECK(d.feature(kArb, 1) == arb_default);
                    CHECK(d.feature(kPm) == 1);
                    CHECK(d.feature(kPm, 2) == 1);
                    CHECK((d.feature(kTemp, 0, tt(0, 0, 0)) & 0xFFFF) == 350);
                    CHECK((d.feature(kTemp, 2, tt(0, 0, 0)) & 0xFFFF) == 350);
                    CHECK((d.feature(kTemp, 0, tt(0, 1, 1)) & 0xFFFF) == 0);
                    CHECK(d.feature(kEr, 0, 0, 1) == 0x20);
                    CHECK(d.feature(kVwc) == 0);
                    CHECK(d.feature(kIvc, 0, 2) == 0x10002);
                    CHECK(d.feature(kIvc, 0, 3) == 0x00003);
                    CHECK(d.feature(kAec) == 0x02);
                    // Not saved: back to the defaults.
                    CHECK(d.feature(kCoal) == 0);
                    CHECK(d.feature(kWan) == 0);
                    CHECK(d.feature(kQueues) == queues_default);
                    // The saved WCE = 0 is in effect: writes go to the media.
                    const auto data = pattern(d.ls(), 50 + cycle);
                    REQUIRE(d.write(3, data).ok());
                    CHECK_FALSE(d.s->ctrl.lba_cached(1, 3));
                    CHECK(d.media(3, 1) == data);
                    d.power_cycle(PowerOff::Clean);
                }
            }
        }
    }

    TEST_CASE("the error log persists across a clean power cycle") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            std::vector<uint8_t> buf(d.ls());
            const Completion io = d.s->host.read(d.s->q, 1, uint64_t{1} << 40, 0, buf);
            REQUIRE_FALSE(io.ok());
            spec::Sqe bad{};
            bad.opc = 0x03;
            const Completion admin = d.s->host.execute(0, bad);
            REQUIRE_FALSE(admin.ok());
            const auto before = d.error_log();
            spec::ErrorLogEntry e0{};
            std::memcpy(&e0, before.data(), sizeof e0);
            CHECK(e0.error_count == 2);
            CHECK(e0.sqid == 0);
            CHECK(e0.cid == admin.cqe.cid);

            d.power_cycle(PowerOff::Clean);
            const auto after = d.error_log();
            CHECK(after == before);
            spec::ErrorLogEntry e1{};
            std::memcpy(&e1, after.data() + 64, sizeof e1);
            CHECK(e1.error_count == 1);
            CHECK(e1.sqid == 1);
            CHECK(e1.cid == io.cqe.cid);
            CHECK(e1.lba == uint64_t{1} << 40);
            CHECK(e1.nsid == 1);
            CHECK(spec::get_u128_low(d.smart().num_error_log_entries) == 2);

            // New errors continue the count, newest first.
            const Completion again = d.s->host.execute(0, bad);
            REQUIRE_FALSE(again.ok());
            const auto third = d.error_log();
            spec::ErrorLogEntry n{};
            std::memcpy(&n, third.data(), sizeof n);
            CHECK(n.error_count == 3);
            CHECK(std::equal(before.begin(), before.begin() + 128, third.begin() + 64));
            CHECK(spec::get_u128_low(d.smart().num_error_log_entries) == 3);
        }
    }

    TEST_CASE("a corrupt saved state is refused by name, not read as empty and overwritten") {
        DeviceConfig cfg;
        cfg.size = uint64_t{16} << 20;
        struct Case {
            const char *text;
            const char *message;
        };
        const Case cases[] = {
            {"{bad", "the device's saved state is corrupt: "},
            {"[1, 2]", "not a JSON object"},
            {R"({"clean_shutdown": 1})", "\"clean_shutdown\" must be true or false"},
            {R"({"health": {"power_cycles": "9"}})", "\"power_cycles\" must be a number"},
            {R"({"error_count": -1})", "\"error_count\" must be a number"},
            {R"({"saved_features": {"6": 4294967296}})",
             "saved_features.6 must be a 32-bit feature value"},
            // Saved feature values are values Set Features (SV = 1) could have saved here.
            {R"({"saved_features": {"6": 3}})", "saved_features.6 = 0x3 is not a value this "
                                                "device accepts: reserved bits 0x2 are set"},
            {R"({"saved_features": {"2": 31}})", "saved_features.2 = 0x1f is not a value this "
                                                 "device accepts: CDW11.PS 31"},
            {R"({"saved_features": {"2": 32}})", "CDW11.WH 1"},
            {R"({"saved_features": {"5": 65536}})", "CDW11.DULBE 1"},
            {R"({"saved_features": {"7": 0}})",
             "saved_features.7 is not a saveable feature of this device"},
            {R"({"saved_features": {"99": 0}})", "saved_features.99 is not a saveable feature"},
            {R"({"saved_features": {"6x": 1}})", "saved_features.6x is not a saveable feature"},
            {R"({"saved_features": {"4": 300}})", "saved_features.4 is not a saveable feature"},
            {R"({"saved_features": {"4.2.0": 300}})",
             "saved_features.4.2.0 is not a threshold of this device"},
            {R"({"saved_features": {"4.0": 300}})",
             "saved_features.4.0 is not a threshold of this device"},
            {R"({"saved_features": {"4.0.1": 65536}})", "a 16-bit temperature"},
            {R"({"saved_features": {"9.0": 1}})", "saved_features.9.0 = 0x1 is not a value this "
                                                  "device accepts: its IV field is not 0"},
            {R"({"saved_features": {"9.0": 131072}})", "reserved bits 0x20000 are set"},
            {R"({"saved_features": {"9.4096": 4096}})",
             "saved_features.9.4096 is not an interrupt vector of this device"},
        };
        for (const Case &c : cases) {
            CAPTURE(c.text);
            SparseHostMemory mem;
            MemoryBackingStore store(cfg.size);
            REQUIRE(store.save_state(c.text));
            CHECK_THROWS_WITH(Controller(cfg, mem, store), doctest::Contains(c.message));
            CHECK(store.load_state() == c.text); // left as it was
        }
    }

} // TEST_SUITE("persistence")
