// The status logs of operations this device does not perform (NVMe 1.3 §5.14.1): Changed
// Namespace List, Device Self-test, Reservation Notification and Sanitize Status. Each reports
// the state a device without namespace management, self-test, reservations or sanitize has,
// with every field at the value the spec gives for "nothing happened".
#include <cstring>

#include "core/commands/log_pages.h"

namespace nvmelab::commands {

namespace {
template <typename Log> std::vector<uint8_t> bytes_of(const Log &log) {
    std::vector<uint8_t> out(sizeof log);
    std::memcpy(out.data(), &log, sizeof log);
    return out;
}
} // namespace

std::vector<uint8_t> changed_namespace_list_log() {
    return std::vector<uint8_t>(4096, 0); // no NSID changed: the list ends at entry 0 (§5.14.1.4)
}

std::vector<uint8_t> device_self_test_log() {
    spec::DeviceSelfTestLog log{};
    log.current_operation = 0; // no device self-test in progress
    log.completion = 0;
    for (auto &r : log.results)
        r.status = spec::kSelfTestResultUnused; // "entry not used (does not contain a result)"
    return bytes_of(log);
}

std::vector<uint8_t> reservation_notification_log() {
    return bytes_of(spec::ReservationNotificationLog{}); // count 0, type 0: empty log page
}

std::vector<uint8_t> sanitize_status_log(const DeviceState &) {
    spec::SanitizeStatusLog log{};
    log.sprog = 0xFFFF; // no sanitize operation in progress (§5.14.1.10)
    log.sstat = 0;      // the device has never been sanitized
    // FFFFFFFFh: no time period reported (SANICAP advertises no sanitize method).
    log.estimated_overwrite_s = 0xFFFFFFFFu;
    log.estimated_block_erase_s = 0xFFFFFFFFu;
    log.estimated_crypto_erase_s = 0xFFFFFFFFu;
    return bytes_of(log);
}

} // namespace nvmelab::commands
