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

// A memory store that can be made "full": media writes, syncs and state saves then fail with
// the reason a full file system gives.
class FullableStore final : public BackingStore {
public:
    bool full = false;
    explicit FullableStore(uint64_t size) : inner_(size) {}
    uint64_t media_size() const override { return inner_.media_size(); }
    bool read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
    bool write(uint64_t offset, std::span<const uint8_t> data) override {
        return !full && inner_.write(offset, data);
    }
    bool write_extent(uint64_t index, MediaExtent &data) override {
        return !full && inner_.write_extent(index, data);
    }
    bool sync() override { return !full; }
    std::string failure() const override { return full ? "No space left on device" : ""; }
    std::string load_state() override { return inner_.load_state(); }
    bool save_state(std::string_view json) override { return !full && inner_.save_state(json); }

private:
    MemoryBackingStore inner_;
};

// A device with MDTS-sized (128 KiB) writes queued on several I/O SQs at once.
DeviceConfig in_flight_config() {
    DeviceConfig c;
    c.size = uint64_t{16} << 20;
    c.cache_blocks = 2048; // 8 MiB: every write of the test fits in the cache
    return c;
}

struct QueuedWrite {
    uint16_t qid = 0;
    uint16_t cid = 0;
    uint64_t slba = 0;
    std::vector<uint8_t> data;
};

// Queues `per_queue` writes of 32 blocks on each of the session's I/O queues, each from its own
// host buffer with its own pattern, and rings the doorbells; nothing runs yet.
std::vector<QueuedWrite> queue_writes(PowerSession &s, const std::vector<uint16_t> &queues,
                                      int per_queue, uint32_t seed) {
    std::vector<QueuedWrite> writes;
    constexpr uint32_t kBlocks = 32;
    for (const uint16_t q : queues) {
        for (int i = 0; i < per_queue; ++i) {
            QueuedWrite w;
            w.qid = q;
            w.slba = writes.size() * kBlocks;
            w.data = pattern(kBlocks * 4096, seed + static_cast<uint32_t>(writes.size()));
            const uint64_t buf = s.memory.alloc(w.data.size(), "write data");
            REQUIRE(s.memory.dma_write(buf, w.data));
            spec::Sqe sqe{};
            sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Write);
            sqe.nsid = 1;
            sqe.cdw10 = static_cast<uint32_t>(w.slba);
            sqe.cdw12 = kBlocks - 1;
            s.host.build_prps(sqe, buf, w.data.size());
            w.cid = s.host.submit(q, sqe);
            writes.push_back(std::move(w));
        }
        s.host.ring(q);
    }
    return writes;
}

uint8_t shst(const Controller &c) {
    return spec::CstsReg{c.read32(static_cast<uint32_t>(spec::Reg::Csts))}.shst();
}

void write_shn(Controller &c, uint8_t shn) {
    const spec::CcReg cc{c.read32(static_cast<uint32_t>(spec::Reg::Cc))};
    c.write32(static_cast<uint32_t>(spec::Reg::Cc), spec::CcReg{cc.raw}.set_shn(shn).raw);
}

} // namespace

