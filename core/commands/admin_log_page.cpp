// Get Log Page (NVMe 1.3 §5.14): the command's fields (LID, LSP, RAE, NUMDL/NUMDU, LPOL/LPOU)
// and the logs that need no family of their own: Error Information, Firmware Slot Information
// and Commands Supported and Effects. The other 1.3 logs are built in log_pages.h's files.
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"
#include "core/commands/log_pages.h"

namespace nvmelab::commands {

using spec::LogId;

namespace {
constexpr const char *kSection = "NVMe 1.3 §5.14";
constexpr uint32_t kBroadcastNsid = 0xFFFFFFFFu;

bool create_telemetry(const spec::GetLogPageFields &f) {
    return static_cast<LogId>(f.lid) == LogId::TelemetryHostInitiated &&
           (f.lsp & spec::kLspCreateTelemetryHostData) != 0;
}

uint64_t log_size(const DeviceState &s, uint32_t nsid, const spec::GetLogPageFields &f) {
    switch (static_cast<LogId>(f.lid)) {
    case LogId::ErrorInformation:
        return uint64_t{DeviceState::kErrorLogEntries} * 64;
    case LogId::SmartHealth:
    case LogId::FirmwareSlot:
    case LogId::SanitizeStatus:
        return 512;
    case LogId::ChangedNamespaceList:
    case LogId::CommandsSupportedEffects:
        return 4096;
    case LogId::DeviceSelfTest:
        return sizeof(spec::DeviceSelfTestLog);
    case LogId::TelemetryHostInitiated:
    case LogId::TelemetryControllerInitiated:
        return telemetry_log_size(s, f.lid, create_telemetry(f));
    case LogId::ReservationNotification:
        return sizeof(spec::ReservationNotificationLog);
    default:
        return is_ocssd_log(f.lid) ? ocssd_log_size(s, nsid, f.lid) : 0;
    }
}

spec::Status prepare(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetLogPageFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0xFFFF8FFFu, kSection, 10); !st.ok())
        return st;
    if (auto st = check_reserved(ctx, "CDW11", ctx.sqe.cdw11, 0x0000FFFFu, kSection, 11); !st.ok())
        return st;
    const uint64_t size = log_size(s, ctx.sqe.nsid, f);
    // The OCSSD logs are per namespace: NSID must name an OCSSD one (QEMU: Invalid Field).
    if (size == 0 && is_ocssd_log(f.lid))
        return invalid_field(ctx, "NSID", ctx.sqe.nsid,
                             fmt::format("log {:02X}h is kept per Open-Channel SSD 2.0 "
                                         "namespace: NSID must name one",
                                         f.lid),
                             kSection, spec::param_error_location(4, 0));
    if (size == 0)
        return ctx.fail(spec::command_specific(spec::CommandSpecificStatus::InvalidLogPage, true),
                        "CDW10.LID", f.lid,
                        "supported logs are 01h-08h (Error Information, SMART / Health, Firmware "
                        "Slot, Changed Namespace List, Commands Supported and Effects, Device "
                        "Self-test, Telemetry Host- and Controller-Initiated), 80h Reservation "
                        "Notification and 81h Sanitize Status",
                        kSection, spec::param_error_location(40, 0));
    // LSP (§5.14, Figure 93): only Telemetry Host-Initiated defines a bit (bit 0, create data).
    const uint8_t lsp_defined = static_cast<LogId>(f.lid) == LogId::TelemetryHostInitiated
                                    ? spec::kLspCreateTelemetryHostData
                                    : 0;
    if ((f.lsp & ~lsp_defined) != 0)
        return invalid_field(ctx, "CDW10.LSP", f.lsp,
                             lsp_defined != 0
                                 ? "log 07h defines LSP bit 0 (create Telemetry Host-Initiated "
                                   "data) only; bits 3:1 are reserved"
                                 : "this log page has no log specific field",
                             kSection, spec::param_error_location(41, 0));
    if (f.offset() % 4 != 0)
        return invalid_field(ctx, "CDW12/13.LPO", f.offset(), // the 64-bit offset LPOU:LPOL
                             "the log page offset must be dword "
                             "aligned",
                             kSection, spec::param_error_location(48, 0));
    if (f.offset() >= size)
        return invalid_field(ctx, "CDW12/13.LPO", f.offset(),
                             fmt::format("the offset is beyond the end of the {}-byte log", size),
                             kSection, spec::param_error_location(48, 0));
    // SMART / Health per namespace (LPA bit 0): NSID names an active namespace, or is 0 or
    // FFFFFFFFh for the controller. Any other NSID names nothing (§5.14.1.2).
    if (static_cast<LogId>(f.lid) == LogId::SmartHealth && ctx.sqe.nsid != 0 &&
        ctx.sqe.nsid != kBroadcastNsid && s.find_namespace(ctx.sqe.nsid) == nullptr)
        return ctx.fail(spec::generic(spec::GenericStatus::InvalidNamespaceOrFormat, true), "NSID",
                        ctx.sqe.nsid,
                        fmt::format("SMART / Health is kept for the controller (NSID 0 or "
                                    "FFFFFFFFh) and per active namespace (1..{})",
                                    s.namespaces.size()),
                        kSection, spec::param_error_location(4, 0));
    set_data_out(ctx, f.length_bytes());
    return spec::success();
}

std::vector<uint8_t> error_information_log(const DeviceState &s) {
    std::vector<uint8_t> log(uint64_t{DeviceState::kErrorLogEntries} * 64, 0);
    size_t i = 0;
    for (const auto &e : s.error_log)
        std::memcpy(log.data() + 64 * i++, &e, sizeof e);
    return log;
}

