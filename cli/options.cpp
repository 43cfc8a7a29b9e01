#include "cli/cli.h"

namespace nvmelab::cli {

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
