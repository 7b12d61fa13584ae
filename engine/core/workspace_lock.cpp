#include "core/workspace_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <map>
#include <mutex>
#include <system_error>

#include "core/commit.h"
#include "core/error.h"
#include "core/workspace.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

struct Held {
  pid_t pid = 0;  // a forked child inherits the registry, not the lock
  int fd = -1;
  WorkspaceLock::Mode mode;
  int count = 0;
};

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, Held>& registry() {
  static std::map<std::string, Held> held;
  return held;
}

std::string holder_line(const std::string& verb) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
  return "kdw " + verb + " (pid " + std::to_string(::getpid()) + ") since " + when;
}

std::string read_holder(int fd) {
  char buf[256];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';  // the file is ours, but not trusted
  return text.empty() ? std::string("another kdw process") : text;
}

void write_holder(int fd, const std::string& line) {
  if (::ftruncate(fd, 0) != 0) return;  // the lock itself holds; the name is a courtesy
  const std::string text = line + "\n";
  [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
}

}  // namespace

WorkspaceLock::WorkspaceLock(const fs::path& root, const std::string& verb, Mode mode,
                             bool create) {
  std::error_code ec;
  if (create) {
    fs::create_directories(root, ec);
    if (ec) throw file_error(root, "cannot create folder: " + ec.message());
  }
  if (!fs::is_directory(root, ec)) return;
  const fs::path canonical = fs::weakly_canonical(root, ec);
  const std::string key = (ec ? fs::absolute(root) : canonical).string();

  std::lock_guard<std::mutex> guard(registry_mutex());
  auto found = registry().find(key);
  if (found != registry().end() && found->second.pid != ::getpid()) {
    registry().erase(found);  // the parent's (its fd is closed on exec or left to the parent)
    found = registry().end();
  }
  if (found != registry().end()) {
    if (mode == Mode::kExclusive && found->second.mode == Mode::kShared)
      throw file_error(root, "in use by a shared job of this process; retry when it ends");
    ++found->second.count;
    key_ = key;
    return;
  }

  const fs::path file = fs::path(key) / ".kdw.lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    if (mode == Mode::kShared && (err == EROFS || err == EACCES)) return;  // read-only data
    throw file_error(file, "cannot create lock file: " + errno_text(err));
  }
  auto busy = [&]() -> Error {
    const std::string holder = read_holder(fd);
    ::close(fd);
    return file_error(root, "in use by " + holder + "; wait for it to finish");
  };
  // Exclusive first, even for a shared lock: whoever can, repairs what a killed writer left.
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    try {
      recover_workspace(key);
    } catch (...) {
      ::close(fd);
      throw;
    }
    if (mode == Mode::kShared && ::flock(fd, LOCK_SH | LOCK_NB) != 0) throw busy();
  } else if (mode == Mode::kExclusive || ::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    throw busy();
  }
  write_holder(fd, holder_line(verb));
  registry()[key] = Held{::getpid(), fd, mode, 1};
  key_ = key;
}

WorkspaceLock::~WorkspaceLock() {
  if (key_.empty()) return;
  std::lock_guard<std::mutex> guard(registry_mutex());
  auto found = registry().find(key_);
  if (found == registry().end() || --found->second.count > 0) return;
  ::close(found->second.fd);  // releases the flock
  registry().erase(found);
}

void recover_workspace(const fs::path& root) {
  const Workspace ws{root};
  for (const fs::path& dir : {ws.root, ws.data_dir(), ws.bert_dir(), ws.finetune_dir()})
    recover_commits(dir);
  for (const fs::path& run : list_run_folders(root)) recover_commits(run);
}

}  // namespace kdw
