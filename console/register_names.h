#pragma once
// The registers and fields the console names (`reg`, `reg read|write`, `expect reg`): the rows
// of the register table (core/spec/register_table.h) marked for the console.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "core/controller/controller.h"
#include "core/spec/nvme_spec.h"
#include "core/spec/register_table.h"

namespace nvmelab::console {

using FieldDef = spec::FieldInfo;

struct RegDef {
    std::string_view name;
    spec::Reg reg;
    bool wide;
    std::span<const FieldDef> fields; // only those the console names (CC.EN, not INTMS.IVMS)
};

// Every register the console knows, in the order `reg` prints them.
std::span<const RegDef> console_registers();
const RegDef &console_register(spec::Reg reg);

uint64_t field_max(const FieldDef &f);
uint64_t field_get(uint64_t raw, const FieldDef &f);
uint64_t field_set(uint64_t raw, const FieldDef &f, uint64_t value);

// NAME or NAME.FIELD (case-insensitive); field is null for a whole register. An unknown name
// is a usage error of form `key` listing the names there are.
std::pair<const RegDef *, const FieldDef *> find_register(std::string_view text,
                                                          std::string_view key);

uint64_t read_register(const Controller &ctrl, const RegDef &r);
// "CC    = 0x00460001  EN=1 CSS=0 ..."
std::string format_register(const RegDef &r, uint64_t v);

} // namespace nvmelab::console
