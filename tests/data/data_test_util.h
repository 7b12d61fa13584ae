// Helpers shared by the data tests: files from bytes, cp1251 bytes, ragged splits back to text.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kdw::test {

void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);
/// UTF-8 (ASCII + Russian letters only) -> Windows-1251 bytes.
std::string to_cp1251(const std::string& utf8);
/// Lines of a text file.
std::vector<std::string> read_lines(const std::filesystem::path& path);
/// All files under `dir` with their bytes, for comparing two outputs.
std::vector<std::pair<std::string, std::string>> folder_contents(const std::filesystem::path& dir);

}  // namespace kdw::test
