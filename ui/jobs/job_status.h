// Status-bar widget: the running job (name, stage, progress, ETA, Cancel) and the queue length.
// Percentage and ETA are the whole job's (all epochs), timed from the job's start.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

class JobRunner;
class QLabel;
class QProgressBar;
class QPushButton;
class QToolButton;

class JobStatus : public QWidget {
  Q_OBJECT

 public:
  explicit JobStatus(JobRunner* runner, QWidget* parent = nullptr);

 Q_SIGNALS:
  /// The user clicked the queue summary: show the job list.
  void listRequested();

 private:
  void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& message);
  void refresh();

  JobRunner* runner_;
  QLabel* name_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* eta_ = nullptr;
  QToolButton* queue_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QElapsedTimer job_clock_;
};

/// "1 h 02 min", "3 min 20 s", "12 s" for an ETA in seconds.
QString formatDuration(double seconds);
/// Remaining time from elapsed time and fraction done; < 0 when unknown.
double estimateRemaining(double elapsedSeconds, double fraction);
