#include "core/host/host_memory.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

#if defined(__unix__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#define NVMELAB_LAZY_HOST_PAGES 1
#else
#include <new>
constexpr size_t kPageAlign = 4096;
#endif

namespace nvmelab {

PageBytes::PageBytes(size_t size) : size_(size) {
    if (size == 0) return;
#ifdef NVMELAB_LAZY_HOST_PAGES
    // Anonymous pages read as zero and are committed by the kernel on first write.
    void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    bytes_ = static_cast<uint8_t *>(p);
#else
    bytes_ = static_cast<uint8_t *>(::operator new (size, std::align_val_t{kPageAlign}));
    std::memset(bytes_, 0, size);
#endif
}

PageBytes::~PageBytes() {
    if (bytes_ == nullptr) return;
#ifdef NVMELAB_LAZY_HOST_PAGES
    ::munmap(bytes_, size_);
#else
    ::operator delete (bytes_, std::align_val_t{kPageAlign});
#endif
}

PageBytes::PageBytes(PageBytes &&other) noexcept
    : bytes_(std::exchange(other.bytes_, nullptr)), size_(std::exchange(other.size_, 0)) {}

PageBytes &PageBytes::operator=(PageBytes &&other) noexcept {
    if (this != &other) {
        PageBytes gone(std::move(*this));
        bytes_ = std::exchange(other.bytes_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

namespace {
uint64_t round_up(uint64_t value, uint64_t align) {
    return (value + align - 1) & ~(align - 1);
}
bool is_power_of_two(uint64_t v) {
    return v != 0 && (v & (v - 1)) == 0;
}
} // namespace

uint64_t SparseHostMemory::alloc(uint64_t bytes, std::string label, uint64_t align) {
    if (bytes == 0 || bytes > (uint64_t{1} << 40))
        throw std::invalid_argument("host memory allocation size must be 1 byte to 1 TiB");
    if (!is_power_of_two(align) || align < kPageSize)
        throw std::invalid_argument("host memory alignment must be a power of two >= 4096");
    const uint64_t size = round_up(bytes, kPageSize);
    // The bump pointer must not wrap past 2^64: the new region would alias live ones.
    constexpr uint64_t kTop = ~uint64_t{0};
    if (next_free_ > kTop - (align - 1) || size > kTop - round_up(next_free_, align))
        throw std::invalid_argument("host memory address space exhausted: no room for this "
                                    "size and alignment below 2^64");
    const uint64_t base = round_up(next_free_, align);
    if (size > mapped_limit_ || mapped_ > mapped_limit_ - size)
        throw std::invalid_argument(
            "host memory is full: " + std::to_string(mapped_ >> 20) + " MiB mapped, " +
            std::to_string(size >> 20) + " MiB more would pass the limit of " +
            std::to_string(mapped_limit_ >> 20) + " MiB (the device property host_memory" +
            (mapped_limit_ == kBuildMappedLimit ? ", the most this build maps" : "") + ")");
    next_free_ = base + size;
    Region region{base, size, std::move(label), PageBytes(static_cast<size_t>(size))};
    regions_.emplace(base, std::move(region));
    reindex();
    mapped_ += size;
    return base;
}

bool SparseHostMemory::map(uint64_t base, uint64_t bytes, std::string label) {
    if (base % kPageSize != 0 || bytes == 0 || bytes > (uint64_t{1} << 40)) return false;
    const uint64_t size = round_up(bytes, kPageSize);
    if (base + size < base) return false;
    if (size > mapped_limit_ || mapped_ > mapped_limit_ - size) return false;
    auto next = regions_.lower_bound(base);
    if (next != regions_.end() && next->first < base + size) return false;
    if (next != regions_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second.size > base) return false;
    }
    regions_.emplace(base,
                     Region{base, size, std::move(label), PageBytes(static_cast<size_t>(size))});
    reindex();
    mapped_ += size;
    if (base + size > next_free_) next_free_ = base + size;
    return true;
}

bool SparseHostMemory::free(uint64_t base) {
    const auto it = regions_.find(base);
    if (it == regions_.end()) return false;
    mapped_ -= it->second.size;
    regions_.erase(it);
    reindex();
    return true;
}

void SparseHostMemory::reindex() {
    recent_.fill(nullptr);
    index_.clear();
    index_.reserve(regions_.size());
    for (const auto &[base, region] : regions_)
        index_.push_back(IndexEntry{base, &region});
}

const SparseHostMemory::Region *SparseHostMemory::region_at(uint64_t addr) const {
    const Region *&recent = recent_[(addr / kPageSize) % recent_.size()];
    if (recent != nullptr && addr - recent->base < recent->size) return recent;
    // Otherwise a binary search over a flat array, not a tree walk.
    auto it = std::upper_bound(index_.begin(), index_.end(), addr,
                               [](uint64_t a, const IndexEntry &e) { return a < e.base; });
    if (it == index_.begin()) return nullptr;
    const Region *r = std::prev(it)->region;
    if (addr - r->base >= r->size) return nullptr;
    recent = r;
    return r;
}

const uint8_t *SparseHostMemory::locate(uint64_t addr, uint64_t len) const {
    const Region *r = region_at(addr);
    if (r == nullptr) return nullptr;
    const uint64_t within = addr - r->base;
    if (len > r->size - within) return nullptr;
    return r->bytes.data() + within;
}

uint8_t *SparseHostMemory::locate(uint64_t addr, uint64_t len) {
    return const_cast<uint8_t *>(std::as_const(*this).locate(addr, len));
}

bool SparseHostMemory::is_mapped(uint64_t addr, uint64_t len) const {
    // Regions can be adjacent, so walk them rather than requiring one region.
    while (len > 0) {
        const Region *r = region_at(addr);
        if (r == nullptr) return false;
        const uint64_t avail = r->size - (addr - r->base);
        if (len <= avail) return true;
        addr += avail;
        len -= avail;
    }
    return true;
}

bool SparseHostMemory::dma_read(uint64_t addr, std::span<uint8_t> out) const {
    if (out.empty()) return true;
    if (const uint8_t *p = locate(addr, out.size())) {
        std::memcpy(out.data(), p, out.size());
        return true;
    }
    if (!is_mapped(addr, out.size())) return false;
    uint64_t done = 0;
    while (done < out.size()) {
        const Region *r = region_at(addr + done);
        const uint64_t within = addr + done - r->base;
        const uint64_t n = std::min<uint64_t>(r->size - within, out.size() - done);
        std::memcpy(out.data() + done, r->bytes.data() + within, n);
        done += n;
    }
    return true;
}

bool SparseHostMemory::dma_write(uint64_t addr, std::span<const uint8_t> in) {
    if (in.empty()) return true;
    if (uint8_t *p = locate(addr, in.size())) {
        std::memcpy(p, in.data(), in.size());
        return true;
    }
    if (!is_mapped(addr, in.size())) return false;
    uint64_t done = 0;
    while (done < in.size()) {
        Region *r = const_cast<Region *>(region_at(addr + done));
        const uint64_t within = addr + done - r->base;
        const uint64_t n = std::min<uint64_t>(r->size - within, in.size() - done);
        std::memcpy(r->bytes.data() + within, in.data() + done, n);
        done += n;
    }
    return true;
}

bool SparseHostMemory::fill(uint64_t addr, uint8_t value, uint64_t len) {
    if (!is_mapped(addr, len)) return false;
    std::vector<uint8_t> bytes(len, value);
    return dma_write(addr, bytes);
}

} // namespace nvmelab
