#include "compress/export_folder.h"

#include <algorithm>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {

std::string marker_text(const std::vector<std::string>& files) {
  return nlohmann::json{{"format", "kdw-export"}, {"files", files}}.dump(2) + "\n";
}

// A name export could have written: a plain file name in the folder, never a path.
bool plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name != kExportMarker &&
         name.find('/') == std::string::npos && name.find('\0') == std::string::npos;
}

std::vector<std::string> read_marker(const fs::path& dir) {
  const fs::path marker = dir / kExportMarker;
  std::vector<std::string> files;
  try {
    const auto j = nlohmann::json::parse(read_file(marker));
    if (j.value("format", "") != "kdw-export") throw std::runtime_error("format");
    for (const auto& f : j.at("files")) {
      if (!plain_name(f.get<std::string>())) throw std::runtime_error("name");
      files.push_back(f.get<std::string>());
    }
  } catch (const std::exception&) {
    throw file_error(marker, "not a kdw export marker; give a new or empty folder");
  }
  return files;
}

}  // namespace

ExportFolder::ExportFolder(fs::path dir) : dir_(std::move(dir)) {
  if (!dir_.has_filename()) dir_ = dir_.parent_path();  // "out/" is "out"
  if (dir_.empty()) dir_ = ".";
  std::error_code ec;
  const fs::file_status status = fs::status(dir_, ec);
  if (!fs::exists(status)) return;  // a new folder
  if (!fs::is_directory(status)) throw file_error(dir_, "is a file, not a folder");
  if (fs::exists(dir_ / kExportMarker)) {
    previous_ = read_marker(dir_);
    return;
  }
  if (!fs::is_empty(dir_, ec) || ec)
    throw file_error(dir_,
                     "is not empty and was not made by kdw export: nothing written (give a new "
                     "or empty folder)");
}

void ExportFolder::begin() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw file_error(dir_, "cannot create folder: " + ec.message());
  // Marked first, so a folder left by a killed export is still recognised as ours.
  if (!fs::exists(dir_ / kExportMarker)) write_file_atomic(dir_ / kExportMarker, marker_text({}));
  recover_commits(dir_);
  commit_.emplace(dir_);
}

fs::path ExportFolder::stage(const std::string& name) {
  written_.push_back(name);
  return commit_->stage_file(name);
}

void ExportFolder::commit() {
  for (const std::string& name : previous_)
    if (std::find(written_.begin(), written_.end(), name) == written_.end()) commit_->remove(name);
  write_file_atomic(commit_->stage_file(kExportMarker), marker_text(written_));
  commit_->commit();
}

}  // namespace kdw
