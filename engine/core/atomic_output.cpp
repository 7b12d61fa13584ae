#include "core/atomic_output.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/commit.h"
#include "core/error.h"
#include "core/fault.h"
#include "core/remove_tree.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

fs::path temp_name(const fs::path& target) {
  return fs::path(target.string() + ".tmp-" + std::to_string(::getpid()));
}

void ensure_parent(const fs::path& path) {
  const fs::path parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw file_error(parent, "cannot create folder: " + ec.message());
}

}  // namespace

AtomicFile::AtomicFile(fs::path path) : path_(std::move(path)), temp_(temp_name(path_)) {
  fault_point();
  ensure_parent(path_);
  file_ = std::fopen(temp_.c_str(), "wb");
  if (!file_) throw file_error(path_, "cannot write: " + errno_text(errno));
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
}

void AtomicFile::fail(const std::string& what, int err) {
  if (file_) std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  fs::remove(temp_, ec);
  throw file_error(path_, what + ": " + errno_text(err));
}

void AtomicFile::write(const void* data, std::size_t size) {
  if (!file_) throw file_error(path_, "write after commit");
  if (size && std::fwrite(data, 1, size, file_) != size) fail("write failed", errno);
}

void AtomicFile::commit() {
  if (!file_) throw file_error(path_, "committed twice");
  if (std::fflush(file_) != 0) fail("write failed", errno);
  if (::fsync(::fileno(file_)) != 0 && errno != EINVAL) fail("write failed", errno);
  std::FILE* f = file_;
  file_ = nullptr;
  if (std::fclose(f) != 0) fail("write failed", errno);
  fault_point();
  std::error_code ec;
  fs::rename(temp_, path_, ec);
  if (ec) {
    fs::remove(temp_, ec);
    throw file_error(path_, "cannot rename into place: " + ec.message());
  }
  committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  AtomicFile file(path);
  file.write(content);
  file.commit();
}

AtomicDirectory::AtomicDirectory(fs::path dir)
    : target_(std::move(dir)), staging_(temp_name(target_)) {
  std::error_code ec;
  remove_tree(staging_, ec);
  fs::create_directories(staging_, ec);
  if (ec) throw file_error(target_, "cannot create folder: " + ec.message());
}

AtomicDirectory::~AtomicDirectory() {
  if (!committed_) {
    std::error_code ec;
    remove_tree(staging_, ec);
  }
}

void AtomicDirectory::commit() {
  // A one-entry Commit (core/commit.h): a kill between moving the old folder aside and the new
  // one in is completed by the next run instead of leaving no folder at all.
  const fs::path target = target_.has_filename() ? target_ : target_.parent_path();
  Commit swap(target.parent_path());
  swap.adopt(target.filename().string());
  swap.commit();
  committed_ = true;
}

std::string read_file(const fs::path& path) {
  // An ifstream opens a folder on Linux and reads nothing: say what is wrong instead of letting a
  // reader report an empty or truncated file.
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw file_error(path, "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (!fs::exists(path)) throw file_error(path, "no such file");
    throw file_error(path, "cannot read: " + errno_text(err));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw file_error(path, "read failed");
  return buffer.str();
}

}  // namespace kdw
