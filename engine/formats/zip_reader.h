// A minimal reader of the zip archives torch.save writes: the central directory, and each
// entry's bytes (STORED entries point into the file; deflated ones are inflated with zlib under
// a budget that refuses zip bombs). Zip64 archives (> 4 GiB) are not supported. Every read is
// bounds-checked; bad archives throw kdw::Error naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace kdw {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;
  uint64_t compressed = 0, size = 0, local_offset = 0;
};

/// Reads `n` bytes at `offset` of the archive; throws kdw::Error past its end.
using ZipRead = std::function<std::string(uint64_t offset, uint64_t n)>;
/// Reads from `raw`, the whole file in memory.
ZipRead whole_file_read(const std::string& raw);

/// The archive's entries from its central directory (`raw`: the whole file).
std::vector<ZipEntry> zip_directory(const std::filesystem::path& path, const std::string& raw);
/// The same from an archive of `size` bytes read through `read` (only its tail is read).
std::vector<ZipEntry> zip_directory(const std::filesystem::path& path, uint64_t size,
                                    const ZipRead& read);

/// The bytes a file of this size may inflate to in all (see kMaxInflateRatio in zip_reader.cpp).
uint64_t inflate_budget(const std::string& raw);
uint64_t inflate_budget(uint64_t file_size);

/// Where the entry's (stored or deflated) bytes start, after its local header, checked to lie
/// inside the archive; reads only the local header.
uint64_t zip_data_offset(const std::filesystem::path& path, uint64_t size, const ZipRead& read,
                         const ZipEntry& z);

/// Returns the entry's bytes: a pointer into `raw` (stored) or into `inflated` (deflated, taken
/// from `budget`, the bytes this file may still inflate to).
const char* zip_data(const std::filesystem::path& path, const std::string& raw, const ZipEntry& z,
                     std::string& inflated, uint64_t& budget);
/// The entry's bytes (inflated if deflated) read through `read`.
std::string zip_read_entry(const std::filesystem::path& path, uint64_t size, const ZipRead& read,
                           const ZipEntry& z, uint64_t& budget);

}  // namespace kdw
