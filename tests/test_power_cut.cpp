// Power cut at every event: a mixed workload (writes with and without FUA, Flush, the volatile
// write cache turned off and on, I/O queues deleted and created, writes in flight when the
// shutdown notification comes, the shutdown) is run once to count its trace events N; then, for
// every k in 0..N, it is replayed on a fresh device whose power is cut right after its k-th
// event, and the device is powered on again on the same store and checked against a model:
//  - every write that completed with FUA, or with the write cache off, or before the submission
//    of a Flush (or of a Set Features that turned the cache off) which itself completed before
//    the cut, is on the media, bytes equal (NVMe 1.3 §6.8, §6.15, §5.21.1.6); after SHST = 10b,
//    every write that completed is (§7.6.2);
//  - every block holds zeros or the data of a write that covered it (each block of each write
//    has its own pattern), and never data older than the newest write it must hold;
//  - the device powers on without complaint, and SMART counts an unsafe shutdown exactly when
//    the cut came before SHST = 10b (§5.14.1.2).
//
// An event is one trace event (register and doorbell writes included). The cut is made by the
// trace listener throwing once the k-th event is recorded, so everything before it happened and
// nothing after it does; the controller's volatile state is then dropped by an unclean
// power-off, as a real cut drops it, and a new Controller opens the same MemoryBackingStore
// (persistent state and media), which is what the CLI's image keeps too.
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "doctest/doctest.h"

#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/media/backing_store.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"
#include "test_helpers.h"

namespace {

using namespace nvmelab;

constexpr uint32_t kLbaSize = 4096;
constexpr uint64_t kSpanBlocks = 256; // the workload writes LBAs 0..255 only
constexpr uint64_t kRoundStride = 32; // LBAs between rounds (a multiple of 16: extents align)

DeviceConfig cut_config() {
    DeviceConfig c;
    c.size = uint64_t{4} << 20;
    c.cache_blocks = 256;
    c.max_ioqpairs = 4;
    c.msix_vectors = 4;
    // Slow DMA: a 16-block write takes about 64 us to receive its data, well past the 10 us
    // after which the shutdown once reported SHST = 10b whatever was still in flight.
    c.dma_ns_per_kib = 1000;
    return c;
}

// Thrown by the trace listener to cut the power after the k-th event.
struct PowerCut {};

struct WriteRecord {
    uint64_t slba = 0;
    uint32_t blocks = 0;
    bool fua = false;
    bool cache_on = true; // the write cache was enabled while the write ran
    std::vector<uint8_t> data;
    std::optional<uint64_t> completed; // event index of its successful CQE
};

// The bytes of block `i` of write `id`: different for every write and every block.
std::vector<uint8_t> write_pattern(size_t id, uint32_t blocks) {
    std::vector<uint8_t> v(uint64_t{blocks} * kLbaSize);
    for (uint32_t b = 0; b < blocks; ++b) {
        uint32_t x = static_cast<uint32_t>(id * 7919 + b * 104729 + 1);
        for (uint32_t i = 0; i < kLbaSize; ++i) {
            x = x * 1664525u + 1013904223u;
            v[uint64_t{b} * kLbaSize + i] = static_cast<uint8_t>(x >> 24);
        }
    }
    return v;
}

// What the host did and saw, in event indexes (1 = the workload's first event).
struct Model {
    std::vector<WriteRecord> writes;
    // Commands waiting for their CQE: (SQID, CID) -> what they are.
    enum class Kind { Write, Flush, CacheOff, Other };
    struct Pending {
        Kind kind;
        size_t write = 0;
        uint64_t submitted = 0; // event index of its doorbell
    };
    std::map<std::pair<uint16_t, uint16_t>, Pending> pending;
    // Event index of the submission of each Flush / cache-off Set Features that completed.
    std::vector<uint64_t> barriers;
    bool shutdown_complete = false;
    uint64_t events = 0;
    std::optional<uint64_t> cut_at; // throw once this many events are recorded

