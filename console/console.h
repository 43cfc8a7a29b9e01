#pragma once
// The console language: one command per line, for people to read and type. The same interpreter
// serves `nvmelab exec FILE|-`, the UI console and lesson files (steps are blocks of these lines,
// checks are `expect` lines). See docs/console.md for the language reference.
//
// The console drives the device the way a host does: through Controller registers and doorbells,
// SparseHostMemory and the HostDriver model. It is a library: every command returns its output as
// text, and a malformed line is reported in ConsoleResult::error, never thrown.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "console/context.h"
#include "core/controller/controller.h"
#include "core/host/host_memory.h"
#include "core/spec/nvme_spec.h"
#include "driver/host_driver.h"

namespace nvmelab {

struct ConsoleResult {
    bool ok = true;
    std::string output; // one line per fact, each ending in '\n'
    std::string error;  // set when ok is false: what is wrong and, for syntax errors, the usage
};

class Console {
public:
    Console(Controller &ctrl, SparseHostMemory &mem, HostDriver &driver);

    // Runs one line. Empty lines and comments ('#' to the end of the line) do nothing.
    ConsoleResult exec_line(std::string_view line);
    // Runs the lines of `text` in order and stops at the first failing one; the error then reads
    // "source:LINE: message". Output accumulates over all lines that ran. A script that is not
    // text (see text_error) is refused whole, before any line runs.
    ConsoleResult exec_script(std::string_view text, std::string_view source_name);

    // Console input is UTF-8 text without NUL bytes: "" when `line` is, else what is wrong and
    // where ("byte 0xE9 at column 4 is not UTF-8 ..."). exec_line refuses such a line.
    static std::string text_error(std::string_view line);
    // Just the UTF-8 part, for other text (lesson files): "" or "byte 0xE9 at column 4 is not
    // UTF-8".
    static std::string utf8_error(std::string_view line);
    // The same for every line of a script: "" or "source:LINE: ...".
    static std::string script_text_error(std::string_view text, std::string_view source_name);
    // Text and syntax (syntax_error) of every line, for a whole script checked before a device
    // powers on: "" or "source:LINE: ..." for the first line that is wrong.
    static std::string script_check_error(std::string_view text, std::string_view source_name);

    // The command reference (all commands), and the entries for one command ("" if unknown).
    static std::string help();
    static std::string help(std::string_view command);

    // Checks a line without running it (for lesson files): it must tokenize, name a known
    // command and, where the command has sub-forms (`mem alloc`, `expect reg`), a known one;
    // register names given to `reg read|write` and `expect reg` must exist. Returns "" when the
    // line looks right, else the error exec_line would give. Values are not checked: `$vars`
    // only exist at run time.
    static std::string syntax_error(std::string_view line);
    // NAME or NAME.FIELD names a register (field) of the console (`CC.EN`, `csts`).
    static bool is_register(std::string_view name);

    // Variables set by `mem alloc` and `set` ($name in arguments).
    const std::map<std::string, uint64_t> &variables() const { return ctx_.vars; }
    // The completion `expect status` and friends check: the last one seen through this console,
    // else the controller's last posted completion.
    std::optional<Completion> last_completion() const;

private:
    console::Context ctx_; // the device and the console's own state (console/context.h)
};

} // namespace nvmelab
