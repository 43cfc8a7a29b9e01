// The volatile write cache inside NvmNamespace (core/namespaces/nvm_namespace.h): which data a full
// cache destages, in what order and in how many media writes, and that data the cache no
// longer holds is on the media, whatever mix of cached, write-through and extent-sized writes,
// commits, flushes and power cuts came before.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "doctest/doctest.h"

#include "core/media/backing_store.h"
#include "core/namespaces/nvm_namespace.h"

namespace {

using namespace nvmelab;

constexpr uint32_t kBlock = 4096; // LBA size of these tests: 16 blocks per media extent
constexpr uint64_t kBlocksPerExtent = kMediaExtentSize / kBlock;

// A memory store that records the media writes it is asked for, in order, and can be told to
// fail them.
class RecordingStore final : public BackingStore {
public:
    struct Write {
        uint64_t lba;
        uint64_t blocks;
        bool operator==(const Write &) const = default;
    };
    std::vector<Write> writes;
    bool fail = false;

    explicit RecordingStore(uint64_t size) : inner_(size) {}
    uint64_t media_size() const override { return inner_.media_size(); }
    bool read(uint64_t offset, std::span<uint8_t> out) override { return inner_.read(offset, out); }
    bool write(uint64_t offset, std::span<const uint8_t> data) override {
        if (fail) return false;
        writes.push_back({offset / kBlock, data.size() / kBlock});
        return inner_.write(offset, data);
    }
    bool write_extent(uint64_t index, MediaExtent &data) override {
        if (fail) return false;
        writes.push_back({index * kBlocksPerExtent, kBlocksPerExtent});
        return inner_.write_extent(index, data);
    }
    bool sync() override { return !fail; }
    std::string load_state() override { return {}; }
    bool save_state(std::string_view) override { return true; }

private:
    MemoryBackingStore inner_;
};

// Block contents that say which LBA and which version of it they are.
std::vector<uint8_t> version_of(uint64_t lba, uint32_t version, uint64_t blocks = 1) {
    std::vector<uint8_t> data(blocks * kBlock);
    for (uint64_t b = 0; b < blocks; ++b) {
        uint8_t *block = data.data() + b * kBlock;
        const uint64_t this_lba = lba + b;
        std::memset(block, static_cast<int>((this_lba * 31 + version * 7) & 0xFF), kBlock);
        std::memcpy(block, &this_lba, sizeof this_lba);
        std::memcpy(block + 8, &version, sizeof version);
    }
    return data;
}

// The version a block read back holds: 0 for zeros (never written), -1 for anything that is
// not a whole version of this LBA.
int64_t version_in(uint64_t lba, std::span<const uint8_t> block) {
    if (std::all_of(block.begin(), block.end(), [](uint8_t b) { return b == 0; })) return 0;
    uint32_t version = 0;
    std::memcpy(&version, block.data() + 8, sizeof version);
    const std::vector<uint8_t> expected = version_of(lba, version);
    return std::equal(block.begin(), block.end(), expected.begin()) ? int64_t{version} : -1;
}

struct CacheRig {
    RecordingStore store;
    NvmNamespace ns;

    CacheRig(uint64_t nsze, uint32_t cache_blocks)
        : store(nsze * kBlock), ns(1, 0, nsze, kBlock, cache_blocks) {}

