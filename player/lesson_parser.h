#pragma once
// Reads lesson files (format: lessons/README.md). Markdown is parsed by md4c; only the
// front-matter block is read by hand (front_matter.h). Every problem is reported with the file
// and line, and the checks are strict: unknown keys, unknown device properties, console lines
// that do not parse, a your-turn without a solution, duplicate steps, ...
#include <string>
#include <string_view>
#include <vector>

#include "player/lesson.h"

namespace nvmelab::lesson {

struct ParseResult {
    Lesson lesson;                  // as far as it could be read
    std::vector<Diagnostic> errors; // empty when the lesson is valid
    bool ok() const { return errors.empty(); }
};

// Parses lesson text; `file` names it in diagnostics.
ParseResult parse_lesson(std::string_view text, const std::string &file);
// Reads and parses a file (an unreadable file is one diagnostic).
ParseResult load_lesson(const std::string &path);

// The windows a `highlight` block may name (front ends map them to theirs).
const std::vector<std::string> &known_windows();

} // namespace nvmelab::lesson
