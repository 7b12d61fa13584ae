#include "core/workspace.h"

#include <algorithm>
#include <ctime>
#include <regex>
#include <system_error>

#include "core/error.h"

namespace fs = std::filesystem;

namespace kdw {

fs::path resolve_data_dir(const fs::path& data_path) {
  const fs::path candidates[] = {data_path, data_path / "files" / "data", data_path / "data"};
  for (const fs::path& dir : candidates) {
    if (fs::is_directory(dir / "tokens")) return dir;
  }
  if (!fs::exists(data_path)) throw file_error(data_path, "no such folder");
  throw file_error(data_path,
                   "no prepared data here: expected tokens/ in it, in files/data/ (a workspace) "
                   "or in data/; run `kdw prepare` first");
}

std::string run_folder_name(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d___%H-%M-%S", &local);
  return buf;
}

bool is_run_folder_name(const std::string& name) {
  static const std::regex pattern(R"(\d{4}-\d{2}-\d{2}___\d{2}-\d{2}-\d{2}(_\d+)?)");
  return std::regex_match(name, pattern);
}

fs::path create_run_folder(const fs::path& parent, std::chrono::system_clock::time_point when) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw file_error(parent, "cannot create folder: " + ec.message());
  const std::string base = run_folder_name(when);
  for (int n = 1;; ++n) {
    const fs::path dir = parent / (n == 1 ? base : base + "_" + std::to_string(n));
    if (fs::create_directory(dir, ec)) return dir;
    if (ec) throw file_error(dir, "cannot create run folder: " + ec.message());
  }
}

std::vector<fs::path> list_run_folders(const fs::path& parent) {
  std::vector<fs::path> runs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    if (entry.is_directory() && is_run_folder_name(entry.path().filename().string()))
      runs.push_back(entry.path());
  }
  std::sort(runs.begin(), runs.end());
  return runs;
}

}  // namespace kdw
