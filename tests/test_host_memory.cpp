// SparseHostMemory: the host address space the controller reaches by DMA.
#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/controller/device_config.h"
#include "core/host/host_memory.h"
#include "doctest/doctest.h"

using nvmelab::SparseHostMemory;

namespace {

std::vector<uint8_t> bytes_at(const SparseHostMemory &mem, uint64_t addr, size_t len) {
    std::vector<uint8_t> out(len, 0xEE);
    REQUIRE(mem.read(addr, out));
    return out;
}

} // namespace

TEST_SUITE("host-memory") {

    TEST_CASE("alloc rounds to whole pages, aligns and hands out addresses in order") {
        SparseHostMemory mem;
        const uint64_t a = mem.alloc(1, "a");
        CHECK(a == SparseHostMemory::kFirstAddress);
        CHECK(a == 0x10000);
        REQUIRE(mem.region_at(a) != nullptr);
        CHECK(mem.region_at(a)->size == 4096);
        CHECK(mem.region_at(a)->label == "a");

        const uint64_t b = mem.alloc(5000);
        CHECK(b == 0x11000);
        CHECK(mem.region_at(b)->size == 8192);

        const uint64_t c = mem.alloc(4096, "", 64 * 1024);
        CHECK(c == 0x20000); // next free 0x13000 rounded up to 64 KiB
        CHECK(c % (64 * 1024) == 0);
        CHECK(mem.region_at(c)->size == 4096);

        const uint64_t d = mem.alloc(4096);
        CHECK(d == 0x21000); // the gap below the aligned block is not reused
        CHECK(mem.mapped_bytes() == 4096 + 8192 + 4096 + 4096);

        // Each region's storage is page aligned, as host pages are (DMA copies run at full
        // speed between equally aligned buffers).
        for (uint64_t r : {a, b, c, d})
            CHECK(reinterpret_cast<uintptr_t>(mem.region_at(r)->bytes.data()) % 4096 == 0);

        // Fresh memory reads as zero.
        const auto zeros = bytes_at(mem, b, 8192);
        CHECK(std::all_of(zeros.begin(), zeros.end(), [](uint8_t v) { return v == 0; }));
    }

    TEST_CASE("alloc is deterministic") {
        auto script = [] {
            SparseHostMemory mem;
            std::vector<uint64_t> addrs;
            addrs.push_back(mem.alloc(100));
            addrs.push_back(mem.alloc(3 * 4096 + 1, "x", 8192));
            addrs.push_back(mem.alloc(4096, "y", 1 << 20));
            REQUIRE(mem.free(addrs[1]));
            addrs.push_back(mem.alloc(10));
            return addrs;
        };
        const auto first = script();
        CHECK(first == script());
        CHECK(first == std::vector<uint64_t>{0x10000, 0x12000, 0x100000, 0x101000});
    }

    TEST_CASE("alloc rejects bad sizes and alignments") {
        SparseHostMemory mem;
        CHECK_THROWS_AS(mem.alloc(0), std::invalid_argument);
        CHECK_THROWS_AS(mem.alloc((uint64_t{1} << 40) + 1), std::invalid_argument);
        CHECK_THROWS_AS(mem.alloc(4096, "", 2048), std::invalid_argument);
        CHECK_THROWS_AS(mem.alloc(4096, "", 3 * 4096), std::invalid_argument);
        CHECK_THROWS_AS(mem.alloc(4096, "", 0), std::invalid_argument);
        CHECK(mem.regions().empty());
        CHECK(mem.alloc(4096) == SparseHostMemory::kFirstAddress); // nothing was consumed
    }

    TEST_CASE("alloc never wraps past 2^64 onto live regions") {
        SparseHostMemory mem;
        const uint64_t first = mem.alloc(4096);
        const uint64_t top = uint64_t{1} << 63;
        CHECK(mem.alloc(4096, "high", top) == top); // the bump pointer jumps up
        // Aligning up again would wrap to 0 (then hand out the first region's address).
        CHECK_THROWS_WITH_AS(mem.alloc(64 * 1024, "wraps", top), doctest::Contains("exhausted"),
                             std::invalid_argument);
        // So would a region running to the very top.
        const uint64_t last_page = ~uint64_t{0} - 4095;
        CHECK(mem.map(last_page - 4096, 4096, "below the top"));
        CHECK_THROWS_AS(mem.alloc(8192), std::invalid_argument);
        CHECK(mem.regions().size() == 3);
        CHECK(mem.region_at(first)->label.empty());
    }

    TEST_CASE("mapped memory has a limit; freeing makes room again") {
        SparseHostMemory mem(16 * 4096);
        const uint64_t a = mem.alloc(8 * 4096);
        CHECK(mem.alloc(8 * 4096) > a); // exactly at the limit
        CHECK(mem.mapped_bytes() == 16 * 4096);
        CHECK_THROWS_WITH_AS(mem.alloc(1), doctest::Contains("host memory is full"),
                             std::invalid_argument);
        CHECK_FALSE(mem.map(0x7000000000, 4096));
        REQUIRE(mem.free(a));
        CHECK(mem.mapped_bytes() == 8 * 4096);
        CHECK(mem.alloc(8 * 4096) != 0);
        CHECK_THROWS_AS(SparseHostMemory(4096).alloc(8192), std::invalid_argument);
    }

    TEST_CASE("map refuses overlaps and misaligned bases") {
        SparseHostMemory mem;
        CHECK(mem.map(0x100000, 8192, "fixed"));
        CHECK_FALSE(mem.map(0x101000, 4096));    // inside
        CHECK_FALSE(mem.map(0x0FF000, 8192));    // overlaps the start
        CHECK_FALSE(mem.map(0x0F0000, 0x20000)); // covers it
        CHECK_FALSE(mem.map(0x101800, 4096));    // not page aligned
        CHECK_FALSE(mem.map(0x200000, 0));       // empty
        CHECK(mem.map(0x102000, 4096));          // adjacent above
        CHECK(mem.map(0x0FF000, 4096));          // adjacent below
        CHECK(mem.map(0x0FD000, 100));           // rounded to one page
        CHECK(mem.region_at(0x0FD000)->size == 4096);
        CHECK_FALSE(mem.map(0x0FD800 & ~uint64_t{0xFFF}, 4096)); // same page again
        CHECK(mem.mapped_bytes() == 8192 + 4096 + 4096 + 4096);
        // Allocation continues above the highest mapped region, never overlapping it.
        CHECK(mem.alloc(4096) == 0x103000);
        // A region that would wrap around the address space is refused.
        CHECK_FALSE(mem.map(0xFFFFFFFFFFFFF000ull, 8192));
    }

    TEST_CASE("unmapped and straddling accesses fail without touching memory") {
        SparseHostMemory mem;
        const uint64_t a = mem.alloc(4096);
        const uint64_t b = mem.alloc(4096);
        REQUIRE(b == a + 4096);
        const uint64_t hole = mem.alloc(4096);
        const uint64_t c = mem.alloc(4096);
        REQUIRE(mem.free(hole));
        REQUIRE(mem.fill(a, 0x11, 4096));
        REQUIRE(mem.fill(b, 0x22, 4096));
        REQUIRE(mem.fill(c, 0x33, 4096));

        // Page 0 is never mapped, so a null pointer always faults.
        std::array<uint8_t, 8> buf{};
        CHECK_FALSE(mem.dma_read(0, buf));
        CHECK_FALSE(mem.is_mapped(0, 1));

        // Straddling two adjacent regions works in both directions.
        std::array<uint8_t, 8> across{1, 2, 3, 4, 5, 6, 7, 8};
        CHECK(mem.is_mapped(b - 4, 8));
        CHECK(mem.dma_write(b - 4, across));
        std::array<uint8_t, 8> back{};
        CHECK(mem.dma_read(b - 4, back));
        CHECK(back == across);
        CHECK(bytes_at(mem, b - 5, 1)[0] == 0x11);
        CHECK(bytes_at(mem, b + 4, 1)[0] == 0x22);

        // Straddling into the hole fails and writes nothing, not even the mapped part.
        std::array<uint8_t, 8> ff{};
        ff.fill(0xFF);
        CHECK_FALSE(mem.is_mapped(hole - 4, 8));
        CHECK_FALSE(mem.dma_write(hole - 4, ff));
        const auto tail = bytes_at(mem, hole - 4, 4);
        CHECK(tail == std::vector<uint8_t>{0x22, 0x22, 0x22, 0x22});
        CHECK_FALSE(mem.fill(hole - 4, 0x77, 8));
        CHECK(bytes_at(mem, hole - 1, 1)[0] == 0x22);
        // Straddling out of the hole into the next region fails too.
        CHECK_FALSE(mem.dma_write(c - 4, ff));
        CHECK(bytes_at(mem, c, 4) == std::vector<uint8_t>{0x33, 0x33, 0x33, 0x33});

        // A failed read leaves the destination untouched.
        std::array<uint8_t, 8> dest{};
        dest.fill(0x5A);
        CHECK_FALSE(mem.dma_read(hole - 4, dest));
        CHECK(std::all_of(dest.begin(), dest.end(), [](uint8_t v) { return v == 0x5A; }));
        CHECK_FALSE(mem.dma_read(hole + 100, dest));

        // Beyond everything allocated.
        CHECK_FALSE(mem.dma_write(c + 4096, ff));
        CHECK_FALSE(mem.dma_read(c + 4092, dest));
        // Zero-length accesses always succeed.
        CHECK(mem.dma_read(hole, std::span<uint8_t>{}));
    }

    TEST_CASE("free unmaps exactly one region by its base") {
        SparseHostMemory mem;
        const uint64_t a = mem.alloc(8192);
        const uint64_t b = mem.alloc(4096);
        REQUIRE(mem.fill(a, 0x44, 8192));
        CHECK_FALSE(mem.free(a + 4096)); // not a base
        CHECK_FALSE(mem.free(0x5000));
        CHECK(mem.free(a));
        CHECK_FALSE(mem.free(a)); // already gone
        CHECK(mem.region_at(a) == nullptr);
        CHECK(mem.region_at(a + 4096) == nullptr);
        CHECK_FALSE(mem.is_mapped(a, 1));
        std::array<uint8_t, 4> buf{};
        CHECK_FALSE(mem.dma_read(a + 100, buf));
        CHECK(mem.is_mapped(b, 4096));
        CHECK(mem.mapped_bytes() == 4096);
        // The freed range can be mapped again explicitly, and comes back zeroed.
        CHECK(mem.map(a, 8192));
        CHECK(bytes_at(mem, a, 4) == std::vector<uint8_t>{0, 0, 0, 0});
    }

#ifdef __linux__
    TEST_CASE("a large region costs no memory until its pages are written") {
        // Resident pages, the second field of /proc/self/statm.
        auto resident_bytes = [] {
            std::ifstream statm("/proc/self/statm");
            uint64_t size = 0;
            uint64_t resident = 0;
            statm >> size >> resident;
            REQUIRE(statm);
            return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
        };
        constexpr uint64_t kRegion = uint64_t{4} << 30;
        constexpr uint64_t kSlack = uint64_t{64} << 20;
        SparseHostMemory mem(uint64_t{8} << 30);
        const uint64_t before = resident_bytes();
        const uint64_t base = mem.alloc(kRegion, "big");
        const std::array<uint8_t, 4> bytes{1, 2, 3, 4};
        REQUIRE(mem.write(base, bytes));
        REQUIRE(mem.write(base + kRegion - 4, bytes));
        CHECK(bytes_at(mem, base + kRegion / 2, 4) == std::vector<uint8_t>{0, 0, 0, 0});
        CHECK(resident_bytes() < before + kSlack); // 4 GiB mapped, two pages touched
        // What is written is real memory: the measurement sees it.
        REQUIRE(mem.fill(base + 4096, 0x5A, kSlack));
        CHECK(resident_bytes() >= before + kSlack);
        CHECK(bytes_at(mem, base + kRegion - 4, 4) == std::vector<uint8_t>{1, 2, 3, 4});
    }
#endif

    TEST_CASE("the host_memory property sets the limit, and the error names it") {
        nvmelab::DeviceConfig config;
        // The property's default is the same on every platform; a 32-bit build (the web app)
        // caps what it maps, so the default property gives each build its own default limit.
        CHECK(config.host_memory == uint64_t{8} << 30);
        CHECK(SparseHostMemory::limit_for(config.host_memory) ==
              SparseHostMemory::kDefaultMappedLimit);
        config.set("host_memory", "1M");
        CHECK(config.host_memory == uint64_t{1} << 20);
        SparseHostMemory mem(SparseHostMemory::limit_for(config.host_memory));
        CHECK(mem.mapped_limit() == uint64_t{1} << 20);
        mem.alloc(512 * 1024);
        std::string message;
        try {
            mem.alloc(768 * 1024);
        } catch (const std::invalid_argument &e) {
            message = e.what();
        }
        CHECK(message.find("limit of 1 MiB") != std::string::npos);
        CHECK(message.find("host_memory") != std::string::npos);
        CHECK(message.find("mem free") == std::string::npos); // no such console command
        CHECK(mem.mapped_bytes() == 512 * 1024);

        config.set("host_memory", "4K");
        CHECK_THROWS_WITH_AS(config.validate(), doctest::Contains("host_memory must be 1M..1T"),
                             nvmelab::ConfigError);
        // A 32-bit build maps at most 512 MiB whatever the property says.
        CHECK(SparseHostMemory::limit_for(uint64_t{1} << 40) ==
              (sizeof(void *) == 4 ? uint64_t{512} << 20 : uint64_t{1} << 40));
    }

} // TEST_SUITE
