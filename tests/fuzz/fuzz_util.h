// Shared by the libFuzzer harnesses: readers take paths, so each input is written to a file in a
// per-process scratch folder on tmpfs; multi-file inputs are split at kSeparator. Only
// kdw::Error is an expected outcome: any other exception escapes and counts as a finding.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <ATen/ATen.h>

#include "core/log.h"

namespace kdw_fuzz {

/// Between the files of a multi-file input (ragged splits, run folders, vocab + text).
inline constexpr std::string_view kSeparator = "\n#kdw-fuzz-next-file#\n";

inline void remove_scratch();

/// /dev/shm/kdw-fuzz-<pid> (or $TMPDIR/... when /dev/shm is missing), made once, removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    std::filesystem::path base = "/dev/shm";
    if (!std::filesystem::is_directory(base))
      base = std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp";
    auto d = base / ("kdw-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::atexit(remove_scratch);
    // Readers log skipped rows etc.; millions of lines would slow the run.
    kdw::log::init_silent();
    return d;
  }();
  return dir;
}

inline void remove_scratch() {
  std::error_code ec;
  std::filesystem::remove_all(scratch(), ec);
}

inline std::filesystem::path put(const std::string& name, const void* data, std::size_t size) {
  const auto file = scratch() / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}
inline std::filesystem::path put(const std::string& name, std::string_view bytes) {
  return put(name, bytes.data(), bytes.size());
}

/// The input cut at kSeparator into exactly `n` parts (missing ones empty, extra text kept in the
/// last part).
inline std::vector<std::string_view> split(const uint8_t* data, std::size_t size, std::size_t n) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < n) {
    const auto at = rest.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(rest.substr(0, at));
    rest.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(rest);
  parts.resize(n);
  return parts;
}

/// Reads every byte of a result tensor in instrumented code, so that a tensor pointing outside its
/// memory is reported by ASan.
inline unsigned touch(const at::Tensor& t) {
  if (!t.defined() || t.numel() == 0) return 0;
  if (!t.is_contiguous()) return touch(t.contiguous());
  const auto* p = static_cast<const unsigned char*>(t.data_ptr());
  unsigned sum = 0;
  for (std::size_t k = 0; k < t.nbytes(); ++k) sum += p[k];
  return sum;
}

}  // namespace kdw_fuzz
