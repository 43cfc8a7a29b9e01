#pragma once
// The learner's progress through the course: per lesson id, how many steps are done and
// whether the lesson was finished. Kept as a small JSON text:
//   {"version":1,"lessons":{"bring-up":{"steps_done":3,"steps":7,"completed":false}}}
// natively in a file (default_progress_path()), on the web in localStorage (web/).
#include <cstdint>
#include <map>
#include <string>

namespace nvmelab::ui {

struct LessonProgress {
    uint32_t steps_done = 0; // steps the learner got past (0 .. steps)
    uint32_t steps = 0;      // the lesson's step count when this was recorded
    bool completed = false;  // the last step's task was done
    bool operator==(const LessonProgress &) const = default;
};

class ProgressStore {
public:
    // Progress of a lesson (zeros if none is recorded).
    LessonProgress get(const std::string &id) const;
    // Step `done` (0-based) of a lesson with `steps` steps is done: steps_done grows to done + 1
    // (never shrinks: going Back does not undo progress). Returns true if anything changed.
    bool step_done(const std::string &id, uint32_t done, uint32_t steps);
    // The whole lesson is done.
    bool complete(const std::string &id, uint32_t steps);
    void forget(const std::string &id) { lessons_.erase(id); }
    const std::map<std::string, LessonProgress> &lessons() const { return lessons_; }

    std::string to_text() const;
    // Parses to_text()'s format; throws std::runtime_error naming the problem on bad input.
    static ProgressStore from_text(const std::string &text);

private:
    std::map<std::string, LessonProgress> lessons_;
};

// Native: $XDG_CONFIG_HOME/nvmelab/progress.json, else $HOME/.config/nvmelab/progress.json,
// else "" (no place to keep it).
std::string default_progress_path();
// Reads a progress file; a missing file is an empty store. Throws std::runtime_error for an
// unreadable or malformed one.
ProgressStore load_progress_file(const std::string &path);
// Writes it (creating the folder); returns "" or the error.
std::string save_progress_file(const std::string &path, const ProgressStore &store);

} // namespace nvmelab::ui
