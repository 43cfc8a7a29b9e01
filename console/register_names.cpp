// The registers and fields the console names (see register_names.h).
#include "console/register_names.h"

#include <fmt/format.h>

#include "console/errors.h"
#include "console/lexer.h"

namespace nvmelab::console {

namespace {

using spec::Reg;

// Names and fields as in the spec views (nvme_spec.h CapReg, CcReg, CstsReg, AqaReg).
constexpr FieldDef kCapFields[] = {
    {"MQES", 15, 0},   {"CQR", 16, 16}, {"AMS", 18, 17}, {"TO", 31, 24},     {"DSTRD", 35, 32},
    {"NSSRS", 36, 36}, {"CSS", 44, 37}, {"BPS", 45, 45}, {"MPSMIN", 51, 48}, {"MPSMAX", 55, 52}};
constexpr FieldDef kVsFields[] = {{"MJR", 31, 16}, {"MNR", 15, 8}, {"TER", 7, 0}};
constexpr FieldDef kCcFields[] = {{"EN", 0, 0},      {"CSS", 6, 4},   {"MPS", 10, 7},
                                  {"AMS", 13, 11},   {"SHN", 15, 14}, {"IOSQES", 19, 16},
                                  {"IOCQES", 23, 20}};
constexpr FieldDef kCstsFields[] = {
    {"RDY", 0, 0}, {"CFS", 1, 1}, {"SHST", 3, 2}, {"NSSRO", 4, 4}, {"PP", 5, 5}};
constexpr FieldDef kAqaFields[] = {{"ASQS", 11, 0}, {"ACQS", 27, 16}};

// The tables above agree with the spec views.
constexpr uint64_t field_ones(const FieldDef &f) {
    return spec::detail::with_bits<uint64_t>(0, f.hi, f.lo, ~uint64_t{0});
}
static_assert(spec::CapReg{0}.set_mqes(0xFFFF).raw == field_ones(kCapFields[0]));
static_assert(spec::CapReg{0}.set_ams(3).raw == field_ones(kCapFields[2]));
static_assert(spec::CapReg{0}.set_to(0xFF).raw == field_ones(kCapFields[3]));
static_assert(spec::CapReg{0}.set_dstrd(0xF).raw == field_ones(kCapFields[4]));
static_assert(spec::CapReg{0}.set_css(0xFF).raw == field_ones(kCapFields[6]));
static_assert(spec::CapReg{0}.set_mpsmin(0xF).raw == field_ones(kCapFields[8]));
static_assert(spec::CapReg{0}.set_mpsmax(0xF).raw == field_ones(kCapFields[9]));
static_assert(spec::CcReg{0}.set_css(7).raw == field_ones(kCcFields[1]));
static_assert(spec::CcReg{0}.set_mps(0xF).raw == field_ones(kCcFields[2]));
static_assert(spec::CcReg{0}.set_ams(7).raw == field_ones(kCcFields[3]));
static_assert(spec::CcReg{0}.set_shn(3).raw == field_ones(kCcFields[4]));
static_assert(spec::CcReg{0}.set_iosqes(0xF).raw == field_ones(kCcFields[5]));
static_assert(spec::CcReg{0}.set_iocqes(0xF).raw == field_ones(kCcFields[6]));
static_assert(spec::CstsReg{0}.set_shst(3).raw == field_ones(kCstsFields[2]));
static_assert(spec::CstsReg{0}.set_pp(true).raw == field_ones(kCstsFields[4]));
static_assert(spec::AqaReg{0}.set_asqs(0xFFF).raw == field_ones(kAqaFields[0]));
static_assert(spec::AqaReg{0}.set_acqs(0xFFF).raw == field_ones(kAqaFields[1]));

const RegDef kRegs[] = {
    {"CAP", Reg::Cap, true, kCapFields}, {"VS", Reg::Vs, false, kVsFields},
    {"INTMS", Reg::Intms, false, {}},    {"INTMC", Reg::Intmc, false, {}},
    {"CC", Reg::Cc, false, kCcFields},   {"CSTS", Reg::Csts, false, kCstsFields},
    {"NSSR", Reg::Nssr, false, {}},      {"AQA", Reg::Aqa, false, kAqaFields},
    {"ASQ", Reg::Asq, true, {}},         {"ACQ", Reg::Acq, true, {}},
};

std::string register_names() {
    std::string s;
    for (const RegDef &r : kRegs)
        s += fmt::format("{}{}", s.empty() ? "" : " ", r.name);
    return s;
}

} // namespace

std::span<const RegDef> console_registers() {
    return kRegs;
}

const RegDef &console_register(Reg reg) {
    for (const RegDef &r : kRegs)
        if (r.reg == reg) return r;
    return kRegs[0];
}

uint64_t field_max(const FieldDef &f) {
    return field_ones(f) >> f.lo;
}
uint64_t field_get(uint64_t raw, const FieldDef &f) {
    return spec::detail::bits<uint64_t>(raw, f.hi, f.lo);
}
uint64_t field_set(uint64_t raw, const FieldDef &f, uint64_t value) {
    return spec::detail::with_bits<uint64_t>(raw, f.hi, f.lo, value);
}

// NAME or NAME.FIELD; field is null for a whole register.
std::pair<const RegDef *, const FieldDef *> find_register(std::string_view text,
                                                          std::string_view key) {
    const size_t dot = text.find('.');
    const std::string name = upper(text.substr(0, dot));
    const RegDef *reg = nullptr;
    for (const RegDef &r : kRegs)
        if (r.name == name) reg = &r;
    if (reg == nullptr)
        usage_error(key, fmt::format("unknown register '{}' (registers: {})", text.substr(0, dot),
                                     register_names()));
    if (dot == std::string_view::npos) return {reg, nullptr};
    const std::string field = upper(text.substr(dot + 1));
    for (const FieldDef &f : reg->fields)
        if (f.name == field) return {reg, &f};
    if (reg->fields.empty())
        usage_error(key,
                    fmt::format("{} has no named fields; write the whole register", reg->name));
    std::string names;
    for (const FieldDef &f : reg->fields)
        names += fmt::format(" {}", f.name);
    usage_error(key, fmt::format("{} has no field '{}' (fields:{})", reg->name,
                                 text.substr(dot + 1), names));
}

uint64_t read_register(const Controller &ctrl, const RegDef &r) {
    const auto offset = static_cast<uint32_t>(r.reg);
    return r.wide ? ctrl.read64(offset) : ctrl.read32(offset);
}

std::string format_register(const RegDef &r, uint64_t v) {
    std::string s = r.wide ? fmt::format("{:<5} = 0x{:016x}", r.name, v)
                           : fmt::format("{:<5} = 0x{:08x}", r.name, v);
    if (!r.fields.empty()) s += ' ';
    for (const FieldDef &f : r.fields)
        s += fmt::format(" {}={}", f.name, field_get(v, f));
    return s;
}

} // namespace nvmelab::console
