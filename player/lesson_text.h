#pragma once
// Small text helpers of the lesson parser: words, comments and names of a lesson line.
#include <string>
#include <string_view>
#include <vector>

namespace nvmelab::lesson::text {

std::string_view trim(std::string_view s);
std::vector<std::string_view> split_words(std::string_view s);
// Text of a line without a trailing comment or spaces ("" for a blank or comment line). A '#'
// starts a comment only at the start of a word, as in the console.
std::string_view code_of(std::string_view line);
// The comment of a line ("" without one): what follows the '#' that code_of stops at.
std::string_view comment_of(std::string_view line);
std::string lower(std::string_view s);
// A lesson id: lower-case letters, digits and '-', not at either end.
bool valid_id(std::string_view id);

} // namespace nvmelab::lesson::text
