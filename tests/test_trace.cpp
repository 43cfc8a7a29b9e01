// The event trace as a bounded ring: order, sequence numbers, and what a capacity change keeps.
#include <cstdint>
#include <vector>

#include "doctest/doctest.h"

#include "core/controller/trace.h"

namespace {

using namespace nvmelab;

// Records n events whose address and time follow the sequence number they will get.
void record(Trace &t, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
        const uint64_t seq = t.total_recorded();
        t.record(TraceEvent{.time_ns = seq * 10, .kind = EventKind::SqeFetch, .addr = seq});
    }
}

// Events are held oldest first with consecutive sequence numbers ending at the newest.
void check_window(const Trace &t, uint64_t first_seq, uint64_t count) {
    const auto &ev = t.events();
    REQUIRE(ev.size() == count);
    CHECK(ev.front().seq == first_seq);
    CHECK(ev.back().seq == first_seq + count - 1);
    uint64_t expected = first_seq;
    bool in_order = true;
    for (const TraceEvent &e : ev) {
        in_order =
            in_order && e.seq == expected && e.addr == expected && e.time_ns == expected * 10;
        ++expected;
    }
    CHECK(in_order);
    CHECK(ev[count / 2].seq == first_seq + count / 2);
}

} // namespace

TEST_SUITE("trace") {
    TEST_CASE("below the capacity every event is kept, in order, across ring growth") {
        Trace t(100'000);
        record(t, 9'000); // grows the ring past its first allocation (4096 events)
        check_window(t, 0, 9'000);
        CHECK(t.total_recorded() == 9'000);
    }

    TEST_CASE("at the capacity the oldest events are dropped") {
        Trace t(1'000);
        record(t, 2'500);
        check_window(t, 1'500, 1'000);
        CHECK(t.total_recorded() == 2'500);
        // Newest last, also when read backwards.
        CHECK(t.events().rbegin()->seq == 2'499);
    }

    TEST_CASE("set_capacity keeps the newest events; clear empties the ring") {
        Trace t(10'000);
        record(t, 6'000);
        t.set_capacity(500);
        check_window(t, 5'500, 500);
        record(t, 10);
        check_window(t, 5'510, 500);
        t.set_capacity(2'000); // growing again keeps what is there
        record(t, 1'000);
        check_window(t, 5'510, 1'500);
        t.clear();
        CHECK(t.events().empty());
        record(t, 3);
        check_window(t, 7'010, 3);
    }

    TEST_CASE("the listener sees every event as it is recorded, also those the ring drops") {
        Trace t(100);
        std::vector<uint64_t> seen; // sequence numbers, checked against the address
        bool consistent = true;
        t.set_listener([&](const TraceEvent &ev) {
            seen.push_back(ev.seq);
            consistent = consistent && ev.addr == ev.seq && t.events().back().seq == ev.seq;
        });
        record(t, 1'000);
        REQUIRE(seen.size() == 1'000);
        CHECK(seen.front() == 0);
        CHECK(seen.back() == 999);
        CHECK(consistent); // called after the event is in the ring, with its number set
        check_window(t, 900, 100);
        t.set_enabled(false); // nothing recorded, nothing heard
        record(t, 5);
        CHECK(seen.size() == 1'000);
        t.set_enabled(true);
        t.set_listener({}); // no listener: recording goes on
        record(t, 5);
        CHECK(seen.size() == 1'000);
        CHECK(t.total_recorded() == 1'005);
    }

    TEST_CASE("a disabled trace records nothing and does not count") {
        Trace t;
        t.set_enabled(false);
        record(t, 5);
        CHECK(t.events().empty());
        CHECK(t.total_recorded() == 0);
    }
}
