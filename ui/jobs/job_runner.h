// Runs heavy engine jobs one at a time on a worker thread; the others wait in a visible queue.
// Everything the job reports (progress, metric records) is buffered by the worker and handed to
// the UI thread by a timer, so a job that reports thousands of records never floods the event
// loop, and the UI thread never waits on a job.
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

#include "ui/jobs/job_result.h"

namespace kdw {
class JobContext;
}

class QTimer;

class JobRunner : public QObject {
  Q_OBJECT

 public:
  /// A job: runs on the worker thread, returns its typed result (the engine's report or result
  /// struct), which reaches the `finished` receivers as it is.
  using JobFn = std::function<JobResult(kdw::JobContext&)>;

  explicit JobRunner(QObject* parent = nullptr);
  /// Cancels what runs and waits for it (only here, at shutdown), drops the queue.
  ~JobRunner() override;

  /// Queues a job; returns its id (> 0). It starts when the jobs before it are done.
  int submit(const QString& name, JobFn fn);
  /// Same, tagged with a kind (e.g. kDistillKind) so that a panel can follow the jobs of its
  /// kind whoever queued them (the demo pipeline, another panel).
  int submit(const QString& name, JobFn fn, const QString& kind);
  /// The kind of a distillation job (kdw::run_distill; its result is a kdw::DistillResult).
  static constexpr const char* kDistillKind = "distill";
  /// Starts a light job (reading a file for a preview, statistics for a chart) at once on its
  /// own thread, beside the queue, so that views need not wait for a long training job. Same
  /// signals as queued jobs (not `started`); it is not shown in the queue.
  int submitLight(const QString& name, JobFn fn);
  /// Light jobs still running.
  int lightCount() const { return int(light_.size()); }
  /// Cancels a running job (at its next safe point) or removes a queued one (emits cancelled).
  void cancel(int id);
  void cancelAll();

  bool isBusy() const { return current_ != nullptr; }
  /// Id of the running job, 0 when idle.
  int currentId() const;
  QString currentName() const;
  /// Number of queued jobs (the running one excluded).
  int queuedCount() const { return int(queue_.size()); }
  /// Kind of the running job (see submit), empty when idle or untagged.
  QString currentKind() const;
  /// Names of the queued jobs, next first (the running one excluded).
  QStringList queuedNames() const;
  /// The queued jobs as (id, name), next first (the running one excluded).
  QList<QPair<int, QString>> queuedJobs() const;

  /// How often buffered progress/metrics are delivered (default 100 ms: at most ~10 updates/s).
  void setDeliveryInterval(int ms);

 Q_SIGNALS:
  void started(int id, const QString& name);
  /// Latest progress of the running job (intermediate events between two deliveries are dropped).
  void progress(int id, const QString& stage, qint64 done, qint64 total, const QString& message);
  /// Metric records reported since the previous delivery, in order (each a JSON object).
  void metrics(int id, const QJsonArray& records);
  /// `result` is the job's return value; receivers read it with result.get<T>().
  void finished(int id, const JobResult& result);
  /// Also logged as an error (the log's Errors filter lists failed jobs).
  void failed(int id, const QString& message);
  /// `partial`: what the job finished before it stopped (kdw::CancelledWithResult's typed
  /// result, e.g. a distillation's DistillResult with its run folder and best epoch so far);
  /// without a value when nothing was kept.
  void cancelled(int id, const JobResult& partial);
  /// The queue or the running job changed (for the status bar).
  void queueChanged();
  /// The last queued job ended: nothing runs or waits (light jobs aside). Lets the window quit
  /// or switch workspaces once cancelled jobs have stopped, without waiting on the UI thread.
  void idle();

 private:
  struct Job;
  void startNext();
  void deliver();
  void deliverJob(Job& job);
  void onWorkerDone();
  void onLightDone(const std::shared_ptr<Job>& job);
  void emitOutcome(Job& job);

  int next_id_ = 1;
  std::shared_ptr<Job> current_;
  QList<std::shared_ptr<Job>> queue_;
  QList<std::shared_ptr<Job>> light_;
  QTimer* timer_ = nullptr;
};
