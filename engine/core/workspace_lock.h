// One writer per workspace (see docs/reliability.md, "Workspace safety").
//
// An advisory lock (flock) on "<root>/.kdw.lock", released by the kernel when the holder ends,
// however it ends. The file names the holder ("kdw prepare (pid 1234) since ..."), so a second
// writer fails at once with a line saying who. Verbs that replace workspace stages (prepare,
// finetune, logits) lock exclusively; distill, which only reads the stages and writes a new run
// folder, locks shared (several distillations may run side by side, no stage changes under
// them). Whoever first gets the lock exclusively completes or removes what a killed writer left
// (recover_workspace). Within one process the lock is re-entrant, so a GUI job that calls
// several verbs takes it once.
#pragma once

#include <filesystem>
#include <string>

namespace kdw {

class WorkspaceLock {
 public:
  enum class Mode { kExclusive, kShared };

  /// Locks `root` for `verb` ("prepare"); throws kdw::Error "<root>: in use by kdw prepare (pid
  /// 1234) since 2026-06-01 12:00:00" when another process holds it. `create`: make `root`
  /// first (prepare starts a workspace); otherwise a missing root is not locked (the verb reports
  /// it). A read-only root is not locked in shared mode.
  WorkspaceLock(const std::filesystem::path& root, const std::string& verb,
                Mode mode = Mode::kExclusive, bool create = false);
  ~WorkspaceLock();
  WorkspaceLock(const WorkspaceLock&) = delete;
  WorkspaceLock& operator=(const WorkspaceLock&) = delete;

 private:
  std::string key_;  // empty: nothing held
};

/// Completes interrupted commits and removes leftovers of ended processes in the workspace's
/// stage folders (root, files/data, files/bert, files/bert/rubert_finetune) and its run folders.
/// Called with the lock held exclusively.
void recover_workspace(const std::filesystem::path& root);

}  // namespace kdw
