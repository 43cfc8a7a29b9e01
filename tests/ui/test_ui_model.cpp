// Unit tests of the UI's GL-free parts: the Session, the register tables and the PNG writer.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "doctest/doctest.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "core/spec/nvme_spec.h"
#include "core/spec/register_table.h"
#include "driver/host_driver.h"
#include "ui/model/device_info.h"
#include "ui/model/device_properties.h"
#include "ui/model/followed_completion.h"
#include "ui/model/image_file.h"
#include "ui/model/memory_labels.h"
#include "ui/model/namespace_usage.h"
#include "ui/model/prp_map.h"
#include "ui/model/session.h"
#include "ui/model/sqe_composer.h"
#include "ui/model/sqe_fields.h"
#include "ui/model/trace_plots.h"
#include "ui/model/workload.h"
#include "ui/render/live_refresh.h"

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

// The table itself (order, offsets, fields against the spec) is tested in
// tests/test_register_table.cpp; here: what the Registers window shows agrees with the console.
TEST_CASE("registers: field values agree with the console and the spec views") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    int with_fields = 0;
    for (const spec::RegisterInfo &reg : spec::registers()) {
        const spec::RegisterInfo *r = &reg;
        const std::string name(r->name);
        CAPTURE(name);
        // The console knows exactly the registers the table says it does.
        CHECK(s.console().exec_line("reg read " + name).ok == r->console);
        const uint64_t raw = spec::read_register(s.ctrl(), *r);
        for (const spec::FieldInfo &f : r->fields) {
            const std::string line = std::string("reg read ") + name + "." + std::string(f.name);
            CAPTURE(line);
            const ConsoleResult res = s.console().exec_line(line);
            REQUIRE(res.ok == r->console_fields);
            if (!res.ok) continue;
            CHECK(res.output.find(" = " + std::to_string(f.get(raw)) + " ") != std::string::npos);
        }
        with_fields += r->console_fields ? 1 : 0;
    }
    CHECK(with_fields == 5); // CAP, VS, CC, CSTS, AQA
    const spec::CcReg cc{
        static_cast<uint32_t>(spec::read_register(s.ctrl(), *spec::find_register("CC")))};
    CHECK(spec::find_register("CC")->fields[0].get(cc.raw) == (cc.en() ? 1u : 0u));
    CHECK(spec::field_meaning(*spec::find_register("CC"), spec::find_register("CC")->fields[2],
                              cc.raw) == "4 KiB");
    CHECK(spec::field_meaning(*spec::find_register("AQA"), spec::find_register("AQA")->fields[0],
                              7) == "8 entries");
    CHECK(spec::field_meaning(*spec::find_register("CAP"), spec::find_register("CAP")->fields[3],
                              uint64_t{20} << 24) == "10000 ms");
    CHECK(spec::field_meaning(*spec::find_register("CSTS"), spec::find_register("CSTS")->fields[2],
                              0x8) == "shutdown complete");
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

// ---- the explorer windows' models (prp_map, memory_labels, namespace_usage, trace_plots,
// sqe_fields, sqe_composer, device_properties, device_info) -----------------------------------

namespace {

void put_u64(SparseHostMemory &m, uint64_t addr, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i)
        b[i] = static_cast<uint8_t>(v >> (8 * i));
    REQUIRE(m.write(addr, b));
}

