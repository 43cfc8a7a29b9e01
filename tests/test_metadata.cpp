// LBA formats and metadata (NVMe 1.3 §5.15 Identify Namespace, §8.2): the formats a namespace
// lists, the create-time properties that choose one, extended LBAs and separate metadata round
// trips, MDTS, MPTR alignment, and metadata's durability across power cycles (the same rules as
// its data's).
#include <atomic>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include <unistd.h>

#include "doctest/doctest.h"

#include "test_helpers.h"
#ifndef __EMSCRIPTEN__
#include "image/device_image.h"
#endif

namespace {

using namespace nvmelab;

// Status code type, code and DNR (the More bit says the Error log has an entry: not compared).
bool same_status(const spec::Status &a, const spec::Status &b) {
    return a.sct == b.sct && a.sc == b.sc && a.dnr == b.dnr;
}

DeviceConfig meta_config(uint8_t lbads, uint16_t ms, uint8_t mset) {
    DeviceConfig c;
    c.size = uint64_t{4} << 20;
    c.lbads = lbads;
    c.ms = ms;
    c.mset = mset;
    c.cache_blocks = 16;
    return c;
}

std::vector<uint8_t> pattern(size_t bytes, uint32_t seed) {
    std::vector<uint8_t> v(bytes);
    uint32_t x = seed * 2654435761u + 11;
    for (auto &b : v) {
        x = x * 1664525u + 1013904223u;
        b = static_cast<uint8_t>(x >> 24);
    }
    return v;
}

spec::Sqe rw(spec::NvmOpcode op, uint64_t slba, uint32_t blocks, bool fua = false) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(op);
    sqe.nsid = 1;
    sqe.cdw10 = static_cast<uint32_t>(slba);
    sqe.cdw11 = static_cast<uint32_t>(slba >> 32);
    sqe.cdw12 = (blocks - 1) | (fua ? 1u << 30 : 0u);
    return sqe;
}

// A device on a rig with one I/O queue pair; reads and writes in the namespace's layout.
struct MetaDevice {
    DeviceRig rig;
    uint16_t q = 0;
    explicit MetaDevice(const DeviceConfig &c) : rig(c, RigOptions::without_console()) { start(); }
    MetaDevice(const DeviceConfig &c, BackingStore &media)
        : rig(c, media, RigOptions::without_console()) {
        start();
    }
    void start() {
        rig.driver().enable();
        q = rig.driver().create_io_queue_pair(8);
    }
    HostDriver &drv() { return rig.driver(); }
    uint32_t ds() const { return rig.config().lba_size(); }

    // Separate metadata (MSET = 0): data and metadata in their own buffers.
    Completion write_separate(uint64_t slba, std::span<const uint8_t> data,
                              std::span<const uint8_t> meta, bool fua = false) {
        const auto blocks = static_cast<uint32_t>(data.size() / ds());
        return drv().execute_with_metadata(q, rw(spec::NvmOpcode::Write, slba, blocks, fua), data,
                                           {}, meta, {});
    }
    Completion read_separate(uint64_t slba, std::span<uint8_t> data, std::span<uint8_t> meta) {
        const auto blocks = static_cast<uint32_t>(data.size() / ds());
        return drv().execute_with_metadata(q, rw(spec::NvmOpcode::Read, slba, blocks), {}, data, {},
                                           meta);
    }
    // Extended LBAs (MSET = 1): each block's data then its metadata in one buffer.
    Completion write_extended(uint64_t slba, std::span<const uint8_t> buf, uint32_t blocks) {
        return drv().execute_with_data(q, rw(spec::NvmOpcode::Write, slba, blocks), buf, {});
    }
    Completion read_extended(uint64_t slba, std::span<uint8_t> buf, uint32_t blocks) {
        return drv().execute_with_data(q, rw(spec::NvmOpcode::Read, slba, blocks), {}, buf);
    }
    void power_cycle(PowerOff how) {
        rig.power_off(how);
        rig.power_on();
        start();
    }
};

