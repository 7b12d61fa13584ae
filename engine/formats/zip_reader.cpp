#include "formats/zip_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/printable.h"
#include "formats/byte_cursor.h"

namespace fs = std::filesystem;

namespace kdw {

// Record signatures (APPNOTE.TXT): end of central directory, central directory entry, local
// file header.
constexpr char kEndOfDirectory[] = "PK\x05\x06";
constexpr uint64_t kDirectoryEntry = 0x02014b50;
constexpr uint64_t kLocalHeader = 0x04034b50;

// Deflated records may expand to at most this many times the size of the whole file (and 1 MiB
// in any case): torch.save stores records uncompressed, and real weights hardly compress, so a
// file that inflates further is a zip bomb, refused before anything is allocated.
constexpr uint64_t kMaxInflateRatio = 16;

std::vector<ZipEntry> zip_directory(const fs::path& path, uint64_t size, const ZipRead& read) {
  if (size < 22) throw file_error(path, "truncated zip archive");
  // The end-of-directory record lies in the last 22 + 65535 (comment) bytes.
  const uint64_t lowest = size >= 22 + 65535 ? size - 22 - 65535 : 0;
  const std::string tail = read(lowest, size - lowest);
  std::size_t eocd = std::string::npos;
  for (std::size_t p = tail.size() - 22 + 1; p-- > 0;)
    if (std::memcmp(tail.data() + p, kEndOfDirectory, 4) == 0) {
      eocd = p;
      break;
    }
  if (eocd == std::string::npos)
    throw file_error(path, "truncated or corrupt zip archive (no end of central directory)");
  ByteCursor e(path, tail.data(), tail.size(), eocd + 10);
  const uint64_t count = e.uint_le(2);
  e.uint_le(4);  // directory size
  const uint64_t dir_offset = e.uint_le(4);
  if (count == 0xffff || dir_offset == 0xffffffff)
    throw file_error(path, "zip64 checkpoints are not supported");
  if (dir_offset >= size)
    throw file_error(path, "corrupt zip archive (central directory outside the file)");
  const std::string directory = read(dir_offset, size - dir_offset);
  ByteCursor c(path, directory.data(), directory.size());
  std::vector<ZipEntry> entries;
  for (uint64_t k = 0; k < count; ++k) {
    if (c.uint_le(4) != kDirectoryEntry)
      throw file_error(path, "corrupt zip archive (bad central directory entry)");
    c.take(6);
    ZipEntry z;
    z.method = static_cast<uint16_t>(c.uint_le(2));
    c.take(8);  // time, date, crc
    z.compressed = c.uint_le(4);
    z.size = c.uint_le(4);
    const uint64_t name_len = c.uint_le(2), extra_len = c.uint_le(2), comment_len = c.uint_le(2);
    c.take(8);
    z.local_offset = c.uint_le(4);
    z.name.assign(c.take(name_len), name_len);
    c.take(extra_len + comment_len);
    entries.push_back(std::move(z));
  }
  return entries;
}

std::vector<ZipEntry> zip_directory(const fs::path& path, const std::string& raw) {
  return zip_directory(path, raw.size(), whole_file_read(raw));
}

ZipRead whole_file_read(const std::string& raw) {
  return [&raw](uint64_t offset, uint64_t n) { return raw.substr(offset, n); };
}

uint64_t inflate_budget(uint64_t file_size) {
  return std::max<uint64_t>(uint64_t{1} << 20, kMaxInflateRatio * file_size);
}

uint64_t inflate_budget(const std::string& raw) {
  return inflate_budget(raw.size());
}

uint64_t zip_data_offset(const fs::path& path, uint64_t size, const ZipRead& read,
                         const ZipEntry& z) {
  if (z.local_offset > size)
    throw file_error(path,
                     "corrupt zip archive (entry " + printable(z.name) + " outside the file)");
  const std::string header = read(z.local_offset, std::min<uint64_t>(30, size - z.local_offset));
  ByteCursor l(path, header.data(), header.size());
  if (l.uint_le(4) != kLocalHeader)
    throw file_error(path, "corrupt zip archive (bad local header of " + printable(z.name) + ")");
  l.take(22);
  const uint64_t name_len = l.uint_le(2), extra_len = l.uint_le(2);
  const uint64_t data = z.local_offset + 30 + name_len + extra_len;
  if (data > size || z.compressed > size - data)
    throw file_error(path, "truncated zip archive (entry " + printable(z.name) + ")");
  return data;
}

namespace {

const char* entry_bytes(const fs::path& path, const ZipEntry& z, const char* data,
                        std::string& inflated, uint64_t& budget) {
  if (z.method == 0) {
    if (z.size != z.compressed)
      throw file_error(path, "corrupt zip archive (entry " + printable(z.name) + " sizes differ)");
    return data;
  }
  if (z.method != 8)
    throw file_error(path, "unsupported zip compression method " + std::to_string(z.method));
  if (z.size > budget)
    throw file_error(path, "refusing to inflate entry " + printable(z.name) + " to " +
                               std::to_string(z.size) + " bytes: deflated records may expand to " +
                               std::to_string(kMaxInflateRatio) +
                               " times the file's size (a zip bomb?)");
  budget -= z.size;
  inflated.assign(z.size, '\0');
  z_stream s{};
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK) throw file_error(path, "zlib initialisation failed");
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
  s.avail_in = static_cast<uInt>(z.compressed);
  s.next_out = reinterpret_cast<Bytef*>(inflated.data());
  s.avail_out = static_cast<uInt>(z.size);
  const int rc = inflate(&s, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && s.total_out == z.size;
  inflateEnd(&s);
  if (!ok)
    throw file_error(path,
                     "corrupt zip archive (entry " + printable(z.name) + " does not inflate)");
  return inflated.data();
}

}  // namespace

const char* zip_data(const fs::path& path, const std::string& raw, const ZipEntry& z,
                     std::string& inflated, uint64_t& budget) {
  const uint64_t offset = zip_data_offset(path, raw.size(), whole_file_read(raw), z);
  return entry_bytes(path, z, raw.data() + offset, inflated, budget);
}

std::string zip_read_entry(const fs::path& path, uint64_t size, const ZipRead& read,
                           const ZipEntry& z, uint64_t& budget) {
  const std::string stored = read(zip_data_offset(path, size, read, z), z.compressed);
  std::string inflated;
  const char* bytes = entry_bytes(path, z, stored.data(), inflated, budget);
  return bytes == stored.data() ? stored : inflated;
}

}  // namespace kdw
