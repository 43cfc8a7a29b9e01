#include "player/course.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "player/lesson_parser.h"

namespace nvmelab::lesson {

const Lesson *Course::find(const std::string &id) const {
    for (const Lesson &l : lessons)
        if (l.id == id) return &l;
    return nullptr;
}

Course load_course(const std::string &dir) {
    namespace fs = std::filesystem;
    Course c;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        c.errors.push_back({dir, 0, "not a folder of lesson files"});
        return c;
    }
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path &p = it->path();
        if (p.extension() == ".md" && p.filename() != "README.md" && it->is_regular_file(ec))
            c.files.push_back(p.string());
    }
    if (ec) c.errors.push_back({dir, 0, fmt::format("cannot list the folder: {}", ec.message())});
    std::sort(c.files.begin(), c.files.end());
    if (c.files.empty()) c.errors.push_back({dir, 0, "no lesson files (*.md) in this folder"});

    std::map<std::string, std::string> id_file; // id -> file of the lessons seen so far
    for (const std::string &f : c.files) {
        ParseResult r = load_lesson(f);
        c.errors.insert(c.errors.end(), r.errors.begin(), r.errors.end());
        Lesson &l = r.lesson;
        if (!l.id.empty()) {
            if (const auto it = id_file.find(l.id); it != id_file.end())
                c.errors.push_back(
                    {f, 0, fmt::format("id '{}' is also the id of {}", l.id, it->second)});
            for (const std::string &pre : l.prerequisites) {
                if (pre == l.id)
                    c.errors.push_back(
                        {f, 0, fmt::format("'{}' lists itself as a prerequisite", pre)});
                else if (!id_file.count(pre))
                    c.errors.push_back(
                        {f, 0,
                         fmt::format("prerequisite '{}' is not the id of an earlier lesson "
                                     "in this folder (lessons are ordered by file name)",
                                     pre)});
            }
            id_file.emplace(l.id, f);
        }
        if (!l.steps.empty() && !l.steps.back().your_turn())
            c.errors.push_back({f, l.steps.back().line,
                                "the last step must be a challenge: a ```your-turn task the "
                                "learner does alone"});
        if (r.ok()) c.lessons.push_back(std::move(l));
    }
    return c;
}

} // namespace nvmelab::lesson
