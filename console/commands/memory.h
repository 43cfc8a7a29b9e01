#pragma once
// Host memory helpers shared by `mem` and `expect mem` (commands/memory.cpp).
#include <cstdint>
#include <string_view>
#include <vector>

#include "console/context.h"
#include "console/lexer.h"

namespace nvmelab::console {

// DATA items of mem write / expect mem bytes: hex bytes, str:"...", u8: u16: u32: u64:.
std::vector<uint8_t> data_items(const Context &c, Toks t, std::string_view key);
// u8|u16|u32|u64 -> 1, 2, 4, 8 bytes.
unsigned width_arg(const Token &t, std::string_view key);
// A little-endian value of `bytes` bytes at addr (which must be mapped).
uint64_t read_value(const Context &c, uint64_t addr, unsigned bytes);

} // namespace nvmelab::console
