// The console's one command table (see command_table.h).
#include "console/command_table.h"

#include <optional>

#include <fmt/format.h>

#include "console/errors.h"
#include "console/format.h"

namespace nvmelab::console {

namespace {

constexpr const CommandFamily *kFamilies[] = {
    &kRegisterCommands, &kMemoryCommands,     &kQueueCommands,  &kSqeCommands,   &kNvmeCommands,
    &kTimeCommands,     &kProtectionCommands, &kExpectCommands, &kOtherCommands,
};

// `key` is the form itself or its command word ("mem" matches "mem alloc").
bool form_matches(std::string_view form_key, std::string_view key) {
    return form_key == key ||
           (form_key.size() > key.size() && form_key.substr(0, key.size()) == key &&
            form_key[key.size()] == ' ');
}

const CommandForm *find_form(std::string_view key) {
    for (const CommandFamily *f : kFamilies)
        for (const CommandForm &form : f->forms)
            if (form.key == key) return &form;
    return nullptr;
}

const CommandWord *find_word(std::string_view word) {
    for (const CommandFamily *f : kFamilies)
        for (const CommandWord &w : f->words)
            if (w.word == word) return &w;
    return nullptr;
}

std::string_view first_word(std::string_view key) {
    return key.substr(0, key.find(' '));
}

// Every form, or those of `key` only.
std::vector<HelpLine> help_lines(std::optional<std::string_view> key) {
    std::vector<HelpLine> lines;
    for (const CommandFamily *f : kFamilies)
        for (const CommandForm &form : f->forms)
            if (!key || form_matches(form.key, *key))
                lines.push_back({f->section, form.usage, form.help});
    return lines;
}

} // namespace

std::span<const CommandFamily *const> command_families() {
    return kFamilies;
}

std::string usage(std::string_view key) {
    std::string out;
    for (const CommandFamily *f : kFamilies) {
        for (const CommandForm &form : f->forms) {
            if (!form_matches(form.key, key)) continue;
            if (!out.empty()) out += " | ";
            out += form.usage;
        }
    }
    return out;
}

[[noreturn]] void usage_error(std::string_view key, std::string problem) {
    throw SyntaxError(fmt::format("{}; usage: {}", problem, usage(key)), true);
}

Args split_form(std::string_view key, Toks args) {
    const CommandForm *form = find_form(key);
    return form ? split_args(key, args, form->options, form->flags) : split_args(key, args);
}

FormMatch match_form(Toks toks) {
    if (toks.empty()) return {};
    const std::string word = lower(toks[0].text);
    if (toks.size() > 1)
        if (const CommandForm *f = find_form(word + " " + lower(toks[1].text)))
            return {f, toks.subspan(2)};
    if (const CommandForm *f = find_form(word)) return {f, toks.subspan(1)};
    return {};
}

void dispatch(Context &c, Toks toks, std::string &out, std::string &usage_key) {
    const std::string word = lower(toks[0].text);
    usage_key = word;
    if (const FormMatch m = match_form(toks); m.form != nullptr) {
        usage_key = std::string(m.form->key);
        m.form->run(c, m.args, out);
        return;
    }
    if (const CommandWord *w = find_word(word)) {
        if (toks.size() < 2) usage_error(word, std::string(w->missing));
        usage_error(word, fmt::format("{} '{}'", w->unknown, toks[1].text));
    }
    fail(fmt::format("unknown command '{}'; 'help' lists the commands", toks[0].text));
}

std::string check_syntax(Toks toks) {
    try {
        if (toks.empty()) return {};
        const std::string word = lower(toks[0].text);
        // Commands documented only with sub-forms need one of them.
        bool known = false;
        bool bare = false;
        std::string forms;
        bool form_ok = false;
        const std::string second = toks.size() > 1 ? lower(toks[1].text) : std::string();
        for (const CommandFamily *f : kFamilies) {
            for (const CommandForm &form : f->forms) {
                known = known || first_word(form.key) == word;
                if (form.key == word) bare = true;
                if (form.key.size() <= word.size() || !form_matches(form.key, word)) continue;
                const std::string_view sub = form.key.substr(word.size() + 1);
                forms += fmt::format("{}{}", forms.empty() ? "" : " ", sub);
                form_ok = form_ok || sub == second;
            }
        }
        if (!known) return fmt::format("unknown command '{}'; 'help' lists the commands", word);
        if (!bare && !forms.empty() && !form_ok)
            return second.empty()
                       ? fmt::format("'{}' needs one of: {}; usage: {}", word, forms, usage(word))
                       : fmt::format("unknown form '{} {}' (forms: {}); usage: {}", word,
                                     toks[1].text, forms, usage(word));
        if (const FormMatch m = match_form(toks); m.form != nullptr && m.form->check != nullptr)
            m.form->check(m.args);
    } catch (const ConsoleError &e) {
        return e.what();
    }
    return {};
}

std::string help_text() {
    return "Numbers: 4096, 0x1000, 010 (octal, as in nvme-cli), 4K / 1M / 1G, $var, $var+0x10. "
           "Options are key=value; "
           "keywords are case-insensitive;\n'#' starts a comment. 'help COMMAND' shows one "
           "command.\n\n" +
           format_help(help_lines(std::nullopt));
}

std::string help_text(std::string_view command) {
    const std::vector<HelpLine> lines = help_lines(lower(command));
    return lines.empty() ? std::string() : format_help(lines);
}

} // namespace nvmelab::console