    void on_event(const TraceEvent &ev) {
        ++events;
        if (ev.kind == EventKind::ShutdownComplete) shutdown_complete = true;
        if (ev.kind == EventKind::CqePost) {
            auto it = pending.find({ev.sqid, ev.cid});
            if (it != pending.end()) {
                const bool ok = (ev.value & 0x7FF) == 0;
                const Pending p = it->second;
                pending.erase(it);
                if (ok && p.kind == Kind::Write) writes[p.write].completed = events;
                if (ok && (p.kind == Kind::Flush || p.kind == Kind::CacheOff))
                    barriers.push_back(p.submitted);
            }
        }
        if (cut_at && events >= *cut_at) throw PowerCut{};
    }

    // Whether the write must be on the media at the cut.
    bool must_be_durable(const WriteRecord &w) const {
        if (!w.completed) return false;
        if (shutdown_complete || w.fua || !w.cache_on) return true;
        for (const uint64_t submitted : barriers)
            if (*w.completed < submitted) return true;
        return false;
    }
};

// One run of the workload on a fresh device, cut after `cut_at` events (never when nullopt).
class Run {
public:
    explicit Run(std::optional<uint64_t> cut_at) : store_(config_.size) {
        model_.cut_at = cut_at;
        power_on();
    }

    // Runs the workload until its end or the cut; true if the power was cut.
    bool play() {
        if (model_.cut_at && *model_.cut_at == 0) return cut();
        ctrl_->trace().set_listener([this](const TraceEvent &ev) { model_.on_event(ev); });
        try {
            workload();
        } catch (const PowerCut &) {
            return cut();
        }
        ctrl_->trace().set_listener(nullptr);
        return false;
    }
    uint64_t events() const { return model_.events; }
    const Model &model() const { return model_; }

    // Powers on again on the same store and checks the media and SMART against the model.
    void check_after_cut() {
        SparseHostMemory mem;
        std::unique_ptr<Controller> ctrl;
        REQUIRE_NOTHROW(ctrl = std::make_unique<Controller>(config_, mem, store_));
        HostDriver host(*ctrl, mem);
        REQUIRE_NOTHROW(host.enable());
        const spec::SmartLog smart = test::read_smart_log(host);
        CHECK(spec::get_u128_low(smart.power_cycles) == 2);
        CHECK(spec::get_u128_low(smart.unsafe_shutdowns) == (model_.shutdown_complete ? 0 : 1));
        CHECK(ctrl->durability_failures().empty());

        std::vector<uint8_t> media(kSpanBlocks * kLbaSize);
        REQUIRE(store_.read(0, media));
        const std::vector<uint8_t> zeros(kLbaSize, 0);
        for (uint64_t lba = 0; lba < kSpanBlocks; ++lba) {
            const uint8_t *block = media.data() + lba * kLbaSize;
            // Writes covering this block, oldest first (batch order); the newest that must be
            // durable, and which ones the block may hold.
            std::vector<const uint8_t *> allowed{zeros.data()};
            std::optional<size_t> required;
            for (size_t i = 0; i < model_.writes.size(); ++i) {
                const WriteRecord &w = model_.writes[i];
                if (lba < w.slba || lba >= w.slba + w.blocks) continue;
                const uint8_t *bytes = w.data.data() + (lba - w.slba) * kLbaSize;
                if (model_.must_be_durable(w)) {
                    required = i;
                    allowed = {bytes};
                } else {
                    allowed.push_back(bytes);
                }
            }
            bool matches = false;
            for (const uint8_t *candidate : allowed)
                matches = matches || std::memcmp(block, candidate, kLbaSize) == 0;
            if (!matches) {
                CAPTURE(lba);
                CAPTURE(required.has_value());
                CAPTURE(required.value_or(0));
                FAIL_CHECK("the block holds data no write put there, or older data than a "
                           "write that had to be durable");
            }
        }
    }

private:
    bool cut() {
        ctrl_->trace().set_listener(nullptr);
        ctrl_->power_off(PowerOff::Unclean);
        return true;
    }

