#include "ui/journal.h"

namespace nvmelab::ui {

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
