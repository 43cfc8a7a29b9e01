#pragma once
// Host memory as the controller sees it: reachable only by DMA at bus addresses. A DMA that
// touches an address the host never mapped fails, and the controller reports a Data Transfer
// Error (NVMe 1.3 §4.6.1.2.1, SC 04h) instead of crashing.
#include <cstdint>
#include <map>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace nvmelab {

// Host pages live in page-aligned storage, as real host memory does, so DMA copies between
// them and the controller's page-aligned buffers run at full speed.
template <typename T> struct PageAlignedAllocator {
    using value_type = T;
    static constexpr std::align_val_t kAlign{4096};
    PageAlignedAllocator() = default;
    template <typename U> PageAlignedAllocator(const PageAlignedAllocator<U> &) {}
    T *allocate(size_t n) { return static_cast<T *>(::operator new(n * sizeof(T), kAlign)); }
    void deallocate(T *p, size_t) { ::operator delete(p, kAlign); }
    template <typename U> bool operator==(const PageAlignedAllocator<U> &) const { return true; }
};

using PageBytes = std::vector<uint8_t, PageAlignedAllocator<uint8_t>>;

class HostMemory {
public:
    virtual ~HostMemory() = default;
    // Device reads host memory (host -> controller). False if any byte is unmapped.
    virtual bool dma_read(uint64_t addr, std::span<uint8_t> out) const = 0;
    // Device writes host memory (controller -> host). False if any byte is unmapped; then
    // nothing was written.
    virtual bool dma_write(uint64_t addr, std::span<const uint8_t> in) = 0;
};

// A sparse 64-bit address space made of page-granular regions the host side allocates.
// Allocation is deterministic (a bump pointer), so the same script gives the same addresses.
class SparseHostMemory final : public HostMemory {
public:
    static constexpr uint64_t kPageSize = 4096;
    // First address handed out; page 0 stays unmapped so a zero pointer always faults.
    static constexpr uint64_t kFirstAddress = 0x10000;
    // How much may be mapped at once by default. Mapped pages are real memory: a 32-bit build
    // (the web app's 2 GiB heap, which also holds the media) gets 512 MiB, a 64-bit one 8 GiB,
    // so a script that allocates without end gets an error instead of the OOM killer.
    static constexpr uint64_t kDefaultMappedLimit =
        sizeof(void *) == 4 ? uint64_t{512} << 20 : uint64_t{8} << 30;

    explicit SparseHostMemory(uint64_t mapped_limit = kDefaultMappedLimit)
        : mapped_limit_(mapped_limit) {}

    struct Region {
        uint64_t base = 0;
        uint64_t size = 0;
        std::string label;
        PageBytes bytes;
    };

    // Allocates `bytes` (rounded up to whole pages) aligned to `align` (a power of two, at
    // least a page). Returns the base address. Throws std::invalid_argument on a bad size or
    // alignment, when the address space runs out below 2^64, or past the mapped limit.
    uint64_t alloc(uint64_t bytes, std::string label = {}, uint64_t align = kPageSize);
    // Maps a region at a fixed page-aligned address; false if it overlaps another one or would
    // pass the mapped limit.
    bool map(uint64_t base, uint64_t bytes, std::string label = {});
    // Unmaps the region starting at `base`; false if there is none.
    bool free(uint64_t base);

    bool is_mapped(uint64_t addr, uint64_t len) const;
    const Region *region_at(uint64_t addr) const;
    const std::map<uint64_t, Region> &regions() const { return regions_; }
    uint64_t mapped_bytes() const { return mapped_; }
    uint64_t mapped_limit() const { return mapped_limit_; }

    bool dma_read(uint64_t addr, std::span<uint8_t> out) const override;
    bool dma_write(uint64_t addr, std::span<const uint8_t> in) override;
    // The host CPU's own accesses: same memory, no DMA semantics.
    bool read(uint64_t addr, std::span<uint8_t> out) const { return dma_read(addr, out); }
    bool write(uint64_t addr, std::span<const uint8_t> in) { return dma_write(addr, in); }
    bool fill(uint64_t addr, uint8_t value, uint64_t len);

private:
    // Pointer to `len` contiguous bytes at addr inside one region, or null.
    uint8_t *locate(uint64_t addr, uint64_t len);
    const uint8_t *locate(uint64_t addr, uint64_t len) const;

    std::map<uint64_t, Region> regions_;
    uint64_t next_free_ = kFirstAddress;
    uint64_t mapped_ = 0; // bytes in regions_
    uint64_t mapped_limit_;
};

} // namespace nvmelab
