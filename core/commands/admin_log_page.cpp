// Get Log Page (NVMe 1.3 §5.14): Error Information, SMART / Health Information, Firmware Slot
// Information and Commands Supported and Effects, with NUMDL/NUMDU length and LPOL/LPOU offset.
#include <cstring>

#include <fmt/format.h>

#include "core/commands/handlers.h"

namespace nvmelab::commands {

using spec::LogId;

namespace {
constexpr const char *kSection = "NVMe 1.3 §5.14";

uint64_t log_size(const DeviceState &, uint8_t lid) {
    switch (static_cast<LogId>(lid)) {
    case LogId::ErrorInformation:
        return uint64_t{DeviceState::kErrorLogEntries} * 64;
    case LogId::SmartHealth:
        return 512;
    case LogId::FirmwareSlot:
        return 512;
    case LogId::CommandsSupportedEffects:
        return 4096;
    default:
        return 0;
    }
}

spec::Status prepare(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetLogPageFields::decode(ctx.sqe);
    if (auto st = check_reserved(ctx, "CDW10", ctx.sqe.cdw10, 0xFFFF8FFFu, kSection, 10); !st.ok())
        return st;
    if (auto st = check_reserved(ctx, "CDW11", ctx.sqe.cdw11, 0x0000FFFFu, kSection, 11); !st.ok())
        return st;
    const uint64_t size = log_size(s, f.lid);
    if (size == 0)
        return ctx.fail(spec::command_specific(spec::CommandSpecificStatus::InvalidLogPage, true),
                        "CDW10.LID", f.lid,
                        "supported logs are 01h Error Information, 02h SMART / Health, 03h "
                        "Firmware Slot Information and 05h Commands Supported and Effects",
                        kSection, spec::param_error_location(40, 0));
    if (f.lsp != 0)
        return invalid_field(ctx, "CDW10.LSP", f.lsp, "this log page has no log specific field",
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
    if (static_cast<LogId>(f.lid) == LogId::SmartHealth && ctx.sqe.nsid != 0 &&
        ctx.sqe.nsid != 0xFFFFFFFFu)
        return invalid_field(ctx, "NSID", ctx.sqe.nsid,
                             "SMART / Health is kept for the controller only (LPA bit 0 = 0): "
                             "use NSID FFFFFFFFh",
                             kSection, spec::param_error_location(4, 0));
    set_data_out(ctx, f.length_bytes());
    return spec::success();
}

void put_counter(uint8_t (&dst)[16], uint64_t v) {
    spec::put_u128(dst, v);
}

void smart_log(const DeviceState &s, spec::SmartLog &log) {
    const auto &h = s.health;
    log.critical_warning = s.critical_warning();
    log.set_composite_temp(s.composite_temperature_k);
    log.available_spare = 100;
    log.available_spare_threshold = 10;
    log.percentage_used = 0;
    // Data units are thousands of 512-byte units, rounded up (§5.14.1.2).
    put_counter(log.data_units_read, (h.data_units_read + 999) / 1000);
    put_counter(log.data_units_written, (h.data_units_written + 999) / 1000);
    put_counter(log.host_read_commands, h.host_read_commands);
    put_counter(log.host_write_commands, h.host_write_commands);
    put_counter(log.controller_busy_time, h.busy_time_ns / 60'000'000'000ull);
    put_counter(log.power_cycles, h.power_cycles);
    put_counter(log.power_on_hours, s.power_on_ns() / 3'600'000'000'000ull);
    put_counter(log.unsafe_shutdowns, h.unsafe_shutdowns);
    put_counter(log.media_errors, h.media_errors);
    put_counter(log.num_error_log_entries, h.error_log_entries);
    log.temp_sensor[0] = s.composite_temperature_k;
}

// Commands Supported and Effects (§5.14.1.5): one dword per admin opcode (bytes 0-1023), then
// one per I/O opcode (1024-2047), read from the command tables, so what the device supports is
// stated once. The I/O part is the command set of the namespace NSID names, or the one every
// namespace shares when it names none (0, FFFFFFFFh).
void effects_log(const DeviceState &s, uint32_t nsid, std::vector<uint8_t> &log) {
    const Namespace *ns = s.find_namespace(nsid);
    const CommandSet &io = ns != nullptr ? ns->command_set() : nvm_command_set();
    for (unsigned opc = 0; opc < 256; ++opc) {
        const uint32_t acs = admin_command_set().effects_log_entry(static_cast<uint8_t>(opc));
        const uint32_t iocs = io.effects_log_entry(static_cast<uint8_t>(opc));
        std::memcpy(log.data() + opc * 4, &acs, 4);
        std::memcpy(log.data() + 1024 + opc * 4, &iocs, 4);
    }
}

spec::Status execute(DeviceState &s, CommandContext &ctx) {
    const auto f = spec::GetLogPageFields::decode(ctx.sqe);
    std::vector<uint8_t> log(log_size(s, f.lid), 0);
    switch (static_cast<LogId>(f.lid)) {
    case LogId::ErrorInformation: {
        size_t i = 0;
        for (const auto &e : s.error_log)
            std::memcpy(log.data() + 64 * i++, &e, sizeof e);
        break;
    }
    case LogId::SmartHealth: {
        spec::SmartLog smart{};
        smart_log(s, smart);
        std::memcpy(log.data(), &smart, sizeof smart);
        break;
    }
    case LogId::FirmwareSlot: {
        spec::FirmwareSlotLog fw{};
        fw.afi = 1; // slot 1 active, no slot pending for the next reset
        spec::put_ascii(fw.frs[0], sizeof fw.frs[0], s.config.firmware);
        std::memcpy(log.data(), &fw, sizeof fw);
        break;
    }
    case LogId::CommandsSupportedEffects:
        effects_log(s, ctx.sqe.nsid, log);
        break;
    default:
        break;
    }
    // Reading a log with RAE = 0 re-enables the event type it reports (§5.14, §5.2). Events of
    // that type still queued are about what the host has just read, so they go (QEMU does the
    // same): the next event of the type reported is a new one, not a stale duplicate.
    if (!f.rae) {
        auto clear = [&s](spec::AsyncEventType type) {
            const auto t = static_cast<uint32_t>(type);
            s.async_masked_types &= static_cast<uint8_t>(~(1u << t));
            std::erase_if(s.async_events, [t](uint32_t dw0) { return (dw0 & 0x7u) == t; });
        };
        if (static_cast<LogId>(f.lid) == LogId::ErrorInformation)
            clear(spec::AsyncEventType::Error);
        if (static_cast<LogId>(f.lid) == LogId::SmartHealth)
            clear(spec::AsyncEventType::SmartHealth);
    }
    // Bytes past the end of the log read as zero.
    std::fill(ctx.buffer.begin(), ctx.buffer.end(), uint8_t{0});
    const uint64_t off = f.offset();
    const uint64_t n = std::min<uint64_t>(ctx.buffer.size(), log.size() - off);
    std::memcpy(ctx.buffer.data(), log.data() + off, n);
    ctx.execute_ns = 2'000;
    return spec::success();
}

} // namespace

const CommandHandler kGetLogPage{"Get Log Page", prepare, execute};

} // namespace nvmelab::commands
