// What `kdw compress` (and the GUI's compression page) does with a run folder: find its model,
// draw its weights and component norms, choose components, cut them out, save and report.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compress/heatmap.h"
#include "compress/selection.h"
#include "core/job.h"
#include "student/student_model.h"

namespace kdw {

/// RUN_DIR/model_distill_<type>.pt. Without a type: the only model_distill_*.pt there.
/// Errors (naming the folder): no such folder, no model, several models and no type given.
std::filesystem::path find_run_model(const std::filesystem::path& run_dir,
                                     std::optional<StudentType> type);
/// RUN_DIR/cut_model_distill_<type>.pt
std::filesystem::path cut_model_path(const std::filesystem::path& run_dir, StudentType type);

/// How to choose components: exactly one of the three, or none (nothing chosen).
struct ComponentChoice {
  std::optional<double> threshold;
  std::optional<int64_t> keep;
  std::filesystem::path components_file;
  bool any() const { return threshold || keep || !components_file.empty(); }
};

Selection choose_components(const StudentModelImpl& model, const std::vector<ComponentNorms>& norms,
                            const ComponentChoice& choice);

/// The norm bar-chart panels, marked with the threshold / kept counts of `selection`.
std::vector<NormPanel> norm_panels(const std::vector<ComponentNorms>& norms,
                                   const std::optional<Selection>& selection,
                                   std::optional<double> threshold);

/// Writes weight_*.png and component_norms.png into `dir`; returns the files written.
std::vector<std::filesystem::path> write_weight_pictures(const StudentModelImpl& model,
                                                         const std::vector<NormPanel>& panels,
                                                         const std::filesystem::path& dir,
                                                         JobContext& job);

/// The defaults, ranges and help of the fields are in compress_option_table()
/// (compress/compress_options.cpp).
struct CompressOptions {
  CompressOptions();  ///< every field at its table default

  std::filesystem::path run_dir;
  std::optional<StudentType> model_type;
  bool show_weight;
  bool cut_model;
  ComponentChoice choice;
  std::filesystem::path data_path;  ///< evaluate before/after the cut when set
  int batch_size;
  std::string device;  ///< where the evaluation runs: "cpu" or "cuda"
};

struct CompressResult {
  std::filesystem::path model_file;
  std::vector<std::filesystem::path> pictures;
  std::filesystem::path cut_model_file;  ///< empty without cut_model
  std::filesystem::path report_file;
  /// Always: "norms" (per layer/direction count/min/median/max, units alive at the threshold);
  /// with cut_model: the cut report (see cut_report) plus "evaluation" with data_path.
  nlohmann::json report;
};

CompressResult compress_run(const CompressOptions& options, JobContext& job);

}  // namespace kdw
