// Several outputs of one folder replaced as one step, even across a kill -9 (see
// docs/reliability.md, "Workspace safety").
//
// Each output is first written in full under "<name>.tmp-<pid>" next to its target. commit()
// then writes a journal ".kdw-commit-<pid>-<n>.json" naming every (staged, target, old) triple:
// once the journal exists the commit is decided. It moves each target aside to
// "<name>.old-<pid>", each staged output onto its target, deletes the journal and finally the old
// copies. A process killed before the journal leaves only staged leftovers (the old outputs are
// untouched: rolled back); one killed after it leaves a journal that recover_commits(), run by the
// next writer under the workspace lock, completes (rolled forward). Either way no reader ever
// sees a mix of old and new outputs once recovery ran.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace kdw {

class Commit {
 public:
  /// All targets are entries of `dir` (created when missing); the journal lives there too.
  explicit Commit(std::filesystem::path dir);
  /// Removes what was staged unless committed.
  ~Commit();
  Commit(const Commit&) = delete;
  Commit& operator=(const Commit&) = delete;

  /// An empty folder "<dir>/<name>.tmp-<pid>" that replaces "<dir>/<name>" at commit().
  std::filesystem::path stage_dir(const std::string& name);
  /// The path "<dir>/<name>.tmp-<pid>" of a file the caller writes; replaces "<dir>/<name>".
  std::filesystem::path stage_file(const std::string& name);
  /// "<dir>/<name>.tmp-<pid>", already written by the caller, replaces "<dir>/<name>".
  void adopt(const std::string& name) { entries_.push_back({name, true}); }
  /// "<dir>/<name>" (file or folder) goes away at commit().
  void remove(const std::string& name);
  void commit();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Entry {
    std::string name;
    bool staged = false;  // false: a removal
  };
  std::filesystem::path dir_;
  std::vector<Entry> entries_;
  bool committed_ = false;
};

/// Completes the journals that processes no longer alive left in `dir` (roll forward), then
/// removes leftovers "*.tmp-<pid>" / "*.old-<pid>" of processes no longer alive. Throws
/// kdw::Error naming the folder when a journal cannot be completed.
void recover_commits(const std::filesystem::path& dir);

/// Removes a folder so that a kill leaves either all of it or only a leftover
/// "<dir>.old-<pid>" that recover_commits() removes later.
void remove_dir_atomic(const std::filesystem::path& dir);

/// Moves `target` (a file or folder) aside to "<name>-kept-<YYYYMMDD-HHMMSS>" next to it ("-2",
/// "-3"... added when taken) with one rename, so that a new output can take its place while the
/// old one is kept, never deleted; returns the new path. The name does not end in ".old-<pid>"
/// or ".tmp-<pid>", so recover_commits() leaves it alone. Throws kdw::Error naming the target.
std::filesystem::path keep_aside(const std::filesystem::path& target);

/// True for a process that exists (ours included).
bool process_alive(long pid);

}  // namespace kdw
