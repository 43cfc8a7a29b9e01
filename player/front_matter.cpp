#include "player/front_matter.h"

#include <fmt/format.h>

namespace nvmelab::lesson {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

} // namespace

FrontMatter read_front_matter(std::string_view text, const std::string &file,
                              std::vector<Diagnostic> &diags) {
    FrontMatter fm;
    size_t pos = 0;
    uint32_t line = 0;
    auto next_line = [&](std::string_view &out) {
        if (pos >= text.size()) return false;
        const size_t nl = text.find('\n', pos);
        const size_t end = nl == std::string_view::npos ? text.size() : nl;
        out = text.substr(pos, end - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line;
        return true;
    };
    std::string_view l;
    if (!next_line(l) || trim(l) != "---") {
        diags.push_back({file, 1,
                         "a lesson starts with its front matter: '---' on line 1, then "
                         "'key: value' lines (id, title, summary, ...), then '---'"});
        return fm; // body is the whole text
    }
    const uint32_t open_line = line;
    while (next_line(l)) {
        const std::string_view t = trim(l);
        if (t == "---") {
            fm.body_offset = pos;
            fm.body_line = line + 1;
            fm.closed = true;
            return fm;
        }
        if (t.empty() || t.front() == '#') continue;
        const size_t colon = t.find(':');
        std::string_view key = colon == std::string_view::npos ? t : trim(t.substr(0, colon));
        bool ok = colon != std::string_view::npos && !key.empty();
        for (char c : key)
            ok = ok && key_char(c);
        if (!ok) {
            diags.push_back(
                {file, line, fmt::format("front matter: expected 'key: value', got '{}'", t)});
            continue;
        }
        const std::string_view value = trim(t.substr(colon + 1));
        bool repeated = false;
        for (const FrontMatterEntry &e : fm.entries) {
            if (e.key != key) continue;
            diags.push_back(
                {file, line,
                 fmt::format("front matter: '{}' is given twice (first on line {})", key, e.line)});
            repeated = true;
        }
        if (!repeated) fm.entries.push_back({line, std::string(key), std::string(value)});
    }
    diags.push_back(
        {file, open_line, "front matter: the '---' block opened here is never closed by '---'"});
    fm.entries.clear();
    fm.body_offset = text.size();
    fm.body_line = line + 1;
    return fm;
}

} // namespace nvmelab::lesson
