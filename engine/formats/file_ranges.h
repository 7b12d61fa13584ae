// Reads chosen byte ranges of a file instead of the whole file: lets the weight readers list a
// checkpoint's tensors (names, dtypes, shapes) without reading the tensors' bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace kdw {

class FileRanges {
 public:
  /// Opens `path`; throws kdw::Error naming it if it is a folder, absent or unreadable.
  explicit FileRanges(const std::filesystem::path& path);
  uint64_t size() const { return size_; }
  /// The bytes [offset, offset + n); throws kdw::Error "truncated or corrupt file" past the end.
  std::string read(uint64_t offset, uint64_t n);

 private:
  const std::filesystem::path path_;
  std::ifstream in_;
  uint64_t size_ = 0;
};

}  // namespace kdw
