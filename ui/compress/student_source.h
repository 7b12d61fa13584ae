// The compress panel's bridge to the engine: reads a student into plain matrices and norms
// (no torch in the widgets), and the cut / evaluate / export jobs. Everything here may run on a
// worker thread; it only touches its arguments.
#pragma once

#include <QString>

#include <filesystem>
#include <memory>
#include <vector>

#include <nlohmann/json.hpp>

#include "compress/compress_run.h"
#include "compress/cut_report.h"
#include "student/reports.h"
#include "ui/compress/heatmap_view.h"
#include "ui/compress/unit_selection.h"

namespace kdw {
class JobContext;
}

/// Which part of the student a matrix is (decides which picks highlight which rows/columns).
struct MatrixInfo {
  enum class Kind { Embedding, InputHidden, HiddenHidden, Classifier } kind = Kind::Embedding;
  int layer = 0;
  int direction = 0;
  std::shared_ptr<const HeatmapMatrix> matrix;
};

struct LoadedStudent {
  std::filesystem::path model_file;
  std::string model_type;  ///< "stack_LSTM" / "stack_biLSTM"
  ArchSizes sizes;
  std::vector<MatrixInfo> matrices;
  std::vector<UnitGroup> groups;
};

/// Reads a student saved by save_student. Throws kdw::Error naming the file.
std::shared_ptr<LoadedStudent> loadStudentForView(const std::filesystem::path& model_file);

/// Row / column flags of `info`'s matrix for the units picked in `selection`.
void highlightFor(const MatrixInfo& info, const ArchSizes& sizes, const UnitSelection& selection,
                  std::vector<char>& rows, std::vector<char>& cols);

/// Which hidden unit each row and column of `info`'s matrix stands for (what a click on the
/// heatmap picks): a unit owns its row in each of the four gate blocks of its layer's weight_ih
/// and weight_hh, its column of weight_hh, and its column in the next layer's weight_ih or in
/// the classifier.
void unitAxesFor(const MatrixInfo& info, const ArchSizes& sizes, const UnitSelection& selection,
                 UnitAxis& rows, UnitAxis& cols);

struct CutRequest {
  /// The panel's form values (compress option table: show_weight, batch_size); the run folder,
  /// model type, picks, data and device are set from the fields below and the preferences.
  kdw::CompressOptions options;
  std::filesystem::path model_file;  ///< <run>/model_distill_<type>.pt
  /// removed[l][d]: units to remove (what the panel's selection picked, at least one kept).
  std::vector<std::array<std::vector<int64_t>, 2>> removed;
  /// Data folder (or workspace) to evaluate on; empty: no evaluation.
  std::filesystem::path data_path;
};

/// The units to remove per (layer, direction) for `selection` (keeps one unit per group).
std::vector<std::array<std::vector<int64_t>, 2>> removedUnits(const UnitSelection& selection,
                                                              const ArchSizes& sizes);

/// Cuts the picked units out through the engine's compress_run: writes cut_model_distill_<type>.pt
/// and cut_report.json next to the model and evaluates both models on dev and test when
/// data_path is set. Returns the cut report.
kdw::CutReport cutAndEvaluate(const CutRequest& request, kdw::JobContext& job);

/// Exports a model folder (the engine function behind `kdw export`).
nlohmann::json exportModel(const std::filesystem::path& model_file,
                           const std::filesystem::path& output_dir);

/// Evaluates a saved student on dev and test of `data_path` (engine: evaluate_student).
kdw::EvaluateReport evaluateModel(const std::filesystem::path& model_file,
                                  const std::filesystem::path& data_path, kdw::JobContext& job);
