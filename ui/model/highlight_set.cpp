#include "ui/model/highlight_set.h"

#include <cctype>

namespace nvmelab::ui {

namespace {

bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

} // namespace

void HighlightSet::set(const std::vector<lesson::Highlight> &items) {
    items_ = items;
    ++version_;
}

void HighlightSet::clear() {
    items_.clear();
    ++version_;
}

bool HighlightSet::window(std::string_view name) const {
    for (const lesson::Highlight &h : items_)
        if (same(h.window, name)) return true;
    return false;
}

bool HighlightSet::field(std::string_view window, std::string_view field) const {
    // "CC.EN" belongs to register "CC".
    const std::string_view reg = field.substr(0, field.find('.'));
    const bool whole = reg.size() == field.size();
    for (const lesson::Highlight &h : items_) {
        if (!same(h.window, window)) continue;
        for (const std::string &f : h.fields) {
            const std::string_view fv = f;
            if (same(fv, field) || same(fv, reg)) return true;
            if (whole && same(fv.substr(0, fv.find('.')), field)) return true;
        }
    }
    return false;
}

bool HighlightSet::names(std::string_view window, std::string_view item) const {
    for (const lesson::Highlight &h : items_)
        if (same(h.window, window))
            for (const std::string &f : h.fields)
                if (same(f, item)) return true;
    return false;
}

const char *HighlightSet::window_title(std::string_view name) {
    // The names lessons/README.md lists; the composer is a tab of the inspector.
    static constexpr std::pair<std::string_view, const char *> kTitles[] = {
        {"registers", "Registers"},
        {"queues", "Queues"},
        {"timeline", "Timeline"},
        {"inspector", "Command inspector"},
        {"composer", "Command inspector"},
        {"console", "Console"},
        {"memory", "Host memory"},
        {"controls", "Controls"},
        {"lesson", "Lesson"},
        {"datapath", "Data path"},
        {"namespace", "Namespace"},
        {"identify", "Identify / Features / Logs"},
    };
    for (const auto &[n, title] : kTitles)
        if (same(n, name)) return title;
    return nullptr;
}

} // namespace nvmelab::ui