std::vector<uint8_t> firmware_slot_log(const DeviceState &s) {
    spec::FirmwareSlotLog fw{};
    fw.afi = 1; // slot 1 active, no slot pending for the next reset
    spec::put_ascii(fw.frs[0], sizeof fw.frs[0], s.config.firmware);
    std::vector<uint8_t> log(sizeof fw);
    std::memcpy(log.data(), &fw, sizeof fw);
    return log;
}

// Commands Supported and Effects (§5.14.1.5): one dword per admin opcode (bytes 0-1023), then
// one per I/O opcode (1024-2047), read from the command tables, so what the device supports is
// stated once. The I/O part is the command set of the namespace NSID names, or the one every
// namespace shares when it names none (0, FFFFFFFFh).
std::vector<uint8_t> effects_log(const DeviceState &s, uint32_t nsid) {
    std::vector<uint8_t> log(4096, 0);
    const Namespace *ns = s.find_namespace(nsid);
    const CommandSet &io = ns != nullptr ? ns->command_set() : nvm_command_set();
    for (unsigned opc = 0; opc < 256; ++opc) {
        const uint32_t acs = admin_command_set().effects_log_entry(static_cast<uint8_t>(opc));
        const uint32_t iocs = io.effects_log_entry(static_cast<uint8_t>(opc));
        std::memcpy(log.data() + opc * 4, &acs, 4);
        std::memcpy(log.data() + 1024 + opc * 4, &iocs, 4);
    }
    return log;
}

std::vector<uint8_t> build_log(DeviceState &s, uint32_t nsid, const spec::GetLogPageFields &f) {
    switch (static_cast<LogId>(f.lid)) {
    case LogId::ErrorInformation:
        return error_information_log(s);
    case LogId::SmartHealth:
        return smart_health_log(s, nsid);
    case LogId::FirmwareSlot:
        return firmware_slot_log(s);
    case LogId::ChangedNamespaceList:
        return changed_namespace_list_log();
    case LogId::CommandsSupportedEffects:
        return effects_log(s, nsid);
    case LogId::DeviceSelfTest:
        return device_self_test_log();
    case LogId::TelemetryHostInitiated:
    case LogId::TelemetryControllerInitiated:
        if (create_telemetry(f)) create_telemetry_host_data(s);
        return telemetry_log(s, f.lid);
    case LogId::ReservationNotification:
        return reservation_notification_log();
    case LogId::SanitizeStatus:
        return sanitize_status_log(s);
    default:
        return {};
    }
}

// The asynchronous event a log reports (§5.2, Figures 45-48): its type and, for notices and
// I/O command set events, its information value; -1 when any information value of the type.
struct ReportedEvent {
    spec::AsyncEventType type;
    int info;
};
std::optional<ReportedEvent> event_reported_by(uint8_t lid) {
    using T = spec::AsyncEventType;
    switch (static_cast<LogId>(lid)) {
    case LogId::ErrorInformation:
        return ReportedEvent{T::Error, -1};
    case LogId::SmartHealth:
        return ReportedEvent{T::SmartHealth, -1};
    case LogId::FirmwareSlot:
        return ReportedEvent{T::Notice, 0x01}; // firmware activation starting
    case LogId::ChangedNamespaceList:
        return ReportedEvent{T::Notice, 0x00}; // namespace attribute changed
    case LogId::TelemetryControllerInitiated:
        return ReportedEvent{T::Notice, 0x02}; // telemetry log changed
    case LogId::ReservationNotification:
        return ReportedEvent{T::IoCommandSet, 0x00}; // reservation log page available
    case LogId::SanitizeStatus:
        return ReportedEvent{T::IoCommandSet, 0x01}; // sanitize operation completed
    default:
        return std::nullopt;
    }
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetLogPageFields::decode(ctx.sqe);
    ctx.execute_ns = 2'000;
    if (is_ocssd_log(f.lid)) {
        ocssd_log_fill(s, ctx.sqe.nsid, f.lid, f.offset(), ctx.buffer);
        // Reading Chunk Notification with RAE = 0 re-enables its vendor-specific event (QEMU).
        if (!f.rae && f.lid == static_cast<uint8_t>(spec::ocssd::LogId::ChunkNotification)) {
            const auto t = static_cast<uint32_t>(spec::AsyncEventType::Vendor);
            s.async_masked_types &= static_cast<uint8_t>(~(1u << t));
            std::erase_if(s.async_events, [&](uint32_t dw0) {
                return (dw0 & 0x7u) == t && ((dw0 >> 16) & 0xFFu) == f.lid;
            });
        }
        return spec::success();
    }
    const std::vector<uint8_t> log = build_log(s, ctx.sqe.nsid, f);
    // Reading a log with RAE = 0 re-enables the event type it reports (§5.14, §5.2). Events of
    // that type still queued are about what the host has just read, so they go (QEMU does the
    // same): the next event of the type reported is a new one, not a stale duplicate.
    if (!f.rae) {
        if (const auto ev = event_reported_by(f.lid)) {
            const auto t = static_cast<uint32_t>(ev->type);
            s.async_masked_types &= static_cast<uint8_t>(~(1u << t));
            std::erase_if(s.async_events, [&](uint32_t dw0) {
                return (dw0 & 0x7u) == t &&
                       (ev->info < 0 || ((dw0 >> 8) & 0xFFu) == uint32_t(ev->info));
            });
        }
    }
    // Bytes past the end of the log read as zero.
    std::fill(ctx.buffer.begin(), ctx.buffer.end(), uint8_t{0});
    const uint64_t off = f.offset();
    const uint64_t n = std::min<uint64_t>(ctx.buffer.size(), log.size() - off);
    std::memcpy(ctx.buffer.data(), log.data() + off, n);
    return spec::success();
}

} // namespace

const CommandHandler kGetLogPage{"Get Log Page", prepare, execute};

} // namespace nvmelab::commands
