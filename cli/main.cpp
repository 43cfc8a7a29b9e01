// nvmelab: the command-line front end. Each invocation opens a device image, powers an emulated
// NVMe 1.3 controller on, brings it up through the host driver model, runs one nvme-cli style
// command and shuts the device down again (see docs/cli.md).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

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

// Every unsigned option reads numbers by nvme-cli's rule, with a message naming it (CLI11's
// own is "Could not convert"). Options with a range already check it (number_range).
void add_number_rule(CLI::App &app) {
    for (CLI::Option *opt : app.get_options())
        if (opt->get_type_name().rfind("UINT", 0) == 0) opt->check(nvmelab::cli::number_rule());
    for (CLI::App *sub : app.get_subcommands([](CLI::App *) { return true; }))
        add_number_rule(*sub);
}

int fail(const char *kind, const char *what) {
    std::fflush(stdout);
    std::fprintf(stderr, "nvmelab: %s%s\n", kind, what);
    return 1;
}

// A closed fd 0, 1 or 2 is what the next open() returns: the image would become stdin, stdout
// or stderr, and the CLI's own output would land in the device's header. Each closed one gets
// /dev/null before anything opens a file: read-only, so that writing to a closed stdout or
// stderr still fails (EBADF), and a closed stdin reads as empty.
bool stdout_closed = false;

bool occupy_closed_standard_fds() {
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        if (::open("/dev/null", O_RDONLY) != fd) return false;
        if (fd == STDOUT_FILENO) stdout_closed = true;
    }
    return true;
}

// Every command writes its output through stdio's stdout, so one check at the end covers them
// all. glibc drops a buffer whose write failed and forgets the OS error (a later fflush
// succeeds), so stdout is replaced by a stream whose write function keeps the first error.
int stdout_error = 0;

ssize_t write_stdout(void *, const char *data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::write(STDOUT_FILENO, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (stdout_error == 0) stdout_error = n < 0 ? errno : EIO;
            return done > 0 ? static_cast<ssize_t>(done) : -1;
        }
        done += static_cast<size_t>(n);
    }
    return static_cast<ssize_t>(size);
}

void watch_stdout() {
    std::FILE *watched = ::fopencookie(nullptr, "w", {nullptr, write_stdout, nullptr, nullptr});
    if (watched == nullptr) return; // keep the plain stdout: only the error's reason is lost
    // As stdio buffers stdout: by line on a terminal, in blocks otherwise.
    std::setvbuf(watched, nullptr, ::isatty(STDOUT_FILENO) != 0 ? _IOLBF : _IOFBF, BUFSIZ);
    stdout = watched;
}

// A failed write of the command's output is a failed command, named once here. A reader that
// went away (`| head`, EPIPE) is not worth a message but is still a failure.
int check_output(int rc) {
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    if (stdout_error == 0 && !flushed) stdout_error = errno;
    if (!flushed || std::ferror(stdout) || stdout_error != 0) {
        if (stdout_error != EPIPE)
            std::fprintf(stderr, "nvmelab: cannot write output: %s\n",
                         stdout_closed       ? "standard output is closed"
                         : stdout_error != 0 ? std::strerror(stdout_error)
                                             : "write error");
        if (rc == 0) rc = 1;
    }
    // Nothing can be said about stderr itself; the exit code tells (as coreutils do).
    if ((std::fflush(stderr) != 0 || std::ferror(stderr)) && rc == 0) rc = 1;
    return rc;
}

// CLI11 prints help, version and parse errors to std::cout / std::cerr; send them through
// stdio so the output check sees them too.
int parse_exit(const CLI::App &app, const CLI::Error &e) {
    std::ostringstream out;
    std::ostringstream err;
    const int rc = app.exit(e, out, err);
    std::fputs(out.str().c_str(), stdout);
    std::fflush(stdout);
    std::fputs(err.str().c_str(), stderr);
    return rc;
}

int run(int argc, char **argv) {
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
    cli::register_format_command(reg);
    cli::register_passthru_commands(reg);
    cli::register_exec_command(reg);
    cli::register_lesson_commands(reg);
    add_number_rule(app);

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
        return parse_exit(app, e);
    } catch (const CLI::ParseError &e) {
        return parse_exit(app, e);
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

} // namespace

int main(int argc, char **argv) {
    if (!occupy_closed_standard_fds()) {
        std::fprintf(stderr,
                     "nvmelab: cannot open /dev/null in place of a closed standard "
                     "stream: %s\n",
                     std::strerror(errno));
        return 1;
    }
    watch_stdout();
    return check_output(run(argc, argv));
}
