#include "formats/file_ranges.h"

#include <cerrno>

#include "core/error.h"

namespace fs = std::filesystem;

namespace kdw {

FileRanges::FileRanges(const fs::path& path) : path_(path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw file_error(path, "is a folder, not a file");
  // Unbuffered: a read of 8 bytes reads 8 bytes, not a buffer's worth of the tensors around them.
  in_.rdbuf()->pubsetbuf(nullptr, 0);
  in_.open(path, std::ios::binary);
  if (!in_) {
    if (!fs::exists(path, ec)) throw file_error(path, "no such file");
    throw file_error(path, "cannot read");
  }
  in_.seekg(0, std::ios::end);
  const auto end = in_.tellg();
  if (end < 0) throw file_error(path, "cannot read (no size)");
  size_ = static_cast<uint64_t>(end);
}

std::string FileRanges::read(uint64_t offset, uint64_t n) {
  if (offset > size_ || n > size_ - offset)
    throw file_error(path_, "truncated or corrupt file (needs " + std::to_string(n) +
                                " bytes at offset " + std::to_string(offset) + ")");
  std::string out(n, '\0');
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(offset));
  in_.read(out.data(), static_cast<std::streamsize>(n));
  if (static_cast<uint64_t>(in_.gcount()) != n) throw file_error(path_, "read failed");
  return out;
}

}  // namespace kdw
