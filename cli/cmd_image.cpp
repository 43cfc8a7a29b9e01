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
    bool size_given = false;
    for (const auto &[name, value] : o.flags) {
        properties.set(name, value);
        size_given = size_given || name == "size";
    }
    for (const std::string &p : o.properties)
        size_given = size_given || p.rfind("size=", 0) == 0;
    // An NVM namespace needs a size; an OCSSD one takes its size from the geometry.
    if (!config.is_ocssd() && !size_given)
        throw ConfigError("--size is required (the NVM namespace's capacity, e.g. --size 1G)");
    if (config.is_ocssd() && size_given)
        throw ConfigError("--size does not apply to an OCSSD device: its size follows from "
                          "--num-grp x --num-pu x --num-chk x --clba blocks of 2^lbads bytes");
    config.validate();

    auto image = DeviceImage::create(o.image, config.to_json(), config.media_bytes(), o.force);
    if (config.is_ocssd()) {
        const OcssdParams &g = config.ocssd;
        const uint64_t chunks = uint64_t{g.num_grp} * g.num_pu * g.num_chk;
        std::printf("created %s: OCSSD 2.0 namespace of %u groups x %u PUs x %u chunks x %u "
                    "blocks x %u bytes (%s of data)\n",
                    o.image.c_str(), g.num_grp, g.num_pu, g.num_chk, g.clba, config.lba_size(),
                    human_bytes(chunks * g.clba * config.lba_size()).c_str());
        std::printf("  ws_min %u, ws_opt %u, mw_cunits %u, maxoc %u, maxocpu %u, mccap %#x\n",
                    g.ws_min, g.ws_opt, g.mw_cunits, g.maxoc, g.maxocpu, g.mccap);
    } else {
        std::printf("created %s: %s namespace of %llu blocks x %u bytes\n", o.image.c_str(),
                    human_bytes(config.size).c_str(),
                    static_cast<unsigned long long>(config.nsze()), config.lba_size());
        if (config.ms != 0) {
            const std::string pi = config.pi == 0
                                       ? std::string("off")
                                       : fmt::format("type {}, {} 8 bytes of metadata", config.pi,
                                                     config.pil ? "first" : "last");
            std::printf("  metadata %u bytes per block, %s; protection information %s\n",
                        unsigned{config.ms},
                        config.mset ? "at the end of each block (extended LBA)"
                                    : "in a separate buffer (MPTR)",
                        pi.c_str());
        }
    }
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
    DeviceConfig ocssd_defaults;
    ocssd_defaults.type = "ocssd";
    const auto j = defaults.to_json();
    const auto oj = ocssd_defaults.to_json(); // the OCSSD properties (type = ocssd only)
    std::string out = "Device properties for --property NAME=VALUE (default in brackets):\n";
    for (const std::string &name : DeviceConfig::property_names())
        out +=
            fmt::format("  {:<15} [{}]\n", name,
                        name == "type" ? "\"nvm\"" : (j.contains(name) ? j : oj).at(name).dump());
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
                {"--size", "size",
                 "Namespace capacity: bytes or 512M, 1G, 1T ... (required for --type nvm)", false},
                {"--type", "type", "Namespace type: nvm or ocssd (Open-Channel SSD 2.0) [nvm]",
                 false},
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
                // OCSSD 2.0 geometry and rules (--type ocssd), QEMU's ocssd property names.
                {"--num-grp", "num_grp", "OCSSD: groups [2]", false},
                {"--num-pu", "num_pu", "OCSSD: parallel units per group [4]", false},
                {"--num-chk", "num_chk", "OCSSD: chunks per parallel unit [16]", false},
                {"--clba", "clba", "OCSSD: logical blocks per chunk [1024]", false},
                {"--ws-min", "ws_min", "OCSSD: minimum write size, blocks [4]", false},
                {"--ws-opt", "ws_opt", "OCSSD: optimal write size, blocks [8]", false},
                {"--mw-cunits", "mw_cunits",
                 "OCSSD: blocks a read keeps from an open chunk's write pointer [24]", false},
                {"--maxoc", "maxoc", "OCSSD: open chunks in the device, 0 = no limit [0]", false},
                {"--maxocpu", "maxocpu", "OCSSD: open chunks per PU, 0 = no limit [0]", false},
                {"--mccap", "mccap",
                 "OCSSD: b0 vector copy, b1 multiple resets, b2 early reset [0x1]", false},
                {"--wit", "wit", "OCSSD: wear-level index delta threshold [10]", false},
                {"--trdt", "trdt", "OCSSD: typical read time, ns [70000]", false},
                {"--trdm", "trdm", "OCSSD: maximum read time, ns [100000]", false},
                {"--tprt", "tprt", "OCSSD: typical write time, ns [1900000]", false},
                {"--tprm", "tprm", "OCSSD: maximum write time, ns [3500000]", false},
                {"--tbet", "tbet", "OCSSD: typical chunk reset time, ns [3000000]", false},
                {"--tbem", "tbem", "OCSSD: maximum chunk reset time, ns [3000000]", false},
                {"--ms", "ms", "Metadata bytes per block: 0, 8, 16 or 64 [0]", false},
                // The LBA format's layout and protection (Identify FLBAS bit 4, DPS), QEMU's names.
                {"--mset", "mset",
                 "Metadata layout: 1 = at the end of each block (extended LBA), 0 = separate "
                 "buffer (MPTR) [0]",
                 false},
                {"--pi", "pi", "Protection information type: 0 (none), 1, 2 or 3 [0]", false},
                {"--pil", "pil", "PI location: 1 = first 8 bytes of metadata, 0 = last 8 [0]",
                 false},
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