    bool write(uint64_t slba, uint64_t nlb, uint32_t version, bool cache = true) {
        const auto data = version_of(slba, version, nlb);
        return ns.write(store, slba, nlb, data, cache);
    }
    // The same through the extent-grid path a Write command takes (whole extents cached as they
    // are).
    bool write_extents(uint64_t slba, uint64_t nlb, uint32_t version, bool cache = true) {
        const auto data = version_of(slba, version, nlb);
        ExtentData extents;
        extents.request(ns.extent_pool(), ns.store_address(slba), data.size());
        extents.allocate();
        uint64_t pos = 0;
        extents.for_each_piece(0, data.size(), [&](std::span<uint8_t> piece) {
            std::memcpy(piece.data(), data.data() + pos, piece.size());
            pos += piece.size();
            return true;
        });
        return ns.write(store, slba, nlb, extents, cache);
    }
    std::vector<uint8_t> read(uint64_t slba, uint64_t nlb) {
        std::vector<uint8_t> out(nlb * kBlock, 0xEE);
        REQUIRE(ns.read(store, slba, nlb, out));
        return out;
    }
    std::vector<uint8_t> media(uint64_t slba, uint64_t nlb) {
        std::vector<uint8_t> out(nlb * kBlock, 0xEE);
        REQUIRE(store.read(slba * kBlock, out));
        return out;
    }
    std::vector<RecordingStore::Write> writes_since(size_t mark) const {
        return {store.writes.begin() + static_cast<long>(mark), store.writes.end()};
    }
};

std::vector<uint64_t> lbas(std::initializer_list<std::pair<uint64_t, uint64_t>> ranges) {
    std::vector<uint64_t> out;
    for (const auto &[first, count] : ranges)
        for (uint64_t i = 0; i < count; ++i)
            out.push_back(first + i);
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_SUITE("write-cache") {
    TEST_CASE("an overflow destages the oldest cached blocks first, down to the low watermark") {
        CacheRig rig(1024, 16); // low watermark 14
        CHECK(rig.ns.low_watermark() == 14);
        for (const uint64_t lba : {9, 3, 12, 5, 0, 7, 30, 31})
            REQUIRE(rig.write(lba, 1, 1));
        REQUIRE(rig.write(200, 8, 1));
        CHECK(rig.ns.cached_blocks() == 16);
        CHECK(rig.store.writes.empty());

        // 16 + 1 > 16: the three oldest leave (17 - 14), one media write each.
        REQUIRE(rig.write(500, 1, 1));
        CHECK(rig.store.writes == std::vector<RecordingStore::Write>{{9, 1}, {3, 1}, {12, 1}});
        CHECK(rig.ns.cached_blocks() == 14);
        CHECK(rig.ns.destaged_blocks() == 3);
        CHECK(rig.media(9, 1) == version_of(9, 1));
        CHECK_FALSE(rig.ns.is_cached(3));
        CHECK(rig.ns.is_cached(5));

        // Room left: nothing moves.
        REQUIRE(rig.write(600, 2, 1));
        CHECK(rig.store.writes.size() == 3);

        // 16 + 4 - 14 = 6 blocks leave. 30 and 31 were cached one after the other into
        // adjacent slots, so they leave in one write; of the 8-block run at 200 only the
        // first block is needed.
        const size_t mark = rig.store.writes.size();
        REQUIRE(rig.write(700, 4, 1));
        CHECK(rig.writes_since(mark) ==
              std::vector<RecordingStore::Write>{{5, 1}, {0, 1}, {7, 1}, {30, 2}, {200, 1}});
        CHECK(rig.ns.cached_lbas() == lbas({{201, 7}, {500, 1}, {600, 2}, {700, 4}}));
        CHECK(rig.ns.destaged_blocks() == 9);
        CHECK(rig.media(30, 2) == version_of(30, 1, 2));
        CHECK(rig.media(201, 1) == std::vector<uint8_t>(kBlock, 0));
        // Reads see every block, from the cache or the media.
        for (const uint64_t lba : {9, 3, 12, 5, 0, 7, 30, 31})
            CHECK(rig.read(lba, 1) == version_of(lba, 1));
        CHECK(rig.read(200, 8) == version_of(200, 1, 8));
    }

    TEST_CASE("a block that left the cache loses its place; cached again, it queues at the back") {
        CacheRig rig(1024, 8); // low watermark 7
        for (const uint64_t lba : {1, 2, 3, 4})
            REQUIRE(rig.write(lba, 1, 1));
        REQUIRE(rig.write(2, 1, 2, false)); // write-through: the cached copy is dropped
        CHECK_FALSE(rig.ns.is_cached(2));
        REQUIRE(rig.write(2, 1, 3)); // cached again, newest
        for (const uint64_t lba : {5, 6, 7, 8})
            REQUIRE(rig.write(lba, 1, 1));
        CHECK(rig.ns.cached_blocks() == 8);

        size_t mark = rig.store.writes.size();
        REQUIRE(rig.write(9, 1, 1)); // 9 - 7 = 2 leave: 1 and 3 (2's old place is skipped)
        CHECK(rig.writes_since(mark) == std::vector<RecordingStore::Write>{{1, 1}, {3, 1}});
        mark = rig.store.writes.size();
        REQUIRE(rig.write(10, 2, 1)); // 9 - 7 = 2 leave: 4, then 2 from its new place
        CHECK(rig.writes_since(mark) == std::vector<RecordingStore::Write>{{4, 1}, {2, 1}});
        CHECK(rig.media(2, 1) == version_of(2, 3));
        CHECK(rig.ns.cached_lbas() == lbas({{5, 7}}));
    }

    TEST_CASE("the order survives many blocks leaving the cache before destaging") {
        CacheRig rig(1024, 8);
        REQUIRE(rig.write(1, 1, 1));
        REQUIRE(rig.write(2, 1, 1));
        // Hundreds of blocks come and go (each leaves an entry behind in the admission order,
        // which is then compacted) while 1 and 2 stay the oldest.
        for (uint32_t v = 1; v <= 300; ++v) {
            REQUIRE(rig.write(5, 1, v));
            REQUIRE(rig.ns.commit_range(rig.store, 5, 1));
        }
        const size_t mark = rig.store.writes.size();
        REQUIRE(rig.write(3, 6, 1));
        REQUIRE(rig.write(9, 1, 1)); // 9 - 7 = 2: 1 and 2, adjacent in LBA and slot
        CHECK(rig.writes_since(mark) == std::vector<RecordingStore::Write>{{1, 2}});
        CHECK(rig.media(5, 1) == version_of(5, 300));
    }

    TEST_CASE("compacting the order keeps every block still cached, the newest too") {
        // Each round leaves `churn` entries behind and one block cached, so the order is
        // compacted again and again; across these variants some compactions fall right on the
        // admission of a block that stays.
        for (uint64_t first = 1; first <= 4; ++first)
            for (int churn = 3; churn <= 5; ++churn) {
                CAPTURE(first);
                CAPTURE(churn);
                CacheRig rig(1024, 64); // low watermark 56
                REQUIRE(rig.write(1, first, 1));
                for (uint32_t v = 1; v <= 40; ++v) {
                    for (int i = 0; i < churn; ++i) {
                        REQUIRE(rig.write(500, 1, v));
                        REQUIRE(rig.ns.commit_range(rig.store, 500, 1));
                    }
                    REQUIRE(rig.write(100 + v, 1, 1));
                }
                REQUIRE(rig.ns.cached_blocks() == first + 40);
                const size_t mark = rig.store.writes.size();
                // first + 40 + 50 - 56 = first + 34 leave: 1 .. first, then 101 .. 134.
                REQUIRE(rig.write(300, 50, 1));
                std::vector<uint64_t> destaged;
                for (const auto &w : rig.writes_since(mark))
                    for (uint64_t i = 0; i < w.blocks; ++i)
                        destaged.push_back(w.lba + i);
                std::sort(destaged.begin(), destaged.end());
                CHECK(destaged == lbas({{1, first}, {101, 34}}));
                CHECK(rig.ns.cached_lbas() == lbas({{135, 6}, {300, 50}}));
            }
    }

    TEST_CASE("blocks the write itself covers do not count as room made") {
        CacheRig rig(1024, 8);
        for (uint64_t lba = 1; lba <= 8; ++lba)
            REQUIRE(rig.write(lba, 1, 1));
        // 0 .. 2: one new block, so 9 > 8. Destaging 1 and 2 frees nothing (the write brings
        // them back), so 3 and 4 leave too, all four adjacent in LBA and slot: one write.
        REQUIRE(rig.write(0, 3, 2));
        CHECK(rig.store.writes == std::vector<RecordingStore::Write>{{1, 4}});
        CHECK(rig.ns.cached_lbas() == lbas({{0, 3}, {5, 4}}));
        CHECK(rig.read(0, 3) == version_of(0, 2, 3));
        CHECK(rig.media(1, 1) == version_of(1, 1));
    }

    TEST_CASE("a multi-block write cached into freed slots still leaves in one media write") {
        CacheRig rig(1024, 8);
        REQUIRE(rig.write(0, 4, 1));
        REQUIRE(rig.write(10, 4, 1));
        REQUIRE(rig.write(20, 3, 1)); // 11 - 7 = 4: 0 .. 3 leave, their slots are reused
        REQUIRE(rig.write(30, 4, 1)); // 11 - 7 = 4: 10 .. 13 leave
        REQUIRE(rig.write(40, 3, 1)); // 10 - 7 = 3: 20 .. 22 leave
        CHECK(rig.store.writes == std::vector<RecordingStore::Write>{{0, 4}, {10, 4}, {20, 3}});
        CHECK(rig.media(20, 3) == version_of(20, 1, 3));
    }

    TEST_CASE("whole cached extents and single blocks leave in the order they came") {
        CacheRig rig(1024, 40); // low watermark 35
        REQUIRE(rig.write_extents(3, 1, 1));
        REQUIRE(rig.write_extents(16, 16, 1)); // extent 1, cached whole
        REQUIRE(rig.write(5, 1, 1));
        REQUIRE(rig.write_extents(48, 16, 1)); // extent 3
        REQUIRE(rig.write(100, 1, 1));
        CHECK(rig.ns.cached_blocks() == 35);
        CHECK(rig.store.writes.empty());
        // 35 + 6 - 35 = 6: block 3 (1), then extent 1 (16) is enough.
        REQUIRE(rig.write_extents(101, 6, 1));
        CHECK(rig.store.writes == std::vector<RecordingStore::Write>{{3, 1}, {16, 16}});
        CHECK(rig.ns.cached_blocks() == 24);
        CHECK(rig.ns.destaged_blocks() == 17);
        CHECK(rig.media(16, 16) == version_of(16, 1, 16));
        CHECK(rig.read(48, 16) == version_of(48, 1, 16));
        // An extent rewritten while cached keeps its place.
        REQUIRE(rig.write_extents(48, 16, 2));
        const size_t mark = rig.store.writes.size();
        REQUIRE(rig.write(300, 17, 1)); // 24 + 17 > 40; 41 - 35 = 6: block 5, then extent 3
        CHECK(rig.writes_since(mark) == std::vector<RecordingStore::Write>{{5, 1}, {48, 16}});
        CHECK(rig.media(48, 16) == version_of(48, 2, 16));
    }

    TEST_CASE("a media write that fails while destaging fails the write and loses nothing") {
        CacheRig rig(1024, 4); // low watermark 4: an overflow frees just enough
        for (const uint64_t lba : {1, 2, 3, 4})
            REQUIRE(rig.write(lba, 1, 1));
        rig.store.fail = true;
        CHECK_FALSE(rig.write(9, 1, 1));
        CHECK_FALSE(rig.write_extents(9, 1, 1));
        CHECK(rig.ns.cached_lbas() == lbas({{1, 4}}));
        for (const uint64_t lba : {1, 2, 3, 4})
            CHECK(rig.read(lba, 1) == version_of(lba, 1));
        rig.store.fail = false;
        // The block that failed to leave is still the oldest.
        REQUIRE(rig.write(9, 1, 1));
        CHECK(rig.store.writes == std::vector<RecordingStore::Write>{{1, 1}});
        CHECK(rig.ns.cached_lbas() == lbas({{2, 3}, {9, 1}}));
    }

    TEST_CASE("random traffic: reads see the newest data, and what is not cached is durable") {
        // 16 extents of 16 blocks and a cache of 48 blocks, so the cache keeps overflowing.
        constexpr uint64_t kBlocks = 256;
        for (const uint32_t capacity : {8u, 48u, 100u}) {
            CAPTURE(capacity);
            CacheRig rig(kBlocks, capacity);
            std::vector<uint32_t> newest(kBlocks, 0);
            uint32_t version = 0;
            uint32_t seed = capacity;
            const auto next = [&seed](uint64_t n) {
                seed = seed * 1664525u + 1013904223u;
                return static_cast<uint64_t>(seed >> 8) % n;
            };
            uint64_t overflows = 0;
            uint64_t power_cuts = 0;
            for (int round = 0; round < 3000; ++round) {
                CAPTURE(round);
                const bool whole_extents = next(4) == 0;
                uint64_t nlb = whole_extents ? kBlocksPerExtent * (1 + next(2)) : 1 + next(20);
                uint64_t slba = whole_extents
                                    ? kBlocksPerExtent * next(kBlocks / kBlocksPerExtent - 1)
                                    : next(kBlocks - nlb + 1);
                const uint64_t op = next(100);
                if (op < 70) { // a write: cached (mostly) or through to the media
                    const bool cache = op < 60 && nlb <= capacity;
                    const size_t mark = rig.store.writes.size();
                    const uint64_t before = rig.ns.cached_blocks();
                    ++version;
                    REQUIRE((op % 2 == 0 ? rig.write(slba, nlb, version, cache)
                                         : rig.write_extents(slba, nlb, version, cache)));
                    std::fill_n(newest.begin() + static_cast<long>(slba), nlb, version);
                    if (cache && rig.store.writes.size() > mark && before > 0) ++overflows;
                } else if (op < 80) {
                    std::vector<uint8_t> out = rig.read(slba, nlb);
                    for (uint64_t i = 0; i < nlb; ++i)
                        REQUIRE(version_in(slba + i, std::span(out).subspan(i * kBlock, kBlock)) ==
                                newest[slba + i]);
                } else if (op < 88) {
                    REQUIRE(rig.ns.commit_range(rig.store, slba, nlb));
                    for (uint64_t i = 0; i < nlb; ++i)
                        REQUIRE_FALSE(rig.ns.is_cached(slba + i));
                } else if (op < 94) {
                    REQUIRE(rig.ns.flush(rig.store) >= 0);
                    REQUIRE(rig.ns.cached_blocks() == 0);
                } else { // power cut: only cached data may be lost, and only to an older version
                    ++power_cuts;
                    const std::vector<uint64_t> cached = rig.ns.cached_lbas();
                    rig.ns.drop_cache();
                    const std::vector<uint8_t> media = rig.media(0, kBlocks);
                    for (uint64_t lba = 0; lba < kBlocks; ++lba) {
                        CAPTURE(lba);
                        const int64_t found =
                            version_in(lba, std::span(media).subspan(lba * kBlock, kBlock));
                        if (std::binary_search(cached.begin(), cached.end(), lba)) {
                            REQUIRE(found >= 0);
                            REQUIRE(found < newest[lba]);
                        } else {
                            REQUIRE(found == newest[lba]);
                        }
                        newest[lba] = static_cast<uint32_t>(found);
                    }
                }
                REQUIRE(rig.ns.cached_blocks() <= capacity);
                REQUIRE(rig.ns.cached_lbas().size() == rig.ns.cached_blocks());
            }
            CHECK(overflows > 20); // the cache did overflow, again and again
            CHECK(power_cuts > 20);
        }
    }
} // TEST_SUITE("write-cache")
