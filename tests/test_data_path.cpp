// The data path (core/controller/data_path.*, dma.*): the walker choice from PSDT, the DMA
// service's events and costs, Reads copied straight from the cache or the media into host
// memory (no staging), and queue memory walked by the same PRP walker.
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "doctest/doctest.h"
#include "test_helpers.h"

#include "core/commands/handlers.h"
#include "core/controller/device_state.h"
#include "core/controller/dma.h"

using namespace nvmelab;
using nvmelab::test::small_config;
using nvmelab::test::TestDevice;
using spec::GenericStatus;

namespace {

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
    std::vector<uint8_t> v(n);
    uint32_t x = seed * 2654435761u + 7;
    for (auto &b : v) {
        x = x * 1103515245u + 12345u;
        b = static_cast<uint8_t>(x >> 16);
    }
    return v;
}

void put_list(SparseHostMemory &mem, uint64_t addr, const std::vector<uint64_t> &entries) {
    REQUIRE(mem.write(
        addr, std::span(reinterpret_cast<const uint8_t *>(entries.data()), entries.size() * 8)));
}

std::vector<uint8_t> host_bytes(const SparseHostMemory &mem, uint64_t addr, size_t n) {
    std::vector<uint8_t> out(n);
    REQUIRE(mem.read(addr, out));
    return out;
}

std::vector<TraceEvent> events_since(const Trace &trace, uint64_t mark) {
    std::vector<TraceEvent> out;
    for (const auto &e : trace.events())
        if (e.seq >= mark) out.push_back(e);
    return out;
}

// A store whose reads may fail, as a file's can: Reads over it are staged at execute.
class FallibleStore final : public BackingStore {
public:
    explicit FallibleStore(uint64_t size) : inner_(size) {}
    uint64_t media_size() const override { return inner_.media_size(); }
    bool read(uint64_t offset, std::span<uint8_t> out) override {
        return !fail_reads && inner_.read(offset, out);
    }
    bool write(uint64_t offset, std::span<const uint8_t> data) override {
        return inner_.write(offset, data);
    }
    bool sync() override { return true; }
    std::string load_state() override { return {}; }
    bool save_state(std::string_view) override { return true; }
    bool fail_reads = false;

private:
    MemoryBackingStore inner_;
};

// A device state driven by hand: the data path's parts without the scheduler.
struct Bench {
    DeviceConfig cfg = small_config();
    SparseHostMemory mem;
    BackingStore &store;
    DeviceState s;
    explicit Bench(BackingStore &backing, uint64_t dma_ns_per_kib = 1024)
        : store(backing), s(with_dma(cfg, dma_ns_per_kib), mem, backing) {}
    static DeviceConfig &with_dma(DeviceConfig &c, uint64_t ns) {
        c.dma_ns_per_kib = ns;
        return c;
    }
    NvmNamespace &ns() { return static_cast<NvmNamespace &>(*s.find_namespace(1)); }
    // A Read of `blocks` from slba into host memory at prp1 / prp2, decoded and prepared as
    // the pipeline does it.
    CommandContext read(uint64_t slba, uint32_t blocks, uint64_t prp1, uint64_t prp2) {
        CommandContext ctx;
        ctx.sqid = 1;
        ctx.sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        ctx.sqe.cid = 9;
        ctx.sqe.nsid = 1;
        ctx.sqe.cdw10 = static_cast<uint32_t>(slba);
        ctx.sqe.cdw12 = blocks - 1;
        ctx.sqe.prp1 = prp1;
        ctx.sqe.prp2 = prp2;
        REQUIRE_FALSE(
            choose_data_pointers(ctx.sqe, false, s.page_size(), ctx.data_path).has_value());
        REQUIRE(commands::kRead.prepare(s, ctx).ok());
        ctx.data_path.data.start(ctx.transfer_bytes);
        Dma::prepare_buffers(ctx);
        return ctx;
    }
    // Runs the data-out transfer to its end; returns the steps' costs.
    std::vector<uint64_t> transfer_out(CommandContext &ctx) {
        std::vector<uint64_t> costs;
        Dma dma(s);
        while (!ctx.data_path.done() && !ctx.failed())
            costs.push_back(dma.step(ctx, false).cost_ns);
        return costs;
    }
};

} // namespace

