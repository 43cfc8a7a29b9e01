#pragma once
// A course: the lesson files of a folder (every *.md except README.md), in file-name order
// (01-bring-up.md, 02-identify.md, ...). Loading checks each file and what only the whole set
// can show: unique ids, prerequisites that exist and come earlier, and that every lesson ends
// with a challenge (a your-turn step the learner does alone).
#include <string>
#include <vector>

#include "player/lesson.h"

namespace nvmelab::lesson {

struct Course {
    std::vector<Lesson> lessons;    // the files that parsed, in order
    std::vector<std::string> files; // every lesson file found, in order
    std::vector<Diagnostic> errors;
    bool ok() const { return errors.empty(); }
    // The lesson with this id, or null (for deep links ?lesson=ID).
    const Lesson *find(const std::string &id) const;
};

Course load_course(const std::string &dir);

} // namespace nvmelab::lesson
