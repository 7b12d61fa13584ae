// Recognising files that are not text tables (an image, an archive, a program) by their first
// bytes, so that choosing one says what it is instead of "invalid UTF-8 at offset 0".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kdw {

struct Table;

/// "a PNG image", "a ZIP archive"... for bytes that start like a known binary format, else "".
std::string binary_file_kind(std::string_view head);

/// Throws kdw::Error "<path>: this looks like a PNG image, not a text table" when `head` (the
/// file's first bytes) starts like a binary format.
void check_text_table(std::string_view head, const std::filesystem::path& path);

/// Throws kdw::Error "<path>: no label column: the file has only `text`; choose a label
/// column" when the table has fewer than two columns (a text alone cannot train a classifier).
void check_label_column(const Table& table, const std::filesystem::path& path);

}  // namespace kdw
