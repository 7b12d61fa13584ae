#include "core/commit.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <regex>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/remove_tree.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

std::string pid_text() {
  return std::to_string(::getpid());
}
std::string staged_name(const std::string& name) {
  return name + ".tmp-" + pid_text();
}
std::string old_name(const std::string& name) {
  return name + ".old-" + pid_text();
}

// Exists as a file, folder or link (a dangling link counts: it is still in the way of a rename).
bool present(const fs::path& p) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(p, ec));
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  fault_point();
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec)
    throw file_error(to,
                     "cannot move " + from.filename().string() + " into place: " + ec.message());
}

// Makes renames in `dir` durable: without it a power cut may forget a completed commit.
void sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

const std::regex& journal_pattern() {
  static const std::regex pattern(R"(\.kdw-commit-(\d{1,9})-\d{1,9}\.json)");
  return pattern;
}

const std::regex& leftover_pattern() {
  static const std::regex pattern(R"(.+\.(tmp|old)-(\d{1,9}))");
  return pattern;
}

// Rolls one journal forward; every step checks what is on disk, so a second kill during
// recovery is recovered again by the next run.
void complete_journal(const fs::path& dir, const fs::path& journal) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(journal));
  } catch (const nlohmann::json::exception&) {
    // Journals are written atomically, so this one was never part of a commit.
    std::error_code ec;
    fs::remove(journal, ec);
    return;
  }
  for (const auto& e : j.at("entries")) {
    const fs::path target = dir / e.at("name").get<std::string>();
    const fs::path old = dir / e.at("old").get<std::string>();
    const bool staged = !e.at("staged").is_null();
    if (staged && present(dir / e.at("staged").get<std::string>())) {
      if (present(target)) {
        if (present(old))
          throw file_error(dir, "an interrupted commit cannot be completed: both " +
                                    target.filename().string() + " and " + old.filename().string() +
                                    " exist; keep one and remove " + journal.filename().string());
        rename_or_throw(target, old);
      }
      rename_or_throw(dir / e.at("staged").get<std::string>(), target);
    } else if (!staged && present(target) && !present(old)) {
      rename_or_throw(target, old);
    }
  }
  fault_point();
  fs::remove(journal);
  sync_dir(dir);
  for (const auto& e : j.at("entries")) {
    fault_point();
    std::error_code ec;
    remove_tree(dir / e.at("old").get<std::string>(), ec);
  }
  log::info("{}: completed a commit interrupted by the end of process {}", dir.string(),
            j.value("pid", 0L));
}

}  // namespace

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

Commit::Commit(fs::path dir) : dir_(std::move(dir)) {
  if (dir_.empty()) dir_ = ".";
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw file_error(dir_, "cannot create folder: " + ec.message());
}

Commit::~Commit() {
  if (committed_) return;
  for (const Entry& e : entries_) {
    if (!e.staged) continue;
    std::error_code ec;
    remove_tree(dir_ / staged_name(e.name), ec);
  }
}

fs::path Commit::stage_dir(const std::string& name) {
  const fs::path staging = dir_ / staged_name(name);
  std::error_code ec;
  remove_tree(staging, ec);  // a leftover of an earlier process with our pid
  entries_.push_back({name, true});
  fs::create_directory(staging, ec);
  if (ec) throw file_error(dir_ / name, "cannot create folder: " + ec.message());
  return staging;
}

fs::path Commit::stage_file(const std::string& name) {
  entries_.push_back({name, true});
  return dir_ / staged_name(name);
}

void Commit::remove(const std::string& name) {
  entries_.push_back({name, false});
}

