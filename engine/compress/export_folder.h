// Where `kdw export` may write: a new folder, an empty one, or one that an earlier export made
// (it holds the marker ".kdw-export" listing the files that export wrote). Anything else (a
// workspace, a run folder, the current folder) is refused before anything is touched; a re-export
// into its own folder replaces only the files it wrote, in one commit (core/commit.h).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/commit.h"

namespace kdw {

inline constexpr const char* kExportMarker = ".kdw-export";

class ExportFolder {
 public:
  /// Checks `dir` and throws kdw::Error naming it when export may not write there.
  explicit ExportFolder(std::filesystem::path dir);

  /// Creates the folder, marks it as export's and completes an earlier export that was killed.
  void begin();
  /// The path to write file `name` to (after begin()).
  std::filesystem::path stage(const std::string& name);
  /// Replaces the previous export: files it wrote that this one does not write are removed.
  void commit();

 private:
  std::filesystem::path dir_;
  std::vector<std::string> previous_;  // the files the earlier export wrote
  std::vector<std::string> written_;
  std::optional<Commit> commit_;
};

}  // namespace kdw
