#include "data/nul_rows.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"

namespace kdw {

std::vector<int64_t> strip_nul_bytes(std::string& bytes, const std::filesystem::path& path) {
  const std::size_t first = bytes.find('\0');
  if (first == std::string::npos) return {};
  // A UTF-16 byte order mark: the decoder names the encoding.
  if (bytes.size() >= 2 &&
      ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF')))
    return {};
  const bool in_header = first < bytes.find('\n');  // also true for a file of one line
  std::vector<int64_t> lines;
  int64_t line = 1, lines_with_nul = 0;
  bool has_nul = false, blank = true;
  std::size_t out = 0;
  auto end_line = [&] {
    lines_with_nul += has_nul;
    if (has_nul && !blank) lines.push_back(line);
    has_nul = false;
    blank = true;
  };
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\0') {
      has_nul = true;
      continue;
    }
    bytes[out++] = c;
    if (c == '\n') {
      end_line();
      ++line;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      blank = false;
    }
  }
  const bool open_last = out > 0 && bytes[out - 1] != '\n';
  end_line();
  const int64_t total_lines = line - (open_last ? 0 : 1);
  // More than one line in ten, or the header: binary data, not a few damaged rows.
  if (in_header || lines_with_nul * 10 > std::max<int64_t>(total_lines, 1)) {
    bytes.clear();
    throw file_error(
        path, "contains NUL bytes at offset " + std::to_string(first) + " (not a text table)");
  }
  bytes.resize(out);
  return lines;
}

std::vector<int64_t> drop_nul_rows(Table& table, const std::vector<int64_t>& nul_lines,
                                   const std::filesystem::path& path) {
  std::vector<int64_t> dropped;
  if (nul_lines.empty()) return dropped;
  std::vector<char> drop(table.rows.size(), 0);
  for (const int64_t line : nul_lines) {
    // The row that starts last at or before the line, unless a skipped row starts in between.
    const auto it = std::upper_bound(table.row_lines.begin(), table.row_lines.end(), line);
    if (it == table.row_lines.begin()) continue;
    const auto row = static_cast<std::size_t>(it - table.row_lines.begin() - 1);
    const int64_t start = table.row_lines[row];
    const bool skipped_between =
        std::any_of(table.skipped.begin(), table.skipped.end(),
                    [&](const SkippedRow& s) { return s.line > start && s.line <= line; });
    if (!skipped_between) drop[row] = 1;
  }
  std::size_t out = 0;
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    if (drop[i]) {
      dropped.push_back(table.row_lines[i]);
      table.skipped.push_back({table.row_lines[i], kNulRowReason});
      continue;
    }
    if (out != i) {
      table.rows[out] = std::move(table.rows[i]);
      table.row_lines[out] = table.row_lines[i];
      table.data_rows[out] = table.data_rows[i];
    }
    ++out;
  }
  table.rows.resize(out);
  table.row_lines.resize(out);
  table.data_rows.resize(out);
  std::stable_sort(table.skipped.begin(), table.skipped.end(),
                   [](const SkippedRow& a, const SkippedRow& b) { return a.line < b.line; });
  if (dropped.empty()) return dropped;
  std::string first;
  for (std::size_t i = 0; i < dropped.size() && i < 10; ++i)
    first += (i ? ", " : "") + std::to_string(dropped[i]);
  log::warn("{}: {} row(s) with NUL bytes dropped (line{} {}{})", path.string(), dropped.size(),
            dropped.size() > 1 ? "s" : "", first, dropped.size() > 10 ? ", ..." : "");
  return dropped;
}

}  // namespace kdw
