#pragma once
// Host memory as the controller sees it: reachable only by DMA at bus addresses. A DMA that
// touches an address the host never mapped fails, and the controller reports a Data Transfer
// Error (NVMe 1.3 §4.6.1.2.1, SC 04h) instead of crashing.
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace nvmelab {

// Host pages live in page-aligned storage, as real host memory does, so DMA copies between
// them and the controller's page-aligned buffers run at full speed. The bytes read as zero
// and take real memory only once touched (an anonymous mapping where the platform has one), so
// a large region costs nothing until the host writes it.
class PageBytes {
public:
    PageBytes() = default;
    // `size` zero bytes, page aligned; throws std::bad_alloc.
    explicit PageBytes(size_t size);
    ~PageBytes();
    PageBytes(PageBytes &&other) noexcept;
    PageBytes &operator=(PageBytes &&other) noexcept;
    PageBytes(const PageBytes &) = delete;
    PageBytes &operator=(const PageBytes &) = delete;

    uint8_t *data() { return bytes_; }
    const uint8_t *data() const { return bytes_; }
    size_t size() const { return size_; }
    uint8_t &operator[](size_t i) { return bytes_[i]; }
    const uint8_t &operator[](size_t i) const { return bytes_[i]; }
    uint8_t *begin() { return bytes_; }
    uint8_t *end() { return bytes_ + size_; }
    const uint8_t *begin() const { return bytes_; }
    const uint8_t *end() const { return bytes_ + size_; }

private:
    uint8_t *bytes_ = nullptr;
    size_t size_ = 0;
};

class HostMemory {
public:
    virtual ~HostMemory() = default;
    // Device reads host memory (host -> controller). False if any byte is unmapped.
    virtual bool dma_read(uint64_t addr, std::span<uint8_t> out) const = 0;
    // Device writes host memory (controller -> host). False if any byte is unmapped; then
    // nothing was written.
    virtual bool dma_write(uint64_t addr, std::span<const uint8_t> in) = 0;
    // [addr, addr + len) as one span the DMA service can copy into or out of directly, so data
    // moves once; empty when the range is not in one mapped region (dma_read and dma_write
    // then handle it, and fail when a byte is unmapped).
    virtual std::span<uint8_t> dma_span(uint64_t /*addr*/, uint64_t /*len*/) { return {}; }
};

// A sparse 64-bit address space made of page-granular regions the host side allocates.
// Allocation is deterministic (a bump pointer), so the same script gives the same addresses.
class SparseHostMemory final : public HostMemory {
public:
    static constexpr uint64_t kPageSize = 4096;
    // First address handed out; page 0 stays unmapped so a zero pointer always faults.
    static constexpr uint64_t kFirstAddress = 0x10000;
    // The most a build can map at once: a 32-bit build (the web app's 2 GiB heap, which also
    // holds the media, and allocates every page it maps) 512 MiB; a 64-bit one, whose pages
    // cost memory only once written, no less than any host_memory property allows.
    static constexpr uint64_t kBuildMappedLimit =
        sizeof(void *) == 4 ? uint64_t{512} << 20 : ~uint64_t{0};
    // How much may be mapped at once by default (DeviceConfig::host_memory's default, 8 GiB,
    // within this build's limit), so a script that allocates without end gets an error.
    static constexpr uint64_t kDefaultMappedLimit =
        (uint64_t{8} << 30) < kBuildMappedLimit ? uint64_t{8} << 30 : kBuildMappedLimit;
    // The limit for a device's host_memory property: the property, within the build's limit.
    static constexpr uint64_t limit_for(uint64_t host_memory) {
        return host_memory < kBuildMappedLimit ? host_memory : kBuildMappedLimit;
    }

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
    std::span<uint8_t> dma_span(uint64_t addr, uint64_t len) override {
        uint8_t *p = locate(addr, len);
        return p != nullptr ? std::span<uint8_t>(p, len) : std::span<uint8_t>();
    }
    // The host CPU's own accesses: same memory, no DMA semantics.
    bool read(uint64_t addr, std::span<uint8_t> out) const { return dma_read(addr, out); }
    bool write(uint64_t addr, std::span<const uint8_t> in) { return dma_write(addr, in); }
    bool fill(uint64_t addr, uint8_t value, uint64_t len);

private:
    // Pointer to `len` contiguous bytes at addr inside one region, or null.
    uint8_t *locate(uint64_t addr, uint64_t len);
    const uint8_t *locate(uint64_t addr, uint64_t len) const;

    std::map<uint64_t, Region> regions_;
    // regions_ by base address in a flat array (rebuilt when a region comes or goes), for the
    // lookup every DMA makes.
    struct IndexEntry {
        uint64_t base;
        const Region *region;
    };
    std::vector<IndexEntry> index_;
    // The region each DMA of the last while found, by page number: queues and buffers are
    // reused command after command, so most lookups end here without a search.
    mutable std::array<const Region *, 256> recent_{};
    void reindex();
    uint64_t next_free_ = kFirstAddress;
    uint64_t mapped_ = 0; // bytes in regions_
    uint64_t mapped_limit_;
};

} // namespace nvmelab
