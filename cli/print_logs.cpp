// SMART / Health, Error Information and Firmware Slot log pages (NVMe 1.3 §5.14.1) as text
// and JSON.
#include <cstring>

#include <fmt/format.h>

#include "cli/output.h"
#include "core/spec/field_decode.h"
#include "core/spec/status_text.h"

namespace nvmelab::cli {

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
    for (spec::DecodedField &f : spec::smart_log_fields(log))
        t.add(std::move(f.name), std::move(f.value));
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
        Table t;
        for (spec::DecodedField &f : spec::error_log_entry_fields(e))
            t.add(std::move(f.name), std::move(f.value));
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
    for (spec::DecodedField &f : spec::firmware_slot_fields(log))
        t.add(std::move(f.name), std::move(f.value));
    return "Firmware Log for device\n" + t.str();
}

namespace {
uint32_t effects_entry(std::span<const uint8_t> raw, size_t index) {
    uint32_t v = 0;
    std::memcpy(&v, raw.data() + index * 4, 4);
    return v;
}

// The bits of one entry (NVMe 1.3 §5.14.1.5): + set, - clear, and what CSE restricts.
std::string effects_human(uint32_t e) {
    auto bit = [e](const char *name, unsigned b) {
        return fmt::format("  {}{}", name, (e >> b) & 1u ? '+' : '-');
    };
    const unsigned cse = (e >> 16) & 0x7u;
    const char *restriction = cse == 0   ? "No command restriction"
                              : cse == 1 ? "No other command for same namespace"
                              : cse == 2 ? "No other command for any namespace"
                                         : "Reserved CSE";
    return bit("CSUPP", 0) + bit("LBCC", 1) + bit("NCC", 2) + bit("NIC", 3) + bit("CCC", 4) + "  " +
           restriction;
}
} // namespace

Json effects_log_json(std::span<const uint8_t> raw) {
    Json j = Json::object();
    for (size_t i = 0; i < 512; ++i) {
        const uint32_t e = effects_entry(raw, i);
        if ((e & 1u) != 0) j[fmt::format("{}{}", i < 256 ? "ACS" : "IOCS", i % 256)] = e;
    }
    return j;
}

std::string effects_log_text(std::span<const uint8_t> raw, bool human) {
    std::string out = "Admin Command Set\n";
    for (size_t i = 0; i < 512; ++i) {
        if (i == 256) out += "\nNVM Command Set\n";
        const uint32_t e = effects_entry(raw, i);
        if ((e & 1u) == 0) continue;
        const auto opc = static_cast<uint8_t>(i % 256);
        const std::string_view name =
            spec::opcode_name(i < 256 ? spec::CommandSetId::Admin : spec::CommandSetId::Nvm, opc);
        const std::string label = fmt::format("{}{}", i < 256 ? "ACS" : "IOCS", opc);
        out +=
            fmt::format("{:<9}[{:<32}] {:08x}{}\n", label, name, e, human ? effects_human(e) : "");
    }
    return out;
}

} // namespace nvmelab::cli
