#include "data/file_kind.h"

#include "core/error.h"
#include "core/printable.h"
#include "data/table.h"

namespace kdw {

namespace {

struct Magic {
  std::string_view bytes;
  const char* kind;
};

// Signatures of the binary files most likely to be picked by mistake in a file dialog. Only
// signatures no CSV header could start with (control or non-UTF-8 bytes, or long enough).
constexpr Magic kMagics[] = {
    {"\x89PNG\r\n\x1a\n", "a PNG image"},
    {"\xFF\xD8\xFF", "a JPEG image"},
    {"GIF87a", "a GIF image"},
    {"GIF89a", "a GIF image"},
    {"%PDF-", "a PDF document"},
    {"PK\x03\x04", "a ZIP archive (or an Office document)"},
    {"PK\x05\x06", "a ZIP archive (or an Office document)"},
    {"\x1f\x8b", "a gzip archive"},
    {"\xFD"
     "7zXZ",
     "an xz archive"},
    {"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
    {"Rar!\x1a\x07", "a RAR archive"},
    {"\x28\xB5\x2F\xFD", "a zstd archive"},
    {"\x7F"
     "ELF",
     "a program (ELF)"},
    {"\x93NUMPY", "a numpy array (.npy)"},
    {"SQLite format 3", "an SQLite database"},
    {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an old Office document"},
};

}  // namespace

std::string binary_file_kind(std::string_view head) {
  for (const Magic& m : kMagics)
    if (head.substr(0, m.bytes.size()) == m.bytes) return m.kind;
  return {};
}

void check_text_table(std::string_view head, const std::filesystem::path& path) {
  const std::string kind = binary_file_kind(head);
  if (!kind.empty()) throw file_error(path, "this looks like " + kind + ", not a text table");
}

void check_label_column(const Table& table, const std::filesystem::path& path) {
  if (table.columns.size() >= 2) return;
  const std::string only = table.columns.empty() ? std::string() : table.columns[0];
  throw file_error(
      path, "no label column: the file has only `" + printable(only) + "`; choose a label column");
}

}  // namespace kdw
