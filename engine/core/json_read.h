// The one way the engine parses JSON that comes from a file: nesting depth is bounded before
// nlohmann builds (and later copies, dumps and destroys) a tree recursively, so a file of a few
// hundred thousand brackets cannot overflow the stack; every problem is a one-line kdw::Error
// naming the file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kdw {

/// Deepest nesting of arrays and objects accepted; real configs and records nest a few levels.
constexpr int kMaxJsonDepth = 256;

/// 0 when `text` nests arrays and objects at most `max_depth` deep (brackets inside strings do
/// not count); otherwise the 1-based line on which that depth is passed. Never fails.
std::size_t json_too_deep_at(std::string_view text, int max_depth = kMaxJsonDepth);

/// Parses `text`, the contents of `file`. Invalid or too deeply nested JSON throws
/// file_error(file, what + ": " + problem), the parser's excerpt made printable.
nlohmann::json parse_json(std::string_view text, const std::filesystem::path& file,
                          const std::string& what = "not valid JSON");

/// read_file + parse_json.
nlohmann::json read_json_file(const std::filesystem::path& file,
                              const std::string& what = "not valid JSON");

}  // namespace kdw