const spec::DecodedField *field(const std::vector<spec::DecodedField> &fields,
                                const std::string &name) {
    for (const auto &f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

} // namespace

TEST_CASE("prp map: PRP1 at an offset, PRP2 to a list, entries attributed with their addresses") {
    SparseHostMemory m;
    const uint64_t data = m.alloc(5 * 4096, "data");
    const uint64_t list = m.alloc(4096, "list");
    // 3 pages + 0x100 bytes starting at offset 0xf00: PRP1 covers 0x100 bytes, then three list
    // entries cover the rest; more than two pages in all, so PRP2 points to a PRP list.
    const uint64_t len = 3 * 4096 + 0x100;
    put_u64(m, list + 0, data + 4096);
    put_u64(m, list + 8, data + 2 * 4096);
    put_u64(m, list + 16, data + 3 * 4096);
    const PrpWalkView w = walk_prps(data + 0xf00, list, len, 4096, m);
    REQUIRE(w.ok());
    CHECK(w.prp2_used);
    CHECK(w.prp2_is_list);
    REQUIRE(w.lists.size() == 1);
    CHECK(w.lists[0].addr == list);
    CHECK(w.lists[0].entries == 3);
    CHECK(w.lists[0].region == "list");
    REQUIRE(w.entries.size() == 4);
    CHECK(w.entries[0].source == PrpEntryView::Source::Prp1);
    CHECK(w.entries[0].offset == 0xf00);
    CHECK(w.entries[0].len == 0x100);
    CHECK(w.entries[1].source == PrpEntryView::Source::ListEntry);
    CHECK(w.entries[1].index == 0);
    CHECK(w.entries[1].entry_addr == list);
    CHECK(w.entries[1].position == 0x100);
    CHECK(w.entries[3].entry_addr == list + 16);
    CHECK(w.entries[3].data_addr == data + 3 * 4096);
    // PRP1 took 0x100 bytes, entries 0 and 1 a page each: the last page holds the rest.
    CHECK(w.entries[3].len == len - 0x100 - 2 * 4096);
    CHECK(w.entries[3].position + w.entries[3].len == len);

    // Two pages: PRP2 is the second page itself, not a list.
    const PrpWalkView two = walk_prps(data, data + 4096, 8192, 4096, m);
    REQUIRE(two.ok());
    CHECK_FALSE(two.prp2_is_list);
    REQUIRE(two.entries.size() == 2);
    CHECK(two.entries[1].source == PrpEntryView::Source::Prp2);
    CHECK(two.lists.empty());
}

TEST_CASE("prp map: the controller's rules and unmapped pages are errors naming the entry") {
    SparseHostMemory m;
    const uint64_t data = m.alloc(3 * 4096, "data");
    const uint64_t list = m.alloc(4096, "list");
    // PRP2 as a second page must have offset 0 (§4.3).
    const PrpWalkView bad2 = walk_prps(data, data + 4096 + 0x10, 8192, 4096, m);
    REQUIRE(bad2.error);
    CHECK(bad2.error->field == "PRP2");
    // A list entry with an offset.
    put_u64(m, list, data + 4096);
    put_u64(m, list + 8, data + 2 * 4096 + 8);
    const PrpWalkView bad_entry = walk_prps(data, list, 3 * 4096, 4096, m);
    REQUIRE(bad_entry.error);
    CHECK(bad_entry.error->field.find("entry 1") != std::string::npos);
    CHECK(bad_entry.entries.size() == 2);
    // A data page nobody mapped: the DMA would fail.
    put_u64(m, list + 8, 0x7000'0000);
    const PrpWalkView unmapped = walk_prps(data, list, 3 * 4096, 4096, m);
    REQUIRE(unmapped.error);
    CHECK(unmapped.error->field == "PRP list 0 entry 1");
    CHECK_FALSE(unmapped.entries.back().mapped);
    // Fits in PRP1's page: PRP2 is ignored even when it is garbage.
    const PrpWalkView one = walk_prps(data + 0x800, 0xdead, 0x800, 4096, m);
    CHECK(one.ok());
    CHECK_FALSE(one.prp2_used);
    CHECK(one.entries.size() == 1);
}

TEST_CASE("prp map: data length per opcode") {
    spec::Sqe rd{};
    rd.opc = 0x02;
    rd.cdw12 = 7;
    CHECK(command_data_length(rd, false, 4096) == 8 * 4096);
    CHECK(command_data_length(rd, false, 512) == 8 * 512);
    spec::Sqe id{};
    id.opc = 0x06;
    CHECK(command_data_length(id, true, 4096) == 4096);
    spec::Sqe log{};
    log.opc = 0x02; // Get Log Page on the admin queue, NUMD = 127 -> 512 bytes
    log.cdw10 = 0x02 | (127u << 16);
    CHECK(command_data_length(log, true, 4096) == 512);
    spec::Sqe flush{};
    CHECK(command_data_length(flush, false, 4096) == 0);
}

TEST_CASE("memory labels: queues and the selected command's pages inside their regions") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create entries=16").ok);
    REQUIRE(s.exec("mem alloc buf 16K").ok);
    const uint64_t buf = s.console().variables().at("buf");
    const auto queues = s.ctrl().queues();
    const QueueView *sq1 = nullptr;
    for (const QueueView &q : queues)
        if (q.is_sq && q.qid == 1) sq1 = &q;
    REQUIRE(sq1 != nullptr);
    const PrpWalkView w = walk_prps(buf + 0x200, buf + 4096, 4096, 4096, s.mem());
    const auto labels = memory_labels(s.mem(), queues, &w);
    const LabelledRange *q = label_at(labels, sq1->base + 64 * 15);
    REQUIRE(q != nullptr);
    CHECK(q->kind == LabelledRange::Kind::Queue);
    CHECK(q->label == "SQ 1 (16 x 64 B)");
    // Past the ring's 16 entries the region's own label shows again.
    const LabelledRange *after = label_at(labels, sq1->base + 64 * 16);
    REQUIRE(after != nullptr);
    CHECK(after->kind == LabelledRange::Kind::Region);
    const LabelledRange *d = label_at(labels, buf + 0x200);
    REQUIRE(d != nullptr);
    CHECK(d->kind == LabelledRange::Kind::Data);
    CHECK(d->label.find("PRP1") != std::string::npos);
    const LabelledRange *before = label_at(labels, buf + 0x1ff);
    REQUIRE(before != nullptr);
    CHECK(before->label == "buf");
    CHECK(label_at(labels, 0x10) == nullptr);
}

TEST_CASE("namespace usage: extents merge and split") {
    ExtentSet e;
    e.add(10, 5);
    e.add(15, 5); // adjacent: merged
    e.add(30, 2);
    CHECK(e.ranges().size() == 2);
    CHECK(e.blocks() == 12);
    CHECK(e.contains(19));
    CHECK_FALSE(e.contains(20));
    e.remove(12, 3);
    CHECK(e.ranges().size() == 3);
    CHECK_FALSE(e.contains(13));
    CHECK(e.contains(15));
    CHECK(e.intersects(0, 11));
    CHECK_FALSE(e.intersects(20, 10));
    e.add(0, 100);
    CHECK(e.ranges().size() == 1);
    CHECK(e.blocks() == 100);
}

TEST_CASE("namespace usage: the extent count follows random adds and removes") {
    // Against a plain bitmap: overlapping, adjacent, covering and splitting cases all occur.
    ExtentSet e;
    std::vector<bool> model(512, false);
    uint32_t x = 12345;
    const auto next = [&x](uint32_t bound) {
        x = x * 1103515245u + 12345u;
        return (x >> 8) % bound;
    };
    for (int step = 0; step < 4000; ++step) {
        const uint64_t first = next(480);
        const uint64_t count = next(32);
        const bool add = next(3) != 0;
        if (add)
            e.add(first, count);
        else
            e.remove(first, count);
        for (uint64_t i = first; i < first + count; ++i)
            model[i] = add;
        const auto expected = static_cast<uint64_t>(std::count(model.begin(), model.end(), true));
        REQUIRE(e.blocks() == expected);
        // The ranges are the model's runs exactly: disjoint, never touching, none empty.
        std::vector<bool> from_ranges(model.size(), false);
        uint64_t last_end = 0;
        for (const auto &[lo, hi] : e.ranges()) {
            REQUIRE(lo < hi);
            REQUIRE((lo > last_end || (lo == 0 && last_end == 0)));
            REQUIRE(hi <= model.size());
            for (uint64_t i = lo; i < hi; ++i)
                from_ranges[i] = true;
            last_end = hi;
        }
        REQUIRE(from_ranges == model);
    }
    e.clear();
    CHECK(e.blocks() == 0);
}

TEST_CASE("namespace usage: cached, written after a flush, lost in a power cut") {
    Session s;
    NamespaceUsage &u = s.namespace_usage();
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("write 1 10 3 data=0x11").ok); // into the volatile cache
    u.sample_cache(s.ctrl());
    CHECK(u.state(9) == BlockState::Unwritten);
    CHECK(u.state(10) == BlockState::Cached);
    CHECK(u.state(13) == BlockState::Cached);
    CHECK(u.state(14) == BlockState::Unwritten);
    REQUIRE(s.exec("flush 1").ok);
    REQUIRE(s.exec("write 1 100 0 data=0x22").ok);
    u.sample_cache(s.ctrl());
    CHECK(u.state(10) == BlockState::Written);
    CHECK(u.state(100) == BlockState::Cached);
    // A map of 8 cells over LBAs 0..127: 16 blocks a cell; cached wins over written.
    const NamespaceMap m = u.map(0, 128, 8);
    REQUIRE(m.cells.size() == 8);
    CHECK(m.blocks_per_cell == 16);
    CHECK(m.cells[0] == BlockState::Written);
    CHECK(m.cells[1] == BlockState::Unwritten);
    CHECK(m.cells[6] == BlockState::Cached);

    s.power_cycle(PowerOff::Unclean);
    CHECK(s.last_power_cut());
    CHECK(s.lost_in_power_cut() == std::vector<uint64_t>{100});
    CHECK(u.cached().empty());                 // a new controller: nothing sampled yet
    CHECK(u.state(10) == BlockState::Written); // flushed before the cut
    CHECK(u.state(100) == BlockState::Lost);
    CHECK(u.lost().blocks() == 1);
    // Writing a lost block again makes it written.
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("write 1 100 0 data=0x33").ok);
    REQUIRE(s.exec("flush 1").ok);
    u.sample_cache(s.ctrl());
    CHECK(u.state(100) == BlockState::Written);
    CHECK(u.lost().blocks() == 0);

    s.reset(); // new media: nothing written
    CHECK(s.lost_in_power_cut().empty());
    CHECK(u.state(10) == BlockState::Unwritten);
    CHECK(u.written().blocks() == 0);
}

