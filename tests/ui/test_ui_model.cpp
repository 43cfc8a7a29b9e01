// Unit tests of the UI's GL-free parts: the Session, the register tables and the PNG writer.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "doctest/doctest.h"

#include <cstring>
#include <string>

#include <zlib.h>

#include "core/spec/nvme_spec.h"
#include "ui/image_file.h"
#include "ui/register_fields.h"
#include "ui/session.h"

using namespace nvmelab;
using namespace nvmelab::ui;

namespace {

uint32_t be32(const std::vector<uint8_t> &b, size_t at) {
    return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

RgbaImage gradient(uint32_t w, uint32_t h) {
    RgbaImage img{w, h, std::vector<uint8_t>(size_t{w} * h * 4)};
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x) {
            uint8_t *p = &img.pixels[(size_t{y} * w + x) * 4];
            p[0] = static_cast<uint8_t>(x);
            p[1] = static_cast<uint8_t>(y);
            p[2] = 7;
            p[3] = 255;
        }
    return img;
}

} // namespace

TEST_CASE("png: signature, IHDR, IDAT round trip through zlib and chunk CRCs") {
    const RgbaImage img = gradient(5, 3);
    const std::vector<uint8_t> png = encode_png(img);
    REQUIRE(png.size() > 8 + 25 + 12 + 12);
    CHECK(std::memcmp(png.data(), "\x89PNG\r\n\x1a\n", 8) == 0);
    // IHDR
    CHECK(be32(png, 8) == 13);
    CHECK(std::memcmp(&png[12], "IHDR", 4) == 0);
    CHECK(be32(png, 16) == 5);
    CHECK(be32(png, 20) == 3);
    CHECK(png[24] == 8);
    CHECK(png[25] == 6);
    // Walk all chunks, checking each CRC, and collect IDAT.
    std::vector<uint8_t> idat;
    size_t at = 8;
    std::string order;
    while (at < png.size()) {
        const uint32_t len = be32(png, at);
        const std::string type(reinterpret_cast<const char *>(&png[at + 4]), 4);
        order += type + " ";
        const uLong crc = crc32(0L, &png[at + 4], 4 + len);
        CHECK(be32(png, at + 8 + len) == static_cast<uint32_t>(crc));
        if (type == "IDAT") idat.insert(idat.end(), &png[at + 8], &png[at + 8] + len);
        at += 12 + len;
    }
    CHECK(order == "IHDR IDAT IEND ");
    std::vector<uint8_t> raw(3 * (1 + 5 * 4));
    uLongf raw_len = raw.size();
    REQUIRE(uncompress(raw.data(), &raw_len, idat.data(), idat.size()) == Z_OK);
    CHECK(raw_len == raw.size());
    for (uint32_t y = 0; y < 3; ++y) {
        CHECK(raw[y * 21] == 0); // filter: none
        CHECK(std::memcmp(&raw[y * 21 + 1], &img.pixels[y * 20], 20) == 0);
    }
}

TEST_CASE("png: a mismatched buffer is an error; colour statistics") {
    RgbaImage bad{4, 4, std::vector<uint8_t>(10)};
    CHECK_THROWS(encode_png(bad));
    const RgbaImage img = gradient(4, 2);
    CHECK(distinct_colours(img) == 8);
    RgbaImage flat{3, 3, std::vector<uint8_t>(36, 0)};
    CHECK(distinct_colours(flat) == 1);
    CHECK(pixel_checksum(img) == pixel_checksum(gradient(4, 2)));
    CHECK(pixel_checksum(img) != pixel_checksum(flat));
}

TEST_CASE("registers: tables are ordered, fields fit and do not overlap") {
    uint32_t last_offset = 0;
    bool first = true;
    for (const RegisterInfo &r : registers()) {
        CAPTURE(r.name);
        if (!first) CHECK(r.offset > last_offset);
        first = false;
        last_offset = r.offset;
        CHECK(!r.fields.empty());
        CHECK(!r.title.empty());
        uint64_t used = 0;
        for (const FieldInfo &f : r.fields) {
            CAPTURE(f.name);
            CHECK(f.hi >= f.lo);
            CHECK(f.hi < (r.wide ? 64u : 32u));
            const uint64_t mask = f.max() << f.lo;
            CHECK((used & mask) == 0);
            used |= mask;
            CHECK(!f.help.empty());
        }
    }
    CHECK(find_register("CC") != nullptr);
    CHECK(find_register("CC")->offset == 0x14);
    CHECK(find_register("nope") == nullptr);
}

