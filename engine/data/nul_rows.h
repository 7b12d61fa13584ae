// Stray NUL bytes in a text table. Real data sets (mail and web dumps) carry a few in some rows:
// those rows are dropped and reported, the rest of the file is read. A file where NUL bytes are
// common, or in its first line (the header), is binary (an image, UTF-16 text), not a table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "data/table.h"

namespace kdw {

/// Removes the NUL bytes from `bytes` and returns the 1-based lines that held them (lines left
/// blank by the removal are not listed: they are no rows). Throws kdw::Error "<path>: contains
/// NUL bytes at offset N (not a text table)" for a binary file.
std::vector<int64_t> strip_nul_bytes(std::string& bytes, const std::filesystem::path& path);

/// The reason given in Table::skipped for such rows.
inline constexpr const char* kNulRowReason = "contains NUL bytes";

/// Drops the parsed rows that span one of `nul_lines`: they move to table.skipped with
/// kNulRowReason. Returns their first lines.
std::vector<int64_t> drop_nul_rows(Table& table, const std::vector<int64_t>& nul_lines,
                                   const std::filesystem::path& path);

}  // namespace kdw
