#pragma once
// The console's one command table. Each command form ("mem alloc", "expect reg", "reap") is
// declared once, in the file of its family, with its usage, its help text, its handler and,
// where a line can be checked before it runs, its syntax check. help(), the usage quoted in
// syntax errors, dispatch, Console::syntax_error and the test that docs/console.md names every
// form (tests/test_console_table.cpp) all read it.
//
// Families, one file each, in the order `help` lists them:
//   commands/registers.cpp      reg, reg read, reg write, doorbell
//   commands/memory.cpp         mem alloc|write|fill|read|dump|map
//   commands/queues.cpp         enable, disable, shutdown, queue create|delete, queues
//   commands/sqe.cpp            sqe, prp, sgl, sgl put|show, submit, ring, reap
//   commands/nvme_commands.cpp  admin, io, identify, read, write, flush, get-feature,
//                               set-feature, get-log
//   commands/time.cpp           step, run, trace, mark
//   commands/protection.cpp     pi show|corrupt
//   commands/expect.cpp         expect status|sct|dnr|dw0|reg|mem|queue|sq|cq|cached
//   commands/other.cpp          echo, set, help
//
// To add a command: write its handler, void name(Context &c, Toks args, std::string &out), in
// its family's file (split_form(key, args) splits its arguments; number() in context.h,
// run_command() in host_queues.h, put() and describe() in format.h); add a CommandForm row to
// that file's kForms (key, usage, help, handler, optional syntax check, options, flags); add a
// row with the same usage to the "## Commands" section of docs/console.md. A new family is a
// new file with its own CommandFamily, declared below and listed in kFamilies
// (command_table.cpp).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "console/context.h"
#include "console/lexer.h"

namespace nvmelab::console {

// Runs a form; `args` are the tokens after the form's words ("mem alloc b 4K" -> b 4K).
using Handler = void (*)(Context &c, Toks args, std::string &out);
// Checks what can be checked before the line runs (e.g. register names); throws ConsoleError.
using SyntaxCheck = void (*)(Toks args);

struct CommandForm {
    std::string_view key;   // the command words, e.g. "mem alloc"
    std::string_view usage; // alternatives separated by " | "
    std::string_view help;
    Handler run = nullptr;
    SyntaxCheck check = nullptr;
    // The key=value options and the flag words the form takes (split_form), in the order an
    // error lists them; the usage shows each.
    std::span<const std::string_view> options = {};
    std::span<const std::string_view> flags = {};
};

// A command word that has only sub-forms ("mem", "queue", "expect"): what to say when the
// sub-form is missing or unknown.
struct CommandWord {
    std::string_view word;
    std::string_view missing; // e.g. "missing a mem subcommand"
    std::string_view unknown; // e.g. "unknown mem subcommand", followed by " 'WORD'"
};

struct CommandFamily {
    std::string_view section; // the heading in `help`
    std::span<const CommandForm> forms;
    std::span<const CommandWord> words = {};
};

extern const CommandFamily kRegisterCommands;
extern const CommandFamily kMemoryCommands;
extern const CommandFamily kQueueCommands;
extern const CommandFamily kSqeCommands;
extern const CommandFamily kNvmeCommands;
extern const CommandFamily kTimeCommands;
extern const CommandFamily kProtectionCommands;
extern const CommandFamily kExpectCommands;
extern const CommandFamily kOtherCommands;

// Every family, in help order.
std::span<const CommandFamily *const> command_families();

// The form a line names: its two first words if they are a form, else its first word. `args`
// are the tokens after the form's words.
struct FormMatch {
    const CommandForm *form = nullptr;
    Toks args;
};
FormMatch match_form(Toks toks);

// A handler's arguments split by the options and flags its form declares.
Args split_form(std::string_view key, Toks args);

// The usage of a form; for a command word with several forms (e.g. "reg"), all of them.
std::string usage(std::string_view key);

// Runs a line's tokens (not empty). `usage_key` is set to the form's key (or the command word)
// before the handler runs, for the usage exec_line appends to syntax errors.
void dispatch(Context &c, Toks toks, std::string &out, std::string &usage_key);

// The syntax check of Console::syntax_error: "" or the error.
std::string check_syntax(Toks toks);

// help() and help(command).
std::string help_text();
std::string help_text(std::string_view command);

} // namespace nvmelab::console
