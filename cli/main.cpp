// nvmelab: the command-line front end. Each invocation opens a device image, powers an emulated
// NVMe 1.3 controller on, brings it up through the host driver model, runs one nvme-cli style
// command and shuts the device down again (see docs/cli.md).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "core/controller/device_config.h"
#include "driver/host_driver.h"
#include "image/device_image.h"

namespace {

// CLI11 reads unsigned numbers with strtoull, which takes "-1" as 2^64 - 1 and saturates
// numbers past 2^64 - 1 without an error: so `read -s -1` read the last LBA of 2^64. Every
// number nvmelab takes is unsigned (CLI11 names their type UINT), so check what was given.
void check_unsigned_numbers(const CLI::App &app) {
    for (const CLI::Option *opt : app.get_options()) {
        if (opt->get_type_name().rfind("UINT", 0) != 0) continue;
        for (const std::string &text : opt->results()) {
            if (text.find('-') != std::string::npos)
                throw CLI::ValidationError(opt->get_name(),
                                           "'" + text + "' is negative: the value is unsigned");
            errno = 0;
            char *end = nullptr;
            (void)std::strtoull(text.c_str(), &end, 0);
            if (errno == ERANGE)
                throw CLI::ValidationError(opt->get_name(),
                                           "'" + text + "' is larger than 2^64 - 1");
        }
    }
    for (const CLI::App *sub : app.get_subcommands())
        check_unsigned_numbers(*sub);
}

int fail(const char *kind, const char *what) {
    std::fflush(stdout);
    std::fprintf(stderr, "nvmelab: %s%s\n", kind, what);
    return 1;
}

} // namespace

int main(int argc, char **argv) {
    using namespace nvmelab;
    // `nvmelab read IMG | head` must not kill the process before the clean shutdown that
    // saves the device state: a closed pipe becomes a write error (EPIPE) instead.
    std::signal(SIGPIPE, SIG_IGN);
    CLI::App app{"nvmelab " NVMELAB_VERSION
                 ": an NVMe 1.3 SSD teaching emulator. Device commands follow nvme-cli, with a "
                 "device image file in place of /dev/nvme0.",
                 "nvmelab"};
    app.set_version_flag("--version", "nvmelab " NVMELAB_VERSION " (NVMe 1.3 emulator)");
    app.require_subcommand(1);
    app.footer("New here? Run 'nvmelab demo' for a guided tour.\n"
               "'nvmelab COMMAND --help' shows a command's flags.");

    cli::Registry reg{app, {}};
    cli::register_demo_command(reg);
    cli::register_image_commands(reg);
    cli::register_admin_commands(reg);
    cli::register_io_commands(reg);
    cli::register_passthru_commands(reg);
    cli::register_exec_command(reg);
    cli::register_lesson_commands(reg);

    try {
        app.parse(argc, argv);
        check_unsigned_numbers(app);
    } catch (const CLI::RequiredError &e) {
        // "A subcommand is required" for `nvmelab bogus` or `nvmelab lesson bogus`: name
        // what was given instead.
        std::string path = "nvmelab";
        const CLI::App *cur = &app;
        while (!cur->get_subcommands().empty()) {
            cur = cur->get_subcommands().front();
            path += " " + cur->get_name();
        }
        const std::vector<std::string> extra = cur->remaining();
        if (!extra.empty() && !extra.front().empty() && extra.front()[0] != '-') {
            std::fprintf(stderr, "%s: unknown command '%s' (%s --help lists the commands)\n",
                         path.c_str(), extra.front().c_str(), path.c_str());
            return static_cast<int>(CLI::ExitCodes::ExtrasError);
        }
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    }
    if (!reg.action) return 0;

    try {
        return reg.action();
    } catch (const ImageError &e) {
        return fail("", e.what());
    } catch (const ConfigError &e) {
        return fail("", e.what());
    } catch (const DriverError &e) {
        return fail("host driver: ", e.what());
    } catch (const std::exception &e) {
        return fail("error: ", e.what());
    } catch (...) {
        return fail("error: ", "unknown exception");
    }
}
