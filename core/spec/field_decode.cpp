// Field tables of Identify, log pages and features (see field_decode.h). The value column is
// exactly what nvme-cli's normal output prints, so `nvmelab id-ctrl` stays comparable with it.
#include "core/spec/field_decode.h"

#include <array>

#include <fmt/format.h>

#include "core/spec/status_text.h"

namespace nvmelab::spec {

namespace {

std::string hex(uint64_t v) {
    return fmt::format("{:#x}", v);
}
std::string dec(uint64_t v) {
    return fmt::format("{}", v);
}

constexpr int kKelvinOffset = 273;

std::string temperature(uint16_t kelvin) {
    return fmt::format("{} C ({} K)", static_cast<int>(kelvin) - kKelvinOffset, kelvin);
}

// Data units are thousands of 512-byte units (§5.14.1.2).
std::string data_units(const uint8_t (&units)[16]) {
    return fmt::format("{} ({:.2f} MB)", u128_decimal(units),
                       static_cast<double>(get_u128_low(units)) * 512000.0 / 1e6);
}

// Max power in watts: MP is in centiwatts, or in 0.0001 W units when MXPS is set.
std::string watts(uint16_t value, bool fine_scale) {
    return fmt::format("{:.4f}W", fine_scale ? value / 10000.0 : value / 100.0);
}

std::string power_scale(uint8_t scale_bits) {
    switch (scale_bits) {
    case 1:
        return "0.0001W";
    case 2:
        return "0.01W";
    default:
        return "-";
    }
}

uint32_t ieee_oui(const IdentifyController &id) {
    return (uint32_t{id.ieee[2]} << 16) | (uint32_t{id.ieee[1]} << 8) | id.ieee[0];
}

std::string entry_sizes(uint8_t v) {
    return fmt::format("required {} B, max {} B", 1u << (v & 0xF), 1u << (v >> 4));
}

} // namespace

std::string bit_names(uint32_t v, std::initializer_list<std::string_view> names) {
    std::string s;
    unsigned bit = 0;
    for (std::string_view n : names) {
        if ((v >> bit) & 1u) s += fmt::format("{}{}", s.empty() ? "" : ", ", n);
        ++bit;
    }
    return s.empty() ? "none" : s;
}

std::string ascii_field(const char *text, size_t size) {
    size_t n = 0;
    while (n < size && text[n] != '\0')
        ++n;
    while (n > 0 && text[n - 1] == ' ')
        --n;
    return std::string(text, n);
}

std::string u128_decimal(const uint8_t (&bytes)[16]) {
    // Long division by 10 over the little-endian bytes (no 128-bit integer type needed).
    std::array<uint8_t, 16> n;
    std::copy(std::begin(bytes), std::end(bytes), n.begin());
    std::string digits;
    bool zero = false;
    while (!zero) {
        unsigned rem = 0;
        zero = true;
        for (int i = 15; i >= 0; --i) {
            const unsigned cur = (rem << 8) | n[static_cast<size_t>(i)];
            n[static_cast<size_t>(i)] = static_cast<uint8_t>(cur / 10);
            rem = cur % 10;
            if (n[static_cast<size_t>(i)] != 0) zero = false;
        }
        digits.insert(digits.begin(), static_cast<char>('0' + rem));
    }
    return digits;
}

std::string hex_bytes(std::span<const uint8_t> bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (uint8_t b : bytes)
        out += fmt::format("{:02x}", b);
    return out;
}

std::string size_text(uint64_t bytes) {
    constexpr std::array<const char *, 5> units{"bytes", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;
    uint64_t v = bytes;
    while (u + 1 < units.size() && v >= 1024 && v % 1024 == 0) {
        v /= 1024;
        ++u;
    }
    return fmt::format("{} {}", v, units[u]);
}

std::vector<DecodedField> identify_controller_fields(const IdentifyController &id,
                                                     uint64_t min_page_bytes) {
    std::vector<DecodedField> f;
    auto add = [&f](std::string name, std::string value, std::string meaning, const char *help) {
        f.push_back({std::move(name), std::move(value), std::move(meaning), help});
    };
    add("vid", hex(id.vid), "", "PCI Vendor ID.");
    add("ssvid", hex(id.ssvid), "", "PCI Subsystem Vendor ID.");
    add("sn", ascii_field(id.sn, sizeof id.sn), "", "Serial Number (ASCII).");
    add("mn", ascii_field(id.mn, sizeof id.mn), "", "Model Number (ASCII).");
    add("fr", ascii_field(id.fr, sizeof id.fr), "", "Firmware Revision (ASCII).");
    add("rab", dec(id.rab), fmt::format("{} commands", uint64_t{1} << (id.rab & 31)),
        "Recommended Arbitration Burst, a power of two.");
    add("ieee", fmt::format("{:06x}", ieee_oui(id)), "", "IEEE OUI Identifier of the vendor.");
    add("cmic", hex(id.cmic),
        bit_names(id.cmic, {"multiple ports", "multiple controllers", "SR-IOV"}),
        "Controller Multi-Path I/O and Namespace Sharing Capabilities.");
    add("mdts", dec(id.mdts),
        id.mdts == 0 ? std::string("no transfer size limit")
                     : fmt::format("max transfer {}", size_text(min_page_bytes << id.mdts)),
        "Maximum Data Transfer Size: 2^MDTS units of the minimum page size (CAP.MPSMIN); "
        "larger commands fail with Invalid Field.");
    add("cntlid", hex(id.cntlid), "", "Controller ID.");
    add("ver", hex(id.ver),
        fmt::format("NVMe {}.{}.{}", id.ver >> 16, (id.ver >> 8) & 0xFF, id.ver & 0xFF),
        "Version: the specification version the controller complies with (same as VS).");
    add("rtd3r", hex(id.rtd3r), "", "RTD3 Resume Latency in microseconds.");
    add("rtd3e", hex(id.rtd3e), "", "RTD3 Entry Latency in microseconds.");
    add("oaes", hex(id.oaes), "", "Optional Asynchronous Events Supported.");
    add("ctratt", hex(id.ctratt), "", "Controller Attributes.");
    add("oacs", hex(id.oacs),
        bit_names(id.oacs,
                  {"Security", "Format NVM", "Firmware", "Namespace Management", "Device Self-test",
                   "Directives", "NVMe-MI", "Virtualization", "Doorbell Buffer Config"}),
        "Optional Admin Command Support.");
    add("acl", dec(id.acl), fmt::format("{} Abort commands at once", id.acl + 1u),
        "Abort Command Limit (0's based).");
    add("aerl", dec(id.aerl), fmt::format("{} AERs outstanding", id.aerl + 1u),
        "Asynchronous Event Request Limit (0's based).");
    add("frmw", hex(id.frmw), fmt::format("{} firmware slot(s)", (id.frmw >> 1) & 7),
        "Firmware Updates: slot count, slot 1 read-only.");
    add("lpa", hex(id.lpa),
        bit_names(id.lpa,
                  {"SMART per namespace", "Commands Effects log", "extended data", "Telemetry"}),
        "Log Page Attributes.");
    add("elpe", dec(id.elpe), fmt::format("{} error log entries", id.elpe + 1u),
        "Error Log Page Entries (0's based).");
    add("npss", dec(id.npss), fmt::format("{} power state(s)", id.npss + 1u),
        "Number of Power States Support (0's based).");
    add("avscc", hex(id.avscc), "", "Admin Vendor Specific Command Configuration.");
    add("apsta", hex(id.apsta), "", "Autonomous Power State Transition Attributes.");
    add("wctemp", dec(id.wctemp), id.wctemp ? temperature(id.wctemp) : "",
        "Warning Composite Temperature Threshold (kelvin).");
    add("cctemp", dec(id.cctemp), id.cctemp ? temperature(id.cctemp) : "",
        "Critical Composite Temperature Threshold (kelvin).");
    add("mtfa", dec(id.mtfa), "", "Maximum Time for Firmware Activation (100 ms units).");
    add("hmpre", dec(id.hmpre), "", "Host Memory Buffer Preferred Size (4 KiB units).");
    add("hmmin", dec(id.hmmin), "", "Host Memory Buffer Minimum Size (4 KiB units).");
    add("tnvmcap", u128_decimal(id.tnvmcap), size_text(get_u128_low(id.tnvmcap)),
        "Total NVM Capacity in bytes.");
    add("unvmcap", u128_decimal(id.unvmcap), size_text(get_u128_low(id.unvmcap)),
        "Unallocated NVM Capacity in bytes.");
    add("rpmbs", hex(id.rpmbs), "", "Replay Protected Memory Block Support.");
    add("edstt", dec(id.edstt), "", "Extended Device Self-test Time (minutes).");
    add("dsto", dec(id.dsto), "", "Device Self-test Options.");
    add("fwug", dec(id.fwug), "", "Firmware Update Granularity (4 KiB units).");
    add("kas", dec(id.kas), "", "Keep Alive Support (100 ms units; 0 = not supported).");
    add("hctma", hex(id.hctma), "", "Host Controlled Thermal Management Attributes.");
    add("mntmt", dec(id.mntmt), "", "Minimum Thermal Management Temperature (kelvin).");
    add("mxtmt", dec(id.mxtmt), "", "Maximum Thermal Management Temperature (kelvin).");
    add("sanicap", hex(id.sanicap), "", "Sanitize Capabilities.");
    add("sqes", hex(id.sqes), entry_sizes(id.sqes),
        "Submission Queue Entry Size: required and maximum, as powers of two.");
    add("cqes", hex(id.cqes), entry_sizes(id.cqes),
        "Completion Queue Entry Size: required and maximum, as powers of two.");
    add("maxcmd", dec(id.maxcmd), "", "Maximum Outstanding Commands (fabrics only).");
    add("nn", dec(id.nn), fmt::format("{} namespace(s)", id.nn), "Number of Namespaces.");
    add("oncs", hex(id.oncs),
        bit_names(id.oncs, {"Compare", "Write Uncorrectable", "Dataset Management", "Write Zeroes",
                            "Save/Select", "Reservations", "Timestamp"}),
        "Optional NVM Command Support.");
    add("fuses", hex(id.fuses), bit_names(id.fuses, {"Compare and Write"}),
        "Fused Operation Support.");
    add("fna", hex(id.fna), "", "Format NVM Attributes.");
    add("vwc", hex(id.vwc), id.vwc & 1 ? "volatile write cache present" : "no volatile write cache",
        "Volatile Write Cache: data may sit in a cache a power cut loses until Flush.");
    add("awun", dec(id.awun), "", "Atomic Write Unit Normal (0's based blocks).");
    add("awupf", dec(id.awupf), "", "Atomic Write Unit Power Fail (0's based blocks).");
    add("nvscc", dec(id.nvscc), "", "NVM Vendor Specific Command Configuration.");
    add("acwu", dec(id.acwu), "", "Atomic Compare & Write Unit (0's based blocks).");
    add("sgls", hex(id.sgls), id.sgls & 3 ? "SGLs supported" : "no SGLs (PRPs only)",
        "SGL Support.");
    add("subnqn", ascii_field(id.subnqn, sizeof id.subnqn), "",
        "NVM Subsystem NVMe Qualified Name.");
    for (unsigned i = 0; i <= id.npss && i < 32; ++i) {
        const PowerStateDescriptor &ps = id.psd[i];
        add(fmt::format("ps {:4}", i),
            fmt::format("mp:{} {}operational enlat:{} exlat:{} rrt:{} rrl:{} rwt:{} rwl:{} "
                        "idle_power:{} ({}) active_power:{} ({})",
                        watts(ps.mp, ps.mxps()), ps.nops() ? "non-" : "", ps.enlat, ps.exlat,
                        ps.rrt, ps.rrl, ps.rwt, ps.rwl, ps.idlp, power_scale(ps.ips >> 6), ps.actp,
                        power_scale(ps.aps())),
            "", "Power State Descriptor.");
    }
    return f;
}

std::vector<DecodedField> identify_namespace_fields(const IdentifyNamespace &ns) {
    std::vector<DecodedField> f;
    auto add = [&f](std::string name, std::string value, std::string meaning, const char *help) {
        f.push_back({std::move(name), std::move(value), std::move(meaning), help});
    };
    const LbaFormat &in_use = ns.lbaf[ns.flbas_index() & 15];
    const uint64_t lbs = in_use.lbads >= 9 && in_use.lbads < 32 ? uint64_t{1} << in_use.lbads : 0;
    auto blocks = [lbs](uint64_t n) {
        return lbs ? fmt::format("{} blocks ({})", n, size_text(n * lbs))
                   : fmt::format("{} blocks", n);
    };
    add("nsze", hex(ns.nsze), blocks(ns.nsze), "Namespace Size: total LBAs.");
    add("ncap", hex(ns.ncap), blocks(ns.ncap), "Namespace Capacity: LBAs that may be allocated.");
    add("nuse", hex(ns.nuse), blocks(ns.nuse), "Namespace Utilization: LBAs allocated.");
    add("nsfeat", hex(ns.nsfeat), "", "Namespace Features.");
    add("nlbaf", dec(ns.nlbaf), fmt::format("{} LBA format(s)", ns.nlbaf + 1u),
        "Number of LBA Formats (0's based).");
    add("flbas", hex(ns.flbas),
        fmt::format("format {} in use{}", ns.flbas_index(),
                    in_use.ms == 0        ? ""
                    : ns.flbas_extended() ? ", metadata at the end of each block (extended LBA)"
                                          : ", metadata in a separate buffer (MPTR)"),
        "Formatted LBA Size: bits 3:0 the LBA format in use; bit 4 metadata at the end of each "
        "block (1) or in a separate buffer (0).");
    const auto mc_text = [&] {
        if ((ns.mc & 3) == 3) return "extended LBAs and separate buffers";
        if (ns.mc & 1) return "extended LBAs";
        if (ns.mc & 2) return "separate buffers";
        return "";
    };
    add("mc", hex(ns.mc), mc_text(),
        "Metadata Capabilities: bit 0 extended LBAs, bit 1 a separate metadata buffer.");
    add("dpc", hex(ns.dpc), "",
        "End-to-end Data Protection Capabilities: bits 0-2 PI types 1-3, bit 3 PI first, bit 4 "
        "PI last in the metadata.");
    add("dps", hex(ns.dps),
        ns.pi_type() == 0 ? "protection off"
                          : fmt::format("PI type {}, {} 8 bytes of metadata", ns.pi_type(),
                                        ns.pi_first() ? "first" : "last"),
        "End-to-end Data Protection Type Settings: bits 2:0 PI type, bit 3 PI first.");
    add("nmic", hex(ns.nmic), "", "Namespace Multi-path I/O and Sharing Capabilities.");
    add("rescap", hex(ns.rescap), "", "Reservation Capabilities.");
    add("fpi", hex(ns.fpi), "", "Format Progress Indicator.");
    add("dlfeat", dec(ns.dlfeat), "", "Deallocate Logical Block Features.");
    add("nawun", dec(ns.nawun), "", "Namespace Atomic Write Unit Normal.");
    add("nawupf", dec(ns.nawupf), "", "Namespace Atomic Write Unit Power Fail.");
    add("nacwu", dec(ns.nacwu), "", "Namespace Atomic Compare & Write Unit.");
    add("nabsn", dec(ns.nabsn), "", "Namespace Atomic Boundary Size Normal.");
    add("nabo", dec(ns.nabo), "", "Namespace Atomic Boundary Offset.");
    add("nabspf", dec(ns.nabspf), "", "Namespace Atomic Boundary Size Power Fail.");
    add("noiob", dec(ns.noiob), "", "Namespace Optimal IO Boundary.");
    add("nvmcap", u128_decimal(ns.nvmcap), size_text(get_u128_low(ns.nvmcap)),
        "NVM Capacity in bytes.");
    add("nguid", hex_bytes(ns.nguid), "", "Namespace Globally Unique Identifier.");
    add("eui64", hex_bytes(ns.eui64), "", "IEEE Extended Unique Identifier.");
    for (unsigned i = 0; i <= ns.nlbaf && i < 16; ++i) {
        const LbaFormat &lf = ns.lbaf[i];
        add(fmt::format("lbaf {:2}", i),
            fmt::format("ms:{:<3} lbads:{:<2} rp:{:#x}{}", lf.ms, lf.lbads,
                        lf.relative_performance(), i == ns.flbas_index() ? " (in use)" : ""),
            lf.lbads < 32 ? fmt::format("{}-byte blocks{}", uint64_t{1} << lf.lbads,
                                        lf.ms ? fmt::format(" + {} bytes of metadata", lf.ms) : "")
                          : "",
            "LBA Format: metadata size, LBA data size (2^LBADS), relative performance.");
    }
    return f;
}

std::vector<DecodedField> smart_log_fields(const SmartLog &log) {
    std::vector<DecodedField> f;
    auto add = [&f](std::string name, std::string value, std::string meaning, const char *help) {
        f.push_back({std::move(name), std::move(value), std::move(meaning), help});
    };
    add("critical_warning", fmt::format("{:#x}", log.critical_warning),
        bit_names(log.critical_warning,
                  {"spare below threshold", "temperature", "reliability degraded", "read-only",
                   "volatile backup failed"}),
        "Critical Warning bits; each can raise an asynchronous event.");
    add("temperature", temperature(log.composite_temp()), "", "Composite Temperature.");
    add("available_spare", fmt::format("{}%", log.available_spare), "", "Available Spare.");
    add("available_spare_threshold", fmt::format("{}%", log.available_spare_threshold), "",
        "Available Spare Threshold.");
    add("percentage_used", fmt::format("{}%", log.percentage_used), "",
        "Percentage Used: estimate of the life used.");
    add("data_units_read", data_units(log.data_units_read), "",
        "Data Units Read: thousands of 512-byte units read by the host.");
    add("data_units_written", data_units(log.data_units_written), "",
        "Data Units Written: thousands of 512-byte units written by the host.");
    add("host_read_commands", u128_decimal(log.host_read_commands), "",
        "Host Read Commands completed.");
    add("host_write_commands", u128_decimal(log.host_write_commands), "",
        "Host Write Commands completed.");
    add("controller_busy_time", u128_decimal(log.controller_busy_time), "",
        "Controller Busy Time (minutes).");
    add("power_cycles", u128_decimal(log.power_cycles), "", "Power Cycles.");
    add("power_on_hours", u128_decimal(log.power_on_hours), "", "Power On Hours.");
    add("unsafe_shutdowns", u128_decimal(log.unsafe_shutdowns), "",
        "Unsafe Shutdowns: power lost without a shutdown notification (CC.SHN).");
    add("media_errors", u128_decimal(log.media_errors), "", "Media and Data Integrity Errors.");
    add("num_err_log_entries", u128_decimal(log.num_error_log_entries), "",
        "Number of Error Information Log Entries over the controller's life.");
    add("warning_temperature_time", fmt::format("{}", log.warning_temp_time), "",
        "Warning Composite Temperature Time (minutes).");
    add("critical_composite_temperature_time", fmt::format("{}", log.critical_temp_time), "",
        "Critical Composite Temperature Time (minutes).");
    for (int i = 0; i < 8; ++i)
        if (log.temp_sensor[i] != 0)
            add(fmt::format("temperature_sensor_{}", i + 1), temperature(log.temp_sensor[i]), "",
                "Temperature Sensor.");
    add("thermal_management_t1_trans_count", fmt::format("{}", log.tmt1_transition_count), "",
        "Thermal Management Temperature 1 Transition Count.");
    add("thermal_management_t2_trans_count", fmt::format("{}", log.tmt2_transition_count), "",
        "Thermal Management Temperature 2 Transition Count.");
    add("thermal_management_t1_total_time", fmt::format("{}", log.tmt1_total_time), "",
        "Total Time For Thermal Management Temperature 1 (seconds).");
    add("thermal_management_t2_total_time", fmt::format("{}", log.tmt2_total_time), "",
        "Total Time For Thermal Management Temperature 2 (seconds).");
    return f;
}

std::vector<DecodedField> error_log_entry_fields(const ErrorLogEntry &e) {
    std::vector<DecodedField> f;
    auto add = [&f](std::string name, std::string value, std::string meaning, const char *help) {
        f.push_back({std::move(name), std::move(value), std::move(meaning), help});
    };
    const auto status = Status::from_field(static_cast<uint16_t>(e.status_field >> 1));
    add("error_count", fmt::format("{}", e.error_count), "",
        "Error Count: unique, increasing id of this error.");
    add("sqid", fmt::format("{}", e.sqid), "", "Submission Queue ID of the failed command.");
    add("cmdid", fmt::format("{:#x}", e.cid), "", "Command ID of the failed command.");
    add("status_field",
        e.error_count == 0 && status.field() == 0
            ? std::string("0")
            : fmt::format("{:#x} ({})", status.field(), status_name(status)),
        std::string(status_description(status)), "Status Field of the completion.");
    add("phase_tag", fmt::format("{:#x}", e.status_field & 1), "", "Phase Tag of the completion.");
    add("parm_err_loc", fmt::format("{:#x}", e.param_error_location),
        e.param_error_location == kParamErrorLocationNone
            ? std::string("not applicable")
            : fmt::format("SQE byte {} bit {}", e.param_error_location & 0xFF,
                          (e.param_error_location >> 8) & 7),
        "Parameter Error Location: the SQE byte and bit that was wrong.");
    add("lba", fmt::format("{:#x}", e.lba), "", "LBA of the first failing block.");
    add("nsid", fmt::format("{:#x}", e.nsid), "", "Namespace of the failing command.");
    add("vs", fmt::format("{:#x}", e.vs), "", "Vendor Specific log page with more detail.");
    add("cs", fmt::format("{:#x}", e.cs), "", "Command Specific Information.");
    return f;
}

std::vector<DecodedField> firmware_slot_fields(const FirmwareSlotLog &log) {
    std::vector<DecodedField> f;
    f.push_back({"afi",
                 fmt::format("{:#x} (active slot {}{})", log.afi, log.afi & 0x7,
                             (log.afi & 0x70) != 0
                                 ? fmt::format(", slot {} at next reset", (log.afi >> 4) & 0x7)
                                 : std::string()),
                 "", "Active Firmware Info: running slot, and the slot activated at next reset."});
    for (int i = 0; i < 7; ++i) {
        const std::string rev = ascii_field(log.frs[i], sizeof log.frs[i]);
        if (!rev.empty())
            f.push_back({fmt::format("frs{}", i + 1), rev, "", "Firmware Revision in this slot."});
    }
    return f;
}

std::string feature_value_text(uint8_t fid, uint32_t v) {
    using F = FeatureId;
    switch (static_cast<F>(fid)) {
    case F::Arbitration: {
        const auto f = ArbitrationFeature::decode(v);
        return fmt::format("AB={} LPW={} MPW={} HPW={}", f.ab, f.lpw, f.mpw, f.hpw);
    }
    case F::PowerManagement: {
        const auto f = PowerManagementFeature::decode(v);
        return fmt::format("PS={} WH={}", f.ps, f.wh);
    }
    case F::TemperatureThreshold: {
        const auto f = TemperatureThresholdFeature::decode(v);
        return fmt::format("TMPTH={} K TMPSEL={} THSEL={}", f.tmpth, f.tmpsel, f.thsel);
    }
    case F::ErrorRecovery: {
        const auto f = ErrorRecoveryFeature::decode(v);
        return fmt::format("TLER={} DULBE={}", f.tler, f.dulbe ? 1 : 0);
    }
    case F::VolatileWriteCache:
        return fmt::format("WCE={}", v & 1);
    case F::NumberOfQueues: {
        const auto f = NumberOfQueuesFeature::decode(v);
        return fmt::format("NSQA={} NCQA={} ({} I/O SQs, {} I/O CQs)", f.nsqr, f.ncqr, f.nsqr + 1u,
                           f.ncqr + 1u);
    }
    case F::InterruptCoalescing: {
        const auto f = InterruptCoalescingFeature::decode(v);
        return fmt::format("THR={} TIME={} (x100 us)", f.thr, f.time);
    }
    case F::InterruptVectorConfig: {
        const auto f = InterruptVectorConfigFeature::decode(v);
        return fmt::format("IV={} CD={}", f.iv, f.cd ? 1 : 0);
    }
    case F::AsyncEventConfig: {
        const auto f = AsyncEventConfigFeature::decode(v);
        return fmt::format("SMART=0x{:02x} NS_ATTR={} FW_ACT={} TELEMETRY={}", f.smart_warnings,
                           f.ns_attr ? 1 : 0, f.fw_activation ? 1 : 0, f.telemetry ? 1 : 0);
    }
    default:
        return "";
    }
}

std::span<const uint8_t> decoded_feature_ids() {
    using F = FeatureId;
    static constexpr std::array<uint8_t, 9> ids{static_cast<uint8_t>(F::Arbitration),
                                                static_cast<uint8_t>(F::PowerManagement),
                                                static_cast<uint8_t>(F::TemperatureThreshold),
                                                static_cast<uint8_t>(F::ErrorRecovery),
                                                static_cast<uint8_t>(F::VolatileWriteCache),
                                                static_cast<uint8_t>(F::NumberOfQueues),
                                                static_cast<uint8_t>(F::InterruptCoalescing),
                                                static_cast<uint8_t>(F::InterruptVectorConfig),
                                                static_cast<uint8_t>(F::AsyncEventConfig)};
    return ids;
}

} // namespace nvmelab::spec
