// Logits panel: run the fine-tuned teacher over every split (kdw::run_logits), then show the
// teacher's accuracy per split and histograms of its confidence and of the logit values.
#pragma once

#include <QWidget>

#include <memory>

#include "ui/common/form_settings.h"

class JobRunner;
class BarChart;
class QLabel;
class QPushButton;
class OptionForm;
class QCheckBox;
class QComboBox;
class QSettings;
class QSpinBox;
class QTableWidget;

class LogitsPanel : public QWidget {
  Q_OBJECT

 public:
  LogitsPanel(JobRunner* runner, QWidget* parent = nullptr);
  ~LogitsPanel() override;
  void setWorkspace(const QString& root);
  /// Re-reads logits.json and the .npy files (done on setWorkspace and after a run).
  void reload();
  /// reload() when logits.json changed since it was last shown (after any job).
  void refresh();
  /// Shows the progress of a logits job submitted elsewhere (the demo pipeline).
  void followJob(int id);
  /// Starts extraction with the panel's options (also the button); returns the job id. With
  /// `askFirst`, stored logits are replaced only once the user agreed (confirmReplace).
  int start(bool askFirst = true);
  /// The stale note shown (empty when the logits are up to date with the teacher).
  QString staleText() const;
  /// The stale note's Redo button: queues the logits again, replacing the stale ones.
  void redo();
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

  QTableWidget* splitsTable() const { return splits_; }
  BarChart* confidenceChart() const { return confidence_; }
  BarChart* valuesChart() const { return values_; }
  QSpinBox* batchSizeBox() const { return batch_; }
  QCheckBox* forceBox() const { return force_; }

 private:
  void updateStale();
  std::vector<FormField> formFields() const;
  JobRunner* runner_;
  QString workspace_;
  int job_ = 0;
  QPushButton* run_ = nullptr;
  QPushButton* stop_ = nullptr;
  std::unique_ptr<OptionForm> options_;  ///< from kdw::logits_option_table()
  QCheckBox* force_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QComboBox* precision_ = nullptr;
  qint64 logits_stamp_ = -1;  ///< logits.json's mtime when it was shown
  QLabel* status_ = nullptr;
  QLabel* stale_ = nullptr;
  QPushButton* redo_ = nullptr;
  QTableWidget* splits_ = nullptr;
  BarChart* confidence_ = nullptr;
  BarChart* values_ = nullptr;
};
