#include "bert/bert_copy.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

#include "core/error.h"
#include "core/fault.h"
#include "core/job.h"
#include "core/log.h"
#include "core/remove_tree.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

// Closes a file descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Copies `from` to `to` (a new file) in chunks, checking for a cancel between them. Errors name
// the source file for a read and `shown` (the file's place in the target folder) for a write.
void copy_file(const fs::path& from, const fs::path& to, const fs::path& shown, int64_t& done,
               int64_t total, JobContext& job) {
  Fd in{::open(from.c_str(), O_RDONLY | O_CLOEXEC)};
  if (in.fd < 0) throw file_error(from, "cannot read: " + errno_text(errno));
  Fd out{::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)};
  if (out.fd < 0) throw file_error(shown, "cannot write: " + errno_text(errno));
  std::vector<char> buffer(std::size_t(8) << 20);
  for (;;) {
    job.throw_if_cancelled();
    const ssize_t n = ::read(in.fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw file_error(from, "cannot read: " + errno_text(errno));
    }
    if (n == 0) break;
    for (ssize_t written = 0; written < n;) {
      const ssize_t w = ::write(out.fd, buffer.data() + written, std::size_t(n - written));
      if (w < 0) {
        if (errno == EINTR) continue;
        throw file_error(shown, "cannot write: " + errno_text(errno));
      }
      written += w;
    }
    done += n;
    fault_point();
    job.progress("copy", done, total, from.filename().string());
  }
  if (::fsync(out.fd) != 0 && errno != EINVAL)
    throw file_error(shown, "cannot write: " + errno_text(errno));
}

// rename() that never replaces: POSIX rename() would put a folder over an empty one.
void rename_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  const int err = errno;
  if (err == EEXIST || err == ENOTEMPTY)
    throw file_error(to, "already exists; choose another name");
  throw file_error(to, "cannot rename the copy into place: " + errno_text(err));
}

// Removes the staging folder unless the copy was renamed into place.
struct Staging {
  fs::path dir;
  bool done = false;
  ~Staging() {
    if (done) return;
    std::error_code ec;
    remove_tree(dir, ec);
  }
};

}  // namespace

BertCopyResult copy_bert_folder(const fs::path& source, const fs::path& target, JobContext& job) {
  const BertFolderInfo info = inspect_bert_folder(source);
  std::error_code ec;
  if (fs::exists(fs::symlink_status(target, ec)))
    throw file_error(target, "already exists; choose another name");
  std::vector<fs::path> files = {info.config_file, info.vocab_file};
  if (!info.weights_file.empty()) files.push_back(info.weights_file);
  int64_t total = 0;
  for (const fs::path& f : files) {
    const auto size = fs::file_size(f, ec);
    if (ec) throw file_error(f, "cannot read: " + ec.message());
    total += int64_t(size);
  }
  const fs::path parent = target.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, ec);
    if (ec) throw file_error(parent, "cannot create folder: " + ec.message());
  }
  Staging staging{fs::path(target.string() + ".tmp-" + std::to_string(::getpid()))};
  remove_tree(staging.dir, ec);  // a leftover of an earlier copy by this process
  fs::create_directory(staging.dir, ec);
  if (ec) throw file_error(target, "cannot create folder: " + ec.message());
  int64_t done = 0;
  job.progress("copy", 0, total);
  for (const fs::path& f : files)
    copy_file(f, staging.dir / f.filename(), target / f.filename(), done, total, job);
  job.throw_if_cancelled();
  rename_no_replace(staging.dir, target);
  staging.done = true;
  BertCopyResult result;
  result.folder = target;
  result.info = inspect_bert_folder(target);
  result.bytes = done;
  log::info("copied the {} BERT folder {} to {} ({} files, {} bytes)", info.layout, source.string(),
            target.string(), files.size(), done);
  return result;
}

BertCopyResult write_small_bert(const fs::path& source, const fs::path& target, JobContext& job) {
  const BertFolderInfo info = inspect_bert_folder(source);
  if (!info.weights_file.empty())
    throw file_error(source, "holds weights (" + info.weights_file.filename().string() +
                                 "): a small BERT from scratch starts from a config only");
  return copy_bert_folder(source, target, job);
}

}  // namespace kdw
