// The SGL walk of one command, descriptor by descriptor (see sgl_map.h).
#include "ui/model/sgl_map.h"

#include <fmt/format.h>

#include "core/controller/sgl_walker.h"

namespace nvmelab::ui {

SglWalkView walk_sgl(const spec::Sqe &sqe, uint64_t length, const SparseHostMemory &memory) {
    SglWalkView v;
    v.length = length;
    const bool to_device = spec::opcode_direction(sqe.opc) == spec::DataDirection::HostToController;
    SglWalker walker(spec::SglDescriptor::from_dptr(sqe.prp1, sqe.prp2), to_device);
    walker.start(length);
    uint64_t position = 0;
    // The walker ends looping chains itself; this bounds the view's rows as well.
    for (int rows = 0; rows < 100000 && !walker.done(); ++rows) {
        const WalkStep s = walker.next(memory);
        const SglDescriptorPlace &at = walker.place();
        if (s.kind == WalkStep::Kind::Done) break;
        if (s.kind == WalkStep::Kind::Error) {
            v.error = s.why;
            v.error_segment = at.segment;
            v.error_index = at.index;
            v.error_descriptor_addr = at.addr;
            break;
        }
        SglStepView r;
        r.segment = at.segment;
        r.index = at.index;
        r.descriptor_addr = at.addr;
        r.addr = s.addr;
        r.len = s.len;
        r.position = position;
        if (s.kind == WalkStep::Kind::SegmentRead) {
            r.kind = SglStepView::Kind::SegmentRead;
        } else {
            r.kind = s.kind == WalkStep::Kind::Discard ? SglStepView::Kind::Bucket
                                                       : SglStepView::Kind::Data;
            position += s.len;
        }
        if (r.kind != SglStepView::Kind::Bucket) {
            const SparseHostMemory::Region *region = memory.region_at(r.addr);
            r.mapped = region != nullptr &&
                       memory.is_mapped(r.addr, r.kind == SglStepView::Kind::SegmentRead
                                                    ? r.len * sizeof(spec::SglDescriptor)
                                                    : r.len);
            if (region)
                r.region = region->label.empty() ? fmt::format("region at 0x{:x}", region->base)
                                                 : region->label;
        }
        v.steps.push_back(std::move(r));
    }
    return v;
}

} // namespace nvmelab::ui
