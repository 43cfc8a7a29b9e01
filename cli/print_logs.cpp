// SMART / Health, Error Information and Firmware Slot log pages (NVMe 1.3 §5.14.1) as text
// and JSON.
#include <fmt/format.h>

#include "cli/output.h"
#include "core/spec/status_text.h"

namespace nvmelab::cli {

namespace {

constexpr int kKelvinOffset = 273;

std::string temperature_text(uint16_t kelvin) {
    return fmt::format("{} C ({} K)", static_cast<int>(kelvin) - kKelvinOffset, kelvin);
}

// Data units are thousands of 512-byte units (§5.14.1.2).
std::string data_units_text(const uint8_t (&units)[16]) {
    const uint64_t low = spec::get_u128_low(units);
    return fmt::format("{} ({:.2f} MB)", u128_decimal(units), low * 512000.0 / 1e6);
}

} // namespace

Json smart_log_json(const spec::SmartLog &log) {
    Json j = Json::object();
    j["critical_warning"] = log.critical_warning;
    j["temperature"] = log.composite_temp();
    j["avail_spare"] = log.available_spare;
    j["spare_thresh"] = log.available_spare_threshold;
    j["percent_used"] = log.percentage_used;
    j["data_units_read"] = u128_json(log.data_units_read);
    j["data_units_written"] = u128_json(log.data_units_written);
    j["host_read_commands"] = u128_json(log.host_read_commands);
    j["host_write_commands"] = u128_json(log.host_write_commands);
    j["controller_busy_time"] = u128_json(log.controller_busy_time);
    j["power_cycles"] = u128_json(log.power_cycles);
    j["power_on_hours"] = u128_json(log.power_on_hours);
    j["unsafe_shutdowns"] = u128_json(log.unsafe_shutdowns);
    j["media_errors"] = u128_json(log.media_errors);
    j["num_err_log_entries"] = u128_json(log.num_error_log_entries);
    j["warning_temp_time"] = log.warning_temp_time;
    j["critical_comp_time"] = log.critical_temp_time;
    for (int i = 0; i < 8; ++i)
        if (log.temp_sensor[i] != 0)
            j[fmt::format("temperature_sensor_{}", i + 1)] = log.temp_sensor[i];
    j["thm_temp1_trans_count"] = log.tmt1_transition_count;
    j["thm_temp2_trans_count"] = log.tmt2_transition_count;
    j["thm_temp1_total_time"] = log.tmt1_total_time;
    j["thm_temp2_total_time"] = log.tmt2_total_time;
    return j;
}

std::string smart_log_text(const spec::SmartLog &log, uint32_t nsid) {
    Table t;
    t.add("critical_warning", fmt::format("{:#x}", log.critical_warning));
    t.add("temperature", temperature_text(log.composite_temp()));
    t.add("available_spare", fmt::format("{}%", log.available_spare));
    t.add("available_spare_threshold", fmt::format("{}%", log.available_spare_threshold));
    t.add("percentage_used", fmt::format("{}%", log.percentage_used));
    t.add("data_units_read", data_units_text(log.data_units_read));
    t.add("data_units_written", data_units_text(log.data_units_written));
    t.add("host_read_commands", u128_decimal(log.host_read_commands));
    t.add("host_write_commands", u128_decimal(log.host_write_commands));
    t.add("controller_busy_time", u128_decimal(log.controller_busy_time));
    t.add("power_cycles", u128_decimal(log.power_cycles));
    t.add("power_on_hours", u128_decimal(log.power_on_hours));
    t.add("unsafe_shutdowns", u128_decimal(log.unsafe_shutdowns));
    t.add("media_errors", u128_decimal(log.media_errors));
    t.add("num_err_log_entries", u128_decimal(log.num_error_log_entries));
    t.add("warning_temperature_time", fmt::format("{}", log.warning_temp_time));
    t.add("critical_composite_temperature_time", fmt::format("{}", log.critical_temp_time));
    for (int i = 0; i < 8; ++i)
        if (log.temp_sensor[i] != 0)
            t.add(fmt::format("temperature_sensor_{}", i + 1),
                  temperature_text(log.temp_sensor[i]));
    t.add("thermal_management_t1_trans_count", fmt::format("{}", log.tmt1_transition_count));
    t.add("thermal_management_t2_trans_count", fmt::format("{}", log.tmt2_transition_count));
    t.add("thermal_management_t1_total_time", fmt::format("{}", log.tmt1_total_time));
    t.add("thermal_management_t2_total_time", fmt::format("{}", log.tmt2_total_time));
    return fmt::format("Smart Log for NVME device namespace-id:{:x}\n", nsid) + t.str();
}

Json error_log_json(std::span<const spec::ErrorLogEntry> entries) {
    Json errors = Json::array();
    for (const spec::ErrorLogEntry &e : entries) {
        Json j = Json::object();
        j["error_count"] = e.error_count;
        j["sqid"] = e.sqid;
        j["cmdid"] = e.cid;
        j["status_field"] = e.status_field >> 1;
        j["phase_tag"] = e.status_field & 1;
        j["parm_err_loc"] = e.param_error_location;
        j["lba"] = e.lba;
        j["nsid"] = e.nsid;
        j["vs"] = e.vs;
        j["cs"] = e.cs;
        errors.push_back(std::move(j));
    }
    Json j = Json::object();
    j["errors"] = std::move(errors);
    return j;
}

std::string error_log_text(std::span<const spec::ErrorLogEntry> entries) {
    std::string out = fmt::format("Error Log Entries for device entries:{}\n", entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        const spec::ErrorLogEntry &e = entries[i];
        const auto status = spec::Status::from_field(static_cast<uint16_t>(e.status_field >> 1));
        Table t;
        t.add("error_count", fmt::format("{}", e.error_count));
        t.add("sqid", fmt::format("{}", e.sqid));
        t.add("cmdid", fmt::format("{:#x}", e.cid));
        t.add("status_field",
              e.error_count == 0 && status.field() == 0
                  ? std::string("0")
                  : fmt::format("{:#x} ({})", status.field(), spec::status_name(status)));
        t.add("phase_tag", fmt::format("{:#x}", e.status_field & 1));
        t.add("parm_err_loc", fmt::format("{:#x}", e.param_error_location));
        t.add("lba", fmt::format("{:#x}", e.lba));
        t.add("nsid", fmt::format("{:#x}", e.nsid));
        t.add("vs", fmt::format("{:#x}", e.vs));
        t.add("cs", fmt::format("{:#x}", e.cs));
        out += fmt::format(".................\n Entry[{:2}]\n.................\n", i);
        out += t.str();
    }
    out += ".................\n";
    return out;
}

Json fw_log_json(const spec::FirmwareSlotLog &log) {
    Json j = Json::object();
    j["afi"] = log.afi;
    for (int i = 0; i < 7; ++i) {
        const std::string rev = trim_field(log.frs[i], sizeof log.frs[i]);
        if (!rev.empty()) j[fmt::format("frs{}", i + 1)] = rev;
    }
    return j;
}

std::string fw_log_text(const spec::FirmwareSlotLog &log) {
    Table t;
    t.add("afi", fmt::format("{:#x} (active slot {}{})", log.afi, log.afi & 0x7,
                             (log.afi & 0x70) != 0
                                 ? fmt::format(", slot {} at next reset", (log.afi >> 4) & 0x7)
                                 : std::string()));
    for (int i = 0; i < 7; ++i) {
        const std::string rev = trim_field(log.frs[i], sizeof log.frs[i]);
        if (!rev.empty()) t.add(fmt::format("frs{}", i + 1), rev);
    }
    return "Firmware Log for device\n" + t.str();
}

} // namespace nvmelab::cli