TEST_CASE("namespace usage: a power cut loses what was cached then, not what the last sample saw") {
    // The Namespace window samples the cache only now and then; the blocks a cut loses come
    // from the session, which lists them at the cut.
    Session s;
    NamespaceUsage &u = s.namespace_usage();
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("write 1 10 1 data=0x11").ok);
    u.sample_cache(s.ctrl()); // LBAs 10, 11 cached
    REQUIRE(s.exec("flush 1").ok);
    REQUIRE(s.exec("write 1 20 0 data=0x22").ok); // not sampled
    s.power_cycle(PowerOff::Unclean);
    CHECK(s.lost_in_power_cut() == std::vector<uint64_t>{20});
    const auto said = [&s](const std::string &text) {
        return std::any_of(s.log().begin(), s.log().end(), [&](const LogLine &l) {
            return l.text.find(text) != std::string::npos;
        });
    };
    CHECK(said("--- power cut: 1 cached block lost ---"));
    CHECK(u.cached().empty()); // a new controller: nothing sampled yet
    CHECK(u.state(10) == BlockState::Written);
    CHECK(u.state(11) == BlockState::Written);
    CHECK(u.state(20) == BlockState::Lost);
    CHECK(u.lost().blocks() == 1);

    // A clean power cycle loses nothing, even with blocks in the cache.
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    REQUIRE(s.exec("write 1 30 0 data=0x33").ok);
    u.sample_cache(s.ctrl());
    CHECK(u.state(30) == BlockState::Cached);
    s.power_cycle(PowerOff::Clean);
    CHECK(s.lost_in_power_cut().empty());
    CHECK(u.state(30) == BlockState::Written);
    CHECK(u.state(20) == BlockState::Lost); // the earlier cut's loss stays
    // A cut with the controller still up but nothing cached loses nothing.
    s.power_cycle(PowerOff::Unclean);
    CHECK(s.lost_in_power_cut().empty());
    CHECK(said("--- power cut: the volatile write cache was empty ---"));
    CHECK(u.lost().blocks() == 1);
}

