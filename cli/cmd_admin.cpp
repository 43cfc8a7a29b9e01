// Admin commands in nvme-cli style: id-ctrl, id-ns, list-ns, show-regs, get-log, smart-log,
// error-log, fw-log, effects-log, get-feature, set-feature.
#include <array>
#include <cstring>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "cli/session.h"
#include "cli/status_report.h"
#include "core/spec/status_text.h"

namespace nvmelab::cli {

namespace {

constexpr uint32_t kNsidAll = 0xFFFFFFFF;

// Prints a successful command's data in the chosen format, or the failure; then ends the
// session. `raw` is what -o binary writes.
int emit(Session &s, const Completion &c, Format format, std::span<const uint8_t> raw,
         const std::function<Json()> &json, const std::function<std::string()> &text) {
    s.end_command();
    if (format == Format::Binary) s.trace_to_stderr();
    if (!c.ok()) return s.finish(report_failure(c, format));
    switch (format) {
    case Format::Binary:
        if (!write_binary(raw.data(), raw.size())) return s.finish(1);
        break;
    case Format::Json:
        print_json(json());
        break;
    case Format::Normal:
        print_text(text());
        break;
    }
    return s.finish(0);
}

template <typename T> std::span<const uint8_t> bytes_of(const T &value) {
    return {reinterpret_cast<const uint8_t *>(&value), sizeof value};
}

template <typename T> T from_bytes(std::span<const uint8_t> raw) {
    T value{};
    std::memcpy(&value, raw.data(), std::min(raw.size(), sizeof value));
    return value;
}

Completion get_log(Session &s, uint8_t lid, uint32_t nsid, uint64_t offset, std::span<uint8_t> out,
                   uint8_t lsp = 0, bool rae = false) {
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetLogPage);
    sqe.nsid = nsid;
    spec::GetLogPageFields f{};
    f.lid = lid;
    f.lsp = lsp;
    f.rae = rae;
    f.set_length_bytes(out.size());
    f.set_offset(offset);
    f.apply(sqe);
    return s.drv().execute_with_data(0, sqe, {}, out);
}

void add_nsid_option(CLI::App *sub, uint32_t &nsid, const std::string &help) {
    sub->add_option("-n,--namespace-id", nsid, help)->capture_default_str();
}

// ---- id-ctrl, id-ns, list-ns ---------------------------------------------------------------

struct IdCtrlOptions {
    CommonOptions common;
};

int run_id_ctrl(const IdCtrlOptions &o) {
    Session s(o.common, false);
    std::array<uint8_t, 4096> raw{};
    const Completion c = s.drv().identify(static_cast<uint8_t>(spec::Cns::Controller), 0, raw);
    const auto id = from_bytes<spec::IdentifyController>(raw);
    return emit(
        s, c, o.common.format(), raw, [&] { return id_ctrl_json(id); },
        [&] { return id_ctrl_text(id); });
}

struct IdNsOptions {
    CommonOptions common;
    uint32_t nsid = 1;
};

int run_id_ns(const IdNsOptions &o) {
    Session s(o.common, false);
    std::array<uint8_t, 4096> raw{};
    const Completion c = s.drv().identify(static_cast<uint8_t>(spec::Cns::Namespace), o.nsid, raw);
    const auto ns = from_bytes<spec::IdentifyNamespace>(raw);
    return emit(
        s, c, o.common.format(), raw, [&] { return id_ns_json(ns); },
        [&] { return id_ns_text(ns, o.nsid); });
}

struct ListNsOptions {
    CommonOptions common;
    uint32_t start = 0;
    bool all = false;
};

int run_list_ns(const ListNsOptions &o) {
    Session s(o.common, false);
    std::array<uint8_t, 4096> raw{};
    const auto cns = o.all ? spec::Cns::AllocatedNamespaceList : spec::Cns::ActiveNamespaceList;
    const Completion c = s.drv().identify(static_cast<uint8_t>(cns), o.start, raw);
    std::vector<uint32_t> ids;
    for (size_t i = 0; i < 1024; ++i) {
        uint32_t id;
        std::memcpy(&id, raw.data() + i * 4, 4);
        if (id == 0) break;
        ids.push_back(id);
    }
    return emit(
        s, c, o.common.format(), raw,
        [&] {
            Json list = Json::array();
            for (uint32_t id : ids)
                list.push_back(Json{{"nsid", id}});
            return Json{{"nsid_list", list}};
        },
        [&] {
            std::string out;
            for (size_t i = 0; i < ids.size(); ++i)
                out += fmt::format("[{:4}]:{:#x}\n", i, ids[i]);
            return out;
        });
}

// ---- show-regs -----------------------------------------------------------------------------

struct ShowRegsOptions {
    CommonOptions common;
    bool human = false;
};

int run_show_regs(const ShowRegsOptions &o) {
    Session s(o.common, false);
    Controller &ctrl = s.ctrl();
    const RegisterSnapshot r = read_registers(ctrl);
    // -o binary: the register page up to the doorbells, as a host maps BAR0.
    std::vector<uint8_t> page(0x1000);
    for (uint32_t off = 0; off < page.size(); off += 4) {
        const uint32_t v = ctrl.read32(off);
        std::memcpy(page.data() + off, &v, 4);
    }
    return emit(
        s, Completion{}, o.common.format(), page, [&] { return regs_json(r); },
        [&] { return regs_text(r, o.human); });
}

// ---- get-log and the typed log commands ----------------------------------------------------

struct GetLogOptions {
    CommonOptions common;
    uint32_t log_id = 0;
    uint32_t log_len = 0;
    uint64_t lpo = 0;
    uint32_t nsid = kNsidAll;
    uint32_t lsp = 0;
    bool rae = false;
};

int run_get_log(const GetLogOptions &o) {
    Session s(o.common, false);
    // NUMD counts whole dwords; keep the buffer a dword multiple and show what was asked for.
    std::vector<uint8_t> buf((uint64_t{o.log_len} + 3) / 4 * 4);
    const Completion c = get_log(s, static_cast<uint8_t>(o.log_id), o.nsid, o.lpo, buf,
                                 static_cast<uint8_t>(o.lsp), o.rae);
    const std::span<const uint8_t> data(buf.data(), o.log_len);
    return emit(
        s, c, o.common.format(), data,
        [&] {
            Json j = Json::object();
            j["log_id"] = o.log_id;
            j["namespace_id"] = o.nsid;
            j["offset"] = o.lpo;
            j["length"] = o.log_len;
            j["data"] = hex_string(data);
            return j;
        },
        [&] {
            const std::string_view name = spec::log_page_name(static_cast<uint8_t>(o.log_id));
            return fmt::format("Device:{} log_id:{:#x}{} namespace_id:{:#x} offset:{} length:{}\n",
                               o.common.image, o.log_id,
                               name.empty() ? std::string() : fmt::format(" ({})", name), o.nsid,
                               o.lpo, o.log_len) +
                   hex_dump(data, o.lpo);
        });
}

struct SmartLogOptions {
    CommonOptions common;
    uint32_t nsid = kNsidAll;
};

int run_smart_log(const SmartLogOptions &o) {
    Session s(o.common, false);
    std::array<uint8_t, sizeof(spec::SmartLog)> raw{};
    const Completion c = get_log(s, static_cast<uint8_t>(spec::LogId::SmartHealth), o.nsid, 0, raw);
    const auto log = from_bytes<spec::SmartLog>(raw);
    return emit(
        s, c, o.common.format(), raw, [&] { return smart_log_json(log); },
        [&] { return smart_log_text(log, o.nsid); });
}

struct ErrorLogOptions {
    CommonOptions common;
    uint32_t entries = 0; // 0 = Identify Controller ELPE + 1
};

int run_error_log(const ErrorLogOptions &o) {
    Session s(o.common, false);
    uint32_t entries = o.entries;
    if (entries == 0) {
        std::array<uint8_t, 4096> raw{};
        const Completion c = s.drv().identify(static_cast<uint8_t>(spec::Cns::Controller), 0, raw);
        if (!c.ok()) {
            s.end_command();
            return s.finish(report_failure(c, o.common.format()));
        }
        entries = uint32_t{from_bytes<spec::IdentifyController>(raw).elpe} + 1;
    }
    std::vector<uint8_t> raw(uint64_t{entries} * sizeof(spec::ErrorLogEntry));
    const Completion c =
        get_log(s, static_cast<uint8_t>(spec::LogId::ErrorInformation), kNsidAll, 0, raw);
    std::vector<spec::ErrorLogEntry> log(entries);
    std::memcpy(log.data(), raw.data(), raw.size());
    return emit(
        s, c, o.common.format(), raw, [&] { return error_log_json(log); },
        [&] { return error_log_text(log); });
}

struct FwLogOptions {
    CommonOptions common;
};

int run_fw_log(const FwLogOptions &o) {
    Session s(o.common, false);
    std::array<uint8_t, sizeof(spec::FirmwareSlotLog)> raw{};
    const Completion c =
        get_log(s, static_cast<uint8_t>(spec::LogId::FirmwareSlot), kNsidAll, 0, raw);
    const auto log = from_bytes<spec::FirmwareSlotLog>(raw);
    return emit(
        s, c, o.common.format(), raw, [&] { return fw_log_json(log); },
        [&] { return fw_log_text(log); });
}

struct EffectsLogOptions {
    CommonOptions common;
    bool human = false;
};

int run_effects_log(const EffectsLogOptions &o) {
    Session s(o.common, false);
    std::vector<uint8_t> raw(4096);
    const Completion c =
        get_log(s, static_cast<uint8_t>(spec::LogId::CommandsSupportedEffects), kNsidAll, 0, raw);
    return emit(
        s, c, o.common.format(), raw, [&] { return effects_log_json(raw); },
        [&] { return effects_log_text(raw, o.human); });
}

// ---- get-feature, set-feature --------------------------------------------------------------

constexpr const char *kSelNames[] = {"Current", "Default", "Saved", "Supported capabilities"};

std::string feature_label(uint32_t fid) {
    const std::string_view name = spec::feature_name(static_cast<uint8_t>(fid));
    return fmt::format("{:#04x} ({})", fid, name.empty() ? "Unknown" : name);
}

std::string feature_text(uint32_t fid, uint32_t sel, uint32_t value) {
    std::string out = fmt::format("get-feature:{}, {} value:{:#010x}", feature_label(fid),
                                  kSelNames[sel & 3], value);
    if (sel == 3)
        out += fmt::format(" ({}saveable, {}namespace specific, {}changeable)",
                           (value & 1) != 0 ? "" : "not ", (value & 2) != 0 ? "" : "not ",
                           (value & 4) != 0 ? "" : "not ");
    return out + "\n";
}

Json feature_json(uint32_t fid, uint32_t value, const std::vector<uint8_t> &data) {
    Json j = Json::object();
    j["feature_id"] = fid;
    j["value"] = value;
    if (!data.empty()) j["data"] = hex_string(data);
    return j;
}

// Timestamp (0Eh) and Host Identifier (81h) return their value as 8 bytes of data, except with
// SEL 011b (NVMe 1.3 §5.21.1.14, §5.21.1.26); the others return only Dword 0.
size_t feature_data_bytes(uint32_t fid, uint32_t sel) {
    const bool data = fid == static_cast<uint8_t>(spec::FeatureId::Timestamp) ||
                      fid == static_cast<uint8_t>(spec::FeatureId::HostIdentifier);
    return data && sel != 3 ? 8 : 0;
}

Completion get_feature(Session &s, uint32_t fid, uint32_t sel, uint32_t cdw11, uint32_t nsid,
                       std::vector<uint8_t> &data) {
    data.assign(feature_data_bytes(fid, sel), 0);
    if (data.empty())
        return s.drv().get_features(static_cast<uint8_t>(fid), static_cast<uint8_t>(sel), cdw11,
                                    nsid);
    spec::Sqe sqe{};
    sqe.opc = static_cast<uint8_t>(spec::AdminOpcode::GetFeatures);
    sqe.nsid = nsid;
    sqe.cdw10 = (fid & 0xFF) | (sel & 0x7) << 8;
    sqe.cdw11 = cdw11;
    return s.drv().execute_with_data(0, sqe, {}, data);
}

std::string feature_data_text(const std::vector<uint8_t> &data) {
    std::string out;
    for (uint8_t b : data)
        out += fmt::format(" {:02x}", b);
    return data.empty() ? std::string() : "  data:" + out + "\n";
}

struct GetFeatureOptions {
    CommonOptions common;
    std::optional<uint32_t> fid;
    uint32_t sel = 0;
    uint32_t cdw11 = 0;
    uint32_t nsid = 0;
};

int run_get_feature(const GetFeatureOptions &o) {
    Session s(o.common, false);
    const Format format = o.common.format();
    if (o.fid) {
        std::vector<uint8_t> data;
        const Completion c = get_feature(s, *o.fid, o.sel, o.cdw11, o.nsid, data);
        const uint32_t value = c.cqe.dw0;
        std::vector<uint8_t> binary(bytes_of(value).begin(), bytes_of(value).end());
        binary.insert(binary.end(), data.begin(), data.end());
        return emit(
            s, c, format, binary, [&] { return feature_json(*o.fid, value, data); },
            [&] { return feature_text(*o.fid, o.sel, value) + feature_data_text(data); });
    }
    // No -f: every feature NVMe 1.3 names; the ones this controller does not support are
    // skipped (Invalid Field in Command).
    Json all = Json::array();
    std::vector<uint8_t> binary;
    int rc = 0;
    for (uint32_t fid = 1; fid <= 0xFF; ++fid) {
        if (spec::feature_name(static_cast<uint8_t>(fid)).empty()) continue;
        std::vector<uint8_t> data;
        Completion c = get_feature(s, fid, o.sel, o.cdw11, o.nsid, data);
        if (!c.ok() && o.nsid == 0 && c.status().sct == 0 &&
            c.status().sc == static_cast<uint8_t>(spec::GenericStatus::InvalidNamespaceOrFormat)) {
            // A namespace-specific feature (e.g. Error Recovery): show namespace 1's value.
            c = get_feature(s, fid, o.sel, o.cdw11, 1, data);
        }
        if (!c.ok()) {
            const spec::Status st = c.status();
            if (st.sct == 0 && st.sc == static_cast<uint8_t>(spec::GenericStatus::InvalidField))
                continue;
            std::fprintf(stderr, "get-feature:%s: ", feature_label(fid).c_str());
            rc = report_failure(c, Format::Normal);
            continue;
        }
        const uint32_t value = c.cqe.dw0;
        if (format == Format::Json)
            all.push_back(feature_json(fid, value, data));
        else if (format == Format::Normal)
            print_text(feature_text(fid, o.sel, value) + feature_data_text(data));
        else
            binary.insert(binary.end(), bytes_of(value).begin(), bytes_of(value).end());
    }
    s.end_command();
    if (format == Format::Json) print_json(all);
    if (format == Format::Binary) {
        s.trace_to_stderr();
        if (!write_binary(binary.data(), binary.size())) rc = 1;
    }
    return s.finish(rc);
}

struct SetFeatureOptions {
    CommonOptions common;
    uint32_t fid = 0;
    uint32_t value = 0;
    bool save = false;
    uint32_t nsid = 0;
};

int run_set_feature(const SetFeatureOptions &o) {
    Session s(o.common, false);
    const Completion c = s.drv().set_features(static_cast<uint8_t>(o.fid), o.value, o.save, o.nsid);
    s.end_command();
    if (!c.ok()) return s.finish(report_failure(c, Format::Normal));
    print_text(fmt::format("set-feature:{}, value:{:#010x}, save:{}\n", feature_label(o.fid),
                           o.value, o.save ? 1 : 0));
    if (c.cqe.dw0 != 0) print_text(fmt::format("completion dword 0:{:#010x}\n", c.cqe.dw0));
    return s.finish(0);
}

} // namespace

