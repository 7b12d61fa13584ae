// A distillation run's folder (docs/formats.md, "Run folder"): the one place that spells its file
// names, and the reading of its parts. Written by run_distill (config.json, metrics.jsonl,
// result.json, model_distill_<type>.pt) and compress_run (weight_*.png, component_norms.png,
// cut_model_distill_<type>.pt, cut_report.json); read by the CLI, the GUI panels and the Runs
// browser.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "student/student_model.h"

namespace kdw {

class RunFolder {
 public:
  static constexpr const char* kConfig = "config.json";
  static constexpr const char* kMetrics = "metrics.jsonl";
  static constexpr const char* kResult = "result.json";
  /// An unfinished run's checkpoint (a folder; distill_checkpoint.h), removed when it ends.
  static constexpr const char* kCheckpoint = "checkpoint";
  static constexpr const char* kCutReport = "cut_report.json";
  static constexpr const char* kNormsPicture = "component_norms.png";
  /// Weight pictures: weight_<stem>.png.
  static constexpr const char* kWeightPicturePrefix = "weight_";
  static constexpr const char* kModelPrefix = "model_distill_";
  static constexpr const char* kCutModelPrefix = "cut_model_distill_";
  static constexpr const char* kModelSuffix = ".pt";

  explicit RunFolder(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& dir() const { return dir_; }

  /// "model_distill_<type>.pt" / "cut_model_distill_<type>.pt".
  static std::string model_name(StudentType type);
  static std::string cut_model_name(StudentType type);
  /// The type named by a model_distill_<type>.pt or cut_model_distill_<type>.pt file name;
  /// nullopt for any other name.
  static std::optional<StudentType> type_of_model_name(const std::string& file_name);

  std::filesystem::path config_file() const { return dir_ / kConfig; }
  std::filesystem::path metrics_file() const { return dir_ / kMetrics; }
  std::filesystem::path result_file() const { return dir_ / kResult; }
  std::filesystem::path checkpoint_dir() const { return dir_ / kCheckpoint; }
  std::filesystem::path cut_report_file() const { return dir_ / kCutReport; }
  std::filesystem::path norms_picture() const { return dir_ / kNormsPicture; }
  std::filesystem::path model_file(StudentType type) const { return dir_ / model_name(type); }
  std::filesystem::path cut_model_file(StudentType type) const {
    return dir_ / cut_model_name(type);
  }

  /// The model_distill_<type>.pt files present, by name.
  std::vector<std::filesystem::path> models() const;
  /// model_file(*type) when given, else the only model there. Errors (naming the folder): no such
  /// folder, no model, several models and no type given.
  std::filesystem::path find_model(std::optional<StudentType> type) const;

  /// config.json as written by run_distill; an empty object when the run has none (a hand-made
  /// or older run). A file that is not a JSON object is an Error naming it.
  nlohmann::json read_config() const;

  /// The shape of the model the run trained (StudentArch::to_json, the field "arch"), which is
  /// the run's shape also when config.json's option fields say another (a restored model keeps
  /// its own): config.json's, else result.json's, else, for a hand-made or older run, the only
  /// model file's header. nullopt when none says it. A recorded shape that does not read is an
  /// Error naming its file.
  std::optional<StudentArch> read_arch() const;

 private:
  std::filesystem::path dir_;
};

}  // namespace kdw
