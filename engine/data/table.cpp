#include "data/table.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_read.h"
#include "core/log.h"
#include "core/printable.h"
#include "data/encoding.h"
#include "data/file_kind.h"
#include "data/nul_rows.h"

namespace fs = std::filesystem;

namespace kdw {

TableFormat parse_table_format(const std::string& text) {
  if (text == "auto") return TableFormat::kAuto;
  if (text == "csv") return TableFormat::kCsv;
  if (text == "tsv") return TableFormat::kTsv;
  if (text == "jsonl") return TableFormat::kJsonl;
  throw UsageError("unknown table format '" + text + "' (expected auto, csv, tsv or jsonl)");
}

TextEncoding parse_text_encoding(const std::string& text) {
  if (text == "auto") return TextEncoding::kAuto;
  if (text == "utf-8" || text == "utf8") return TextEncoding::kUtf8;
  if (text == "cp1251" || text == "windows-1251") return TextEncoding::kCp1251;
  throw UsageError("unknown text encoding '" + text + "' (expected auto, utf-8 or cp1251)");
}

const char* table_format_name(TableFormat format) {
  switch (format) {
    case TableFormat::kCsv:
      return "csv";
    case TableFormat::kTsv:
      return "tsv";
    case TableFormat::kJsonl:
      return "jsonl";
    case TableFormat::kAuto:
      break;
  }
  return "auto";
}

const char* text_encoding_name(TextEncoding encoding) {
  switch (encoding) {
    case TextEncoding::kUtf8:
      return "utf-8";
    case TextEncoding::kCp1251:
      return "cp1251";
    case TextEncoding::kAuto:
      break;
  }
  return "auto";
}

namespace {

constexpr int64_t kProgressEvery = 1 << 16;
constexpr std::size_t kMaxSkipWarnings = 20;  // the log gets the first few; the result gets all

std::string read_bytes(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw file_error(path, "no such file");
  if (fs::is_directory(path, ec)) throw file_error(path, "is a folder, not a table file");
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw file_error(path, "cannot read: " + errno_text(errno));
  const auto size = fs::file_size(path, ec);
  if (ec) throw file_error(path, "cannot read: " + ec.message());
  std::string bytes(size, '\0');
  if (size > 0 && std::fread(bytes.data(), 1, size, file.get()) != size) {
    throw file_error(path, "cannot read: " + errno_text(errno));
  }
  return bytes;
}

std::string hex_byte(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", c);
  return buf;
}

// Decodes the file's bytes to UTF-8 in place (the raw copy is released when converting).
void decode(std::string& bytes, TextEncoding requested, const fs::path& path, Table& table) {
  if (bytes.size() >= 2 &&
      ((bytes[0] == '\xFF' && bytes[1] == '\xFE') || (bytes[0] == '\xFE' && bytes[1] == '\xFF'))) {
    throw file_error(path, "UTF-16 text is not supported; save the file as UTF-8");
  }
  if (bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) {
    table.had_bom = true;
    bytes.erase(0, 3);
    if (requested == TextEncoding::kAuto) requested = TextEncoding::kUtf8;
  }
  const std::size_t bom = table.had_bom ? 3 : 0;
  if (requested == TextEncoding::kCp1251) {
    bytes = cp1251_to_utf8(bytes);
    table.encoding = TextEncoding::kCp1251;
    return;
  }
  const std::size_t bad = utf8_invalid_offset(bytes);
  if (bad == std::string::npos) {
    table.encoding = TextEncoding::kUtf8;
    return;
  }
  const std::string at = "byte " + hex_byte(static_cast<unsigned char>(bytes[bad])) +
                         " at offset " + std::to_string(bad + bom);
  if (requested == TextEncoding::kUtf8) throw file_error(path, "invalid UTF-8: " + at);
  std::size_t cp_bad = 0;
  if (!looks_like_cp1251(bytes, cp_bad)) {
    throw file_error(path, "neither UTF-8 nor Windows-1251 text: " + at);
  }
  bytes = cp1251_to_utf8(bytes);
  table.encoding = TextEncoding::kCp1251;
}

TableFormat sniff_format(const fs::path& path, std::string_view text) {
  std::string ext = path.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".csv") return TableFormat::kCsv;
  if (ext == ".tsv" || ext == ".tab") return TableFormat::kTsv;
  if (ext == ".jsonl" || ext == ".ndjson") return TableFormat::kJsonl;
  const std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string_view::npos && text[start] == '{') return TableFormat::kJsonl;
  std::size_t end = text.find('\n', start == std::string_view::npos ? 0 : start);
  const std::string_view line = text.substr(0, end);
  std::size_t tabs = 0, commas = 0;
  for (const char c : line) {
    tabs += c == '\t';
    commas += c == ',';
  }
  return tabs > 0 && tabs >= commas ? TableFormat::kTsv : TableFormat::kCsv;
}

