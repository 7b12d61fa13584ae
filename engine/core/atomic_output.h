// Outputs that appear whole or not at all: data goes to a temporary name next to the target and
// is renamed into place by commit(). Dropping the object without commit() removes the temporary,
// so a failed or cancelled job never leaves a half-written file.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace kdw {

class AtomicFile {
 public:
  /// Opens "<path>.tmp-<pid>" for writing; creates the parent folder. Throws kdw::Error.
  explicit AtomicFile(std::filesystem::path path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Appends bytes; throws kdw::Error naming the target file on failure (e.g. a full disk).
  void write(const void* data, std::size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  /// Flushes, syncs and renames the temporary onto the target.
  void commit();

  const std::filesystem::path& path() const { return path_; }

 private:
  void fail(const std::string& what, int err);

  std::filesystem::path path_;
  std::filesystem::path temp_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

/// Writes a whole file atomically.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// A folder built under "<dir>.tmp-<pid>" and swapped in by commit(), replacing any previous
/// folder of that name only once the new one is complete.
class AtomicDirectory {
 public:
  explicit AtomicDirectory(std::filesystem::path dir);
  ~AtomicDirectory();
  AtomicDirectory(const AtomicDirectory&) = delete;
  AtomicDirectory& operator=(const AtomicDirectory&) = delete;

  /// Where to write the folder's files before commit().
  const std::filesystem::path& staging() const { return staging_; }
  const std::filesystem::path& target() const { return target_; }
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path staging_;
  bool committed_ = false;
};

/// Reads a whole file; throws kdw::Error "<path>: cannot read: <reason>" (or "is a folder, not a
/// file").
std::string read_file(const std::filesystem::path& path);

}  // namespace kdw
