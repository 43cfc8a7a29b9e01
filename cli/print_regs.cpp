// Controller registers (NVMe 1.3 §3.1) as text, decoded text and JSON. Which registers, their
// names, offsets, fields, bit ranges and titles come from the register table
// (core/spec/register_table.h); this file only chooses how `show-regs` words a value.
#include <fmt/format.h>

#include "cli/output.h"
#include "core/controller/controller.h"
#include "core/spec/register_table.h"

namespace nvmelab::cli {

namespace {

using spec::FieldInfo;
using spec::RegisterInfo;

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
        c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    return out;
}

// The text output names VS "version", as nvme-cli's show-regs does; the JSON key stays "vs".
std::string text_label(const RegisterInfo &reg) {
    return reg.id() == spec::Reg::Vs ? "version" : lower(reg.name);
}

// Where show-regs -H has always worded a field's title differently from the spec's name.
std::string_view field_title(const RegisterInfo &reg, const FieldInfo &f) {
    if (reg.id() == spec::Reg::Cap && f.name == "AMS") return "Arbitration Mechanisms Supported";
    if (reg.id() == spec::Reg::Cc && f.name == "IOSQES") return "I/O SQ Entry Size";
    if (reg.id() == spec::Reg::Cc && f.name == "IOCQES") return "I/O CQ Entry Size";
    return f.title;
}

// The width of the field-name column of each decoded register, as show-regs has printed it.
int name_width(const RegisterInfo &reg) {
    switch (reg.id()) {
    case spec::Reg::Cap:
        return 5;
    case spec::Reg::Cc:
        return 6;
    case spec::Reg::Aqa:
        return 4;
    default:
        return 5;
    }
}

std::string entries_0s_based(uint64_t v) {
    return fmt::format("{} (0's based: {} entries)", v, v + 1);
}

std::string page_bytes(uint64_t v) {
    return fmt::format("{} ({} bytes)", v, uint64_t{4096} << v);
}

// One field's value as show-regs -H prints it: the number, then what it means.
std::string field_value(const RegisterInfo &reg, const FieldInfo &f, uint64_t raw) {
    static const char *const shn[] = {"no notification", "normal shutdown", "abrupt shutdown",
                                      "reserved"};
    static const char *const shst[] = {"normal operation", "shutdown processing",
                                       "shutdown complete", "reserved"};
    const uint64_t v = f.get(raw);
    if (f.width() == 1) return v != 0 ? "yes" : "no";
    const std::string_view n = f.name;
    switch (reg.id()) {
    case spec::Reg::Cap:
        if (n == "MQES") return entries_0s_based(v);
        if (n == "AMS")
            return fmt::format("{:#x} (round robin{})", v,
                               (v & 1) != 0 ? ", weighted round robin with urgent" : "");
        if (n == "TO") return fmt::format("{} ({} ms)", v, v * 500);
        if (n == "DSTRD") return fmt::format("{} ({} bytes)", v, uint64_t{4} << v);
        if (n == "CSS") return fmt::format("{:#x}{}", v, (v & 1) != 0 ? " (NVM command set)" : "");
        if (n == "MPSMIN" || n == "MPSMAX") return page_bytes(v);
        break;
    case spec::Reg::Cc:
        if (n == "CSS") return fmt::format("{}{}", v, v == 0 ? " (NVM command set)" : "");
        if (n == "MPS") return page_bytes(v);
        if (n == "AMS")
            return fmt::format("{} ({})", v,
                               v == 0   ? "round robin"
                               : v == 1 ? "weighted round robin with urgent"
                                        : "other");
        if (n == "SHN") return fmt::format("{} ({})", v, shn[v & 3]);
        if (n == "IOSQES" || n == "IOCQES")
            return fmt::format("{} ({} bytes)", v, uint64_t{1} << v);
        break;
    case spec::Reg::Csts:
        if (n == "SHST") return fmt::format("{} ({})", v, shst[v & 3]);
        break;
    case spec::Reg::Aqa:
        return entries_0s_based(v);
    default:
        break;
    }
    return fmt::format("{:#x}", v);
}

// The decoded lines under a register, or "" where show-regs prints none.
std::string decoded(const RegisterInfo &reg, uint64_t raw) {
    switch (reg.id()) {
    case spec::Reg::Cap:
    case spec::Reg::Cc:
    case spec::Reg::Csts:
    case spec::Reg::Aqa: {
        Table t;
        for (const FieldInfo &f : reg.fields)
            t.add(fmt::format("  {:<{}} {}", f.name, name_width(reg), field_title(reg, f)),
                  field_value(reg, f, raw));
        return t.str();
    }
    case spec::Reg::Vs:
        return fmt::format("  NVMe specification version {}.{}.{}\n",
                           reg.find_field("MJR")->get(raw), reg.find_field("MNR")->get(raw),
                           reg.find_field("TER")->get(raw));
    case spec::Reg::Asq:
    case spec::Reg::Acq:
        return fmt::format("  {} {:#x}\n", reg.title, raw);
    case spec::Reg::Cmbsz:
        return raw == 0 ? "  Controller Memory Buffer not supported\n" : "";
    case spec::Reg::Bpinfo:
        return raw == 0 ? "  Boot Partitions not supported\n" : "";
    default:
        return "";
    }
}

} // namespace

RegisterSnapshot read_registers(const Controller &ctrl) {
    RegisterSnapshot r;
    for (const RegisterInfo &reg : spec::registers())
        r.values.push_back(spec::read_register(ctrl, reg));
    return r;
}

Json regs_json(const RegisterSnapshot &r) {
    Json j = Json::object();
    const auto regs = spec::registers();
    for (size_t i = 0; i < regs.size() && i < r.values.size(); ++i)
        j[lower(regs[i].name)] = r.values[i];
    return j;
}

std::string regs_text(const RegisterSnapshot &r, bool human) {
    std::string out;
    const auto regs = spec::registers();
    for (size_t i = 0; i < regs.size() && i < r.values.size(); ++i) {
        out += fmt::format("{:<7}: {:#x}\n", text_label(regs[i]), r.values[i]);
        if (human) out += decoded(regs[i], r.values[i]);
    }
    return out;
}

} // namespace nvmelab::cli
