#pragma once
// The front-matter block of a lesson file: `---` on line 1, then `key: value` lines, then `---`.
// A deliberately tiny, strict reader (not YAML): one key per line, no nesting, no quoting;
// `#` lines are comments. Code hosts render such a block as a table above the lesson.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "player/lesson.h"

namespace nvmelab::lesson {

struct FrontMatterEntry {
    uint32_t line = 0;
    std::string key;
    std::string value; // trimmed
};

struct FrontMatter {
    std::vector<FrontMatterEntry> entries;
    size_t body_offset = 0; // where the Markdown after the closing `---` starts
    uint32_t body_line = 1; // its line number
    bool closed = false;    // false: no block, or one without its closing `---`
};

// Splits off the front matter; problems (no block, no closing `---`, a line that is not
// `key: value`, a repeated key) are appended to `diags`.
FrontMatter read_front_matter(std::string_view text, const std::string &file,
                              std::vector<Diagnostic> &diags);

} // namespace nvmelab::lesson
