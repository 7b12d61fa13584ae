#include "student/run_folder.h"

#include <algorithm>
#include <system_error>

#include "core/error.h"
#include "core/json_read.h"
#include "core/printable.h"

namespace kdw {
namespace fs = std::filesystem;

std::string RunFolder::model_name(StudentType type) {
  return kModelPrefix + student_type_name(type) + kModelSuffix;
}

std::string RunFolder::cut_model_name(StudentType type) {
  return kCutModelPrefix + student_type_name(type) + kModelSuffix;
}

std::optional<StudentType> RunFolder::type_of_model_name(const std::string& file_name) {
  for (const StudentType t : {StudentType::kStackLSTM, StudentType::kStackBiLSTM})
    if (file_name == model_name(t) || file_name == cut_model_name(t)) return t;
  return std::nullopt;
}

std::vector<fs::path> RunFolder::models() const {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.rfind(kModelPrefix, 0) == 0 &&
        e.path().extension() == kModelSuffix)
      found.push_back(e.path());
  }
  if (ec) throw file_error(dir_, "cannot list: " + ec.message());
  std::sort(found.begin(), found.end());
  return found;
}

fs::path RunFolder::find_model(std::optional<StudentType> type) const {
  std::error_code ec;
  if (!fs::is_directory(dir_, ec)) throw file_error(dir_, "no such run folder");
  if (type) {
    const fs::path p = model_file(*type);
    if (!fs::is_regular_file(p, ec))
      throw file_error(dir_, "no " + p.filename().string() + " in this run folder");
    return p;
  }
  const std::vector<fs::path> found = models();
  if (found.empty())
    throw file_error(dir_, std::string("no ") + kModelPrefix + "*" + kModelSuffix +
                               " in this run folder (train one with kdw distill)");
  if (found.size() > 1) {
    std::string names;
    for (const auto& p : found) names += (names.empty() ? "" : ", ") + p.filename().string();
    throw file_error(dir_, "several models (" + names + "): choose one by its model_type");
  }
  return found.front();
}

nlohmann::json RunFolder::read_config() const {
  std::error_code ec;
  if (!fs::exists(config_file(), ec)) return nlohmann::json::object();
  nlohmann::json j = read_json_file(config_file());
  if (!j.is_object()) throw file_error(config_file(), "is not a JSON object");
  return j;
}

std::optional<StudentArch> RunFolder::read_arch() const {
  std::error_code ec;
  for (const fs::path& file : {config_file(), result_file()}) {
    if (!fs::exists(file, ec)) continue;
    const nlohmann::json j = read_json_file(file);
    if (!j.is_object()) throw file_error(file, "is not a JSON object");
    const auto arch = j.find("arch");
    if (arch == j.end() || arch->is_null()) continue;
    try {
      return StudentArch::from_json(*arch);
    } catch (const Error& e) {
      throw file_error(file, "field arch: " + printable(e.what(), 200));
    }
  }
  if (!fs::is_directory(dir_, ec)) return std::nullopt;
  const std::vector<fs::path> found = models();
  if (found.size() == 1) return read_student_arch(found.front());
  return std::nullopt;
}

}  // namespace kdw
