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
// arrays and objects. The depth is found by a scan of the text first, then the document is
// parsed without a callback: nlohmann's callback parser searches the enclosing array for a
// discarded value at the end of every object, so an array of 200000 objects took minutes.
inline nlohmann::json parse_bounded_json(std::string_view text, int max_depth = kMaxJsonDepth) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (const char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (depth >= max_depth)
                throw JsonTooDeep("JSON nested more than " + std::to_string(max_depth) +
                                  " levels deep");
            ++depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return nlohmann::json::parse(text.begin(), text.end());
}

} // namespace nvmelab
