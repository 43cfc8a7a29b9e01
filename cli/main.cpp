// nvmelab: the command-line front end. Each invocation opens a device image, powers an emulated
// NVMe 1.3 controller on, brings it up through the host driver model, runs one nvme-cli style
// command and shuts the device down again (see docs/cli.md).
#include <csignal>
#include <cstdio>
#include <exception>

#include "cli/cli.h"
#include "core/controller/device_config.h"
#include "driver/host_driver.h"
#include "image/device_image.h"

namespace {

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
