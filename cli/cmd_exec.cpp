// `nvmelab exec IMAGE FILE|-`: runs a console-language script against the device.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "cli/cli.h"
#include "cli/session.h"
#include "console/console.h"

namespace nvmelab::cli {

namespace {

struct ExecOptions {
    CommonOptions common;
    std::string script;
    bool io_queue = false;
    bool disabled = false;
};

std::string read_script(const std::string &path) {
    if (path == "-") {
        return std::string(std::istreambuf_iterator<char>(std::cin),
                           std::istreambuf_iterator<char>());
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error(fmt::format("script '{}' is a directory, not a file", path));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("cannot open script '{}'", path));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw std::runtime_error(fmt::format("cannot read script '{}'", path));
    return text.str();
}

int run_exec(const ExecOptions &o) {
    // Read the script first: a missing file is reported before the device powers on.
    const std::string text = read_script(o.script);
    Session s(o.common, o.io_queue, !o.disabled);
    Console console(s.ctrl(), s.mem(), s.drv());
    const ConsoleResult r = console.exec_script(text, o.script == "-" ? "<stdin>" : o.script);
    s.end_command();
    std::fputs(r.output.c_str(), stdout);
    int rc = 0;
    if (!r.ok) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s%s", r.error.c_str(),
                     !r.error.empty() && r.error.back() == '\n' ? "" : "\n");
        rc = 1;
    }
    return s.finish(rc);
}

} // namespace

void register_exec_command(Registry &reg) {
    add_command<ExecOptions>(
        reg, "exec", "Run a console script (FILE, or - for stdin) against the device",
        [](CLI::App *sub, ExecOptions &o) {
            add_device_options(sub, o.common);
            sub->add_option("script", o.script, "Console script file, or - to read stdin")
                ->required()
                ->type_name("FILE|-");
            sub->add_flag("--io-queue", o.io_queue,
                          "Also create I/O queue pair 1 before the script runs");
            sub->add_flag("--disabled", o.disabled,
                          "Start with the controller powered on but disabled (CC.EN = 0) and "
                          "host memory empty, for bring-up by registers")
                ->excludes("--io-queue");
            sub->footer("By default the script starts with the controller enabled (CSTS.RDY = 1) "
                        "and the admin queue set up.\nThe console language is described in "
                        "docs/console.md ('help' in a script lists it); a script stops at its "
                        "first failing line.");
        },
        run_exec);
}

} // namespace nvmelab::cli