TEST_CASE("namespace usage: every write counts, however many events the trace has dropped since") {
    // The trace keeps only its newest events; the usage follows each one as it is recorded, so
    // a hidden Namespace window, a long run or a replayed state miss nothing.
    Session s;
    s.ctrl().trace().set_capacity(16); // about two write commands' events
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create").ok);
    const uint64_t first_write_seq = s.ctrl().trace().total_recorded();
    for (int i = 0; i < 40; ++i)
        REQUIRE(s.exec(fmt::format("write 1 {} 0 data=0x11", i * 7)).ok);
    // The ring has long forgotten the first writes.
    REQUIRE(s.ctrl().trace().events().front().seq > first_write_seq + 200);
    REQUIRE(s.exec("flush 1").ok);
    const NamespaceUsage &u = s.namespace_usage();
    CHECK(u.written().blocks() == 40);
    CHECK(u.state(0) == BlockState::Written);
    CHECK(u.state(7 * 39) == BlockState::Written);
    CHECK(u.state(1) == BlockState::Unwritten);

    // Writes to another namespace's LBAs and failed writes do not count.
    NamespaceUsage other;
    other.observe(TraceEvent{.kind = EventKind::MediaWrite, .u32 = 2, .addr = 5, .len = 1});
    other.observe(TraceEvent{.kind = EventKind::CacheWrite, .u32 = 1, .addr = 6, .len = 2});
    other.observe(
        TraceEvent{.kind = EventKind::MediaWrite, .u32 = 1, .addr = 9, .len = 1, .explanation = 0});
    other.observe(TraceEvent{.kind = EventKind::MediaRead, .u32 = 1, .addr = 20, .len = 4});
    CHECK(other.written().blocks() == 2);
    CHECK(other.state(5) == BlockState::Unwritten);
    CHECK(other.state(7) == BlockState::Written);
    CHECK(other.state(9) == BlockState::Unwritten);
}

TEST_CASE("namespace usage: a write that failed does not count as written") {
    // A store with room for one media extent: the write to a second extent fails (Write Fault).
    DeviceConfig cfg;
    cfg.size = uint64_t{16} << 20;
    cfg.vwc = false;
    SparseHostMemory memory;
    MemoryBackingStore store(cfg.size, MemoryBackingStore::kExtentSize);
    Controller ctrl(cfg, memory, store);
    NamespaceUsage u;
    ctrl.trace().set_listener([&u](const TraceEvent &ev) { u.observe(ev); });
    HostDriver host(ctrl, memory);
    host.enable();
    const uint16_t q = host.create_io_queue_pair(16);
    const std::vector<uint8_t> block(cfg.lba_size(), 0x42);
    REQUIRE(host.write(q, 1, 0, 0, block).ok());
    REQUIRE_FALSE(host.write(q, 1, 100, 0, block).ok());
    u.sample_cache(ctrl);
    CHECK(u.state(0) == BlockState::Written);
    CHECK(u.state(100) == BlockState::Unwritten);
    CHECK(u.written().blocks() == 1);
}

