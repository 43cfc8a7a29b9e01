// Other commands: echo, set, help.
#include <fmt/format.h>

#include "console/command_table.h"
#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

namespace {

void echo(Context &, Toks t, std::string &out) {
    std::string s;
    for (const Token &tok : t)
        s += (s.empty() ? "" : " ") + tok.text;
    put(out, "{}", s);
}

void set(Context &c, Toks t, std::string &out) {
    if (t.empty()) {
        if (c.vars.empty()) put(out, "no variables");
        for (const auto &[k, v] : c.vars)
            put(out, "${:<12} = 0x{:x} ({})", k, v, v);
        return;
    }
    const Args a = split_form("set", t);
    const std::string name = name_arg(arg(a, 0, "NAME"), "set", "variable NAME");
    const uint64_t v = number(c, arg(a, 1, "VALUE"), "VALUE");
    no_more(a, 2);
    c.vars[name] = v;
    put(out, "${} = 0x{:x} ({})", name, v, v);
}

void help_cmd(Context &, Toks t, std::string &out) {
    if (t.empty()) {
        out += help_text();
        return;
    }
    std::string topic;
    for (const Token &tok : t)
        topic += (topic.empty() ? "" : " ") + lower(tok.text);
    const std::string text = help_text(topic);
    if (text.empty()) fail(fmt::format("no help for '{}'; 'help' lists every command", topic));
    out += text;
}
constexpr CommandForm kForms[] = {
    {"echo", "echo TEXT", "Print TEXT.", echo},
    {"set", "set NAME VALUE | set", "Set $NAME; 'set' alone lists the variables.", set},
    {"help", "help [COMMAND]", "This reference, or the entries for one command.", help_cmd},
};

} // namespace

constinit const CommandFamily kOtherCommands{"Other", kForms};

} // namespace nvmelab::console