void add_skipped(Table& table, int64_t line, std::string reason, const fs::path& path) {
  if (table.skipped.size() < kMaxSkipWarnings) {
    log::warn("{}: line {}: row skipped: {}", path.string(), line, reason);
  } else if (table.skipped.size() == kMaxSkipWarnings) {
    log::warn("{}: more rows skipped; see the list of skipped rows", path.string());
  }
  table.skipped.push_back({line, std::move(reason)});
}

// RFC 4180 records with a configurable separator; also used for TSV.
class DelimitedParser {
 public:
  DelimitedParser(std::string_view text, char sep) : text_(text), sep_(sep) {}

  enum class Status { kRecord, kBlank, kError, kEnd };

  // Parses the record at the current position into `fields`.
  Status next(std::vector<std::string>& fields, int64_t& start_line, std::string& error) {
    fields.clear();
    start_line = line_;
    if (pos_ >= text_.size()) return Status::kEnd;
    const std::size_t start_pos = pos_;
    std::string field;
    bool quoted = false;       // this field started with a quote
    bool in_quotes = false;    // inside the quoted part
    bool after_quote = false;  // the closing quote was seen
    const std::size_t n = text_.size();
    while (true) {
      if (pos_ >= n) {
        if (in_quotes) return unterminated(start_pos, start_line, error);
        fields.push_back(std::move(field));
        break;
      }
      const char c = text_[pos_];
      if (in_quotes) {
        if (c == '"') {
          if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
            field += '"';
            pos_ += 2;
          } else {
            in_quotes = false;
            after_quote = true;
            ++pos_;
          }
          continue;
        }
        if (c == '\n' || c == '\r') {
          if (!multiline_) return unterminated(start_pos, start_line, error);
          if (c == '\n' || pos_ + 1 >= n || text_[pos_ + 1] != '\n') ++line_;
          field += c;
          ++pos_;
          continue;
        }
        const std::size_t stop = text_.find_first_of("\"\n\r", pos_ + 1);
        const std::size_t end = stop == std::string_view::npos ? n : stop;
        field.append(text_.substr(pos_, end - pos_));
        pos_ = end;
        continue;
      }
      if (c == sep_) {
        fields.push_back(std::move(field));
        field.clear();
        quoted = after_quote = false;
        ++pos_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        fields.push_back(std::move(field));
        end_line();
        break;
      }
      if (after_quote) {
        error = "text after a closing quote";
        skip_line();
        return Status::kError;
      }
      if (c == '"' && field.empty() && !quoted) {
        quoted = in_quotes = true;
        ++pos_;
        continue;
      }
      std::size_t end = pos_ + 1;
      while (end < n) {
        const char d = text_[end];
        if (d == sep_ || d == '\n' || d == '\r' || d == '"') break;
        ++end;
      }
      field.append(text_.substr(pos_, end - pos_));
      pos_ = end;
    }
    if (fields.size() == 1 && fields[0].empty() && !quoted) return Status::kBlank;
    return Status::kRecord;
  }

  std::size_t position() const { return pos_; }

 private:
  void end_line() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  void skip_line() {
    while (pos_ < text_.size() && text_[pos_] != '\n' && text_[pos_] != '\r') ++pos_;
    if (pos_ < text_.size()) end_line();
  }
  // A quote that never closes: drop the record's first line and carry on from the next one.
  // From here on quoted fields may not span lines, so a file full of stray quotes stays linear.
  Status unterminated(std::size_t start_pos, int64_t start_line, std::string& error) {
    error = "unterminated quoted field";
    pos_ = start_pos;
    line_ = start_line;
    skip_line();
    multiline_ = false;
    return Status::kError;
  }

  std::string_view text_;
  char sep_;
  std::size_t pos_ = 0;
  int64_t line_ = 1;
  bool multiline_ = true;
};

