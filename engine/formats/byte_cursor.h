// Bounds-checked reading of a byte range, shared by the zip and pickle readers of PyTorch
// checkpoints. Every read past the end throws kdw::Error naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>

#include "core/error.h"

namespace kdw {

class ByteCursor {
 public:
  ByteCursor(const std::filesystem::path& path, const char* data, std::size_t size,
             std::size_t pos = 0)
      : path_(path), data_(data), size_(size), pos_(pos) {}
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return size_ - pos_; }
  const char* take(std::size_t n) {
    if (n > remaining())
      fail("truncated or corrupt file (needs " + std::to_string(n) + " more bytes at offset " +
           std::to_string(pos_) + ")");
    const char* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  uint64_t uint_le(int bytes) {
    const auto* p = reinterpret_cast<const unsigned char*>(take(static_cast<std::size_t>(bytes)));
    uint64_t v = 0;
    for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  }
  uint8_t byte() { return static_cast<uint8_t>(*take(1)); }
  std::string line() {  // text argument of GLOBAL: up to '\n'
    const char* start = data_ + pos_;
    const void* nl = std::memchr(start, '\n', remaining());
    if (!nl) fail("truncated or corrupt pickle (unterminated text)");
    const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
    take(n + 1);
    return std::string(start, n);
  }
  [[noreturn]] void fail(const std::string& problem) const { throw file_error(path_, problem); }

 private:
  const std::filesystem::path& path_;
  const char* data_;
  std::size_t size_;
  std::size_t pos_;
};

}  // namespace kdw
