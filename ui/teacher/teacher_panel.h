// Teacher panel: pick a pretrained BERT folder, fine-tune it on the workspace's bert_data
// (kdw::run_finetune) with live loss and dev curves, then show the best epoch's dev results.
#pragma once

#include <QJsonObject>
#include <QWidget>

class JobRunner;
class LiveChart;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSettings;
class QSpinBox;
class QTableWidget;

class TeacherPanel : public QWidget {
  Q_OBJECT

 public:
  TeacherPanel(JobRunner* runner, QWidget* parent = nullptr);
  static bool engineAvailable();
  void setWorkspace(const QString& root);
  void loadSettings(QSettings& settings);
  void saveSettings(QSettings& settings) const;

 private:
  void start(bool resume);
  void inspect();
  void onMetrics(int id, const QJsonArray& records);
  void showDev(const QJsonObject& dev);

  JobRunner* runner_;
  QString workspace_;
  int job_ = 0;
  QComboBox* folder_ = nullptr;
  QLabel* folder_info_ = nullptr;
  QSpinBox* epochs_ = nullptr;
  QDoubleSpinBox* lr_ = nullptr;
  QSpinBox* batch_ = nullptr;
  QSpinBox* max_len_ = nullptr;
  QDoubleSpinBox* warmup_ = nullptr;
  QSpinBox* patience_ = nullptr;
  QPushButton* start_ = nullptr;
  QPushButton* stop_ = nullptr;
  QPushButton* resume_ = nullptr;
  QLabel* status_ = nullptr;
  LiveChart* loss_ = nullptr;
  LiveChart* dev_ = nullptr;
  int loss_series_ = 0, acc_series_ = 0, f1_series_ = 0;
  QTableWidget* confusion_ = nullptr;
  QLabel* dev_summary_ = nullptr;
  QStringList labels_;
};