    void power_on() {
        ctrl_ = std::make_unique<Controller>(config_, mem_, store_);
        host_ = std::make_unique<HostDriver>(*ctrl_, mem_);
    }

    // Event index the next event will get.
    uint64_t next_event() const { return model_.events + 1; }

    uint16_t submit(uint16_t q, spec::Sqe sqe, Model::Kind kind, size_t write = 0) {
        const uint16_t cid = host_->submit(q, sqe);
        model_.pending[{q, cid}] = Model::Pending{kind, write, 0};
        return cid;
    }
    // Rings an SQ doorbell; the commands just submitted on it are "submitted" at that event.
    void ring(uint16_t q) {
        const uint64_t at = next_event();
        for (auto &[key, p] : model_.pending)
            if (key.first == q && p.submitted == 0) p.submitted = at;
        host_->ring(q);
    }

    uint16_t write(uint16_t q, uint64_t slba, uint32_t blocks, bool fua) {
        WriteRecord w;
        w.slba = slba;
        w.blocks = blocks;
        w.fua = fua;
        w.cache_on = cache_on_;
        w.data = write_pattern(model_.writes.size(), blocks);
        const uint64_t buf = mem_.alloc(w.data.size(), "write data");
        REQUIRE(mem_.dma_write(buf, w.data));
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Write);
        sqe.nsid = 1;
        sqe.cdw10 = static_cast<uint32_t>(slba);
        sqe.cdw12 = (blocks - 1) | (fua ? 0x40000000u : 0u);
        host_->build_prps(sqe, buf, w.data.size());
        model_.writes.push_back(std::move(w));
        return submit(q, sqe, Model::Kind::Write, model_.writes.size() - 1);
    }

