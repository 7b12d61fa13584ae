#include "core/json_read.h"

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/printable.h"

namespace kdw {

std::size_t json_too_deep_at(std::string_view text, int max_depth) {
  int depth = 0;
  std::size_t line = 1;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return line;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;  // unbalanced text is the parser's to report
        break;
      default:
        break;
    }
  }
  return 0;
}

nlohmann::json parse_json(std::string_view text, const std::filesystem::path& file,
                          const std::string& what) {
  if (const std::size_t line = json_too_deep_at(text))
    throw file_error(file, what + ": arrays and objects nested more than " +
                               std::to_string(kMaxJsonDepth) + " deep (line " +
                               std::to_string(line) + ")");
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw file_error(file, what + ": " + printable(e.what(), 200));
  }
}

nlohmann::json read_json_file(const std::filesystem::path& file, const std::string& what) {
  return parse_json(read_file(file), file, what);
}

}  // namespace kdw
