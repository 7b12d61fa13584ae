// What `kdw compress` (and the GUI's compression page) does with a run folder: find its model,
// draw its weights and component norms, choose components, cut them out, save and report.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compress/cut_report.h"
#include "compress/heatmap.h"
#include "compress/selection.h"
#include "core/job.h"
#include "student/student_model.h"

namespace kdw {

/// How to choose components: at most one of these. None given: nothing is chosen for the
/// pictures, and a cut removes what the run's ISS training zeroed (select_trained_zeros with
/// the iss_threshold of the run's config.json).
struct ComponentChoice {
  std::optional<double> threshold;
  std::optional<int64_t> keep;
  std::filesystem::path components_file;
  /// Units picked by hand (the GUI's Cut & Evaluate); reported like a components file.
  std::optional<Selection> picked;
  bool any() const { return threshold || keep || !components_file.empty() || picked; }
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
  /// Per layer/direction: units, min, median, max of the component norms.
  nlohmann::json norms;
  std::filesystem::path cut_model_file;  ///< empty without cut_model
  std::filesystem::path report_file;
  /// With cut_model: what cut_report.json holds.
  std::optional<CutReport> report;
};

/// Every cut of a run goes through here (CLI and GUI): the same picks give byte-identical cut
/// models and reports. Writes under the run folder's lock, cut model and report in one commit.
CompressResult compress_run(const CompressOptions& options, JobContext& job);

}  // namespace kdw
