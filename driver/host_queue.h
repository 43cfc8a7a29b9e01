#pragma once
// The host's side of one submission or completion queue: where its entries live in host memory
// and the host's position in it. One model for every host-side user: HostDriver keeps its queue
// pairs in it, and the console drives the queues it did not create (a bring-up by registers,
// raw Create I/O SQ/CQ commands) with the same code.
//
// A queue's memory is either one physically contiguous range (PC = 1) or the pages a PRP list
// names (PC = 0, NVMe 1.3 §5.3, §5.4: PRP Entry 1 then points to a PRP list, which goes on
// into the next list page through its last entry as any PRP list does, §4.3).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"

namespace nvmelab {

class HostQueueMemory {
public:
    HostQueueMemory() = default;
    static HostQueueMemory contiguous(uint64_t base);
    // A PC = 0 queue over `pages` (each page_size bytes, in queue order) as a controller took
    // them from the queue's PRP list (QueueView::pages).
    static HostQueueMemory pages_of(std::vector<uint64_t> pages, uint64_t page_size);
    // A PC = 0 queue over `pages` (each page_size bytes) whose PRP list the host wrote at
    // list_pages (the first is what PRP Entry 1 holds).
    static HostQueueMemory page_list(std::vector<uint64_t> pages, std::vector<uint64_t> list_pages,
                                     uint64_t page_size);

    bool is_contiguous() const { return contiguous_; }
    // Contiguous: the queue's base. PC = 0: the PRP list the host made (what PRP Entry 1 of
    // the Create command holds), else the first page (as QueueView::base).
    uint64_t base() const { return base_; }
    // The host address of byte `offset` of the queue.
    uint64_t address(uint64_t offset) const;
    const std::vector<uint64_t> &pages() const { return pages_; }
    const std::vector<uint64_t> &list_pages() const { return list_pages_; }

private:
    bool contiguous_ = true;
    uint64_t base_ = 0;
    uint64_t page_size_ = 4096;
    std::vector<uint64_t> pages_;      // PC = 0: the queue's pages, in queue order
    std::vector<uint64_t> list_pages_; // PC = 0: the PRP list pages, if the host made them
};

struct HostSq {
    static constexpr uint32_t kEntryBytes = 64;
    uint16_t qid = 0;
    uint16_t cqid = 0;
    uint32_t entries = 0;
    HostQueueMemory memory;
    uint32_t tail = 0;
    uint32_t head = 0; // as last reported in a CQE (SQHD)
    uint16_t next_cid = 0;

    // One slot is always left empty: a full SQ has tail + 1 == head (§4.1.2).
    bool full() const { return (tail + 1) % entries == head; }
    uint64_t slot_address(uint32_t slot) const { return memory.address(uint64_t{slot} * 64); }
    // Writes `sqe` at the tail, with the next CID unless keep_cid, and advances the tail; the
    // doorbell is rung separately. Returns whether host memory took the write (the tail moves
    // either way, as a host's does).
    bool push(SparseHostMemory &mem, spec::Sqe &sqe, bool keep_cid);
};

struct HostCq {
    static constexpr uint32_t kEntryBytes = 16;
    uint16_t cqid = 0;
    uint32_t entries = 0;
    HostQueueMemory memory;
    uint32_t head = 0;
    bool phase = true; // the phase tag of a new entry at head

    uint64_t slot_address(uint32_t slot) const { return memory.address(uint64_t{slot} * 16); }
    // The entry at `slot`; nullopt if its memory is not mapped.
    std::optional<spec::Cqe> entry(const SparseHostMemory &mem, uint32_t slot) const;
    // The entry at head if its phase tag says it is new (§4.6); an entry in memory the host
    // unmapped is never new.
    std::optional<spec::Cqe> peek(const SparseHostMemory &mem) const;
    // Consumes the entry at head; the expected phase flips when head wraps.
    void pop();
    // New entries from head on (by their phase tags).
    uint32_t pending(const SparseHostMemory &mem) const;
};

} // namespace nvmelab
