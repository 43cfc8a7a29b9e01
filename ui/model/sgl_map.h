#pragma once
// The SGL walk of one command (PSDT 01b/10b), rebuilt for the Data path window: each segment
// read, each Data Block and where its bytes go, each Bit Bucket, and the descriptor that broke a
// rule. It runs the core's own SglWalker over host memory, so it finds the same errors the
// controller does (NVMe 1.3 §4.4).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/controller/trace.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab::ui {

struct SglStepView {
    enum class Kind : uint8_t { SegmentRead, Data, Bucket };
    Kind kind = Kind::Data;
    uint32_t segment = 0;         // 0: SGL1 in the SQE
    uint64_t index = 0;           // descriptor number in its segment
    uint64_t descriptor_addr = 0; // where the descriptor is stored (0: in the SQE)
    uint64_t addr = 0;            // SegmentRead: the segment part read; Data: the data
    uint64_t len = 0;             // SegmentRead: descriptors read; else bytes
    uint64_t position = 0;        // where the bytes sit in the command's data
    std::string region;           // label of the host region ("" if unmapped)
    bool mapped = true;
};

struct SglWalkView {
    uint64_t length = 0;
    std::vector<SglStepView> steps;
    // The first problem, and the descriptor it names (segment 0 = SGL1).
    std::optional<Explanation> error;
    uint32_t error_segment = 0;
    uint64_t error_index = 0;
    uint64_t error_descriptor_addr = 0;
};

// Walks SGL1 of `sqe` for a transfer of `length` bytes (a write ignores Bit Buckets).
SglWalkView walk_sgl(const spec::Sqe &sqe, uint64_t length, const SparseHostMemory &memory);

} // namespace nvmelab::ui
