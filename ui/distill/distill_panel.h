// Distill panel: train a student on the teacher's logits (kdw::run_distill) with live curves of
// the loss and its parts, dev scores and alive ISS components, then open the run in Compress.
#pragma once

#include <QJsonObject>
#include <QWidget>

class JobRunner;
class LiveChart;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSettings;
class QSpinBox;

class DistillPanel : public QWidget {
  Q_OBJECT

 public:
  DistillPanel(JobRunner* runner, QWidget* parent = nullptr);
  static bool engineAvailable();
  void setWorkspace(const QString& root);
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;
  /// Starts a run with the form's options (also the Start button).
  void start();
  int jobId() const { return job_; }
  QString lastRunDir() const { return run_dir_; }

 Q_SIGNALS:
  void openInCompress(const QString& runDir);

 private:
  void onMetrics(int id, const QJsonArray& records);
  void finish(const QString& text);

  JobRunner* runner_;
  QString workspace_;
  QString run_dir_;
  int job_ = 0;
  double samples_per_s_ = 0;
  QComboBox* type_ = nullptr;
  QSpinBox* hidden_ = nullptr;
  QSpinBox* layers_ = nullptr;
  QSpinBox* emb_ = nullptr;
  QDoubleSpinBox* dropout_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QDoubleSpinBox* lr_ = nullptr;
  QDoubleSpinBox* alpha_ = nullptr;
  QDoubleSpinBox* temperature_ = nullptr;
  QComboBox* loss_kind_ = nullptr;
  QDoubleSpinBox* lasso_ = nullptr;
  QDoubleSpinBox* iss_ = nullptr;
  QSpinBox* seed_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* open_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* result_ = nullptr;
  LiveChart* loss_ = nullptr;
  LiveChart* dev_ = nullptr;
  LiveChart* alive_ = nullptr;
  int s_loss_ = 0, s_ce_ = 0, s_distill_ = 0, s_lasso_ = 0, s_acc_ = 0, s_f1_ = 0;
  QList<int> alive_series_;
};