TEST_CASE("followed completion: a busy controller is followed at most once an interval") {
    auto record = [](uint16_t cid, uint16_t sqhd) {
        CompletionRecord r;
        r.sqid = 1;
        r.cqid = 1;
        r.opcode = 0x02;
        r.cqe.cid = cid;
        r.cqe.sqhd = sqhd;
        return r;
    };
    FollowedCompletion f(0.25); // times in binary fractions: the sums are exact
    CHECK(f.get() == nullptr);
    CHECK_FALSE(f.update(std::nullopt, 1.0)); // nothing completed yet
    CHECK(f.update(record(1, 1), 1.0));       // the first one: at once
    CHECK(f.get()->cqe.cid == 1);
    CHECK_FALSE(f.update(record(2, 2), 1.125)); // busy: the followed one stays readable
    CHECK_FALSE(f.update(record(3, 3), 1.1875));
    CHECK(f.get()->cqe.cid == 1);
    CHECK(f.update(record(4, 4), 1.25)); // an interval later: the newest then
    CHECK(f.get()->cqe.cid == 4);
    CHECK_FALSE(f.update(record(4, 4), 3.0)); // unchanged: nothing to take
    CHECK(f.update(record(4, 5), 3.0));       // a completion after a quiet spell: at once
    CHECK(f.get()->cqe.sqhd == 5);
    f.clear(); // a new device: the next one shows at once
    CHECK(f.get() == nullptr);
    CHECK(f.update(record(9, 9), 3.0625));

    // The Session's inspector shows the followed completion once the app updates it, and the
    // controller's newest one for a Session nobody updates it for (headless, tests).
    Session s;
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("mem alloc id 4K").ok);
    auto identify = [&](int cns) {
        REQUIRE(s.exec(fmt::format("sqe idc opc=0x06 cdw10={} prp1=$id", cns)).ok);
        REQUIRE(s.exec("submit 0 idc").ok);
        REQUIRE(s.exec("ring 0").ok);
        s.run_until_idle();
        REQUIRE(s.ctrl().last_completion());
    };
    identify(1);
    CHECK(s.inspected_completion() == &*s.ctrl().last_completion());
    s.followed.update(s.ctrl().last_completion(), 0.0);
    CHECK(s.inspected_completion() == s.followed.get());
    const uint16_t followed_sqhd = s.followed.get()->cqe.sqhd;
    identify(0);
    s.followed.update(s.ctrl().last_completion(), 0.125); // within the interval
    CHECK(s.inspected_completion()->cqe.sqhd == followed_sqhd);
    s.followed.update(s.ctrl().last_completion(), 0.25);
    CHECK(s.inspected_completion()->cqe.sqhd != followed_sqhd);
    CHECK(s.inspected_completion()->sqe.cdw10 == 0);
    s.reset(); // a new device forgets what was followed
    CHECK(s.followed.get() == nullptr);
}

TEST_CASE("live refresh: at once the first time and after a quiet spell, else at most once an "
          "interval") {
    LiveRefresh<uint64_t> r(0.25); // times in binary fractions: the sums are exact
    CHECK(r.due(5, 10.0));         // the first time
    CHECK_FALSE(r.due(5, 10.5));   // nothing changed
    CHECK(r.due(6, 10.5));         // changed after a quiet spell: at once
    CHECK_FALSE(r.due(7, 10.625)); // changed again within the interval: later
    CHECK_FALSE(r.due(8, 10.6875));
    CHECK(r.due(8, 10.75)); // the interval has passed
    CHECK_FALSE(r.due(8, 11.0));
    r.force();
    CHECK(r.due(8, 11.0)); // forced: whatever the version and time
    CHECK_FALSE(r.due(9, 11.125));
    // Versions compare whole: a change in either half counts.
    LiveRefresh<std::pair<uint64_t, uint64_t>> p(0.1);
    CHECK(p.due({1, 1}, 0.0));
    CHECK_FALSE(p.due({1, 1}, 1.0));
    CHECK(p.due({1, 2}, 1.0));
    CHECK(p.due({2, 2}, 2.0));
    // Views with different phases fall due in different frames: with a 0.25 s slot, one phased
    // at 0 and one at a half rebuild 0.125 s apart under the same stream of changes.
    LiveRefresh<uint64_t> a(0.25), b(0.25, 0.5);
    CHECK(a.due(1, 0.0));
    CHECK(b.due(1, 0.0)); // the first time: at once, whatever the phase
    std::vector<double> a_at, b_at;
    for (uint64_t frame = 1; frame <= 32; ++frame) {
        const double t = static_cast<double>(frame) / 32; // 1/32 s frames, exact
        if (a.due(frame + 1, t)) a_at.push_back(t);
        if (b.due(frame + 1, t)) b_at.push_back(t);
    }
    CHECK(a_at == std::vector<double>{0.25, 0.5, 0.75, 1.0});
    CHECK(b_at == std::vector<double>{0.125, 0.375, 0.625, 0.875});
}

