// Reading labelled tables (CSV per RFC 4180, TSV, JSONL) in UTF-8 or Windows-1251 into UTF-8 cells.
// Rows that cannot be read are skipped and reported with their line, never dropped silently.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/job.h"

namespace kdw {

enum class TableFormat { kAuto, kCsv, kTsv, kJsonl };
enum class TextEncoding { kAuto, kUtf8, kCp1251 };

struct SkippedRow {
  int64_t line = 0;  ///< 1-based physical line in the file where the row starts
  std::string reason;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< UTF-8 cells, rows[i].size() == columns.size()
  std::vector<int64_t> row_lines;              ///< first physical line of each row (1-based)
  /// 0-based data row of each row in the file: records after the header, skipped ones counted,
  /// blank lines not (what S_rows.npy stores).
  std::vector<int64_t> data_rows;
  std::vector<SkippedRow> skipped;
  TableFormat format = TableFormat::kAuto;      ///< the format actually used (never kAuto)
  TextEncoding encoding = TextEncoding::kAuto;  ///< the encoding actually used (never kAuto)
  bool had_bom = false;
};

/// "auto", "csv", "tsv", "jsonl" -> TableFormat; throws UsageError otherwise.
TableFormat parse_table_format(const std::string& text);
/// "auto", "utf-8" (or "utf8"), "cp1251" (or "windows-1251") -> TextEncoding; UsageError otherwise.
TextEncoding parse_text_encoding(const std::string& text);
const char* table_format_name(TableFormat format);
const char* text_encoding_name(TextEncoding encoding);

/// Reads the whole table. kAuto format: by extension (.csv, .tsv/.tab, .jsonl/.ndjson), else by
/// sniffing the first line. kAuto encoding: valid UTF-8 (BOM optional) -> UTF-8, else Windows-1251
/// when the bytes look like Cyrillic text, else a kdw::Error naming the file and the byte offset.
/// Throws kdw::Error for a missing/unreadable/empty file or one without a header.
Table read_table(const std::filesystem::path& path, TableFormat format, TextEncoding encoding,
                 JobContext& job);

/// Index of column `name`; kdw::Error "<path>: no column 'x' (columns: a, b, c)" when absent.
int column_index(const Table& table, const std::string& name, const std::filesystem::path& path);

}  // namespace kdw
