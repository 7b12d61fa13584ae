// Logits panel: run the fine-tuned teacher over every split (kdw::run_logits), then show the
// teacher's accuracy per split and histograms of its confidence and of the logit values.
#pragma once

#include <QWidget>

class JobRunner;
class BarChart;
class QLabel;
class QPushButton;
class QCheckBox;
class QTableWidget;

class LogitsPanel : public QWidget {
  Q_OBJECT

 public:
  LogitsPanel(JobRunner* runner, QWidget* parent = nullptr);
  static bool engineAvailable();
  void setWorkspace(const QString& root);
  /// Re-reads logits.json and the .npy files (done on setWorkspace and after a run).
  void reload();

 private:
  void start();

  JobRunner* runner_;
  QString workspace_;
  int job_ = 0;
  QPushButton* run_ = nullptr;
  QPushButton* stop_ = nullptr;
  QCheckBox* force_ = nullptr;
  QLabel* status_ = nullptr;
  QTableWidget* splits_ = nullptr;
  BarChart* confidence_ = nullptr;
  BarChart* values_ = nullptr;
};
