// The job list: every queued, running and recently ended job with its state, whole-job
// progress, ETA and its own Cancel (a queued job can be removed alone); above it the overall
// progress of the jobs queued together (the demo pipeline's steps); and a notification when a
// long job ends.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QWidget>

class JobRunner;
class QLabel;
class QProgressBar;
class QToolButton;
class QTreeWidget;
class QTreeWidgetItem;
class QSystemTrayIcon;

class JobList : public QWidget {
  Q_OBJECT

 public:
  enum class State { Queued, Running, Done, Failed, Cancelled };

  explicit JobList(JobRunner* runner, QWidget* parent = nullptr);

  /// Jobs listed (queued, running, and the last few ended).
  int rowCount() const;
  bool contains(int id) const { return rows_.contains(id); }
  State state(int id) const;
  /// Whole-job progress in [0, 1]; -1 when unknown.
  double progress(int id) const;
  QString etaText(int id) const;
  /// The job's own Cancel button (null once it ended).
  QToolButton* cancelButton(int id) const;
  /// Overall progress of the jobs queued since the runner was last idle, in [0, 1].
  double overallFraction() const;
  QString overallText() const;

  /// Jobs that ran at least this long notify when they end (default 60 s).
  void setNotifyAfter(int ms) { notify_after_ms_ = ms; }

 Q_SIGNALS:
  /// A long job ended: the notification's text (also logged, and shown as a tray message or a
  /// non-modal popup).
  void notified(const QString& message);

 private:
  struct Row {
    QTreeWidgetItem* item = nullptr;
    QProgressBar* bar = nullptr;
    QToolButton* cancel = nullptr;
    QString name;
    State state = State::Queued;
    double fraction = -1;
    QElapsedTimer clock;
  };
  Row& addRow(int id, const QString& name);
  void syncQueue();
  void onStarted(int id, const QString& name);
  void onProgress(int id, const QString& stage, qint64 done, qint64 total, const QString& message);
  void onEnded(int id, State state, const QString& detail);
  void setState(Row& row, State state, const QString& detail = QString());
  void updateOverall();
  void trimEnded();
  void notify(const QString& message);

  JobRunner* runner_;
  QLabel* overall_label_ = nullptr;
  QProgressBar* overall_bar_ = nullptr;
  QTreeWidget* tree_ = nullptr;
  QHash<int, Row> rows_;
  QList<int> batch_;  ///< jobs queued since the runner was last idle
  bool batch_over_ = false;  ///< all of batch_ ended: the next job starts a new batch
  QElapsedTimer batch_clock_;
  int notify_after_ms_ = 60000;
  QSystemTrayIcon* tray_ = nullptr;
  static constexpr int kMaxEnded = 12;
};
