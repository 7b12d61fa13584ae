// CSV / TSV / JSONL tables (data/table.*). Byte 0 picks the format and encoding (auto = sniffing),
// the rest is the file.
#include "core/error.h"
#include "core/job.h"
#include "data/column_guess.h"
#include "data/table.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const kdw::TableFormat formats[] = {kdw::TableFormat::kAuto, kdw::TableFormat::kCsv,
                                             kdw::TableFormat::kTsv, kdw::TableFormat::kJsonl};
  static const kdw::TextEncoding encodings[] = {kdw::TextEncoding::kAuto, kdw::TextEncoding::kUtf8,
                                                kdw::TextEncoding::kCp1251};
  const auto format = formats[data[0] % 4];
  const auto encoding = encodings[(data[0] / 4) % 3];
  const auto file = kdw_fuzz::put("table.txt", data + 1, size - 1);
  try {
    kdw::JobContext job;
    const kdw::Table table = kdw::read_table(file, format, encoding, job);
    for (const auto& row : table.rows)
      if (row.size() != table.columns.size()) __builtin_trap();  // the header's promise
    if (!table.columns.empty()) kdw::column_index(table, table.columns.back(), file);
    // The guess the Data panel and kdw prepare make of any table: in range, never one column
    // for both.
    const kdw::ColumnGuess guess = kdw::guess_columns(table);
    const int columns = static_cast<int>(table.columns.size());
    if (guess.text < -1 || guess.text >= columns || guess.label < -1 || guess.label >= columns ||
        (guess.label >= 0 && guess.label == guess.text))
      __builtin_trap();
  } catch (const kdw::Error&) {
  }
  return 0;
}