    uint16_t flush(uint16_t q, uint32_t nsid) {
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Flush);
        sqe.nsid = nsid;
        return submit(q, sqe, Model::Kind::Flush);
    }

    void set_cache(bool on) {
        spec::Sqe sqe{};
        sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::SetFeatures);
        sqe.cdw10 = static_cast<uint32_t>(spec::FeatureId::VolatileWriteCache);
        sqe.cdw11 = on ? 1 : 0;
        const uint16_t cid = submit(0, sqe, on ? Model::Kind::Other : Model::Kind::CacheOff);
        ring(0);
        const Completion c = host_->wait(0, cid); // may cut the power: not inside REQUIRE
        REQUIRE(c.ok());
        cache_on_ = on;
    }

    void step() {
        const bool ran = ctrl_->step(); // may cut the power: not inside REQUIRE
        REQUIRE(ran);
    }

    // Waits for the commands of a batch. The writes of a batch never overlap, and a batch
    // starts once the one before has completed, so the writes covering a block are in the
    // model in the order they ran.
    void wait_all(const std::vector<std::pair<uint16_t, uint16_t>> &cmds) {
        for (const auto &[q, cid] : cmds) {
            const Completion c = host_->wait(q, cid);
            REQUIRE(c.ok());
        }
    }

    void workload() {
        host_->enable();
        const uint16_t q1 = host_->create_io_queue_pair(8, 2, 1);
        uint16_t q2 = host_->create_io_queue_pair(8, 2, 2);

        std::vector<std::pair<uint16_t, uint16_t>> b;
        // Rounds of the same mix on LBAs further on each time (the last round's blocks overlap
        // the first's, so newer data lands over older data).
        for (uint64_t o = 0; o <= 4 * kRoundStride; o += kRoundStride)
            round(q1, q2, o);

        // Writes left in the cache, then writes still in flight when CC.SHN is written
        // (no queue deleted first): the shutdown finishes them and writes the cache back.
        b.clear();
        b.emplace_back(q1, write(q1, 90, 1, false));
        b.emplace_back(q2, write(q2, 0, 2, false));
        ring(q1);
        ring(q2);
        wait_all(b);
        write(q1, 100, 16, false);
        write(q1, 120, 3, true);
        write(q2, 130, 16, false);
        write(q2, 2, 1, false);
        ring(q1);
        ring(q2);
        for (int i = 0; i < 12; ++i)
            step();
        const uint32_t cc_offset = static_cast<uint32_t>(spec::Reg::Cc);
        const spec::CcReg cc{ctrl_->read32(cc_offset)};
        ctrl_->write32(cc_offset, spec::CcReg{cc.raw}.set_shn(1).raw);
        while (spec::CstsReg{ctrl_->read32(static_cast<uint32_t>(spec::Reg::Csts))}.shst() != 2)
            step();
        ctrl_->run_until_idle();
        for (const uint16_t q : {q1, q2})
            while (host_->reap(q)) {
            }
    }

    // One round of the mix, at LBAs from `o` on; q2 is deleted and created again in it.
    void round(uint16_t q1, uint16_t &q2, uint64_t o) {
        // Cache on: small, extent-sized (64 KiB, 16 blocks) and FUA writes on two SQs at once.
        std::vector<std::pair<uint16_t, uint16_t>> b;
        b.emplace_back(q1, write(q1, o + 0, 2, false));
        b.emplace_back(q1, write(q1, o + 16, 16, false));
        b.emplace_back(q2, write(q2, o + 40, 3, true));
        b.emplace_back(q2, write(q2, o + 50, 1, false));
        ring(q1);
        ring(q2);
        wait_all(b);

        // A Flush makes them durable; then overwrites, one with FUA, stay behind it.
        const uint16_t f1 = flush(q1, 1);
        ring(q1);
        wait_all({{q1, f1}});
        b.clear();
        b.emplace_back(q1, write(q1, o + 1, 2, false));
        b.emplace_back(q2, write(q2, o + 20, 4, true));
        b.emplace_back(q2, write(q2, o + 60, 8, false));
        ring(q1);
        ring(q2);
        wait_all(b);

        // The cache off (it is written back first), writes through, then on again.
        set_cache(false);
        b.clear();
        b.emplace_back(q1, write(q1, o + 0, 1, false));
        b.emplace_back(q2, write(q2, o + 64, 2, false));
        ring(q1);
        ring(q2);
        wait_all(b);
        set_cache(true);

        // An I/O queue pair deleted and created again, then writes on both pairs and a Flush
        // of all namespaces submitted while one of them is still running.
        host_->delete_io_queue_pair(q2);
        q2 = host_->create_io_queue_pair(8, 2, 2);
        b.clear();
        b.emplace_back(q1, write(q1, o + 32, 16, false));
        b.emplace_back(q2, write(q2, o + 70, 2, false));
        ring(q1);
        ring(q2);
        wait_all(b);
        b.clear();
        b.emplace_back(q2, write(q2, o + 80, 2, false));
        ring(q2);
        b.emplace_back(q1, flush(q1, 0xFFFFFFFFu));
        ring(q1);
        wait_all(b);
    }

    DeviceConfig config_ = cut_config();
    MemoryBackingStore store_;
    SparseHostMemory mem_;
    std::unique_ptr<Controller> ctrl_;
    std::unique_ptr<HostDriver> host_;
    Model model_;
    bool cache_on_ = true;
};

} // namespace

TEST_SUITE("power-cut") {

    TEST_CASE("power cut at every event of a mixed workload: nothing acknowledged is lost") {
        Run full(std::nullopt);
        REQUIRE_FALSE(full.play());
        const uint64_t n = full.events();
        // The whole workload ran: every write completed and the shutdown finished.
        REQUIRE(full.model().shutdown_complete);
        for (const WriteRecord &w : full.model().writes)
            REQUIRE(w.completed);
        CHECK(n <= 2000);
        uint64_t cuts = 0;
        for (uint64_t k = 0; k <= n; ++k) {
            CAPTURE(k);
            Run run(k);
            // The workload is deterministic: every replay reaches event k (k = N is its last).
            CHECK(run.play());
            run.check_after_cut();
            ++cuts;
        }
        CHECK(cuts == n + 1);
        MESSAGE("power-cut: " << n << " events in the workload, power cut at " << cuts
                              << " points (k = 0.." << n << ")");
        std::cout << "power-cut: cut at " << cuts << " events\n";
    }
}
