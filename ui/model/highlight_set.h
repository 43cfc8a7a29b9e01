#pragma once
// What the current lesson step asks the UI to point at: windows ("registers") and fields in
// them ("CC.EN"), from the step's ```highlight block (player/lesson.h). One set in the Session;
// the app frames the named windows and brings them to the front, the Registers window tints
// the named field rows. Names compare case-insensitively.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "player/lesson.h"

namespace nvmelab::ui {

class HighlightSet {
public:
    void set(const std::vector<lesson::Highlight> &items);
    void clear();
    bool empty() const { return items_.empty(); }
    const std::vector<lesson::Highlight> &items() const { return items_; }
    // Bumps on every set() / clear(), so the app brings windows to the front once per change.
    uint64_t version() const { return version_; }

    // The window (a lesson's name: registers, queues, timeline, ...) is named.
    bool window(std::string_view name) const;
    // The field ("CC.EN") of that window is named, or its register ("CC" highlights CC.EN).
    // A register name alone ("CAP") matches when it or any of its fields is named.
    bool field(std::string_view window, std::string_view field) const;

    // The item (a register "AQA", a queue "SQ1") is itself named in that window.
    bool names(std::string_view window, std::string_view item) const;

    // The ImGui window title for a lesson's window name ("registers" -> "Registers"), or null
    // for a name the UI has no window for.
    static const char *window_title(std::string_view name);

private:
    std::vector<lesson::Highlight> items_;
    uint64_t version_ = 0;
};

} // namespace nvmelab::ui
