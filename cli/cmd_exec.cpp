// `nvmelab exec IMAGE FILE|-`: runs a console-language script against the device.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

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

// Bounds on what exec reads: a script is text for people, so these are far past any real one,
// and they keep `exec IMG /dev/zero` or `yes | exec IMG -` from eating the machine's memory.
constexpr size_t kMaxLineBytes = size_t{64} << 10;
constexpr size_t kMaxScriptBytes = size_t{16} << 20;

// Reads a script one line at a time, refusing a NUL byte as soon as it arrives and any line or
// script past the bounds; errors read "SOURCE:LINE: message", as the console's do.
class ScriptReader {
public:
    ScriptReader(std::FILE *file, std::string source) : file_(file), source_(std::move(source)) {}

    // The next line without its '\n'; false at the end of the input.
    bool next(std::string &line) {
        line.clear();
        int ch = 0;
        while ((ch = std::getc(file_)) != EOF) {
            if (++bytes_ > kMaxScriptBytes)
                fail(fmt::format("the script is longer than {} MiB, the most exec reads",
                                 kMaxScriptBytes >> 20));
            if (ch == '\n') break;
            if (ch == '\0')
                fail(fmt::format("a NUL byte at column {}: console scripts are text",
                                 line.size() + 1));
            if (line.size() == kMaxLineBytes)
                fail(fmt::format("the line is longer than {} KiB, the most a console line may be",
                                 kMaxLineBytes >> 10));
            line.push_back(static_cast<char>(ch));
        }
        if (std::ferror(file_) != 0)
            throw std::runtime_error(
                fmt::format("cannot read script '{}': {}", source_, std::strerror(errno)));
        if (ch == EOF && line.empty()) return false;
        ++number_;
        return true;
    }
    size_t line_number() const { return number_; }

private:
    [[noreturn]] void fail(const std::string &what) const {
        throw std::runtime_error(fmt::format("{}:{}: {}", source_, number_ + 1, what));
    }

    std::FILE *file_;
    std::string source_;
    size_t bytes_ = 0;
    size_t number_ = 0;
};

struct FileCloser {
    void operator()(std::FILE *f) const {
        if (f != nullptr && f != stdin) std::fclose(f);
    }
};

std::unique_ptr<std::FILE, FileCloser> open_script(const std::string &path) {
    if (path == "-") return std::unique_ptr<std::FILE, FileCloser>(stdin);
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw std::runtime_error(fmt::format("script '{}' is a directory, not a file", path));
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (f == nullptr)
        throw std::runtime_error(
            fmt::format("cannot open script '{}': {}", path, std::strerror(errno)));
    return std::unique_ptr<std::FILE, FileCloser>(f);
}

int run_exec(const ExecOptions &o) {
    const bool from_stdin = o.script == "-";
    const std::string source = from_stdin ? "<stdin>" : o.script;
    auto file = open_script(o.script);
    ScriptReader reader(file.get(), source);
    // A script file is read and checked (text and syntax of every line) whole before the
    // device powers on, so a missing, broken or misspelt file changes nothing in the image.
    // Standard input runs line by line as it arrives: `yes echo | nvmelab exec IMG -` runs in
    // little memory until the script bound stops it.
    std::string text; // the whole script file, '\n' after each line
    if (!from_stdin) {
        std::string line;
        while (reader.next(line))
            text.append(line).push_back('\n');
        if (std::string e = Console::script_check_error(text, source); !e.empty())
            throw std::runtime_error(e);
    }
    Session s(o.common, o.io_queue, !o.disabled);
    Console console(s.ctrl(), s.mem(), s.drv());
    int rc = 0;
    std::string error;
    try {
        std::string line;
        size_t pos = 0; // in text
        for (size_t number = 1;; ++number) {
            std::string_view next;
            if (from_stdin) {
                if (!reader.next(line)) break;
                next = line;
            } else {
                if (pos >= text.size()) break;
                const size_t nl = text.find('\n', pos);
                next = std::string_view(text).substr(pos, nl - pos);
                pos = nl + 1;
            }
            const ConsoleResult r = console.exec_line(next);
            std::fputs(r.output.c_str(), stdout);
            if (!r.ok) {
                error =
                    fmt::format("{}:{}: {}", source, number, r.error.empty() ? "failed" : r.error);
                break;
            }
            // Each line's output as it runs, for a script fed by hand or by another program.
            if (from_stdin) std::fflush(stdout);
        }
    } catch (const std::runtime_error &e) { // the reader's bounds, in the middle of a stream
        error = e.what();
    }
    s.end_command();
    if (!error.empty()) {
        std::fflush(stdout);
        std::fprintf(stderr, "%s%s", error.c_str(), error.back() == '\n' ? "" : "\n");
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
