#include "ui/jobs/job_runner.h"

#include <QJsonDocument>
#include <QThread>
#include <QTimer>

#include <mutex>
#include <optional>

#include "core/error.h"
#include "core/job.h"
#include "core/log.h"
#include "core/memory.h"

// One job and the mailbox between its worker thread and the UI thread.
struct JobRunner::Job {
  int id = 0;
  QString name;
  QString kind;  // see submit(name, fn, kind)
  JobFn fn;
  kdw::JobContext context;
  QThread* thread = nullptr;  // a child of the runner; deleteLater when done

  std::mutex mutex;  // guards the fields below (written by the worker, drained by the UI)
  std::optional<kdw::ProgressEvent> progress;
  nlohmann::json metrics = nlohmann::json::array();
  enum class Outcome { Running, Finished, Failed, Cancelled } outcome = Outcome::Running;
  JobResult result;
  std::string error;
};

JobRunner::JobRunner(QObject* parent) : QObject(parent), timer_(new QTimer(this)) {
  timer_->setInterval(100);
  connect(timer_, &QTimer::timeout, this, &JobRunner::deliver);
}

namespace {
// Runs a job's function on its worker thread and stores the outcome in its mailbox.
template <typename Job>
void runOnWorker(Job& job) {
  typename Job::Outcome outcome = Job::Outcome::Finished;
  JobResult result;
  std::string error;
  try {
    result = job.fn(job.context);
  } catch (const kdw::CancelledWithResult& c) {
    outcome = Job::Outcome::Cancelled;
    result = JobResult::fromAny(c.typed());  // what the job finished before it stopped
  } catch (const kdw::Cancelled&) {
    outcome = Job::Outcome::Cancelled;
  } catch (const std::exception& e) {
    outcome = Job::Outcome::Failed;
    error = e.what();
  } catch (...) {
    outcome = Job::Outcome::Failed;
    error = "unknown error";
  }
  if (outcome == Job::Outcome::Finished && job.context.cancel_requested() && !result.hasValue())
    outcome = Job::Outcome::Cancelled;
  std::lock_guard<std::mutex> lock(job.mutex);
  job.outcome = outcome;
  job.result = std::move(result);
  job.error = std::move(error);
}

template <typename Job>
void connectSinks(const std::shared_ptr<Job>& job) {
  // The sinks run on the worker: they only store into the mailbox (never touch Qt objects).
  job->context.set_progress_sink([raw = job.get()](const kdw::ProgressEvent& event) {
    std::lock_guard<std::mutex> lock(raw->mutex);
    raw->progress = event;
  });
  job->context.set_metric_sink([raw = job.get()](const nlohmann::json& record) {
    std::lock_guard<std::mutex> lock(raw->mutex);
    raw->metrics.push_back(record);
  });
}
}  // namespace

JobRunner::~JobRunner() {
  queue_.clear();
  for (const auto& job : light_) {
    job->context.request_cancel();
    job->thread->wait();  // deleted with the runner, its parent
  }
  light_.clear();
  if (current_ && current_->thread) {
    current_->context.request_cancel();
    current_->thread->wait();  // deleted with the runner; its finished() is not handled
  }
}

int JobRunner::submit(const QString& name, JobFn fn) {
  return submit(name, std::move(fn), QString());
}

int JobRunner::submit(const QString& name, JobFn fn, const QString& kind) {
  auto job = std::make_shared<Job>();
  job->id = next_id_++;
  job->name = name;
  job->kind = kind;
  job->fn = std::move(fn);
  queue_.append(job);
  Q_EMIT queueChanged();
  if (!current_) startNext();
  return job->id;
}

void JobRunner::cancel(int id) {
  if (current_ && current_->id == id) {
    current_->context.request_cancel();
    return;
  }
  for (const auto& job : light_) {
    if (job->id == id) {
      job->context.request_cancel();
      return;
    }
  }
  for (int i = 0; i < queue_.size(); ++i) {
    if (queue_[i]->id == id) {
      queue_.removeAt(i);
      Q_EMIT cancelled(id, JobResult{});
      Q_EMIT queueChanged();
      return;
    }
  }
}

