// DeviceConfig: validation, text parsing and JSON (the image header and CLI use these).
#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

using nvmelab::ConfigError;
using nvmelab::DeviceConfig;
using nvmelab::parse_size;

namespace {

// The ConfigError message validate() throws, or "" if the configuration is valid.
std::string validation_error(const DeviceConfig &c) {
    try {
        c.validate();
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

template <typename F> std::string error_of(F &&f) {
    try {
        f();
    } catch (const ConfigError &e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_SUITE("config") {

    TEST_CASE("the default configuration is valid") {
        CHECK(validation_error(DeviceConfig{}) == "");
        CHECK(validation_error(nvmelab::test::small_config()) == "");
        DeviceConfig c;
        CHECK(c.lba_size() == 4096);
        CHECK(c.nsze() == (uint64_t{1} << 30) / 4096);
    }

    TEST_CASE("each validation error names the property it is about") {
        struct Case {
            const char *property;
            std::function<void(DeviceConfig &)> change;
        };
        const std::vector<Case> cases = {
            {"lbads", [](DeviceConfig &c) { c.lbads = 8; }},
            {"lbads", [](DeviceConfig &c) { c.lbads = 17; }},
            {"size", [](DeviceConfig &c) { c.size = 0; }},
            {"size", [](DeviceConfig &c) { c.size = 4096 * 10 + 512; }},
            {"size", [](DeviceConfig &c) { c.size = (uint64_t{1} << 50) + 4096; }},
            {"mpsmin", [](DeviceConfig &c) { c.mpsmin = 5, c.mpsmax = 5; }},
            {"mpsmin", [](DeviceConfig &c) { c.mpsmin = 2, c.mpsmax = 1; }},
            {"mpsmax", [](DeviceConfig &c) { c.mpsmax = 16; }},
            {"mdts", [](DeviceConfig &c) { c.mdts = 16; }},
            {"mqes", [](DeviceConfig &c) { c.mqes = 0; }},
            {"max_ioqpairs", [](DeviceConfig &c) { c.max_ioqpairs = 0; }},
            {"msix_vectors", [](DeviceConfig &c) { c.msix_vectors = 0; }},
            {"msix_vectors", [](DeviceConfig &c) { c.msix_vectors = 2049; }},
            {"msix_vectors", [](DeviceConfig &c) { c.msix = false, c.msix_vectors = 33; }},
            {"dstrd", [](DeviceConfig &c) { c.dstrd = 16; }},
            {"timeout", [](DeviceConfig &c) { c.timeout = 0; }},
            {"ready_ns", [](DeviceConfig &c) { c.timeout = 1, c.ready_ns = 500'000'001; }},
            {"max_inflight", [](DeviceConfig &c) { c.max_inflight = 0; }},
            {"max_inflight", [](DeviceConfig &c) { c.max_inflight = 4097; }},
            {"serial", [](DeviceConfig &c) { c.serial = std::string(21, 'S'); }},
            {"model", [](DeviceConfig &c) { c.model = std::string(41, 'M'); }},
            {"firmware", [](DeviceConfig &c) { c.firmware = "123456789"; }},
            {"serial", [](DeviceConfig &c) { c.serial = "tab\there"; }},
            {"firmware", [](DeviceConfig &c) { c.firmware = "v\x7f"; }},
            {"cache_blocks", [](DeviceConfig &c) { c.cache_blocks = 0; }},
            {"cache_blocks", [](DeviceConfig &c) { c.cache_blocks = (1u << 18) + 1; }}, // 4 KiB
            // Durations large enough to wrap the nanosecond clock once multiplied.
            {"fetch_ns", [](DeviceConfig &c) { c.fetch_ns = 10'000'000'001; }},
            {"read_ns", [](DeviceConfig &c) { c.read_ns = 10'000'000'001; }},
            {"write_ns", [](DeviceConfig &c) { c.write_ns = ~uint64_t{0}; }},
            {"cache_ns", [](DeviceConfig &c) { c.cache_ns = 10'000'000'001; }},
            {"dma_ns_per_kib", [](DeviceConfig &c) { c.dma_ns_per_kib = 10'000'000'001; }},
            // A transfer limit below one LBA would make every read and write fail.
            {"mdts", [](DeviceConfig &c) { c.lbads = 16, c.mdts = 3; }},
            {"mdts", [](DeviceConfig &c) { c.lbads = 14, c.mdts = 1; }},
            // Doorbells must stay addressable in the 32-bit register space.
            {"dstrd", [](DeviceConfig &c) { c.dstrd = 15, c.max_ioqpairs = 65535; }},
            {"dstrd", [](DeviceConfig &c) { c.dstrd = 14, c.max_ioqpairs = 65535; }},
        };
        for (const auto &tc : cases) {
            DeviceConfig c;
            tc.change(c);
            const std::string err = validation_error(c);
            INFO("property ", std::string(tc.property), ": '", err, "'");
            CHECK(contains(err, tc.property));
            // The controller refuses to power on with it.
            nvmelab::SparseHostMemory mem;
            nvmelab::MemoryBackingStore store(1 << 20);
            CHECK_THROWS_AS(nvmelab::Controller(c, mem, store), ConfigError);
        }
    }

    TEST_CASE("boundary values are accepted") {
        std::vector<std::function<void(DeviceConfig &)>> changes = {
            [](DeviceConfig &c) { c.lbads = 9; },
            [](DeviceConfig &c) { c.lbads = 16; },
            [](DeviceConfig &c) { c.mpsmin = 4, c.mpsmax = 15; },
            [](DeviceConfig &c) { c.mdts = 0; },
            [](DeviceConfig &c) { c.mdts = 15; },
            [](DeviceConfig &c) { c.msix_vectors = 2048; },
            [](DeviceConfig &c) { c.msix = false, c.msix_vectors = 32; },
            [](DeviceConfig &c) { c.max_inflight = 4096; },
            [](DeviceConfig &c) { c.timeout = 1, c.ready_ns = 500'000'000; },
            [](DeviceConfig &c) {
                c.serial = std::string(20, 'S'), c.model = std::string(40, 'M');
            },
            [](DeviceConfig &c) { c.firmware = "12345678"; },
            [](DeviceConfig &c) { c.vwc = false, c.cache_blocks = 0; },
            [](DeviceConfig &c) { c.cache_blocks = 1u << 18; }, // 1 GiB of 4 KiB blocks
            [](DeviceConfig &c) {
                c.fetch_ns = c.read_ns = c.write_ns = c.cache_ns = c.dma_ns_per_kib =
                    10'000'000'000;
            },
            [](DeviceConfig &c) { c.size = uint64_t{1} << 50; },
            [](DeviceConfig &c) { c.dstrd = 15; }, // with the default 64 queue pairs
            [](DeviceConfig &c) { c.dstrd = 13, c.max_ioqpairs = 65535; }, // last doorbell fits
            [](DeviceConfig &c) { c.lbads = 16, c.mdts = 4; }, // 64 KiB: exactly one LBA
            [](DeviceConfig &c) { c.lbads = 16, c.mdts = 3, c.mpsmin = 1, c.mpsmax = 1; },
        };
        for (size_t i = 0; i < changes.size(); ++i) {
            DeviceConfig c;
            changes[i](c);
            INFO("case ", i);
            CHECK(validation_error(c) == "");
        }
    }

    TEST_CASE("parse_size understands binary units") {
        CHECK(parse_size("4096") == 4096);
        CHECK(parse_size("0") == 0);
        CHECK(parse_size("64K") == 64 * 1024);
        CHECK(parse_size("64k") == 64 * 1024);
        CHECK(parse_size("3M") == 3 * (uint64_t{1} << 20));
        CHECK(parse_size("1G") == uint64_t{1} << 30);
        CHECK(parse_size("2g") == uint64_t{2} << 30);
        CHECK(parse_size("1T") == uint64_t{1} << 40);
        CHECK(parse_size("1P") == uint64_t{1} << 50);
        CHECK(parse_size("0x10K") == 16 * 1024);
        CHECK(parse_size("16383P") == uint64_t{16383} << 50);
        for (const char *bad : {"", "K", "1.5G", "-1", " 1", "1 ", "1KB", "G1", "abc", "0x",
                                "16384P", "99999999999999999999"}) {
            INFO("'", bad, "'");
            CHECK_THROWS_AS(parse_size(bad), ConfigError);
        }
    }

    TEST_CASE("set() parses text per property and names the property on errors") {
        DeviceConfig c;
        c.set("size", "2G");
        CHECK(c.size == uint64_t{2} << 30);
        c.set("lbads", "0x9");
        CHECK(c.lbads == 9);
        c.set("vwc", "off");
        CHECK(c.vwc == false);
        c.set("cqr", "yes");
        CHECK(c.cqr == true);
        c.set("wrr", "0");
        CHECK(c.wrr == false);
        c.set("serial", "ABC 123");
        CHECK(c.serial == "ABC 123");
        c.set("ready_ns", "1000");
        CHECK(c.ready_ns == 1000);

        const std::string unknown = error_of([&] { c.set("bogus", "1"); });
        CHECK(contains(unknown, "bogus"));
        const std::string too_big = error_of([&] { c.set("lbads", "256"); });
        CHECK(contains(too_big, "lbads"));
        CHECK(c.lbads == 9); // unchanged
        CHECK(contains(error_of([&] { c.set("msix_vectors", "65536"); }), "msix_vectors"));
        CHECK(contains(error_of([&] { c.set("nssrs", "maybe"); }), "nssrs"));
        CHECK(contains(error_of([&] { c.set("size", "12Q"); }), "size"));
    }

    TEST_CASE("JSON round trip keeps every property") {
        DeviceConfig c;
        c.size = uint64_t{64} << 20;
        c.lbads = 9;
        c.mdts = 7;
        c.max_ioqpairs = 8;
        c.mqes = 255;
        c.vwc = false;
        c.cache_blocks = 17;
        c.serial = "SER-42";
        c.model = "round trip";
        c.firmware = "2.1";
        c.vid = 0x1234;
        c.dstrd = 3;
        c.cqr = false;
        c.wrr = false;
        c.mpsmin = 1;
        c.mpsmax = 3;
        c.timeout = 9;
        c.nssrs = false;
        c.msix_vectors = 9;
        c.msix = false;
        c.max_inflight = 12;
        c.ready_ns = 1234;
        c.fetch_ns = 11;
        c.dma_ns_per_kib = 12;
        c.read_ns = 13;
        c.write_ns = 14;
        c.cache_ns = 15;
        REQUIRE(validation_error(c) == "");

        const nlohmann::json j = c.to_json();
        // An NVM device names every property but `type` and the OCSSD ones.
        size_t nvm_properties = 0;
        for (const auto &name : DeviceConfig::property_names()) {
            CHECK(j.contains(name) == !DeviceConfig::is_ocssd_property(name));
            nvm_properties += DeviceConfig::is_ocssd_property(name) ? 0 : 1;
        }
        CHECK(j.size() == nvm_properties);
        CHECK(j["size"] == uint64_t{64} << 20);
        CHECK(j["serial"] == "SER-42");
        CHECK(j["cqr"] == false);

        // Through text, as the image header stores it.
        const DeviceConfig back = DeviceConfig::from_json(nlohmann::json::parse(j.dump()));
        CHECK(back.to_json() == j);
        CHECK(back.size == c.size);
        CHECK(back.lbads == 9);
        CHECK(back.mqes == 255);
        CHECK(back.vid == 0x1234);
        CHECK(back.cqr == false);
        CHECK(back.msix == false);
        CHECK(back.mpsmin == 1);
        CHECK(back.ready_ns == 1234);
        CHECK(back.cache_ns == 15);
        // And straight from the in-memory document.
        CHECK(DeviceConfig::from_json(j).to_json() == j);
    }

    TEST_CASE("from_json accepts a partial document built in C++") {
        // Integers written in C++ are signed JSON numbers; non-negative ones are fine.
        const nlohmann::json j = {{"size", 2048}, {"lbads", 9}, {"serial", "NVL-0001"}};
        const DeviceConfig c = DeviceConfig::from_json(j);
        CHECK(c.size == 2048);
        CHECK(c.lbads == 9);
        CHECK(c.serial == "NVL-0001");
        CHECK(c.mqes == DeviceConfig{}.mqes); // missing properties keep their defaults
        CHECK(DeviceConfig::from_json(nlohmann::json::object()).to_json() ==
              DeviceConfig{}.to_json());
    }

    TEST_CASE("from_json rejects unknown properties, wrong types and invalid values") {
        using nlohmann::json;
        CHECK(contains(error_of([] { DeviceConfig::from_json(json{{"bogus", 1}}); }), "bogus"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json{{"size", "1G"}}); }), "size"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"lbads": -1})")); }),
                       "lbads"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"lbads": 9.5})")); }),
                       "lbads"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"lbads": 300})")); }),
                       "lbads"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"vwc": 1})")); }),
                       "vwc"));
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"model": 5})")); }),
                       "model"));
        // Valid JSON, invalid device: validation runs too.
        CHECK(contains(error_of([] { DeviceConfig::from_json(json::parse(R"({"lbads": 8})")); }),
                       "lbads"));
        CHECK(error_of([] { DeviceConfig::from_json(json::array()); }) != "");
        CHECK(error_of([] { DeviceConfig::from_json(json(5)); }) != "");
    }

    TEST_CASE("property names are unique and sorted") {
        const auto &names = DeviceConfig::property_names();
        // `type` and the 24 OCSSD properties (ocssd_params.h), then the others.
        const auto ocssd =
            std::count_if(names.begin(), names.end(), DeviceConfig::is_ocssd_property);
        CHECK(ocssd == 25);
        CHECK(names.size() - static_cast<size_t>(ocssd) == 32); // with ms, mset, pi, pil
        CHECK(std::is_sorted(names.begin(), names.end()));
        CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    }

} // TEST_SUITE