void Commit::commit() {
  if (committed_) throw file_error(dir_, "committed twice");
  static std::atomic<int> serial{0};
  nlohmann::json entries = nlohmann::json::array();
  for (const Entry& e : entries_) {
    if (e.staged && !present(dir_ / staged_name(e.name)))
      throw file_error(dir_ / e.name, "nothing was written");
    // A file never replaces a folder (nor a folder a file): that folder is not ours to drop.
    std::error_code kind_ec;
    if (e.staged && fs::exists(dir_ / e.name, kind_ec) &&
        fs::is_directory(dir_ / e.name, kind_ec) !=
            fs::is_directory(dir_ / staged_name(e.name), kind_ec))
      throw file_error(dir_ / e.name, fs::is_directory(dir_ / e.name, kind_ec)
                                          ? "is a folder, not a file; not replaced"
                                          : "is a file, not a folder; not replaced");
    std::error_code ec;
    remove_tree(dir_ / old_name(e.name), ec);
    entries.push_back({{"name", e.name},
                       {"staged", e.staged ? nlohmann::json(staged_name(e.name)) : nullptr},
                       {"old", old_name(e.name)}});
  }
  const fs::path journal =
      dir_ / (".kdw-commit-" + pid_text() + "-" + std::to_string(serial++) + ".json");
  write_file_atomic(journal, nlohmann::json{{"pid", ::getpid()}, {"entries", entries}}.dump(1));
  sync_dir(dir_);
  // From here on the commit is decided: a kill is completed by recover_commits().
  try {
    for (const Entry& e : entries_) {
      const fs::path target = dir_ / e.name;
      if (present(target)) rename_or_throw(target, dir_ / old_name(e.name));
      if (e.staged) rename_or_throw(dir_ / staged_name(e.name), target);
    }
  } catch (const Error&) {
    // Put back what we moved (a full disk or a permission change); the staged copies are
    // removed by the destructor.
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
      const fs::path target = dir_ / it->name, old = dir_ / old_name(it->name);
      std::error_code ec;
      if (it->staged && present(target) && !present(dir_ / staged_name(it->name)))
        fs::rename(target, dir_ / staged_name(it->name), ec);
      if (present(old) && !present(target)) fs::rename(old, target, ec);
    }
    std::error_code ec;
    fs::remove(journal, ec);
    throw;
  }
  fault_point();
  std::error_code ec;
  fs::remove(journal, ec);
  sync_dir(dir_);
  committed_ = true;
  for (const Entry& e : entries_) {
    fault_point();
    remove_tree(dir_ / old_name(e.name), ec);
  }
}

void recover_commits(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  std::vector<fs::path> journals, leftovers;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, journal_pattern())) {
      const long pid = std::stol(m[1].str());
      if (!process_alive(pid)) journals.push_back(entry.path());
    }
  }
  for (const fs::path& journal : journals) complete_journal(dir, journal);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (std::regex_match(name, m, leftover_pattern()) && !process_alive(std::stol(m[2].str())))
      leftovers.push_back(entry.path());
  }
  for (const fs::path& p : leftovers) {
    fault_point();
    remove_tree(p, ec);
    if (!ec) log::debug("removed {}, left by a process that ended", p.string());
  }
}

void remove_dir_atomic(const fs::path& dir) {
  if (!present(dir)) return;
  const fs::path old(dir.string() + ".old-" + pid_text());
  std::error_code ec;
  remove_tree(old, ec);
  rename_or_throw(dir, old);
  fault_point();
  remove_tree(old, ec);
}

fs::path keep_aside(const fs::path& target) {
  if (!present(target)) throw file_error(target, "nothing to keep: no such file or folder");
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
  // A file keeps its extension ("model_cut-kept-20261126-183000.pt"), so it still opens as one.
  const bool folder = fs::is_directory(target);
  const std::string ext = folder ? std::string() : target.extension().string();
  const std::string base = (folder ? target.filename() : target.stem()).string() + "-kept-" + stamp;
  fs::path kept = target.parent_path() / (base + ext);
  for (int n = 2; present(kept); ++n)
    kept = target.parent_path() / (base + "-" + std::to_string(n) + ext);
  std::error_code ec;
  fs::rename(target, kept, ec);
  if (ec)
    throw file_error(target, "cannot rename to " + kept.filename().string() + ": " + ec.message());
  sync_dir(target.parent_path());
  log::info("kept {} as {}", target.string(), kept.string());
  return kept;
}

}  // namespace kdw
