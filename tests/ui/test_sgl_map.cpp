// The Data path window's SGL model (ui/model/sgl_map.*): segments, Data Blocks, Bit Buckets and
// the descriptor that broke a rule, from host memory as the controller reads it (NVMe 1.3 §4.4).
#include <cstring>
#include <vector>

#include "doctest/doctest.h"
#include "ui/model/sgl_map.h"

using namespace nvmelab;
using namespace nvmelab::ui;

namespace {
void put(SparseHostMemory &m, uint64_t at, uint64_t addr, uint32_t len, uint8_t id) {
    spec::SglDescriptor d{addr, len, {}, id};
    REQUIRE(m.write(at, std::span(reinterpret_cast<const uint8_t *>(&d), sizeof d)));
}
spec::Sqe read_sqe(uint64_t addr, uint32_t len, uint8_t id) {
    spec::Sqe sqe{};
    sqe.opc = 0x02;
    sqe.set_psdt(1);
    const spec::SglDescriptor d{addr, len, {}, id};
    sqe.prp1 = d.address;
    sqe.prp2 = d.qword1();
    return sqe;
}
} // namespace

TEST_CASE("SGL map: a segment, a Data Block, a Bit Bucket, and a broken descriptor in red") {
    SparseHostMemory m;
    const uint64_t data = m.alloc(8192, "data");
    const uint64_t seg = m.alloc(4096, "segment");
    put(m, seg, data + 0x40, 4096, 0x00);
    put(m, seg + 16, 0, 4096, 0x10);
    SglWalkView w = walk_sgl(read_sqe(seg, 32, 0x30), 8192, m);
    CHECK_FALSE(w.error);
    REQUIRE(w.steps.size() == 3);
    CHECK(w.steps[0].kind == SglStepView::Kind::SegmentRead);
    CHECK(w.steps[0].addr == seg);
    CHECK(w.steps[0].len == 2);
    CHECK(w.steps[0].region == "segment");
    CHECK(w.steps[1].kind == SglStepView::Kind::Data);
    CHECK(w.steps[1].addr == data + 0x40);
    CHECK(w.steps[1].segment == 1);
    CHECK(w.steps[1].index == 0);
    CHECK(w.steps[1].descriptor_addr == seg);
    CHECK(w.steps[1].region == "data");
    CHECK(w.steps[2].kind == SglStepView::Kind::Bucket);
    CHECK(w.steps[2].position == 4096);

    // The second descriptor with a reserved type: the walk stops there, naming it.
    put(m, seg + 16, data, 4096, 0x60);
    w = walk_sgl(read_sqe(seg, 32, 0x30), 8192, m);
    REQUIRE(w.error);
    CHECK(w.error_segment == 1);
    CHECK(w.error_index == 1);
    CHECK(w.error_descriptor_addr == seg + 16);
    CHECK(w.error->field.find("descriptor 1") != std::string::npos);
}