TEST_SUITE("persistence") {

    // §7.6.2 asks the host to let its commands finish before CC.SHN; a host that does not must
    // still never be told "success" for a write the device then loses.
    TEST_CASE("a shutdown with large writes in flight: every write that got success is durable") {
        for (StoreKind kind : kStoreKinds) {
            for (const uint8_t shn : {uint8_t{1}, uint8_t{2}}) {
                CAPTURE(kind_name(kind));
                CAPTURE(int(shn));
                PowerCycledDevice d(kind, in_flight_config());
                std::vector<uint16_t> queues{d.s->q};
                queues.push_back(d.s->host.create_io_queue_pair(8));
                queues.push_back(d.s->host.create_io_queue_pair(8));
                const std::vector<QueuedWrite> writes = queue_writes(*d.s, queues, 4, 100);
                // Mid-flight: a write is receiving its data and another is not fetched yet.
                Controller &ctrl = d.s->ctrl;
                const auto receiving = [&] {
                    for (const CommandView &c : ctrl.commands())
                        if (c.phase == CommandPhase::TransferIn && c.transferred > 0) return true;
                    return false;
                };
                while (!receiving())
                    REQUIRE(ctrl.step());
                const uint64_t m = ctrl.trace().total_recorded();
                write_shn(ctrl, shn);
                CHECK(shst(ctrl) == 1);
                const size_t in_work = ctrl.commands().size();
                CHECK(in_work > 0);
                CHECK(in_work < writes.size());
                for (uint64_t i = 0; i < 1'000'000 && shst(ctrl) != 2; ++i)
                    REQUIRE(ctrl.step());
                REQUIRE(shst(ctrl) == 2);
                ctrl.run_until_idle();
                // Nothing was fetched once shutdown processing began, and nothing reached the
                // cache after the write-back.
                bool done = false;
                for (const TraceEvent &ev : ctrl.trace().events()) {
                    if (ev.seq < m) continue;
                    CHECK(ev.kind != EventKind::SqeFetch);
                    if (ev.kind == EventKind::ShutdownComplete) done = true;
                    if (done) CHECK(ev.kind != EventKind::CacheWrite);
                }
                CHECK(ctrl.namespace_blocks_cached(1) == 0);
                // The fetched writes all finished with success; the others got no completion.
                std::vector<bool> succeeded(writes.size(), false);
                size_t completions = 0;
                for (const uint16_t q : queues) {
                    while (auto c = d.s->host.reap(q)) {
                        ++completions;
                        CHECK(c->ok());
                        for (size_t i = 0; i < writes.size(); ++i)
                            if (writes[i].qid == q && writes[i].cid == c->cqe.cid)
                                succeeded[i] = c->ok();
                    }
                }
                CHECK(completions == in_work);
                // Power is cut with no further notice.
                d.power_cycle(PowerOff::Unclean);
                for (size_t i = 0; i < writes.size(); ++i) {
                    if (!succeeded[i]) continue;
                    CAPTURE(i);
                    CHECK(d.media(writes[i].slba, 32) == writes[i].data);
                }
                CHECK(d.unsafe_shutdowns() == 0);
            }
        }
    }

    // §3.1.5 puts no condition on CC.EN for a shutdown notification (QEMU acts on it too): a
    // disabled controller still holds its write cache, and the host may shut it down.
    TEST_CASE("a shutdown notification while CC.EN = 0 writes the cache back and counts as safe") {
        for (StoreKind kind : kStoreKinds) {
            CAPTURE(kind_name(kind));
            PowerCycledDevice d(kind);
            const auto data = pattern(4 * d.ls(), 60);
            REQUIRE(d.write(3, data).ok());
            d.s->host.disable();
            REQUIRE(d.s->ctrl.namespace_blocks_cached(1) == 4); // a reset keeps the cache
            write_shn(d.s->ctrl, 1);
            CHECK(shst(d.s->ctrl) == 1);
            d.s->ctrl.run_until_idle();
            CHECK(shst(d.s->ctrl) == 2);
            CHECK(d.s->ctrl.namespace_blocks_cached(1) == 0);
            CHECK(d.media(3, 4) == data);
            d.power_cycle(PowerOff::Unclean);
            CHECK(d.read(3, 4) == data);
            CHECK(d.unsafe_shutdowns() == 0);
            // Enabled again after such a shutdown, the controller works and SHST is 00b.
            d.s->host.disable();
            write_shn(d.s->ctrl, 1);
            d.s->ctrl.run_until_idle();
            REQUIRE(shst(d.s->ctrl) == 2);
            write_shn(d.s->ctrl, 0);
            d.s->host.enable();
            CHECK(shst(d.s->ctrl) == 0);
            d.s->q = d.s->host.create_io_queue_pair(8);
            CHECK(d.read(3, 4) == data);
        }
    }

    TEST_CASE("a write-back or state save that fails at shutdown reaches the host") {
        DeviceConfig cfg = persist_config();
        FullableStore store(cfg.size);
        SparseHostMemory mem;
        Controller ctrl(cfg, mem, store);
        HostDriver host(ctrl, mem);
        host.enable();
        // SMART / Health events for critical warning bit 2 (reliability degraded) enabled.
        REQUIRE(host.set_features(0x0B, 0x04).ok());
        const uint16_t q = host.create_io_queue_pair(8);
        const auto data = pattern(4 * cfg.lba_size(), 70);
        REQUIRE(host.write(q, 1, 0, 3, data).ok()); // into the cache
        CHECK(test::read_smart_log(host).critical_warning == 0);
        CHECK(ctrl.durability_failures().empty());
        // Post an AER, then the file system fills up.
        spec::Sqe aer{};
        aer.opc = static_cast<uint8_t>(spec::AdminOpcode::AsyncEventRequest);
        const uint16_t aer_cid = host.submit(0, aer);
        host.ring(0);
        ctrl.run_until_idle();
        store.full = true;
        host.shutdown(); // SHST still reaches 10b: the shutdown is over, its failure reported
        // The write-back failed, then the state save.
        const std::vector<Explanation> &failures = ctrl.durability_failures();
        REQUIRE(failures.size() == 2);
        CHECK(failures[0].rule.find("write the volatile write cache back (4 blocks stay "
                                    "volatile): No space left on device") != std::string::npos);
        CHECK(failures[1].rule.find("persistent state") != std::string::npos);
        CHECK(failures[1].rule.find("No space left on device") != std::string::npos);
        bool traced = false;
        for (const TraceEvent &ev : ctrl.trace().events())
            traced = traced || ev.kind == EventKind::DurabilityFailure;
        CHECK(traced);
        // The AER reports it: SMART / Health status, NVM subsystem reliability, log page 02h.
        const Completion event = host.wait(0, aer_cid);
        CHECK(event.cqe.dw0 ==
              spec::make_async_event_dw0(spec::AsyncEventType::SmartHealth, 0, 0x02));
        // The host resets the controller and reads the logs.
        store.full = false;
        host.enable();
        const spec::SmartLog smart = test::read_smart_log(host);
        CHECK((smart.critical_warning & 0x04) != 0);
        CHECK(spec::get_u128_low(smart.media_errors) >= 1);
        // Two Error Information entries, no command's: the write-back (NSID 1), the state save.
        std::vector<uint8_t> raw(2 * sizeof(spec::ErrorLogEntry));
        REQUIRE(host.get_log_page(0x01, 0xFFFFFFFFu, 0, raw).ok());
        spec::ErrorLogEntry entries[2];
        std::memcpy(entries, raw.data(), sizeof entries);
        for (const spec::ErrorLogEntry &e : entries) {
            CHECK(e.sqid == 0xFFFF);
            CHECK(e.cid == 0xFFFF);
            CHECK((e.status_field >> 1) ==
                  spec::generic(spec::GenericStatus::InternalError).field());
        }
        CHECK(entries[0].nsid == 0); // newest first: the state save
        CHECK(entries[1].nsid == 1);
        // The warning is persistent state: it is still set after a clean power cycle.
        ctrl.power_off(PowerOff::Clean);
        SparseHostMemory mem2;
        Controller again(cfg, mem2, store);
        HostDriver host2(again, mem2);
        host2.enable();
        CHECK((test::read_smart_log(host2).critical_warning & 0x04) != 0);
        CHECK(again.durability_failures().empty());
    }

    TEST_CASE("a state save that fails: Set Features with Save fails, a power-off reports it") {
        DeviceConfig cfg = persist_config();
        FullableStore store(cfg.size);
        SparseHostMemory mem;
        Controller ctrl(cfg, mem, store);
        HostDriver host(ctrl, mem);
        host.enable();
        store.full = true;
        // Arbitration with SV = 1: the current value is set, the saved one could not be.
        const Completion c = host.set_features(0x01, 0x00000002, true);
        CHECK(c.status().sct == 0);
        CHECK(c.status().sc == 0x06); // Internal Error
        REQUIRE(c.why);
        CHECK(c.why->rule.find("No space left on device") != std::string::npos);
        CHECK((host.get_features(0x01).cqe.dw0 & 0x7) == 2);
        CHECK(ctrl.durability_failures().empty()); // its command reported it
        ctrl.power_off(PowerOff::Clean);
        REQUIRE(ctrl.durability_failures().size() == 1);
        CHECK(ctrl.durability_failures()[0].rule.find("persistent state") != std::string::npos);
        CHECK(ctrl.durability_failures()[0].rule.find("No space left on device") !=
              std::string::npos);
    }

    TEST_CASE("a Flush on a full store fails with Write Fault and the store's reason") {
        DeviceConfig cfg = persist_config();
        FullableStore store(cfg.size);
        SparseHostMemory mem;
        Controller ctrl(cfg, mem, store);
        HostDriver host(ctrl, mem);
        host.enable();
        const uint16_t q = host.create_io_queue_pair(8);
        REQUIRE(host.write(q, 1, 0, 0, pattern(cfg.lba_size(), 80)).ok());
        store.full = true;
        const Completion c = host.flush(q, 1);
        CHECK(c.status().sct == 2);
        CHECK(c.status().sc == 0x80);
        REQUIRE(c.why);
        CHECK(c.why->rule.find("No space left on device") != std::string::npos);
    }

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
                // A whole media extent too (it moves into the cache and the store uncopied).
                const auto extent_blocks = static_cast<uint32_t>(kMediaExtentSize / ls);
                const uint64_t extent_lba = 4 * extent_blocks;
                const auto old_extent = pattern(kMediaExtentSize, 14);
                const auto new_extent = pattern(kMediaExtentSize, 15);
                REQUIRE(d.write(extent_lba, old_extent, true).ok());
                REQUIRE(d.write(10, old_data, true).ok());
                REQUIRE(d.write(30, flushed).ok());
                REQUIRE(d.s->host.flush(d.s->q, 1).ok());
                // Cached, never flushed: an overwrite and a never-written range.
                REQUIRE(d.write(10, new_data).ok());
                REQUIRE(d.write(20, fresh).ok());
                REQUIRE(d.write(extent_lba, new_extent).ok());
                REQUIRE(d.s->ctrl.lba_cached(1, extent_lba + extent_blocks - 1));
                CHECK(d.media(extent_lba, extent_blocks) == old_extent);
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
                    CHECK(d.read(extent_lba, extent_blocks) == new_extent);
                } else {
                    CHECK(d.read(extent_lba, extent_blocks) == old_extent);
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
                d.set(kPm, 0x41, true); // Workload Hint 010b, power state 1
                d.set(kPm, 2, false);   // current 2, saved 41h
                d.set(kTemp, tt(350, 0, 0), true);
                d.set(kTemp, tt(260, 1, 1), false);
                d.set(kEr, 0x20, true, 1);
                d.set(kVwc, 0, true);
                d.set(kCoal, 0x0A05, false);
                d.set(kIvc, 0x10002, true);
                d.set(kWan, 1, false);
                d.set(kAec, 0x02, true);
                CHECK(d.feature(kPm) == 2);
                CHECK(d.feature(kPm, 2) == 0x41);

                d.power_cycle(how);
                for (int cycle = 0; cycle < 2; ++cycle) {
                    CAPTURE(cycle);
                    // Saved values are current after power-on and still reported as saved.
                    CHECK(d.feature(kArb) == 0x01020305);
                    CHECK(d.feature(kArb, 2) == 0x01020305);
                    CHECK(d.feature(kArb, 1) == arb_default);
                    CHECK(d.feature(kPm) == 0x41);
                    CHECK(d.feature(kPm, 2) == 0x41);
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
            {R"({"saved_features": {"2": 96}})", "CDW11.WH 3"},
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