int JobRunner::submitLight(const QString& name, JobFn fn) {
  auto job = std::make_shared<Job>();
  job->id = next_id_++;
  job->name = name;
  job->fn = std::move(fn);
  connectSinks(job);
  job->thread = QThread::create([job] { runOnWorker(*job); });
  job->thread->setParent(this);
  job->thread->setObjectName(QStringLiteral("kdw-light-job"));
  light_.append(job);
  connect(job->thread, &QThread::finished, this, [this, job] { onLightDone(job); });
  timer_->start();
  job->thread->start();
  return job->id;
}

void JobRunner::onLightDone(const std::shared_ptr<Job>& job) {
  if (!light_.contains(job)) return;
  deliverJob(*job);
  light_.removeAll(job);
  job->thread->deleteLater();
  job->thread = nullptr;
  if (!current_ && light_.isEmpty()) timer_->stop();
  emitOutcome(*job);
}

void JobRunner::cancelAll() {
  while (!queue_.isEmpty()) cancel(queue_.last()->id);
  if (current_) current_->context.request_cancel();
}

int JobRunner::currentId() const {
  return current_ ? current_->id : 0;
}
QString JobRunner::currentName() const {
  return current_ ? current_->name : QString();
}

QList<QPair<int, QString>> JobRunner::queuedJobs() const {
  QList<QPair<int, QString>> jobs;
  for (const auto& job : queue_) jobs.append({job->id, job->name});
  return jobs;
}

QString JobRunner::currentKind() const {
  return current_ ? current_->kind : QString();
}

QStringList JobRunner::queuedNames() const {
  QStringList names;
  for (const auto& job : queue_) names << job->name;
  return names;
}

void JobRunner::setDeliveryInterval(int ms) {
  timer_->setInterval(ms);
}

void JobRunner::startNext() {
  if (current_ || queue_.isEmpty()) return;
  current_ = queue_.takeFirst();
  std::shared_ptr<Job> job = current_;
  connectSinks(job);
  job->thread = QThread::create([job] {
    runOnWorker(*job);
    // The job's peak is not needed while the queue waits; trimming walks the heap, so it is
    // done here rather than on the UI thread.
    kdw::release_free_memory();
  });
  job->thread->setParent(this);
  job->thread->setObjectName(QStringLiteral("kdw-job"));
  connect(job->thread, &QThread::finished, this, &JobRunner::onWorkerDone);
  Q_EMIT started(job->id, job->name);
  Q_EMIT queueChanged();
  timer_->start();
  job->thread->start(QThread::LowPriority);
}

void JobRunner::deliver() {
  if (current_) deliverJob(*current_);
  const auto light = light_;  // a slot may submit or finish light jobs
  for (const auto& job : light) deliverJob(*job);
}

void JobRunner::deliverJob(Job& job) {
  std::optional<kdw::ProgressEvent> progress;
  nlohmann::json records = nlohmann::json::array();
  {
    std::lock_guard<std::mutex> lock(job.mutex);
    progress.swap(job.progress);
    records.swap(job.metrics);
  }
  const int id = job.id;
  if (progress) {
    Q_EMIT this->progress(id, QString::fromStdString(progress->stage), progress->done,
                          progress->total, QString::fromStdString(progress->message));
  }
  if (!records.empty()) {
    const auto text = records.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    Q_EMIT metrics(id, QJsonDocument::fromJson(QByteArray::fromStdString(text)).array());
  }
}

void JobRunner::onWorkerDone() {
  if (!current_) return;
  deliverJob(*current_);  // what the job reported last, before the outcome
  std::shared_ptr<Job> job = current_;
  current_.reset();
  if (light_.isEmpty()) timer_->stop();
  job->thread->deleteLater();
  job->thread = nullptr;
  emitOutcome(*job);
  Q_EMIT queueChanged();
  startNext();
  if (!current_) Q_EMIT idle();
}

void JobRunner::emitOutcome(Job& job_ref) {
  Job* job = &job_ref;
  switch (job->outcome) {
    case Job::Outcome::Finished:
    case Job::Outcome::Running:
      Q_EMIT finished(job->id, job->result);
      break;
    case Job::Outcome::Failed:
      kdw::log::error("{} failed: {}", job->name.toStdString(), job->error);
      Q_EMIT failed(job->id, QString::fromStdString(job->error));
      break;
    case Job::Outcome::Cancelled:
      Q_EMIT cancelled(job->id, job->result);
      break;
  }
}
