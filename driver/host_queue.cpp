// The host's side of a queue (see host_queue.h).
#include "driver/host_queue.h"

#include <array>
#include <cstring>

namespace nvmelab {

HostQueueMemory HostQueueMemory::contiguous(uint64_t base) {
    HostQueueMemory m;
    m.base_ = base;
    return m;
}

HostQueueMemory HostQueueMemory::page_list(std::vector<uint64_t> pages,
                                           std::vector<uint64_t> list_pages, uint64_t page_size) {
    HostQueueMemory m;
    m.contiguous_ = false;
    m.base_ = list_pages.empty() ? 0 : list_pages.front();
    m.page_size_ = page_size;
    m.pages_ = std::move(pages);
    m.list_pages_ = std::move(list_pages);
    return m;
}

HostQueueMemory HostQueueMemory::pages_of(std::vector<uint64_t> pages, uint64_t page_size) {
    HostQueueMemory m = page_list(std::move(pages), {}, page_size);
    m.base_ = m.pages_.empty() ? 0 : m.pages_.front();
    return m;
}

uint64_t HostQueueMemory::address(uint64_t offset) const {
    if (contiguous_) return base_ + offset;
    const uint64_t page = offset / page_size_;
    return page < pages_.size() ? pages_[page] + offset % page_size_ : 0;
}

bool HostSq::push(SparseHostMemory &mem, spec::Sqe &sqe, bool keep_cid) {
    if (!keep_cid) sqe.cid = next_cid++;
    std::array<uint8_t, kEntryBytes> raw{};
    std::memcpy(raw.data(), &sqe, raw.size());
    const bool written = mem.write(slot_address(tail), raw);
    tail = (tail + 1) % entries;
    return written;
}

std::optional<spec::Cqe> HostCq::entry(const SparseHostMemory &mem, uint32_t slot) const {
    std::array<uint8_t, kEntryBytes> raw{};
    if (!mem.read(slot_address(slot), raw)) return std::nullopt;
    spec::Cqe cqe{};
    std::memcpy(&cqe, raw.data(), raw.size());
    return cqe;
}

std::optional<spec::Cqe> HostCq::peek(const SparseHostMemory &mem) const {
    const std::optional<spec::Cqe> cqe = entry(mem, head);
    if (!cqe || cqe->phase() != phase) return std::nullopt;
    return cqe;
}

void HostCq::pop() {
    head = (head + 1) % entries;
    if (head == 0) phase = !phase;
}

uint32_t HostCq::pending(const SparseHostMemory &mem) const {
    HostCq walk = *this;
    uint32_t n = 0;
    for (uint32_t i = 0; i < entries && walk.peek(mem); ++i) {
        walk.pop();
        ++n;
    }
    return n;
}

} // namespace nvmelab