void read_delimited(const std::string& text, char sep, const fs::path& path, Table& table,
                    JobContext& job) {
  DelimitedParser parser(text, sep);
  std::vector<std::string> fields;
  int64_t line = 0;
  std::string error;
  // Header: the first non-blank record.
  while (true) {
    const auto status = parser.next(fields, line, error);
    if (status == DelimitedParser::Status::kEnd) throw file_error(path, "empty file (no header)");
    if (status == DelimitedParser::Status::kError) {
      throw file_error(path, "line " + std::to_string(line) + ": cannot read the header: " + error);
    }
    if (status == DelimitedParser::Status::kRecord) break;
  }
  table.columns = std::move(fields);
  const std::size_t width = table.columns.size();
  int64_t data_row = 0;
  for (int64_t count = 0;; ++count) {
    if (count % kProgressEvery == 0) {
      job.throw_if_cancelled();
      job.progress("read", static_cast<int64_t>(parser.position()),
                   static_cast<int64_t>(text.size()));
    }
    fields = {};
    const auto status = parser.next(fields, line, error);
    if (status == DelimitedParser::Status::kEnd) break;
    if (status == DelimitedParser::Status::kBlank) continue;
    if (status == DelimitedParser::Status::kError) {
      add_skipped(table, line, error, path);
      ++data_row;
      continue;
    }
    if (fields.size() != width) {
      add_skipped(table, line,
                  std::to_string(fields.size()) + " fields, expected " + std::to_string(width),
                  path);
      ++data_row;
      continue;
    }
    table.rows.push_back(std::move(fields));
    table.row_lines.push_back(line);
    table.data_rows.push_back(data_row++);
  }
}

void read_jsonl(const std::string& text, const fs::path& path, Table& table, JobContext& job) {
  std::unordered_map<std::string, std::size_t> column_of;
  std::size_t pos = 0;
  int64_t line = 0;
  int64_t data_row = 0;
  while (pos < text.size()) {
    ++line;
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string_view record(text.data() + pos, end - pos);
    pos = end + 1;
    if (line % kProgressEvery == 0) {
      job.throw_if_cancelled();
      job.progress("read", static_cast<int64_t>(std::min(pos, text.size())),
                   static_cast<int64_t>(text.size()));
    }
    if (record.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const int64_t this_row = data_row++;
    // Bounded before parsing: a value nested 100k deep would overflow the stack when copied.
    if (json_too_deep_at(record) != 0) {
      add_skipped(table, line,
                  "JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep", path);
      continue;
    }
    // ordered_json keeps the keys in file order (columns are in first-seen order).
    auto value = nlohmann::ordered_json::parse(record.begin(), record.end(), nullptr, false);
    if (value.is_discarded()) {
      add_skipped(table, line, "invalid JSON", path);
      continue;
    }
    if (!value.is_object()) {
      add_skipped(table, line, "not a JSON object", path);
      continue;
    }
    std::vector<std::string> cells(table.columns.size());
    for (auto& [key, cell] : value.items()) {
      auto found = column_of.find(key);
      if (found == column_of.end()) {
        found = column_of.emplace(key, table.columns.size()).first;
        table.columns.push_back(key);
        cells.emplace_back();
      }
      std::string& out = cells[found->second];
      if (cell.is_string()) {
        out = std::move(cell.get_ref<std::string&>());
      } else if (!cell.is_null()) {
        out = cell.dump();
      }
    }
    table.rows.push_back(std::move(cells));
    table.row_lines.push_back(line);
    table.data_rows.push_back(this_row);
  }
  if (table.columns.empty()) {
    throw file_error(
        path, table.skipped.empty() ? "empty file (no JSON objects)" : "no readable JSON object");
  }
  // Columns only grow: earlier rows get empty cells for keys seen later.
  for (auto& row : table.rows) row.resize(table.columns.size());
}

}  // namespace

Table read_table(const fs::path& path, TableFormat format, TextEncoding encoding, JobContext& job) {
  Table table;
  std::string text = read_bytes(path);
  if (text.empty()) throw file_error(path, "empty file");
  check_text_table(text, path);  // an image or archive: say so, not "invalid UTF-8"
  const std::vector<int64_t> nul_lines = strip_nul_bytes(text, path);
  decode(text, encoding, path, table);
  job.throw_if_cancelled();
  table.format = format == TableFormat::kAuto ? sniff_format(path, text) : format;
  switch (table.format) {
    case TableFormat::kJsonl:
      read_jsonl(text, path, table, job);
      break;
    case TableFormat::kTsv:
      read_delimited(text, '\t', path, table, job);
      break;
    default:
      read_delimited(text, ',', path, table, job);
      break;
  }
  drop_nul_rows(table, nul_lines, path);
  job.progress("read", static_cast<int64_t>(text.size()), static_cast<int64_t>(text.size()));
  if (!table.skipped.empty()) {
    log::warn("{}: {} row(s) skipped", path.string(), table.skipped.size());
  }
  return table;
}

int column_index(const Table& table, const std::string& name, const fs::path& path) {
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (table.columns[i] == name) return static_cast<int>(i);
  }
  std::string list;
  for (const auto& column : table.columns) list += (list.empty() ? "" : ", ") + column;
  throw file_error(path,
                   "no column '" + printable(name) + "' (columns: " + printable(list, 200) + ")");
}

}  // namespace kdw
