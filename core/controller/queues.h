#pragma once
// Submission and completion queue state as the controller keeps it (NVMe 1.3 §4.1).
#include <cstdint>
#include <vector>

namespace nvmelab {

// Queue memory is either one contiguous range or, when CAP.CQR = 0 and the host asks for it
// (PC = 0), a list of pages taken from a PRP list (§5.3, §5.4).
struct QueueMemory {
    uint64_t base = 0;           // contiguous queues
    std::vector<uint64_t> pages; // non-contiguous queues
    uint64_t page_size = 4096;

    uint64_t entry_address(uint32_t index, uint32_t entry_size) const {
        const uint64_t offset = uint64_t{index} * entry_size;
        if (pages.empty()) return base + offset;
        return pages[offset / page_size] + offset % page_size;
    }
    bool contiguous() const { return pages.empty(); }
};

struct SubmissionQueue {
    uint16_t qid = 0;
    uint16_t cqid = 0;
    uint32_t size = 0; // entries (QSIZE + 1)
    QueueMemory memory;
    uint32_t head = 0; // controller's fetch position
    uint32_t tail = 0; // last doorbell value
    uint8_t qprio = 0; // 0 urgent, 1 high, 2 medium, 3 low (WRR only)
    uint64_t fetched = 0;

    bool empty() const { return head == tail; }
    uint32_t depth() const { return (tail + size - head) % size; }
};

struct CompletionQueue {
    uint16_t qid = 0;
    uint32_t size = 0;
    QueueMemory memory;
    uint32_t head = 0; // last doorbell value
    uint32_t tail = 0; // controller's next slot
    bool phase = true; // phase tag the controller writes next; starts at 1 (§4.6)
    bool ien = true;
    uint16_t iv = 0;
    uint32_t sq_count = 0;         // SQs mapped to this CQ (Delete CQ rule, §5.5)
    std::vector<uint32_t> waiting; // command slots waiting for a free entry
    uint64_t posted = 0;

    // One slot always stays empty: full when the next tail would equal the head (§4.1).
    bool full() const { return (tail + 1) % size == head; }
    bool empty() const { return head == tail; }
    uint32_t used() const { return (tail + size - head) % size; }
};

} // namespace nvmelab