TEST_CASE("trace plots: queue depth follows doorbells and completions") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create entries=16").ok);
    REQUIRE(s.exec("mem alloc b 8K").ok);
    REQUIRE(s.exec("sqe r opc=0x02 nsid=1 prp1=$b cid=auto").ok);
    REQUIRE(s.exec("submit 1 r").ok);
    REQUIRE(s.exec("submit 1 r").ok);
    REQUIRE(s.exec("ring 1").ok);
    auto size = [&s](uint16_t sqid) -> uint32_t {
        for (const QueueView &q : s.ctrl().queues())
            if (q.is_sq && q.qid == sqid) return q.size;
        return 0;
    };
    const TracePlots before = build_trace_plots(s.ctrl().trace(), 10, s.ctrl().now_ns(), 0, size);
    CHECK(before.depth.back() == 2.0f);
    CHECK(before.max_depth == 2.0f);
    s.exec("run");
    // Each bucket shows its peak; a bucket after the last event keeps the level (0: all done).
    const TracePlots after =
        build_trace_plots(s.ctrl().trace(), 10, s.ctrl().now_ns() * 2, 0, size);
    CHECK(after.depth.back() == 0.0f);
    CHECK(after.max_depth == 2.0f);
    float completions = 0;
    for (float c : after.completions_ps)
        completions += c * static_cast<float>(after.bucket_ns) / 1e9f;
    // enable's admin commands + queue create (2) + the two reads.
    CHECK(completions == doctest::Approx(static_cast<double>(s.ctrl().completions().size())));
}

// The plots by their definition, one bucket at a time: the level (commands submitted and not
// completed) after each event, each bucket's peak and completions, and the level carried into
// buckets from the events before them.
TracePlots plots_by_definition(const Trace &trace, size_t buckets, uint64_t end_ns,
                               uint64_t span_ns, const std::function<uint32_t(uint16_t)> &size) {
    std::vector<TraceEvent> events(trace.events().begin(), trace.events().end());
    TracePlots p;
    const uint64_t first_ns = events.empty() ? 0 : events.front().time_ns;
    p.start_ns = span_ns == 0 || span_ns > end_ns ? first_ns : std::max(first_ns, end_ns - span_ns);
    const uint64_t span = end_ns > p.start_ns ? end_ns - p.start_ns : 0;
    p.bucket_ns = std::max<uint64_t>(1, (span + buckets - 1) / buckets);
    std::erase_if(events, [&](const TraceEvent &e) { return e.time_ns > end_ns; });
    std::vector<int64_t> level(events.size());
    std::map<uint16_t, uint32_t> tails;
    int64_t outstanding = 0;
    for (size_t i = 0; i < events.size(); ++i) {
        const TraceEvent &e = events[i];
        if (e.kind == EventKind::DoorbellSq) {
            const uint32_t n = size(e.sqid), tail = static_cast<uint32_t>(e.value);
            if (n > 0 && tail < n) outstanding += (tail + n - tails[e.sqid]) % n;
            tails[e.sqid] = tail;
        } else if (e.kind == EventKind::CqePost || e.kind == EventKind::CommandAborted) {
            --outstanding;
        } else if (e.kind == EventKind::QueueDeleted) {
            tails.erase(e.sqid);
        } else if (e.kind == EventKind::ControllerReset) {
            tails.clear();
            outstanding = 0;
        }
        level[i] = std::max<int64_t>(outstanding, 0);
    }
    p.depth.assign(buckets, 0.0f);
    p.completions_ps.assign(buckets, 0.0f);
    for (size_t b = 0; b < buckets; ++b) {
        const uint64_t from = p.start_ns + b * p.bucket_ns;
        const uint64_t to = b + 1 == buckets ? UINT64_MAX : from + p.bucket_ns;
        float peak = 0;
        uint64_t completions = 0;
        for (size_t i = 0; i < events.size(); ++i) {
            if (b > 0 && events[i].time_ns < from) peak = static_cast<float>(level[i]); // carried
            if (events[i].time_ns < from || events[i].time_ns >= to) continue;
            peak = std::max(peak, static_cast<float>(level[i]));
            completions += events[i].kind == EventKind::CqePost;
        }
        p.depth[b] = peak;
        p.completions_ps[b] = static_cast<float>(static_cast<double>(completions) * 1e9 /
                                                 static_cast<double>(p.bucket_ns));
        p.max_depth = std::max(p.max_depth, p.depth[b]);
        p.max_rate = std::max(p.max_rate, p.completions_ps[b]);
    }
    return p;
}

