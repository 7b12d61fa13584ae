// Distill panel: train a student on the teacher's logits (kdw::run_distill) with live curves.
#pragma once

#include <QWidget>

class JobRunner;
class QSettings;

class DistillPanel : public QWidget {
  Q_OBJECT

 public:
  DistillPanel(JobRunner* runner, QWidget* parent = nullptr);
  static bool engineAvailable();
  void setWorkspace(const QString& root);
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

 Q_SIGNALS:
  void openInCompress(const QString& runDir);

 private:
  JobRunner* runner_;
  QString workspace_;
};
