#pragma once
// Shared pieces of the `nvmelab` command line: the options every device command takes and the
// way a subcommand hands its work to main() once parsing has finished.
#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#ifndef NVMELAB_VERSION
#define NVMELAB_VERSION "0.1.0"
#endif

namespace nvmelab::cli {

// JSON objects keep their keys in insertion order, as nvme-cli prints them.
using Json = nlohmann::ordered_json;

enum class Format { Normal, Json, Binary };

// Options shared by every command that opens an image.
struct CommonOptions {
    std::string image;
    std::string trace; // "" = off, "cmd" = the command's events, "all" = everything
    bool power_cut = false;
    std::string output = "normal";
    bool raw_binary = false; // -b, nvme-cli's alias for -o binary

    Format format() const {
        if (raw_binary || output == "binary") return Format::Binary;
        return output == "json" ? Format::Json : Format::Normal;
    }
};

// Work a subcommand runs after a successful parse; returns the process exit code.
using Action = std::function<int()>;

// The command line being built: subcommands register themselves on `app` and, when chosen,
// store their work in `action`.
struct Registry {
    CLI::App &app;
    Action action;
};

// Adds a subcommand whose work is `run(options)`, with the options object kept alive by the
// app. `setup` declares the subcommand's own flags.
template <typename Options>
CLI::App *add_command(Registry &reg, const std::string &name, const std::string &description,
                      const std::function<void(CLI::App *, Options &)> &setup,
                      std::function<int(const Options &)> run) {
    auto options = std::make_shared<Options>();
    CLI::App *sub = reg.app.add_subcommand(name, description);
    setup(sub, *options);
    sub->callback([&reg, options, run = std::move(run)] {
        reg.action = [options, run] { return run(*options); };
    });
    return sub;
}

// Numbers on the command line follow nvme-cli's rule (core/util/number_text.h: 0x hex, a
// leading 0 octal): `number_range` checks the rule and the range, with a message naming the
// rule; main() adds the rule to every other unsigned option.
CLI::Validator number_rule();
CLI::Validator number_range(uint64_t min, uint64_t max);

// IMAGE positional, --trace[=all] and --power-cut.
void add_device_options(CLI::App *sub, CommonOptions &common);
// -o/--output-format normal|json|binary (and -b/--raw-binary when `raw_alias`).
void add_format_option(CLI::App *sub, CommonOptions &common, bool raw_alias = true);

// Registration, one function per group of commands (cli/cmd_*.cpp, cli/demo.cpp).
void register_image_commands(Registry &reg);    // create
void register_admin_commands(Registry &reg);    // id-ctrl, id-ns, list-ns, logs, features, regs
void register_io_commands(Registry &reg);       // read, write, flush
void register_format_command(Registry &reg);    // format
void register_passthru_commands(Registry &reg); // admin-passthru, io-passthru
void register_exec_command(Registry &reg);      // exec
void register_demo_command(Registry &reg);      // demo
void register_lesson_commands(Registry &reg);   // lesson run, lesson check

} // namespace nvmelab::cli