void register_admin_commands(Registry &reg) {
    add_command<IdCtrlOptions>(
        reg, "id-ctrl", "Identify Controller: the controller's capabilities and limits",
        [](CLI::App *sub, IdCtrlOptions &o) {
            add_device_options(sub, o.common);
            add_format_option(sub, o.common);
        },
        run_id_ctrl);

    add_command<IdNsOptions>(
        reg, "id-ns", "Identify Namespace: size, capacity and LBA formats of a namespace",
        [](CLI::App *sub, IdNsOptions &o) {
            add_device_options(sub, o.common);
            add_nsid_option(sub, o.nsid, "Namespace to identify");
            add_format_option(sub, o.common);
        },
        run_id_ns);

    add_command<ListNsOptions>(
        reg, "list-ns", "List active namespace IDs (Identify CNS 02h)",
        [](CLI::App *sub, ListNsOptions &o) {
            add_device_options(sub, o.common);
            add_nsid_option(sub, o.start, "List IDs greater than this one");
            sub->add_flag("-a,--all", o.all, "Allocated namespaces too (Identify CNS 10h)");
            add_format_option(sub, o.common, false);
        },
        run_list_ns);

    add_command<ShowRegsOptions>(
        reg, "show-regs", "Show the controller registers (CAP, VS, CC, CSTS, AQA, ASQ, ACQ ...)",
        [](CLI::App *sub, ShowRegsOptions &o) {
            add_device_options(sub, o.common);
            sub->add_flag("-H,--human-readable", o.human, "Decode each register's fields");
            add_format_option(sub, o.common, false);
        },
        run_show_regs);

    add_command<GetLogOptions>(
        reg, "get-log", "Get Log Page: any log page by ID, as a hex dump",
        [](CLI::App *sub, GetLogOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-i,--log-id", o.log_id, "Log page identifier (e.g. 2 = SMART)")
                ->required()
                ->check(number_range(0, 255));
            sub->add_option("-l,--log-len", o.log_len, "Bytes to read")
                ->required()
                ->check(number_range(1u, 16u * 1024 * 1024));
            sub->add_option("--lpo", o.lpo, "Log page offset in bytes")->capture_default_str();
            add_nsid_option(sub, o.nsid, "Namespace ID");
            sub->add_option("--lsp", o.lsp, "Log specific field")->check(number_range(0, 15));
            sub->add_flag("--rae", o.rae, "Retain an asynchronous event");
            add_format_option(sub, o.common);
        },
        run_get_log);

    add_command<SmartLogOptions>(
        reg, "smart-log", "SMART / Health log: temperature, wear, data and command counters",
        [](CLI::App *sub, SmartLogOptions &o) {
            add_device_options(sub, o.common);
            add_nsid_option(sub, o.nsid, "Namespace ID (0xffffffff = the whole controller)");
            add_format_option(sub, o.common);
        },
        run_smart_log);

    add_command<ErrorLogOptions>(
        reg, "error-log", "Error Information log: the controller's record of failed commands",
        [](CLI::App *sub, ErrorLogOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-e,--log-entries", o.entries,
                            "Entries to read (default: all, from Identify Controller ELPE)")
                ->check(number_range(1, 4096));
            add_format_option(sub, o.common);
        },
        run_error_log);

    add_command<FwLogOptions>(
        reg, "fw-log", "Firmware Slot log: the active slot and each slot's firmware revision",
        [](CLI::App *sub, FwLogOptions &o) {
            add_device_options(sub, o.common);
            add_format_option(sub, o.common);
        },
        run_fw_log);

    add_command<EffectsLogOptions>(
        reg, "effects-log", "Commands Supported and Effects log: what each opcode may change",
        [](CLI::App *sub, EffectsLogOptions &o) {
            add_device_options(sub, o.common);
            sub->add_flag("-H,--human-readable", o.human, "Decode each entry's effect bits");
            add_format_option(sub, o.common);
        },
        run_effects_log);

    add_command<GetFeatureOptions>(
        reg, "get-feature", "Get Features: one feature's value, or all of them without -f",
        [](CLI::App *sub, GetFeatureOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-f,--feature-id", o.fid, "Feature identifier (e.g. 6 = write cache)")
                ->check(number_range(0, 255));
            sub->add_option("-s,--sel", o.sel,
                            "0 current, 1 default, 2 saved, 3 supported capabilities")
                ->check(number_range(0, 3))
                ->capture_default_str();
            sub->add_option("--cdw11", o.cdw11, "Command dword 11 (e.g. interrupt vector)");
            add_nsid_option(sub, o.nsid, "Namespace ID");
            add_format_option(sub, o.common, false);
        },
        run_get_feature);

    add_command<SetFeatureOptions>(
        reg, "set-feature", "Set Features: change a feature's value (optionally saved)",
        [](CLI::App *sub, SetFeatureOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("-f,--feature-id", o.fid, "Feature identifier")
                ->required()
                ->check(number_range(0, 255));
            sub->add_option("-V,--value", o.value, "New value (command dword 11)")
                ->capture_default_str();
            sub->add_flag("-s,--save", o.save, "Also save it across power cycles");
            add_nsid_option(sub, o.nsid, "Namespace ID");
        },
        run_set_feature);
}

} // namespace nvmelab::cli
