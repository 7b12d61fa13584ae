// The Compress panel: pick a matrix of a run's student and look at it (HeatmapView), pick the
// hidden units to cut on the heatmap or the component strip (by hand, or by a threshold typed
// or set on a logarithmic slider), undo/redo the picks, watch the summary, then Cut & Evaluate
// (a JobRunner job), Export the cut model, or train the cut model on (a distillation job that
// the Distill panel follows; the new run is listed in Runs like any run).
#pragma once

#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

#include "ui/compress/pick_history.h"
#include "ui/compress/unit_selection.h"

class JobRunner;
class HeatmapView;
class OptionForm;
class QSettings;
class ComponentStrip;
class QAction;
class QComboBox;
class QCheckBox;
class QDoubleSpinBox;
class QScrollArea;
class QUndoStack;
class QLabel;
class QPushButton;
class QSlider;
struct RunInfo;
class QSpinBox;
class QTableWidget;
struct LoadedStudent;
namespace kdw {
struct CutReport;
}

class CompressPanel : public QWidget {
  Q_OBJECT

 public:
  CompressPanel(JobRunner* jobs, QWidget* parent = nullptr);
  ~CompressPanel() override;

  void setWorkspace(const QString& root);
  /// Loads the run folder's model (model_distill_<type>.pt). Errors are shown in the panel.
  void openRun(const QString& runDir);
  /// Loads a model file directly (used by openRun and the tests).
  bool openModel(const QString& modelFile);
  /// Back to "No run open" (a workspace without runs).
  void closeRun();

  /// The cut's options (compress option table's form options), under "compress/".
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

  /// The open run folder (empty when none is open).
  QString runDir() const { return run_dir_; }
  /// What the panel says about the open run's training when it limits the cut (a run trained
  /// without the group lasso); empty otherwise.
  QString trainingNote() const;

  // For tests and screenshots.
  HeatmapView* heatmap() const { return heatmap_; }
  ComponentStrip* strip() const { return strip_; }
  QSlider* thresholdSlider() const { return slider_; }
  QDoubleSpinBox* thresholdSpin() const { return threshold_spin_; }
  /// "12 of 512 units below" for the current threshold.
  QString thresholdCountText() const;
  QUndoStack* undoStack() const { return history_->stack(); }
  /// Undo / redo of the picks (Ctrl+Z, Ctrl+Shift+Z while the panel has the focus), enabled
  /// while there is a step to undo / redo; also in the main window's Edit menu.
  QAction* undoAction() const { return undo_; }
  QAction* redoAction() const { return redo_; }
  QScrollArea* stripScroll() const { return strip_scroll_; }
  QComboBox* matrixPicker() const { return matrix_box_; }
  QCheckBox* sortedCheck() const { return sorted_box_; }
  UnitSelection& selection() { return selection_; }
  ArchSizes sizesBefore() const;
  ArchSizes sizesAfter() const;
  QString summary() const;
  QString statusText() const;
  /// Submits the cut job; returns its id (0 when nothing is loaded).
  /// With `askFirst`, a previous cut model of the run is replaced only once the user agreed
  /// (confirmReplace); the screenshot tour, a script, replaces it without asking.
  int cutAndEvaluate(bool askFirst = true);
  /// Submits the export of the run's cut model into `dir`/cut_export (the Export… button asks
  /// for `dir`); returns the job id, 0 when no run is open.
  int exportCutTo(const QString& dir);
  /// Submits `kdw distill --restore_model_path <cut model> --epochs N` with the run's own
  /// training options and the lasso off (trainOnOptions) as a distillation job; returns its id,
  /// 0 when the open run has no cut model. N is the epochs field's value.
  int trainCutOn();
  QSpinBox* trainOnEpochs() const { return train_on_epochs_; }
  QPushButton* trainOnButton() const { return train_on_button_; }
  QTableWidget* resultsTable() const { return results_; }
  /// Threshold the slider value stands for: 0 at 0, then logarithmic from the smallest
  /// non-zero norm (1) to just above the largest (the top picks every unit).
  float thresholdForSlider(int value) const;
  /// The slider position nearest to `threshold`.
  int sliderForThreshold(float threshold) const;

 Q_SIGNALS:
  /// A cut job finished and its report is shown.
  void cutFinished(const QString& runDir);
  /// The cut model's training on was submitted as job `id` (a distillation job).
  void trainOnStarted(int id);
  /// The training note's link: train a student with the settings ready for compression.
  void compressionSettingsRequested();

 private:
  void showMatrix(int index);
  void showGroup(int group);
  void selectionChanged();
  void onSlider(int value);
  void onSpin(double value);
  /// Picks the units below `t` and shows `t` on the strip and the count.
  void applyThreshold(float t);
  /// The picks changed (any edit, undo or redo): the old cut's figures no longer apply.
  void picksEdited();
  PickState pickState() const;
  void restorePicks(const PickState& state);
  void exportCut();
  void showCutResult(const kdw::CutReport& report);
  /// The training note for the open run (hidden when there is nothing to say).
  void updateTrainingNote(const RunInfo& run);
  /// <run>/cut_model_distill_<type>.pt of the open model (empty when none is open).
  QString cutModelFile() const;
  /// The data the cut is evaluated on and trained on: the workspace (the run folder's parent when
  /// none is open) when it holds prepared data; empty otherwise.
  QString dataPath() const;

  JobRunner* jobs_;
  QString root_, run_dir_;
  std::shared_ptr<LoadedStudent> student_;
  UnitSelection selection_;
  int cut_job_ = 0;
  UnitSelection::Picks cut_picks_;  // what the running cut job cuts
  float threshold_ = 0.0f;
  PickHistory* history_ = nullptr;
  QAction* undo_ = nullptr;
  QAction* redo_ = nullptr;
  int export_job_ = 0;
  QString export_target_;
  int train_on_job_ = 0;

  QLabel* title_ = nullptr;
  QLabel* training_note_ = nullptr;
  QComboBox* matrix_box_ = nullptr;
  QComboBox* mode_box_ = nullptr;
  QComboBox* group_box_ = nullptr;
  QCheckBox* sorted_box_ = nullptr;
  HeatmapView* heatmap_ = nullptr;
  ComponentStrip* strip_ = nullptr;
  QSlider* slider_ = nullptr;
  QDoubleSpinBox* threshold_spin_ = nullptr;
  QLabel* threshold_label_ = nullptr;  // how many units the threshold picks
  QScrollArea* strip_scroll_ = nullptr;
  QLabel* summary_ = nullptr;
  QLabel* status_ = nullptr;
  QPushButton* cut_button_ = nullptr;
  QPushButton* export_button_ = nullptr;
  QSpinBox* train_on_epochs_ = nullptr;
  QPushButton* train_on_button_ = nullptr;
  QTableWidget* results_ = nullptr;
  QScrollArea* side_scroll_ = nullptr;   ///< the side column (fields, picks, the cut's table)
  std::unique_ptr<OptionForm> options_;  ///< the cut's options from the compress table
};