TEST_SUITE("data-path") {

    TEST_CASE("PSDT chooses both walkers in one place; 11b and admin SGLs are refused") {
        spec::Sqe sqe{};
        sqe.prp1 = 0x10000;
        sqe.prp2 = 0x20000;
        sqe.mptr = 0x30040;
        DataPath path;
        REQUIRE_FALSE(choose_data_pointers(sqe, false, 4096, path).has_value());
        CHECK(std::holds_alternative<PrpWalker>(path.data.walker));
        CHECK(std::holds_alternative<ContiguousWalker>(path.metadata.walker));
        CHECK(std::string(path.data.entry_field()) == "PRP entry");
        // Data: PRP1 then PRP2 as the second page. Metadata: one segment at MPTR.
        path.data.start(8192);
        path.metadata.start(512);
        SparseHostMemory mem;
        WalkStep s = path.current().next(mem);
        CHECK((s.kind == WalkStep::Kind::Segment && s.addr == 0x10000 && s.len == 4096));
        s = path.current().next(mem);
        CHECK((s.kind == WalkStep::Kind::Segment && s.addr == 0x20000 && s.len == 4096));
        REQUIRE(path.data.done());
        CHECK(&path.current() == &path.metadata);
        s = path.current().next(mem);
        CHECK((s.kind == WalkStep::Kind::Segment && s.addr == 0x30040 && s.len == 512));
        CHECK(path.done());
        CHECK(std::string(path.metadata.entry_field()) == "MPTR");

        for (const uint8_t psdt : {1, 2, 3}) {
            CAPTURE(psdt);
            sqe.set_psdt(psdt);
            const auto io = choose_data_pointers(sqe, false, 4096, path);
            // 01b and 10b are SGLs (tests/test_sgl.cpp); 11b is reserved.
            CHECK(io.has_value() == (psdt == 3));
            if (psdt == 3) CHECK(io->rule == "PSDT 11b is reserved");
            const auto admin = choose_data_pointers(sqe, true, 4096, path);
            REQUIRE(admin.has_value());
            CHECK(admin->rule == "admin commands must use PRPs (PSDT = 00b)");
        }

        // Through the pipeline: the same refusal, status and field as before.
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        spec::Sqe read{};
        read.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        read.nsid = 1;
        read.set_psdt(3);
        d.drv.build_prps(read, d.mem.alloc(4096), 4096);
        const Completion c = d.drv.execute(q, read);
        CHECK(c.status().sc == static_cast<uint8_t>(GenericStatus::InvalidField));
        CHECK(c.status().dnr);
        REQUIRE(c.why);
        CHECK(c.why->field == "CDW0.PSDT");
        CHECK(c.why->value == 3);
    }

    TEST_CASE("DMA service: one event per list read and segment, each with its cost") {
        MemoryBackingStore store(small_config().size);
        Bench b(store); // 1024 ns per KiB: a 4 KiB segment costs 4096 ns, 8 bytes cost 8
        const auto data = pattern(3 * 4096, 1);
        const uint64_t first = b.mem.alloc(4096), list = b.mem.alloc(4096);
        const uint64_t second = b.mem.alloc(4096), third = b.mem.alloc(4096);
        put_list(b.mem, list, {second, third});
        CommandContext ctx;
        ctx.sqid = 2;
        ctx.sqe.cid = 77;
        ctx.sqe.prp1 = first;
        ctx.sqe.prp2 = list;
        ctx.direction = spec::DataDirection::ControllerToHost;
        ctx.transfer_bytes = data.size();
        REQUIRE_FALSE(choose_data_pointers(ctx.sqe, false, 4096, ctx.data_path).has_value());
        ctx.data_path.data.start(data.size());
        Dma::prepare_buffers(ctx);
        REQUIRE(ctx.buffer.size() == data.size());
        std::memcpy(ctx.buffer.data(), data.data(), data.size());

        const uint64_t mark = b.s.trace.total_recorded();
        CHECK(b.transfer_out(ctx) == std::vector<uint64_t>{4096, 16, 4096, 4096});
        CHECK(ctx.status.ok());
        CHECK(ctx.data_path.data.moved == data.size());
        const auto ev = events_since(b.s.trace, mark);
        REQUIRE(ev.size() == 4);
        const std::vector<std::pair<EventKind, uint64_t>> expected{{EventKind::DmaToHost, first},
                                                                   {EventKind::PrpListRead, list},
                                                                   {EventKind::DmaToHost, second},
                                                                   {EventKind::DmaToHost, third}};
        for (size_t i = 0; i < ev.size(); ++i) {
            CAPTURE(i);
            CHECK(ev[i].kind == expected[i].first);
            CHECK(ev[i].addr == expected[i].second);
            CHECK(ev[i].len == (i == 1 ? 2 : 4096));
            CHECK(ev[i].sqid == 2);
            CHECK(ev[i].cid == 77);
            CHECK(ev[i].explanation == -1);
        }
        CHECK(host_bytes(b.mem, first, 4096) == std::vector(data.begin(), data.begin() + 4096));
        CHECK(host_bytes(b.mem, third, 4096) == std::vector(data.begin() + 8192, data.end()));

        SUBCASE("a page the host never mapped fails the command with Data Transfer Error") {
            put_list(b.mem, list, {second, 0x7F000000});
            ctx.status = spec::success();
            ctx.why.reset();
            ctx.data_path.data.start(data.size());
            const uint64_t m = b.s.trace.total_recorded();
            b.transfer_out(ctx);
            CHECK(ctx.status.sc == static_cast<uint8_t>(GenericStatus::DataTransferError));
            CHECK_FALSE(ctx.status.dnr);
            REQUIRE(ctx.why);
            CHECK(ctx.why->field == "PRP entry");
            CHECK(ctx.why->value == 0x7F000000);
            CHECK(ctx.why->rule == "the data buffer is not in mapped host memory");
            const auto failed = events_since(b.s.trace, m).back();
            CHECK(failed.kind == EventKind::DmaToHost);
            CHECK(failed.addr == 0x7F000000);
            REQUIRE(b.s.trace.explanation(failed.explanation) != nullptr);
        }
    }

    TEST_CASE("the pipeline waits each DMA step's cost before the next") {
        DeviceConfig c = small_config();
        c.dma_ns_per_kib = 1024;
        TestDevice d(c);
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        std::vector<uint8_t> out(3 * 4096);
        const uint64_t mark = d.ctrl.trace().total_recorded();
        REQUIRE(d.drv.read(q, 1, 0, 2, out).ok()); // PRP1, then a list of two entries
        std::vector<TraceEvent> steps;
        for (const auto &e : events_since(d.ctrl.trace(), mark))
            if (e.kind == EventKind::DmaToHost || e.kind == EventKind::PrpListRead)
                steps.push_back(e);
        REQUIRE(steps.size() == 4);
        CHECK(steps[1].kind == EventKind::PrpListRead);
        CHECK(steps[1].time_ns - steps[0].time_ns == 4096); // one page
        CHECK(steps[2].time_ns - steps[1].time_ns == 16);   // two list entries
        CHECK(steps[3].time_ns - steps[2].time_ns == 4096);
    }

    TEST_CASE("a Read goes from the cache and the media straight into host memory") {
        // Blocks 0..31 on the media, then block 3 in the cache's arena and blocks 16..31 as a
        // whole cached extent. A 24-block Read into scattered host pages (a PRP list) takes
        // each block from its newest copy.
        const auto media = pattern(32 * 4096, 2);
        const auto arena = pattern(4096, 3);
        const auto extent = pattern(16 * 4096, 4);
        auto expected = std::vector(media.begin(), media.begin() + 24 * 4096);
        std::copy(arena.begin(), arena.end(), expected.begin() + 3 * 4096);
        std::copy(extent.begin(), extent.begin() + 8 * 4096, expected.begin() + 16 * 4096);

        // The same workload over a memory store (held Read) and over a store whose reads can
        // fail (staged Read): same data, same trace.
        std::string traces[2];
        for (const bool held : {true, false}) {
            CAPTURE(held);
            const DeviceConfig c = small_config();
            MemoryBackingStore memory_store(c.size);
            FallibleStore file_like(c.size);
            BackingStore &store = held ? static_cast<BackingStore &>(memory_store) : file_like;
            SparseHostMemory mem;
            Controller ctrl(c, mem, store);
            HostDriver drv(ctrl, mem);
            drv.enable();
            const uint16_t q = drv.create_io_queue_pair(16);
            REQUIRE(drv.write(q, 1, 0, 31, media).ok());
            REQUIRE(drv.flush(q, 1).ok());
            REQUIRE(drv.write(q, 1, 3, 0, arena).ok());
            REQUIRE(drv.write(q, 1, 16, 15, extent).ok());
            REQUIRE(ctrl.lba_cached(1, 3));
            REQUIRE(ctrl.lba_cached(1, 31));

            std::vector<uint64_t> pages(24);
            for (size_t i = 0; i < pages.size(); ++i) { // backwards, with a gap between pages
                pages[pages.size() - 1 - i] = mem.alloc(4096);
                mem.alloc(4096);
            }
            const uint64_t list = mem.alloc(4096);
            put_list(mem, list, std::vector(pages.begin() + 1, pages.end()));
            spec::Sqe sqe{};
            sqe.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
            sqe.nsid = 1;
            sqe.cdw12 = 23;
            sqe.prp1 = pages[0];
            sqe.prp2 = list;
            const uint64_t mark = ctrl.trace().total_recorded();
            REQUIRE(drv.execute(q, sqe).ok());
            std::vector<uint8_t> got;
            for (const uint64_t p : pages) {
                const auto page = host_bytes(mem, p, 4096);
                got.insert(got.end(), page.begin(), page.end());
            }
            CHECK(got == expected);
            size_t dma = 0;
            for (const auto &e : events_since(ctrl.trace(), mark)) {
                if (e.kind == EventKind::MediaRead) CHECK(e.len == 24);
                if (e.kind == EventKind::DmaToHost) CHECK(e.addr == pages[dma++]);
            }
            CHECK(dma == 24);
            traces[held ? 0 : 1] = ctrl.trace().format_all();
        }
        CHECK(traces[0] == traces[1]);
    }

    TEST_CASE("a held Read stages nothing; a store whose reads can fail is read at execute") {
        const auto data = pattern(2 * 4096, 5);
        for (const bool memory : {true, false}) {
            CAPTURE(memory);
            MemoryBackingStore memory_store(small_config().size);
            FallibleStore file_like(small_config().size);
            Bench b(memory ? static_cast<BackingStore &>(memory_store) : file_like);
            REQUIRE(b.ns().write(b.store, 6, 2, data, false));
            const uint64_t page0 = b.mem.alloc(4096), page1 = b.mem.alloc(4096);
            CommandContext ctx = b.read(6, 2, page0, page1);
            REQUIRE(commands::kRead.execute(b.s, ctx).ok());
            CHECK(ctx.held_read.active() == memory);
            CHECK(b.ns().reads_held() == (memory ? 1 : 0));
            b.transfer_out(ctx);
            REQUIRE(ctx.status.ok());
            CHECK(host_bytes(b.mem, page0, 4096) == std::vector(data.begin(), data.begin() + 4096));
            CHECK(host_bytes(b.mem, page1, 4096) == std::vector(data.begin() + 4096, data.end()));
            // The data moved once, media to host: the slot's staging buffer was never used.
            CHECK(ctx.buffer.capacity() == (memory ? 0 : data.size()));
            ctx.release_data();
            CHECK(b.ns().reads_held() == 0);
        }
    }

    TEST_CASE("a Read over a store whose reads fail still fails at execute, as before") {
        FallibleStore file_like(small_config().size);
        Bench b(file_like);
        file_like.fail_reads = true;
        CommandContext ctx = b.read(0, 1, b.mem.alloc(4096), 0);
        const uint64_t errors = b.s.health.media_errors;
        CHECK_FALSE(commands::kRead.execute(b.s, ctx).ok());
        CHECK(ctx.status.sct == 2);
        CHECK(ctx.status.sc == static_cast<uint8_t>(spec::MediaStatus::UnrecoveredReadError));
        REQUIRE(ctx.why);
        CHECK(ctx.why->rule == "the backing store could not be read");
        CHECK(b.s.health.media_errors == errors + 1);
    }

    TEST_CASE("a Read returns its execute's data when a Write lands before its data-out") {
        TestDevice d;
        d.drv.enable();
        const uint16_t q = d.drv.create_io_queue_pair(8);
        const auto old_data = pattern(4096, 6), new_data = pattern(4096, 7);
        REQUIRE(d.drv.write(q, 1, 5, 0, old_data).ok());
        REQUIRE(d.drv.flush(q, 1).ok());
        // Read then Write of LBA 5, both in flight: the Read executes (media read, 50 us) and
        // the Write executes into the cache before the Read's data goes out.
        const uint64_t out_buf = d.mem.alloc(4096), in_buf = d.mem.alloc(4096);
        REQUIRE(d.mem.write(in_buf, new_data));
        spec::Sqe read{}, write{};
        read.opc = static_cast<uint8_t>(spec::NvmOpcode::Read);
        write.opc = static_cast<uint8_t>(spec::NvmOpcode::Write);
        read.nsid = write.nsid = 1;
        read.cdw10 = write.cdw10 = 5;
        read.prp1 = out_buf;
        write.prp1 = in_buf;
        const uint64_t mark = d.ctrl.trace().total_recorded();
        d.drv.submit(q, read);
        d.drv.submit(q, write);
        d.drv.ring(q);
        d.ctrl.run_until_idle();
        uint64_t read_at = 0, write_at = 0, out_at = 0;
        for (const auto &e : events_since(d.ctrl.trace(), mark)) {
            if (e.kind == EventKind::MediaRead) read_at = e.time_ns;
            if (e.kind == EventKind::CacheWrite) write_at = e.time_ns;
            if (e.kind == EventKind::DmaToHost) out_at = e.time_ns;
        }
        REQUIRE(read_at < write_at);
        REQUIRE(write_at < out_at);
        CHECK(host_bytes(d.mem, out_buf, 4096) == old_data);
        std::vector<uint8_t> now(4096);
        while (d.drv.reap(q)) {
        }
        REQUIRE(d.drv.read(q, 1, 5, 0, now).ok());
        CHECK(now == new_data);
    }

    TEST_CASE("a held range keeps its data through writes and an unclean cache drop") {
        MemoryBackingStore store(small_config().size);
        Bench b(store);
        const auto media = pattern(4 * 4096, 8), cached = pattern(4 * 4096, 9);
        REQUIRE(b.ns().write(store, 0, 4, media, false));
        REQUIRE(b.ns().write(store, 0, 4, cached, true)); // newest copy in the cache
        const uint64_t hold = b.ns().hold_read(store, 0, 4);
        std::vector<uint8_t> got(4096);
        SUBCASE("a write over part of the range") {
            REQUIRE(b.ns().write(store, 1, 1, pattern(4096, 10), false));
        }
        SUBCASE("an unclean power cut drops the cache") {
            CHECK(b.ns().drop_cache() == 4);
        }
        for (uint64_t block = 0; block < 4; ++block) {
            REQUIRE(b.ns().read_held(hold, block * 4096, got));
            CHECK(got ==
                  std::vector(cached.begin() + static_cast<std::ptrdiff_t>(block * 4096),
                              cached.begin() + static_cast<std::ptrdiff_t>((block + 1) * 4096)));
        }
        b.ns().release_read(hold);
        CHECK(b.ns().reads_held() == 0);
    }

    TEST_CASE("queue memory (PC = 0) is walked by the PRP walker through the DMA service") {
        MemoryBackingStore store(small_config().size);
        Bench b(store);
        std::vector<uint64_t> pages;
        for (int i = 0; i < 3; ++i)
            pages.push_back(b.mem.alloc(4096));
        const uint64_t list = b.mem.alloc(4096);
        put_list(b.mem, list, pages);
        CommandContext ctx;
        ctx.sqe.cid = 4;
        PrpWalker walker = PrpWalker::list_only(list, 3 * 4096, 4096);
        Dma dma(b.s);
        const uint64_t mark = b.s.trace.total_recorded();
        std::vector<uint64_t> named;
        uint64_t list_cost = 0;
        while (!walker.done()) {
            uint64_t cost = 0;
            const WalkStep s = dma.walk(ctx, walker, cost);
            REQUIRE(s.kind != WalkStep::Kind::Error);
            if (s.kind == WalkStep::Kind::Segment) named.push_back(s.addr);
            list_cost += cost;
        }
        CHECK(named == pages);
        CHECK(list_cost == 24); // three entries of 8 bytes at 1024 ns per KiB
        const auto ev = events_since(b.s.trace, mark);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].kind == EventKind::PrpListRead);
        CHECK(ev[0].addr == list);
        CHECK(ev[0].len == 3);

        // A misaligned entry: the fault the queue's handler words its own way.
        put_list(b.mem, list, {pages[0], pages[1] + 8, pages[2]});
        walker.start(3 * 4096);
        WalkStep s;
        do {
            uint64_t cost = 0;
            s = dma.walk(ctx, walker, cost);
        } while (s.kind == WalkStep::Kind::Segment || s.kind == WalkStep::Kind::ListRead);
        CHECK(s.kind == WalkStep::Kind::Error);
        CHECK(s.fault == WalkStep::Fault::EntryOffset);

        // Through Create I/O SQ: the same entry, in the queue's words.
        DeviceConfig c = small_config();
        c.cqr = false;
        TestDevice d(c);
        d.drv.enable();
        const uint64_t cq = d.mem.alloc(4096);
        spec::Sqe mkcq{};
        mkcq.opc = static_cast<uint8_t>(spec::AdminOpcode::CreateIoCq);
        mkcq.prp1 = cq;
        mkcq.cdw10 = (uint32_t{63} << 16) | 1;
        mkcq.cdw11 = 1; // PC
        REQUIRE(d.drv.execute(0, mkcq).ok());
        const uint64_t sq_pages[3] = {d.mem.alloc(4096), d.mem.alloc(4096), d.mem.alloc(4096)};
        const uint64_t sq_list = d.mem.alloc(4096);
        put_list(d.mem, sq_list, {sq_pages[0], sq_pages[1] + 0x200, sq_pages[2]});
        spec::Sqe mksq{};
        mksq.opc = static_cast<uint8_t>(spec::AdminOpcode::CreateIoSq);
        mksq.prp1 = sq_list;
        mksq.cdw10 = (uint32_t{191} << 16) | 1; // 192 entries: three pages
        mksq.cdw11 = (uint32_t{1} << 16);       // CQID 1, PC = 0
        const Completion bad = d.drv.execute(0, mksq);
        CHECK(bad.status().sc == static_cast<uint8_t>(GenericStatus::PrpOffsetInvalid));
        REQUIRE(bad.why);
        CHECK(bad.why->field == "queue PRP list entry 1");
        CHECK(bad.why->rule == "every page of a non-contiguous queue must be page aligned");
    }

} // TEST_SUITE
