#pragma once
// How console code reports a malformed line or a failed check: it throws one of these, and
// Console::exec_line turns it into ConsoleResult::error (console.cpp).
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace nvmelab::console {

// A malformed line or a failed check.
struct ConsoleError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A malformed argument; exec_line appends the usage of the command form unless it is already
// part of the message.
struct SyntaxError : ConsoleError {
    SyntaxError(std::string message, bool with_usage)
        : ConsoleError(std::move(message)), has_usage(with_usage) {}
    bool has_usage;
};

[[noreturn]] inline void fail(std::string message) {
    throw ConsoleError(std::move(message));
}

// A syntax problem; exec_line adds the usage of the form that was typed.
[[noreturn]] inline void syntax(std::string message) {
    throw SyntaxError(std::move(message), false);
}

// A syntax problem with the usage of command form `key` ("mem alloc"; a command word alone
// gives every form of it), from the command table (command_table.cpp).
[[noreturn]] void usage_error(std::string_view key, std::string problem);

} // namespace nvmelab::console
