// Open-Channel SSD 2.0 log pages, read with Get Log Page (admin_log_page.cpp): Chunk
// Information (CAh, OC §4 of ../shared/reference/ocssd-2.0.md), one 32-byte descriptor per chunk
// of the namespace NSID names, group-major, then PU, then chunk; Chunk Notification (D0h, OC §5),
// the newest 64 entries of 64 bytes, newest first.
#include <algorithm>
#include <cstring>

#include "core/commands/handlers.h"

namespace nvmelab::commands {

bool is_ocssd_log(uint8_t lid) {
    return lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkInformation) ||
           lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkNotification);
}

uint64_t ocssd_log_size(const DeviceState &s, uint32_t nsid, uint8_t lid) {
    const OcssdNamespace *ns = s.find_ocssd_namespace(nsid);
    if (ns == nullptr) return 0;
    if (lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkInformation))
        return ns->chunk_count() * sizeof(spec::ocssd::ChunkDescriptor);
    if (lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkNotification))
        return OcssdNamespace::kNotificationEntries * sizeof(spec::ocssd::ChunkNotificationEntry);
    return 0;
}

void ocssd_log_fill(const DeviceState &s, uint32_t nsid, uint8_t lid, uint64_t offset,
                    std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    const OcssdNamespace *ns = s.find_ocssd_namespace(nsid);
    if (ns == nullptr) return;
    if (lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkNotification)) {
        const auto notes = ns->notifications();
        const auto *bytes = reinterpret_cast<const uint8_t *>(notes.data());
        const uint64_t size = notes.size() * sizeof(spec::ocssd::ChunkNotificationEntry);
        if (offset < size)
            std::memcpy(out.data(), bytes + offset, std::min<uint64_t>(out.size(), size - offset));
        return;
    }
    if (lid != static_cast<uint8_t>(spec::ocssd::LogId::ChunkInformation)) return;
    // Only the descriptors the range touches are built: a host reads a large device's log in
    // pieces (Linux 256 KiB, liblightnvm 16 KiB at a time).
    constexpr uint64_t kEntry = sizeof(spec::ocssd::ChunkDescriptor);
    const uint64_t end = std::min<uint64_t>(offset + out.size(), ns->chunk_count() * kEntry);
    for (uint64_t ci = offset / kEntry; ci * kEntry < end; ++ci) {
        const spec::ocssd::ChunkDescriptor d = ns->descriptor(ci);
        const uint64_t from = std::max(offset, ci * kEntry);
        const uint64_t to = std::min(end, (ci + 1) * kEntry);
        std::memcpy(out.data() + (from - offset),
                    reinterpret_cast<const uint8_t *>(&d) + (from - ci * kEntry), to - from);
    }
}

} // namespace nvmelab::commands