TEST_CASE("trace plots: equal to their definition, bucket by bucket, under a workload") {
    Session s;
    WorkloadGenerator w;
    WorkloadParams params;
    params.queues = 3;
    params.entries = 16;
    params.depth = 9;
    params.events_per_tick = 300;
    w.start(s, params);
    for (int i = 0; i < 12; ++i)
        w.tick(s);
    auto size = [&s](uint16_t sqid) -> uint32_t {
        for (const QueueView &q : s.ctrl().queues())
            if (q.is_sq && q.qid == sqid) return q.size;
        return 0;
    };
    const uint64_t now = s.ctrl().now_ns();
    const auto &events = s.ctrl().trace().events();
    REQUIRE(events.size() > 2000);
    struct Case {
        size_t buckets;
        uint64_t end, span;
    };
    std::vector<Case> cases;
    for (size_t buckets : {size_t{1}, size_t{7}, size_t{120}, size_t{997}})
        for (uint64_t end : {now, now / 2, now + now / 3})
            for (uint64_t span : {uint64_t{0}, now / 3, now * 4})
                cases.push_back({buckets, end, span});
    // Bucket boundaries exactly on an event's time: the event opens the next bucket.
    const uint64_t t0 = events.front().time_ns;
    for (size_t k : {size_t{10}, size_t{500}, size_t{1500}}) {
        const uint64_t d = events[k].time_ns - t0;
        REQUIRE(d > 0);
        cases.push_back({2, t0 + 2 * d, 0});
        cases.push_back({5, t0 + 5 * d, 0});
    }
    for (const Case &c : cases) {
        // Plain variables, not a structured binding: CAPTURE's lambda cannot capture one in
        // clang 14.
        const size_t buckets = c.buckets;
        const uint64_t end = c.end;
        const uint64_t span = c.span;
        CAPTURE(buckets);
        CAPTURE(end);
        CAPTURE(span);
        const TracePlots got = build_trace_plots(s.ctrl().trace(), buckets, end, span, size);
        const TracePlots want = plots_by_definition(s.ctrl().trace(), buckets, end, span, size);
        CHECK(got.start_ns == want.start_ns);
        CHECK(got.bucket_ns == want.bucket_ns);
        REQUIRE(got.depth.size() == buckets);
        for (size_t b = 0; b < buckets; ++b) {
            CAPTURE(b);
            REQUIRE(got.depth[b] == want.depth[b]);
            REQUIRE(got.completions_ps[b] == doctest::Approx(want.completions_ps[b]));
        }
        CHECK(got.max_depth == want.max_depth);
        CHECK(got.max_rate == doctest::Approx(want.max_rate));
    }
}

TEST_CASE("sqe fields: CDW10..15 named per opcode") {
    spec::Sqe sq{};
    sq.opc = 0x01; // Create I/O SQ
    spec::CreateIoSqFields{3, 15, true, 2, 3}.apply(sq);
    const auto f = sqe_fields(sq, spec::CommandSetId::Admin);
    REQUIRE(field(f, "CDW0.OPC") != nullptr);
    CHECK(field(f, "CDW0.OPC")->meaning == "Create I/O Submission Queue");
    REQUIRE(field(f, "CDW10.QSIZE") != nullptr);
    CHECK(field(f, "CDW10.QSIZE")->meaning == "16 entries");
    REQUIRE(field(f, "CDW11.QPRIO") != nullptr);
    CHECK(field(f, "CDW11.QPRIO")->meaning == "medium");
    CHECK(field(f, "CDW11.CQID")->value == "3");
    // The same opcode on an I/O queue is Write, with an SLBA.
    spec::Sqe wr{};
    wr.opc = 0x01;
    spec::ReadWriteFields rw{};
    rw.slba = 0x1'0000'0002;
    rw.nlb = 7;
    rw.fua = true;
    rw.apply(wr);
    const auto g = sqe_fields(wr, spec::CommandSetId::Nvm);
    CHECK(field(g, "CDW0.OPC")->meaning == "Write");
    CHECK(field(g, "SLBA")->value == "4294967298");
    CHECK(field(g, "CDW12.NLB")->meaning == "8 block(s)");
    CHECK(field(g, "CDW12.FUA")->value == "1");
    CHECK(field(g, "CDW10.QSIZE") == nullptr);
}

