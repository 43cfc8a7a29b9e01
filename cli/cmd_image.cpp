// `nvmelab create`: writes a new device image from device properties.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "cli/cli.h"
#include "core/controller/device_config.h"
#include "image/device_image.h"

namespace nvmelab::cli {

namespace {

struct CreateOptions {
    std::string image;
    bool force = false;
    // Dedicated flags, in command-line order: (property name, text value).
    std::vector<std::pair<std::string, std::string>> flags;
    // --property name=value, applied before the dedicated flags.
    std::vector<std::string> properties;
};

std::string human_bytes(uint64_t bytes) {
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) return fmt::format("{} bytes", bytes);
    double value = static_cast<double>(bytes) / 1024;
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    if (value == static_cast<double>(static_cast<uint64_t>(value)))
        return fmt::format("{} {}", static_cast<uint64_t>(value), units[unit]);
    return fmt::format("{:.2f} {}", value, units[unit]);
}

int run_create(const CreateOptions &o) {
    DeviceConfig config;
    DevicePropertySetter properties(config);
    for (const std::string &p : o.properties) {
        const auto eq = p.find('=');
        if (eq == std::string::npos || eq == 0)
            throw ConfigError("--property expects name=value, got '" + p + "'");
        properties.set(p.substr(0, eq), p.substr(eq + 1));
    }
    for (const auto &[name, value] : o.flags)
        properties.set(name, value);
    config.validate();

    auto image = DeviceImage::create(o.image, config.to_json(), config.size, o.force);
    std::printf("created %s: %s namespace of %llu blocks x %u bytes\n", o.image.c_str(),
                human_bytes(config.size).c_str(), static_cast<unsigned long long>(config.nsze()),
                config.lba_size());
    std::printf("  serial '%s', model '%s', mdts %u, volatile write cache %s\n",
                config.serial.c_str(), config.model.c_str(), config.mdts,
                config.vwc ? "on" : "off");
    std::printf("  file size %s, %s allocated on disk (the file is sparse)\n",
                human_bytes(image->media_offset() + image->media_size()).c_str(),
                human_bytes(image->allocated_bytes()).c_str());
    std::printf("next: nvmelab id-ctrl %s\n", o.image.c_str());
    return 0;
}

std::string property_list() {
    const DeviceConfig defaults;
    const auto j = defaults.to_json();
    std::string out = "Device properties for --property NAME=VALUE (default in brackets):\n";
    for (const std::string &name : DeviceConfig::property_names())
        out += fmt::format("  {:<15} [{}]\n", name, j.at(name).dump());
    return out;
}

} // namespace

void register_image_commands(Registry &reg) {
    add_command<CreateOptions>(
        reg, "create", "Create a device image file (sparse: unwritten blocks take no disk space)",
        [](CLI::App *sub, CreateOptions &o) {
            sub->add_option("image", o.image, "Path of the new image file")
                ->required()
                ->type_name("IMAGE");
            struct Flag {
                const char *flag;
                const char *property;
                const char *help;
                bool required;
            };
            static const Flag flags[] = {
                {"--size", "size", "Namespace capacity: bytes or 512M, 1G, 1T ...", true},
                {"--lbads", "lbads", "LBA data size exponent: 9 = 512 B ... 16 = 64 KiB [12]",
                 false},
                {"--mdts", "mdts", "Maximum data transfer size, 2^n pages (0 = no limit) [5]",
                 false},
                {"--serial", "serial", "Serial number (up to 20 characters)", false},
                {"--model", "model", "Model number (up to 40 characters)", false},
                {"--max-ioqpairs", "max_ioqpairs", "I/O queue pairs the controller grants [64]",
                 false},
                {"--mqes", "mqes", "CAP.MQES: largest I/O queue, 0's based [2047]", false},
                {"--vwc", "vwc", "Volatile write cache: on or off [on]", false},
            };
            for (const Flag &f : flags) {
                auto *opt = sub->add_option_function<std::string>(
                    f.flag,
                    [&o, property = std::string(f.property)](const std::string &v) {
                        o.flags.emplace_back(property, v);
                    },
                    f.help);
                if (f.required) opt->required();
            }
            sub->add_option("--property", o.properties,
                            "Set any device property (repeatable); see the list below")
                ->allow_extra_args(false)
                ->type_name("NAME=VALUE");
            sub->add_flag("--force", o.force, "Overwrite an existing file");
            sub->footer(property_list());
        },
        run_create);
}

} // namespace nvmelab::cli
