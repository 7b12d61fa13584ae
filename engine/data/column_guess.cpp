#include "data/column_guess.h"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <string_view>
#include <unordered_set>

namespace kdw {
namespace {

constexpr std::size_t kRowsRead = 2000;

std::string case_folded(const std::string& s) {
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                              static_cast<utf8proc_ssize_t>(s.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_STABLE));
  if (n < 0) return s;  // not valid UTF-8: compared as it is
  std::string folded(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return folded;
}

bool is_number(const std::string& cell) {
  if (cell.empty()) return false;
  char* end = nullptr;
  std::strtod(cell.c_str(), &end);
  return end == cell.c_str() + cell.size();
}

// Names in the order they are preferred; compared case-folded.
constexpr std::array<std::string_view, 12> kTextNames = {
    "text",  "sentence", "review",      "comment",     "content",   "body",
    "текст", "отзыв",    "комментарий", "предложение", "сообщение", "содержание"};
constexpr std::array<std::string_view, 12> kLabelNames = {
    "label", "class", "category",  "topic", "target",      "sentiment",
    "метка", "класс", "категория", "тема",  "тональность", "рубрика"};

template <std::size_t N>
int by_name(const std::vector<std::string>& folded, const std::array<std::string_view, N>& names,
            int skip) {
  for (const std::string_view name : names) {
    for (std::size_t i = 0; i < folded.size(); ++i)
      if (static_cast<int>(i) != skip && folded[i] == name) return static_cast<int>(i);
  }
  return -1;
}

struct ColumnStats {
  double mean_length = 0;
  std::size_t distinct = 0;
  bool numbers = true;  // every non-empty cell read is a number
};

std::vector<ColumnStats> column_stats(const Table& table) {
  const std::size_t rows = std::min(table.rows.size(), kRowsRead);
  std::vector<ColumnStats> stats(table.columns.size());
  for (std::size_t c = 0; c < stats.size(); ++c) {
    std::unordered_set<std::string> values;
    std::size_t total = 0, non_empty = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      const std::string& cell = table.rows[r][c];
      total += cell.size();
      values.insert(cell);
      if (cell.empty()) continue;
      ++non_empty;
      if (stats[c].numbers && !is_number(cell)) stats[c].numbers = false;
    }
    stats[c].mean_length = rows ? static_cast<double>(total) / static_cast<double>(rows) : 0;
    stats[c].distinct = values.size();
    if (non_empty == 0) stats[c].numbers = false;
  }
  return stats;
}

}  // namespace

ColumnGuess guess_columns(const Table& table) {
  ColumnGuess guess;
  const int columns = static_cast<int>(table.columns.size());
  if (columns == 0) return guess;
  std::vector<std::string> folded;
  folded.reserve(table.columns.size());
  for (const auto& name : table.columns) folded.push_back(case_folded(name));
  guess.text = by_name(folded, kTextNames, -1);
  guess.label = by_name(folded, kLabelNames, guess.text);
  if (guess.text >= 0 && (guess.label >= 0 || columns == 1)) return guess;

  const std::vector<ColumnStats> stats = column_stats(table);
  const std::size_t rows = std::min(table.rows.size(), kRowsRead);
  if (guess.text < 0) {
    for (int c = 0; c < columns; ++c) {
      if (c == guess.label || stats[c].numbers) continue;
      if (guess.text < 0 || stats[c].mean_length > stats[guess.text].mean_length) guess.text = c;
    }
    if (guess.text < 0) {  // every other column is numbers: the first one not the label
      guess.text = guess.label == 0 && columns > 1 ? 1 : 0;
      if (guess.text == guess.label) guess.label = -1;  // one column: the text, and no label
    }
  }
  if (guess.label < 0) {
    for (int c = 0; c < columns; ++c) {
      if (c == guess.text || stats[c].distinct < 2) continue;
      if (rows > 2 && stats[c].distinct == rows) continue;  // an id, one value per row
      if (guess.label < 0 || stats[c].distinct < stats[guess.label].distinct) guess.label = c;
    }
  }
  return guess;
}

}  // namespace kdw
