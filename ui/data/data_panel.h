// Data panel: open a labelled table, preview it, choose columns and cleaning, split and prepare
// the workspace's student and teacher data (kdw::run_prepare) as a job.
#pragma once

#include <QWidget>

class JobRunner;
class QSettings;

class DataPanel : public QWidget {
  Q_OBJECT

 public:
  DataPanel(JobRunner* runner, QWidget* parent = nullptr);
  /// False when this build has no data preparation engine (the panel is then a note).
  static bool engineAvailable();
  void setWorkspace(const QString& root);
  /// Loads `csv` and prepares it with default options (the demo workspace).
  void prepareDemo(const QString& csv);
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

 private:
  JobRunner* runner_;
  QString workspace_;
};
