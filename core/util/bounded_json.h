#pragma once
// JSON from outside the program (state files, image headers, browser storage, web API
// arguments) parsed with a bound on nesting. nlohmann's parser itself does not recurse, but
// dump(), comparisons and the code that walks a document do: a file of 100000 nested brackets
// would overflow the stack (the web build's 5 MiB one first) instead of being refused.
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nvmelab {

// Deeper than any document the program writes (they nest 5 levels at most).
inline constexpr int kMaxJsonDepth = 64;

struct JsonTooDeep : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Throws nlohmann::json::parse_error for bad syntax and JsonTooDeep past max_depth levels of
// arrays and objects.
inline nlohmann::json parse_bounded_json(std::string_view text, int max_depth = kMaxJsonDepth) {
    return nlohmann::json::parse(
        text.begin(), text.end(),
        [max_depth](int depth, nlohmann::json::parse_event_t event, nlohmann::json &) {
            if (depth >= max_depth && (event == nlohmann::json::parse_event_t::object_start ||
                                       event == nlohmann::json::parse_event_t::array_start))
                throw JsonTooDeep("JSON nested more than " + std::to_string(max_depth) +
                                  " levels deep");
            return true;
        });
}

} // namespace nvmelab
