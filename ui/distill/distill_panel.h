// Distill panel: train a student on the teacher's logits (kdw::run_distill) with live curves of
// the loss and its parts, dev scores and alive ISS components, then open the run in Compress.
#pragma once

#include <QJsonObject>
#include <QWidget>

#include <memory>

#include "ui/common/form_settings.h"
#include "ui/distill/distill_presets.h"

class OptionForm;
namespace kdw {
struct DistillReport;
}

class JobRunner;
class LiveChart;
class QGroupBox;
class QLabel;
struct RunInfo;
class QProgressBar;
class QComboBox;
class QPushButton;
class QSettings;

class DistillPanel : public QWidget {
  Q_OBJECT

 public:
  DistillPanel(JobRunner* runner, QWidget* parent = nullptr);
  ~DistillPanel() override;
  void setWorkspace(const QString& root);
  /// Where new run folders go; empty (the default): the workspace root.
  void setOutputDir(const QString& dir) { output_dir_ = dir; }
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;
  /// Starts a run with the form's options (also the Start button).
  void start();
  int jobId() const { return job_; }
  QString lastRunDir() const { return run_dir_; }
  /// Shows a finished run's curves (metrics.jsonl) and results (result.json), and its settings
  /// (config.json) in the form; false when the folder holds neither curves nor results. Called
  /// by setWorkspace() for the newest run when no job is running.
  bool showRun(const QString& runDir);
  /// Shows an earlier run (as showRun) and makes it the run list's current item, so that it
  /// can be rerun or varied; also what picking it in the run list does. False as showRun.
  bool openRun(const QString& runDir);
  /// Fills the form with a preset's settings (the Settings choice); the student type and the
  /// paths stay as they are.
  void applyPreset(DistillPreset preset);
  /// The preset the form's values are, -1 when they are neither (the choice says "Custom").
  int currentPreset() const;
  /// Follows a distillation job that someone else queued (the demo, the Runs browser): its live
  /// curves, its run folder and Stop. Called for every job of kind JobRunner::kDistillKind
  /// that starts while the panel has none of its own.
  void followJob(int id);

  // For tests and screenshots.
  LiveChart* lossChart() const { return loss_; }
  LiveChart* devChart() const { return dev_; }
  LiveChart* aliveChart() const { return alive_; }
  QString resultText() const;
  /// The note under the form on the shown run's shape when it trained a saved model on (that
  /// model and its real shape); empty when hidden.
  QString runShapeText() const;
  QPushButton* openButton() const { return open_; }
  QPushButton* startButton() const { return start_; }
  QPushButton* stopButton() const { return stop_; }
  /// The workspace's runs, newest first (item data: the folder path).
  QComboBox* runPicker() const { return runs_; }
  /// "Original scripts" / "Ready for compression" (index = DistillPreset), -1: custom values.
  QComboBox* presetPicker() const { return preset_; }
  const OptionForm& optionForm() const { return *options_; }
  QString statusText() const;
  /// The stale note of the shown run (empty when its logits are still the workspace's).
  QString staleText() const;
  /// Starts a new run with the shown run's options (the stale note's Redo button).
  void redo();

 Q_SIGNALS:
  void openInCompress(const QString& runDir);

 private:
  std::vector<FormField> formFields() const;
  void onMetrics(int id, const QJsonArray& records);
  void addRecord(const QJsonObject& record);
  void clearCharts();
  void updateStale();
  void finish(const QString& text);
  /// The run list while a job trains: no earlier run named, "the run training now".
  void showTrainingInPicker();
  /// The run's settings (config.json) in the form; the form stays when it has none.
  void showRunSettings(const QString& runDir);
  /// The run's options in the form (they stay when it has none), and its shape note.
  void showRunOptions(const RunInfo& run);
  /// Under the form, for a run that trained a saved model on: that model and its real shape,
  /// which the form's shape fields cannot hold (a cut model's layers differ); hidden otherwise.
  void showRunShape(const RunInfo& run);
  /// The Settings choice shows the preset the form's values are (or "Custom").
  void updatePresetChoice();
  /// The run list from the workspace's run folders, with run_dir_ current.
  void refreshRuns();
  /// Once the running job has made its run folder: remembers it (and, for a followed job, shows
  /// its settings in the form and takes its lasso strength for the curves).
  void findRunFolder();
  /// Where the running job makes its run folder, and the run folders there.
  QString runParent() const;
  static QStringList runFolderNames(const QString& parent);
  /// result.json's content (read through kdw::DistillReport's mapping) / the typed report.
  QString resultSummary(const kdw::DistillReport& report) const;

  JobRunner* runner_;
  QString workspace_;
  QString output_dir_;
  QString run_dir_;
  int job_ = 0;
  bool following_ = false;   ///< job_ was queued by someone else
  QStringList runs_before_;  ///< run folder names when job_ started (see findRunFolder)
  double samples_per_s_ = 0;
  double lambda_ = 0;  ///< the group lasso strength of the run on the charts
  /// The student and training options, made from kdw::distill_option_table().
  std::unique_ptr<OptionForm> options_;
  QPushButton* start_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* open_ = nullptr;
  QComboBox* runs_ = nullptr;
  QComboBox* preset_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* result_ = nullptr;
  QLabel* stale_ = nullptr;
  QGroupBox* form_ = nullptr;
  QString run_shape_text_;  ///< the form title's note of a saved model trained on; empty: none
  QPushButton* redo_ = nullptr;
  LiveChart* loss_ = nullptr;
  LiveChart* dev_ = nullptr;
  LiveChart* alive_ = nullptr;
  int s_loss_ = 0, s_ce_ = 0, s_distill_ = 0, s_lasso_ = 0, s_acc_ = 0, s_f1_ = 0;
  QList<int> alive_series_;
};
