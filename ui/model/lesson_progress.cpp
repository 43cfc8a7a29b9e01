#include "ui/model/lesson_progress.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/bounded_json.h"

namespace nvmelab::ui {

LessonProgress ProgressStore::get(const std::string &id) const {
    const auto it = lessons_.find(id);
    return it == lessons_.end() ? LessonProgress{} : it->second;
}

bool ProgressStore::step_done(const std::string &id, uint32_t done, uint32_t steps) {
    LessonProgress &p = lessons_[id];
    const LessonProgress before = p;
    p.steps = steps;
    p.steps_done = std::min(steps, std::max(p.steps_done, done + 1));
    return !(p == before);
}

bool ProgressStore::complete(const std::string &id, uint32_t steps) {
    LessonProgress &p = lessons_[id];
    const LessonProgress before = p;
    p.steps = steps;
    p.steps_done = steps;
    p.completed = true;
    return !(p == before);
}

std::string ProgressStore::to_text() const {
    nlohmann::json lessons = nlohmann::json::object();
    for (const auto &[id, p] : lessons_)
        lessons[id] = {
            {"steps_done", p.steps_done}, {"steps", p.steps}, {"completed", p.completed}};
    return nlohmann::json{{"version", 1}, {"lessons", lessons}}.dump(1);
}

ProgressStore ProgressStore::from_text(const std::string &text) {
    nlohmann::json j;
    try {
        j = parse_bounded_json(text);
    } catch (const std::exception &e) {
        throw std::runtime_error(fmt::format("lesson progress is not JSON: {}", e.what()));
    }
    if (!j.is_object() || j.value("version", 0) != 1 || !j.contains("lessons") ||
        !j.at("lessons").is_object())
        throw std::runtime_error("lesson progress: expected {\"version\":1,\"lessons\":{...}}");
    ProgressStore s;
    for (const auto &item : j.at("lessons").items()) {
        // Plain names, not a structured binding: clang 14 lambdas cannot capture those.
        const std::string id = item.key();
        const nlohmann::json &v = item.value();
        const auto count = [&](const char *key) -> uint32_t {
            if (!v.is_object() || !v.contains(key) || !v.at(key).is_number_unsigned() ||
                v.at(key).get<uint64_t>() > 100000)
                throw std::runtime_error(fmt::format(
                    "lesson progress of '{}': '{}' is missing or not a step count", id, key));
            return v.at(key).get<uint32_t>();
        };
        LessonProgress p;
        p.steps_done = count("steps_done");
        p.steps = count("steps");
        if (!v.contains("completed") || !v.at("completed").is_boolean())
            throw std::runtime_error(
                fmt::format("lesson progress of '{}': 'completed' is not true/false", id));
        p.completed = v.at("completed").get<bool>();
        if (p.steps_done > p.steps)
            throw std::runtime_error(fmt::format("lesson progress of '{}': {} steps done of {}", id,
                                                 p.steps_done, p.steps));
        s.lessons_[id] = p;
    }
    return s;
}

std::string default_progress_path() {
    if (const char *x = std::getenv("XDG_CONFIG_HOME"); x && *x)
        return std::string(x) + "/nvmelab/progress.json";
    if (const char *h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.config/nvmelab/progress.json";
    return {};
}

ProgressStore load_progress_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (!std::filesystem::exists(path)) return {};
        throw std::runtime_error(fmt::format("cannot read {}", path));
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
        return ProgressStore::from_text(text.str());
    } catch (const std::runtime_error &e) {
        throw std::runtime_error(fmt::format("{}: {}", path, e.what()));
    }
}

std::string save_progress_file(const std::string &path, const ProgressStore &store) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) return fmt::format("cannot create {}: {}", p.parent_path().string(), ec.message());
    // Write a temporary file and rename it, so a crash never leaves half a file.
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << store.to_text() << '\n';
        if (!out) return fmt::format("cannot write {}", tmp);
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return fmt::format("cannot rename {} to {}: {}", tmp, path, ec.message());
    return {};
}

} // namespace nvmelab::ui
