#include "cli/cli.h"

#include <string>

#include <fmt/format.h>

#include "core/util/number_text.h"

namespace nvmelab::cli {

CLI::Validator number_rule() {
    return CLI::Validator(
        [](std::string &text) {
            uint64_t value = 0;
            return parse_unsigned(text, value);
        },
        "");
}

CLI::Validator number_range(uint64_t min, uint64_t max) {
    return CLI::Validator(
        [min, max](std::string &text) {
            uint64_t value = 0;
            if (std::string e = parse_unsigned(text, value); !e.empty()) return e;
            if (value < min || value > max)
                return fmt::format("{} is out of range: {}..{}", text, min, max);
            return std::string();
        },
        fmt::format("{}..{}", min, max));
}

void add_device_options(CLI::App *sub, CommonOptions &common) {
    sub->add_option("image", common.image, "Device image file (stands in for /dev/nvme0)")
        ->required()
        ->type_name("IMAGE");
    sub->add_option_function<std::string>(
           "--trace", [&common](const std::string &v) { common.trace = v.empty() ? "cmd" : v; },
           "After the command, print the controller's event trace of it; --trace=all: every "
           "event from power-on to power-off")
        ->expected(0, 1)
        ->check(CLI::IsMember({"", "all"}))
        ->option_text("[=all]");
    sub->add_flag("--power-cut", common.power_cut,
                  "End with an unclean power cut instead of a clean shutdown: writes still in "
                  "the volatile write cache are lost");
}

void add_format_option(CLI::App *sub, CommonOptions &common, bool raw_alias) {
    sub->add_option("-o,--output-format", common.output,
                    "Output format: normal, json or binary (raw structure bytes)")
        ->check(CLI::IsMember({"normal", "json", "binary"}))
        ->capture_default_str();
    if (raw_alias) sub->add_flag("-b,--raw-binary", common.raw_binary, "Same as -o binary");
}

} // namespace nvmelab::cli
