#pragma once
// The log pages Get Log Page (admin_log_page.cpp) serves, one builder per family:
// admin_log_health.cpp (SMART / Health), admin_log_status.cpp (Changed Namespace List, Device
// Self-test, Reservation Notification, Sanitize Status), admin_log_telemetry.cpp (Telemetry).
// Each builder returns the whole log; Get Log Page copies the window LPOL/LPOU and NUMD ask for.
#include <cstdint>
#include <vector>

#include "core/controller/device_state.h"

namespace nvmelab::commands {

// SMART / Health (§5.14.1.2): controller-wide for NSID 0 or FFFFFFFFh, else the share of the
// active namespace NSID names (LPA bit 0; fields that are not per namespace are the controller's).
std::vector<uint8_t> smart_health_log(const DeviceState &s, uint32_t nsid);

// Changed Namespace List (§5.14.1.4): the namespaces never change on this device (no Namespace
// Management or Attachment), so the list is always empty: 1024 zero NSIDs.
std::vector<uint8_t> changed_namespace_list_log();
// Device Self-test (§5.14.1.6): no test in progress, every result entry unused (Fh).
std::vector<uint8_t> device_self_test_log();
// Reservation Notification (§5.14.1.9): no reservations, so the empty page (count 0, type 0).
std::vector<uint8_t> reservation_notification_log();
// Sanitize Status (§5.14.1.10): never sanitized; SPROG FFFFh as no sanitize is in progress.
std::vector<uint8_t> sanitize_status_log(const DeviceState &s);

// Telemetry Host-Initiated (07h) and Controller-Initiated (08h) (§5.14.1.7, §5.14.1.8). The size
// a read would see: with `create` (LSP bit 0 on 07h) the size of the data about to be captured.
uint64_t telemetry_log_size(const DeviceState &s, uint8_t lid, bool create);
// Captures new Host-Initiated data (LSP bit 0) and bumps its generation number.
void create_telemetry_host_data(DeviceState &s);
std::vector<uint8_t> telemetry_log(const DeviceState &s, uint8_t lid);

} // namespace nvmelab::commands
