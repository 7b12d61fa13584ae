// A minimal reader of the zip archives torch.save writes: the central directory, and each
// entry's bytes (STORED entries point into the file; deflated ones are inflated with zlib under
// a budget that refuses zip bombs). Zip64 archives (> 4 GiB) are not supported. Every read is
// bounds-checked; bad archives throw kdw::Error naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace kdw {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint64_t compressed = 0, size = 0, local_offset = 0;
};

/// The archive's entries from its central directory (`raw`: the whole file).
std::vector<ZipEntry> zip_directory(const std::filesystem::path& path, const std::string& raw);

/// The bytes a file of this size may inflate to in all (see kMaxInflateRatio in zip_reader.cpp).
uint64_t inflate_budget(const std::string& raw);

/// Returns the entry's bytes: a pointer into `raw` (stored) or into `inflated` (deflated, taken
/// from `budget`, the bytes this file may still inflate to).
const char* zip_data(const std::filesystem::path& path, const std::string& raw, const ZipEntry& z,
                     std::string& inflated, uint64_t& budget);

}  // namespace kdw