// Data then metadata of each block, as the host lays out extended LBAs.
std::vector<uint8_t> interleave(std::span<const uint8_t> data, std::span<const uint8_t> meta,
                                uint32_t ds, uint32_t ms) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i < data.size() / ds; ++i) {
        out.insert(out.end(), data.begin() + i * ds, data.begin() + (i + 1) * ds);
        out.insert(out.end(), meta.begin() + i * ms, meta.begin() + (i + 1) * ms);
    }
    return out;
}

} // namespace

TEST_SUITE("metadata") {
    TEST_CASE("Identify Namespace lists the eight formats and the one the properties chose") {
        const uint16_t sizes[] = {0, 8, 16, 64};
        for (const uint8_t lbads : {uint8_t{9}, uint8_t{12}})
            for (size_t m = 0; m < 4; ++m)
                for (const uint8_t mset : {uint8_t{0}, uint8_t{1}}) {
                    if (mset == 1 && sizes[m] == 0) continue;
                    CAPTURE(int(lbads));
                    CAPTURE(sizes[m]);
                    CAPTURE(int(mset));
                    MetaDevice d(meta_config(lbads, sizes[m], mset));
                    const spec::IdentifyNamespace id = d.drv().identify_namespace(1);
                    CHECK(int(id.nlbaf) == 7);
                    for (size_t i = 0; i < 8; ++i) {
                        CHECK(int(id.lbaf[i].lbads) == (i < 4 ? 9 : 12));
                        CHECK(id.lbaf[i].ms == sizes[i % 4]);
                        CHECK(int(id.lbaf[i].rp) == (i < 4 ? 2 : 0));
                    }
                    CHECK(int(id.flbas_index()) == (lbads == 9 ? 0 : 4) + int(m));
                    CHECK(id.flbas_extended() == (mset == 1));
                    CHECK(int(id.mc) == 0x03);
                    CHECK(int(id.dpc) == 0x1F);
                    CHECK(int(id.dps) == 0);
                    CHECK(id.nsze == (uint64_t{4} << 20) >> lbads);
                }
    }

    TEST_CASE("pi and pil set DPS") {
        DeviceConfig c = meta_config(12, 16, 0);
        c.pi = 2;
        c.pil = 1;
        MetaDevice d(c);
        const spec::IdentifyNamespace id = d.drv().identify_namespace(1);
        CHECK(int(id.dps) == 0x0A);
        CHECK(id.pi_type() == 2);
        CHECK(id.pi_first());
    }

    TEST_CASE("a store without a metadata area offers only the formats without metadata") {
        // An image made before metadata existed: media size = size.
        DeviceConfig c = meta_config(12, 0, 0);
        MemoryBackingStore old_store(c.size);
        MetaDevice d(c, old_store);
        const spec::IdentifyNamespace id = d.drv().identify_namespace(1);
        CHECK(int(id.nlbaf) == 1);
        CHECK(int(id.flbas) == 1);
        CHECK(int(id.lbaf[0].lbads) == 9);
        CHECK(int(id.lbaf[1].lbads) == 12);
        CHECK(id.lbaf[0].ms + id.lbaf[1].ms == 0);
        CHECK(int(id.mc) == 0);
        // And an LBA size outside the eight keeps its own format.
        DeviceConfig big = meta_config(13, 0, 0);
        MetaDevice e(big);
        const spec::IdentifyNamespace id2 = e.drv().identify_namespace(1);
        CHECK(int(id2.nlbaf) == 8);
        CHECK(int(id2.flbas) == 8);
        CHECK(int(id2.lbaf[8].lbads) == 13);
        // Asking for metadata without the room for it is refused by name.
        DeviceConfig wants = meta_config(12, 8, 0);
        MemoryBackingStore small(wants.size);
        SparseHostMemory mem;
        CHECK_THROWS_WITH_AS(Controller(wants, mem, small), doctest::Contains("metadata area"),
                             ConfigError);
    }

    TEST_CASE("metadata properties are validated with the rule they break") {
        const auto refused = [](auto set, const char *words) {
            DeviceConfig c;
            set(c);
            CAPTURE(words);
            CHECK_THROWS_WITH_AS(c.validate(), doctest::Contains(words), ConfigError);
        };
        refused([](DeviceConfig &c) { c.ms = 32; }, "ms must be 0, 8, 16 or 64");
        refused([](DeviceConfig &c) { c.mset = 2; }, "mset must be 0");
        refused([](DeviceConfig &c) { c.mset = 1; }, "mset = 1");
        refused([](DeviceConfig &c) { c.pi = 4; }, "pi must be 0");
        refused([](DeviceConfig &c) { c.pi = 1; }, "needs at least 8 bytes of metadata");
        refused(
            [](DeviceConfig &c) {
                c.ms = 8;
                c.pil = 2;
            },
            "pil must be 0");
        refused(
            [](DeviceConfig &c) {
                c.ms = 8;
                c.pil = 1;
            },
            "pil = 1");
        DeviceConfig ok;
        ok.ms = 64;
        ok.mset = 1;
        ok.pi = 3;
        ok.pil = 1;
        CHECK_NOTHROW(ok.validate());
        // Text and JSON carry them like every property.
        DeviceConfig t;
        t.set("ms", "16");
        t.set("mset", "1");
        CHECK(t.ms == 16);
        CHECK(DeviceConfig::from_json(t.to_json()).mset == 1);
        CHECK(t.media_bytes() == t.size + t.size / 8);
    }

    TEST_CASE("separate metadata round trip through MPTR") {
        for (const uint8_t lbads : {uint8_t{9}, uint8_t{12}}) {
            CAPTURE(int(lbads));
            MetaDevice d(meta_config(lbads, 16, 0));
            const uint32_t ds = d.ds();
            const auto data = pattern(4 * ds, 1);
            const auto meta = pattern(4 * 16, 2);
            REQUIRE(d.write_separate(10, data, meta).ok());
            std::vector<uint8_t> data_back(4 * ds), meta_back(4 * 16);
            const Completion c = d.read_separate(10, data_back, meta_back);
            INFO(c.describe());
            REQUIRE(c.ok());
            CHECK(data_back == data);
            CHECK(meta_back == meta);
            // A read of part of the range gets that part's metadata.
            std::vector<uint8_t> one(ds), one_meta(16);
            REQUIRE(d.read_separate(12, one, one_meta).ok());
            CHECK(std::equal(one_meta.begin(), one_meta.end(), meta.begin() + 32));
            // The data area holds data only: after a flush the media has it where it was.
            REQUIRE(d.drv().flush(d.q, 1).ok());
            std::vector<uint8_t> media(4 * ds);
            REQUIRE(d.rig.media().read(10 * ds, media));
            CHECK(media == data);
            // And the metadata is in the metadata area after the data area.
            std::vector<uint8_t> media_meta(4 * 16);
            REQUIRE(d.rig.media().read(d.rig.config().size + 10 * 16, media_meta));
            CHECK(media_meta == meta);
        }
    }

    TEST_CASE("extended LBAs round trip: metadata at the end of each block") {
        for (const uint16_t ms : {uint16_t{8}, uint16_t{64}}) {
            CAPTURE(ms);
            MetaDevice d(meta_config(9, ms, 1));
            const uint32_t ds = d.ds();
            const auto data = pattern(8 * ds, 3);
            const auto meta = pattern(8 * ms, 4);
            const auto buf = interleave(data, meta, ds, ms);
            REQUIRE(d.write_extended(0, buf, 8).ok());
            std::vector<uint8_t> back(buf.size());
            REQUIRE(d.read_extended(0, back, 8).ok());
            CHECK(back == buf);
            // The media keeps data and metadata apart, each in LBA order.
            REQUIRE(d.drv().flush(d.q, 1).ok());
            std::vector<uint8_t> media(8 * ds), media_meta(8 * ms);
            REQUIRE(d.rig.media().read(0, media));
            REQUIRE(d.rig.media().read(d.rig.config().size, media_meta));
            CHECK(media == data);
            CHECK(media_meta == meta);
        }
    }

    TEST_CASE("FUA and write-through writes store metadata at once") {
        DeviceConfig c = meta_config(12, 8, 0);
        MetaDevice d(c);
        const auto data = pattern(2 * 4096, 5);
        const auto meta = pattern(16, 6);
        REQUIRE(d.write_separate(3, data, meta, true).ok());
        std::vector<uint8_t> media_meta(16);
        REQUIRE(d.rig.media().read(c.size + 3 * 8, media_meta));
        CHECK(media_meta == meta);
        // A cached write leaves the media's metadata as it was until a flush.
        const auto meta2 = pattern(16, 7);
        REQUIRE(d.write_separate(3, data, meta2).ok());
        REQUIRE(d.rig.media().read(c.size + 3 * 8, media_meta));
        CHECK(media_meta == meta);
        std::vector<uint8_t> back(2 * 4096), meta_back(16);
        REQUIRE(d.read_separate(3, back, meta_back).ok());
        CHECK(meta_back == meta2); // the cache's copy is the newest
    }

    TEST_CASE("MDTS counts interleaved metadata, not a separate buffer") {
        // MDTS 5 with 4 KiB pages: 128 KiB. 256 blocks of 512 bytes fill it exactly.
        DeviceConfig c = meta_config(9, 64, 1);
        MetaDevice ext(c);
        std::vector<uint8_t> buf(256 * (512 + 64));
        const Completion over = ext.read_extended(0, buf, 256);
        INFO(over.describe());
        CHECK(same_status(over.status(), spec::generic(spec::GenericStatus::InvalidField, true)));
        REQUIRE(over.why);
        CHECK(over.why->field == "data transfer length");
        CHECK(over.why->value == 256 * (512 + 64));
        CHECK(ext.read_extended(0, std::span(buf).first(227 * 576), 227).ok());
        c.mset = 0;
        MetaDevice sep(c);
        std::vector<uint8_t> data(256 * 512), meta(256 * 64);
        CHECK(sep.read_separate(0, data, meta).ok());
    }

    TEST_CASE("MPTR must be dword aligned with PRPs") {
        MetaDevice d(meta_config(12, 8, 0));
        spec::Sqe sqe = rw(spec::NvmOpcode::Read, 0, 1);
        std::vector<uint8_t> data(4096);
        const uint64_t meta = d.rig.mem().alloc(64, "meta");
        sqe.mptr = meta + 2;
        d.drv().build_prps(sqe, d.rig.mem().alloc(4096), 4096);
        const Completion c = d.drv().execute(d.q, sqe);
        CHECK(same_status(c.status(), spec::generic(spec::GenericStatus::InvalidField, true)));
        REQUIRE(c.why);
        CHECK(c.why->field == "MPTR");
        sqe.mptr = meta + 4;
        CHECK(d.drv().execute(d.q, sqe).ok());
    }

    TEST_CASE("metadata survives a clean power cycle and is lost with its data in an unclean one") {
        for (const uint8_t mset : {uint8_t{0}, uint8_t{1}}) {
            CAPTURE(int(mset));
            DeviceConfig c = meta_config(12, 16, mset);
            MetaDevice d(c);
            const auto write = [&](uint64_t slba, uint32_t seed) {
                const auto data = pattern(4096, seed);
                const auto meta = pattern(16, seed + 100);
                return mset ? d.write_extended(slba, interleave(data, meta, 4096, 16), 1)
                            : d.write_separate(slba, data, meta);
            };
            const auto read = [&](uint64_t slba) {
                std::vector<uint8_t> data(4096), meta(16);
                if (mset) {
                    std::vector<uint8_t> buf(4096 + 16);
                    REQUIRE(d.read_extended(slba, buf, 1).ok());
                    std::copy(buf.begin(), buf.begin() + 4096, data.begin());
                    std::copy(buf.begin() + 4096, buf.end(), meta.begin());
                } else {
                    REQUIRE(d.read_separate(slba, data, meta).ok());
                }
                return std::pair{data, meta};
            };
            REQUIRE(write(1, 1).ok());
            REQUIRE(write(2, 2).ok());
            d.power_cycle(PowerOff::Clean);
            CHECK(read(1) == std::pair{pattern(4096, 1), pattern(16, 101)});
            CHECK(read(2) == std::pair{pattern(4096, 2), pattern(16, 102)});
            // Block 1 rewritten and flushed, block 2 rewritten and left in the cache.
            REQUIRE(write(1, 3).ok());
            REQUIRE(d.drv().flush(d.q, 1).ok());
            REQUIRE(write(2, 4).ok());
            d.power_cycle(PowerOff::Unclean);
            CHECK(read(1) == std::pair{pattern(4096, 3), pattern(16, 103)});
            // Both the data and the metadata of block 2 are the flushed ones.
            CHECK(read(2) == std::pair{pattern(4096, 2), pattern(16, 102)});
        }
    }

    TEST_CASE("destaging moves a block's metadata with its data") {
        // A 16-block cache: 40 single-block writes destage the oldest ones on the way. After an
        // unclean cut every block's data and metadata belong together (both new or both never
        // written), whichever blocks the cut lost.
        DeviceConfig c = meta_config(12, 8, 0);
        MetaDevice d(c);
        for (uint32_t i = 0; i < 40; ++i)
            REQUIRE(d.write_separate(i * 3, pattern(4096, i), pattern(8, i + 1000)).ok());
        d.power_cycle(PowerOff::Unclean);
        uint32_t survived = 0;
        for (uint32_t i = 0; i < 40; ++i) {
            std::vector<uint8_t> data(4096), meta(8);
            REQUIRE(d.read_separate(i * 3, data, meta).ok());
            const bool data_new = data == pattern(4096, i);
            const bool meta_new = meta == pattern(8, i + 1000);
            CAPTURE(i);
            CHECK(data_new == meta_new);
            if (!data_new) CHECK(meta == std::vector<uint8_t>(8, 0));
            survived += data_new;
        }
        CHECK(survived >= 24); // all but at most the cache's 16 blocks were destaged
        CHECK(survived < 40);  // and the cut lost some
    }

#ifndef __EMSCRIPTEN__
    TEST_CASE("metadata persists in a device image across power cycles") {
        static std::atomic<unsigned> counter{0};
        const auto path = std::filesystem::temp_directory_path() /
                          ("nvmelab-metadata-" + std::to_string(::getpid()) + "-" +
                           std::to_string(counter++) + ".img");
        DeviceConfig c = meta_config(9, 64, 1);
        const auto data = pattern(4 * 512, 9);
        const auto meta = pattern(4 * 64, 10);
        const auto buf = interleave(data, meta, 512, 64);
        {
            auto image = DeviceImage::create(path.string(), c.to_json(), c.media_bytes(), true);
            CHECK(image->media_size() == c.size + c.size / 8);
            MetaDevice d(c, *image);
            REQUIRE(d.write_extended(7, buf, 4).ok());
            REQUIRE(d.write_extended(20, buf, 4).ok()); // cached, then lost below
            d.rig.power_off(PowerOff::Unclean);
        }
        {
            auto image = DeviceImage::open(path.string());
            MetaDevice d(c, *image);
            std::vector<uint8_t> back(buf.size());
            REQUIRE(d.read_extended(7, back, 4).ok());
            CHECK(back != buf); // never flushed: lost, data and metadata alike
            CHECK(back == std::vector<uint8_t>(buf.size(), 0));
            REQUIRE(d.write_extended(7, buf, 4).ok());
            d.rig.power_off(PowerOff::Clean);
        }
        {
            auto image = DeviceImage::open(path.string());
            MetaDevice d(c, *image);
            std::vector<uint8_t> back(buf.size());
            REQUIRE(d.read_extended(7, back, 4).ok());
            CHECK(back == buf);
        }
        std::filesystem::remove(path);
    }
#endif
}