TEST_CASE("sqe composer: the console lines submit exactly the composed SQE") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    REQUIRE(s.exec("queue create entries=8").ok);
    ComposedSqe c;
    c.sqe.opc = 0x02; // Read 4 blocks from LBA 6 into a 16 KiB buffer (PRP list)
    c.sqe.nsid = 1;
    c.sqe.cdw10 = 6;
    c.sqe.cdw12 = 3;
    c.qid = 1;
    c.data_bytes = 16384;
    const auto lines = composer_lines(c, "t");
    REQUIRE(lines.size() == 5);
    CHECK(lines[1] == "mem alloc tbuf 16384");
    CHECK(lines.back() == "ring 1");
    for (const std::string &l : lines)
        REQUIRE_MESSAGE(s.exec(l).ok, l);
    s.exec("run");
    const auto &done = s.ctrl().last_completion();
    REQUIRE(done.has_value());
    CHECK(done->sqid == 1);
    CHECK(done->cqe.decoded_status().ok());
    CHECK(done->sqe.opc == 0x02);
    CHECK(done->sqe.cdw10 == 6);
    CHECK(done->sqe.cdw12 == 3);
    CHECK(done->sqe.prp1 == s.console().variables().at("tbuf"));
    // 16 KiB from a page-aligned buffer: PRP2 points to a list the console built.
    const PrpWalkView w = walk_prps(done->sqe.prp1, done->sqe.prp2, 16384, 4096, s.mem());
    CHECK(w.ok());
    CHECK(w.prp2_is_list);
    CHECK(w.entries.size() == 4);
}

TEST_CASE("device properties: rows round-trip and a bad value names its property") {
    const DeviceConfig defaults;
    std::vector<PropertyRow> rows = property_rows(defaults);
    CHECK(rows.size() == DeviceConfig::property_names().size());
    std::string error;
    auto same = config_from_rows(rows, &error);
    REQUIRE(same.has_value());
    CHECK(same->to_json() == defaults.to_json());
    // An OCSSD device's rows round-trip too (its header has no size, an NVM one's no geometry).
    DeviceConfig ocssd;
    ocssd.set("type", "ocssd");
    ocssd.set("num_chk", "8");
    const auto ocssd_rows = property_rows(ocssd);
    CHECK(ocssd_rows.size() == DeviceConfig::property_names().size());
    const auto ocssd_again = config_from_rows(ocssd_rows, &error);
    REQUIRE_MESSAGE(ocssd_again.has_value(), error);
    CHECK(ocssd_again->to_json() == ocssd.to_json());
    for (PropertyRow &r : rows) {
        if (r.name == "size") r.text = "64M";
        if (r.name == "vwc") r.text = "off";
    }
    auto small = config_from_rows(rows, &error);
    REQUIRE(small.has_value());
    CHECK(small->size == 64ull << 20);
    CHECK_FALSE(small->vwc);
    for (PropertyRow &r : rows)
        if (r.name == "lbads") r.text = "banana";
    CHECK_FALSE(config_from_rows(rows, &error).has_value());
    CHECK(error.find("lbads") != std::string::npos);
}

TEST_CASE("device info: Refresh's commands decode Identify, features and logs") {
    Session s;
    REQUIRE(s.exec("enable").ok);
    DeviceInfo info;
    info.update(s.ctrl(), s.mem());
    CHECK_FALSE(info.id_ctrl.valid);
    for (const std::string &l : DeviceInfo::refresh_lines(false))
        REQUIRE_MESSAGE(s.exec(l).ok, l);
    info.update(s.ctrl(), s.mem());
    REQUIRE(info.id_ctrl.valid);
    const spec::DecodedField *mdts = field(info.id_ctrl.fields, "mdts");
    REQUIRE(mdts != nullptr);
    CHECK(mdts->value == "5");
    CHECK(mdts->meaning == "max transfer 128 KiB");
    CHECK(field(info.id_ctrl.fields, "sn")->value == "NVMELAB00000001");
    REQUIRE(info.id_ns.valid);
    CHECK(field(info.id_ns.fields, "nsze")->meaning == "262144 blocks (1 GiB)");
    REQUIRE(info.smart.valid);
    CHECK(field(info.smart.fields, "critical_warning") != nullptr);
    REQUIRE(info.fw.valid);
    REQUIRE(info.features.count(0x07) == 1);
    CHECK(spec::feature_value_text(0x07, info.features.at(0x07).dw0).find("NSQA=") == 0);
    REQUIRE(info.features.count(0x06) == 1);
    CHECK(spec::feature_value_text(0x06, info.features.at(0x06).dw0) == "WCE=1");
    // No command failed: the error log has no entries.
    REQUIRE_FALSE(info.errors.empty());
    CHECK_FALSE(info.errors.front().valid);
    // A failing command shows up after the next refresh.
    REQUIRE(s.exec("sqe bad opc=0x06 cdw10=0x77").ok);
    s.exec("admin bad");
    for (const std::string &l : DeviceInfo::refresh_lines(true))
        REQUIRE_MESSAGE(s.exec(l).ok, l);
    info.update(s.ctrl(), s.mem());
    REQUIRE(info.errors.front().valid);
    CHECK(field(info.errors.front().fields, "status_field")->value.find("Invalid Field") !=
          std::string::npos);
}
