// The registers and fields the console names (see register_names.h), from the register table
// of core/spec (register_table.h): the rows marked for the console, with their fields where the
// console addresses them by name.
#include "console/register_names.h"

#include <vector>

#include <fmt/format.h>

#include "console/errors.h"
#include "console/lexer.h"

namespace nvmelab::console {

namespace {

std::vector<RegDef> table_registers() {
    std::vector<RegDef> regs;
    for (const spec::RegisterInfo &r : spec::registers())
        if (r.console)
            regs.push_back({r.name, r.id(), r.wide,
                            r.console_fields ? r.fields : std::span<const FieldDef>()});
    return regs;
}

std::string register_names() {
    std::string s;
    for (const RegDef &r : console_registers())
        s += fmt::format("{}{}", s.empty() ? "" : " ", r.name);
    return s;
}

} // namespace

std::span<const RegDef> console_registers() {
    static const std::vector<RegDef> regs = table_registers();
    return regs;
}

const RegDef &console_register(spec::Reg reg) {
    for (const RegDef &r : console_registers())
        if (r.reg == reg) return r;
    return console_registers().front();
}

uint64_t field_max(const FieldDef &f) {
    return f.max();
}
uint64_t field_get(uint64_t raw, const FieldDef &f) {
    return f.get(raw);
}
uint64_t field_set(uint64_t raw, const FieldDef &f, uint64_t value) {
    return f.set(raw, value);
}

// NAME or NAME.FIELD; field is null for a whole register.
std::pair<const RegDef *, const FieldDef *> find_register(std::string_view text,
                                                          std::string_view key) {
    const size_t dot = text.find('.');
    const std::string name = upper(text.substr(0, dot));
    const RegDef *reg = nullptr;
    for (const RegDef &r : console_registers())
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
