// Status-bar widget: the running job (name, stage, progress, ETA, Cancel) and the queue length.
// Percentage and ETA are the whole job's (all epochs), timed from the job's start. While a job
// of a series (the demo's steps) runs, the bar is the whole series' instead, and says so
// ("Demo: step 3 of 5 — 40%"), the ETA the running step's.
#pragma once

#include <QElapsedTimer>
#include <QList>
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
  /// Jobs that make one whole, in order (the demo's steps): while one of them runs the bar
  /// shows how far the whole has come, each step counting alike, under `title`.
  void followSeries(const QString& title, const QList<int>& jobs);
  /// The progress bar's text as shown ("Demo: step 3 of 5 — 40%", "62%").
  QString barText() const;

 Q_SIGNALS:
  /// The user clicked the queue summary: show the job list.
  void listRequested();

 private:
  void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& message);
  void refresh();
  /// Shows `fraction` of the running job (< 0: unknown) on the bar: the job's own, or the
  /// series' when the job is one of its steps.
  void showFraction(double fraction);

  JobRunner* runner_;
  QLabel* name_ = nullptr;
  QProgressBar* bar_ = nullptr;
  QLabel* eta_ = nullptr;
  QToolButton* queue_ = nullptr;
  QPushButton* cancel_ = nullptr;
  QElapsedTimer job_clock_;
  QString series_title_;
  QList<int> series_;
};

/// "1 h 02 min", "3 min 20 s", "12 s" for an ETA in seconds.
QString formatDuration(double seconds);
/// Remaining time from elapsed time and fraction done; < 0 when unknown.
double estimateRemaining(double elapsedSeconds, double fraction);
