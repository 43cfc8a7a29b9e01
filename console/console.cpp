// The console language interpreter (see console.h and docs/console.md): text checks, running a
// line or a script, and the public face of the command table (console/command_table.h).
#include "console/console.h"

#include <new>
#include <vector>

#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/lexer.h"
#include "console/register_names.h"

namespace nvmelab {

namespace {

using console::ConsoleError;
using console::SyntaxError;
using console::Token;

// Calls fn(number, line) for each line of a script, numbered from 1, until fn returns a
// non-empty error; returns it as "source:LINE: error", or "" when every line passed.
template <typename Fn>
std::string first_line_error(std::string_view text, std::string_view source_name, Fn &&fn) {
    size_t pos = 0;
    for (size_t number = 1; pos < text.size(); ++number) {
        const size_t nl = text.find('\n', pos);
        const std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (std::string e = fn(line); !e.empty())
            return fmt::format("{}:{}: {}", source_name, number, e);
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return {};
}

} // namespace

Console::Console(Controller &ctrl, SparseHostMemory &mem, HostDriver &driver)
    : ctx_(ctrl, mem, driver) {}

std::optional<Completion> Console::last_completion() const {
    return ctx_.last_completion();
}

std::string Console::text_error(std::string_view line) {
    if (const size_t nul = line.find('\0'); nul != std::string_view::npos)
        return fmt::format("a NUL byte at column {}: console lines are text", nul + 1);
    const std::string e = utf8_error(line);
    return e.empty() ? e : e + ": console lines are UTF-8 text";
}

std::string Console::utf8_error(std::string_view line) {
    // UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past U+10FFFF.
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(line[i]); };
    for (size_t i = 0; i < line.size();) {
        const uint8_t c = byte(i);
        size_t len = 1;
        uint32_t cp = c;
        uint32_t min = 0;
        if (c >= 0xF0 && c <= 0xF7) {
            len = 4, cp = c & 0x07u, min = 0x10000;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, cp = c & 0x0Fu, min = 0x800;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2, cp = c & 0x1Fu, min = 0x80;
        } else if (c >= 0x80) {
            len = 0; // a continuation byte or 0xF8-0xFF where a character should start
        }
        bool ok = len > 0 && i + len <= line.size();
        for (size_t k = 1; ok && k < len; ++k) {
            ok = (byte(i + k) & 0xC0) == 0x80;
            cp = (cp << 6) | (byte(i + k) & 0x3Fu);
        }
        ok = ok && cp >= min && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
        if (!ok) return fmt::format("byte 0x{:02X} at column {} is not UTF-8", c, i + 1);
        i += len;
    }
    return {};
}

std::string Console::script_text_error(std::string_view text, std::string_view source_name) {
    return first_line_error(text, source_name,
                            [](std::string_view line) { return text_error(line); });
}

std::string Console::script_check_error(std::string_view text, std::string_view source_name) {
    return first_line_error(text, source_name, [](std::string_view line) {
        std::string e = text_error(line);
        return e.empty() ? syntax_error(line) : e;
    });
}

ConsoleResult Console::exec_line(std::string_view line) {
    ConsoleResult r;
    if (std::string e = text_error(line); !e.empty()) {
        r.ok = false;
        r.error = std::move(e);
        return r;
    }
    std::string command;
    std::string usage_key;
    try {
        const std::vector<Token> toks = console::tokenize(line);
        if (toks.empty()) return r;
        command = console::lower(toks[0].text);
        usage_key = command;
        console::dispatch(ctx_, toks, r.output, usage_key);
    } catch (const SyntaxError &e) {
        r.ok = false;
        r.error = e.what();
        const std::string form = console::usage(usage_key);
        if (!e.has_usage && !form.empty()) r.error += "; usage: " + form;
    } catch (const ConsoleError &e) {
        r.ok = false;
        r.error = e.what();
    } catch (const DriverError &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (const ConfigError &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (const std::bad_alloc &) {
        r.ok = false;
        r.error = fmt::format("{} failed: out of memory", command);
    } catch (const std::exception &e) {
        r.ok = false;
        r.error = fmt::format("{} failed: {}", command, e.what());
    } catch (...) {
        r.ok = false;
        r.error = fmt::format("{} failed: unexpected error", command);
    }
    return r;
}

ConsoleResult Console::exec_script(std::string_view text, std::string_view source_name) {
    ConsoleResult r;
    if (std::string e = script_text_error(text, source_name); !e.empty()) {
        r.ok = false;
        r.error = std::move(e);
        return r;
    }
    r.error = first_line_error(text, source_name, [&](std::string_view line) {
        ConsoleResult one = exec_line(line);
        r.output += one.output;
        if (one.ok) return std::string();
        return one.error.empty() ? std::string("failed") : std::move(one.error); // stops here
    });
    r.ok = r.error.empty();
    return r;
}

std::string Console::help() {
    return console::help_text();
}

std::string Console::help(std::string_view command) {
    return console::help_text(command);
}

std::string Console::syntax_error(std::string_view line) {
    try {
        return console::check_syntax(console::tokenize(line));
    } catch (const ConsoleError &e) {
        return e.what();
    }
}

bool Console::is_register(std::string_view name) {
    try {
        console::find_register(name, "reg");
        return true;
    } catch (const ConsoleError &) {
        return false;
    }
}

} // namespace nvmelab