TEST_CASE("registers: field values agree with the console and the spec views") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    for (const char *name : {"CAP", "VS", "CC", "CSTS", "AQA"}) {
        const RegisterInfo *r = find_register(name);
        REQUIRE(r != nullptr);
        const uint64_t raw = read_register(s.ctrl(), *r);
        for (const FieldInfo &f : r->fields) {
            const std::string line = std::string("reg read ") + name + "." + std::string(f.name);
            CAPTURE(line);
            const ConsoleResult res = s.console().exec_line(line);
            REQUIRE(res.ok);
            CHECK(res.output.find(" = " + std::to_string(f.get(raw)) + " ") != std::string::npos);
        }
    }
    const spec::CcReg cc{static_cast<uint32_t>(read_register(s.ctrl(), *find_register("CC")))};
    CHECK(find_register("CC")->fields[0].get(cc.raw) == (cc.en() ? 1u : 0u));
    CHECK(field_meaning(*find_register("CC"), find_register("CC")->fields[2], cc.raw) == "4 KiB");
    CHECK(field_meaning(*find_register("AQA"), find_register("AQA")->fields[0], 7) == "8 entries");
    CHECK(field_meaning(*find_register("CAP"), find_register("CAP")->fields[3],
                        uint64_t{20} << 24) == "10000 ms");
    CHECK(field_meaning(*find_register("CSTS"), find_register("CSTS")->fields[2], 0x8) ==
          "shutdown complete");
}

TEST_CASE("session: register writes go through the console and keep the host consistent") {
    Session s;
    CHECK(s.exec("enable").ok);
    CHECK(s.exec("queue create entries=8").ok);
    CHECK(s.driver().has_queue(1));
    const ConsoleResult r = s.write_register("CC.EN", 0);
    CHECK(r.ok);
    CHECK_FALSE(s.driver().has_queue(1));
    CHECK(s.log().size() > 3);
    CHECK(s.history().back() == "reg write CC.EN 0x0");
    s.exec("run");
    CHECK(s.state_summary().find("CSTS.RDY=0") != std::string::npos);
}

TEST_CASE("session: stepping, run mode and the summary") {
    Session s;
    REQUIRE(s.exec("mem alloc asq 4K").ok);
    REQUIRE(s.exec("mem alloc acq 4K").ok);
    REQUIRE(s.exec("reg write AQA 0x00070007").ok);
    REQUIRE(s.exec("reg write ASQ $asq").ok);
    REQUIRE(s.exec("reg write ACQ $acq").ok);
    REQUIRE(s.exec("reg write CC 0x00460001").ok);
    CHECK_FALSE(s.ctrl().idle());
    s.step_event(); // CSTS.RDY after the start-up time
    CHECK(s.state_summary().find("CSTS.RDY=1") != std::string::npos);
    CHECK(s.ctrl().idle());
    // Run mode does nothing while paused, then runs queued events.
    REQUIRE(s.exec("mem alloc id 4K").ok);
    REQUIRE(s.exec("sqe idc opc=0x06 cdw10=1 prp1=$id").ok);
    REQUIRE(s.exec("submit 0 idc").ok);
    REQUIRE(s.exec("ring 0").ok);
    CHECK(s.tick() == 0);
    s.set_running(true);
    s.set_events_per_frame(2);
    CHECK(s.tick() == 2);
    s.set_events_per_frame(1000);
    CHECK(s.tick() > 0);
    CHECK(s.ctrl().idle());
    REQUIRE(s.inspected_completion() != nullptr);
    CHECK(s.inspected_completion()->opcode == 0x06);
    CHECK(s.find_completion(0, s.inspected_completion()->cqe.cid) != nullptr);
    CHECK(s.state_summary().find("last_status=0x0000") != std::string::npos);
    CHECK(s.total_interrupts() >= 1);
}

TEST_CASE("session: reset and power cycles") {
    Session s;
    const uint64_t g = s.generation();
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("write 1 5 0 data=0x5a").ok);
    REQUIRE(s.exec("flush 1").ok);
    s.power_cycle(PowerOff::Clean);
    CHECK(s.generation() == g + 1);
    CHECK(s.ctrl().powered());
    CHECK(s.ctrl().queues().empty());
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("mem alloc buf 4K").ok);
    REQUIRE(s.exec("read 1 5 0 buf=$buf").ok);
    CHECK(s.exec("expect mem $buf u8 == 0x5a").ok);
    s.reset();
    CHECK(s.generation() == g + 2);
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("mem alloc buf 4K").ok);
    REQUIRE(s.exec("read 1 5 0 buf=$buf").ok);
    CHECK(s.exec("expect mem $buf u8 == 0").ok); // a new device has empty media
}
