#include "ui/model/journal.h"

#include <fmt/format.h>

namespace nvmelab::ui {

std::string journal_line_error(std::string_view text, std::string_view source_name) {
    size_t start = 0;
    for (size_t number = 1; start <= text.size(); ++number) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        if (end - start > kMaxJournalLineBytes)
            return fmt::format("{}a console line of {} bytes, more than the {} a line may have",
                               source_name.empty() ? std::string()
                                                   : fmt::format("{}:{}: ", source_name, number),
                               end - start, kMaxJournalLineBytes);
        start = end + 1;
    }
    return {};
}

void Journal::restart(const DeviceConfig &config) {
    config_ = config.to_json();
    entries_ = nlohmann::json::array();
    ++version_;
}

void Journal::add(nlohmann::json entry) {
    if (paused_ > 0) return;
    ++version_;
    if (!entries_.empty()) {
        nlohmann::json &last = entries_.back();
        // Run mode adds an entry every frame: one entry per run keeps the journal small.
        if (entry.contains("steps") && last.contains("steps")) {
            last["steps"] = last["steps"].get<uint64_t>() + entry["steps"].get<uint64_t>();
            return;
        }
        if (entry.value("wl", "") == "tick" && last.value("wl", "") == "tick") {
            last["n"] = last["n"].get<uint64_t>() + entry["n"].get<uint64_t>();
            return;
        }
    }
    entries_.push_back(std::move(entry));
}

} // namespace nvmelab::ui
