#include "ui/jobs/job_status.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>

#include <algorithm>
#include <cmath>

#include "ui/jobs/job_progress.h"
#include "ui/jobs/job_runner.h"

QString formatDuration(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return QStringLiteral("?");
  const qint64 s = qint64(std::llround(seconds));
  if (s >= 3600)
    return QStringLiteral("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QChar('0'));
  if (s >= 60) return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
  return QStringLiteral("%1 s").arg(s);
}

double estimateRemaining(double elapsedSeconds, double fraction) {
  if (fraction <= 0.0 || fraction > 1.0 || elapsedSeconds < 0) return -1;
  return elapsedSeconds * (1.0 - fraction) / fraction;
}

JobStatus::JobStatus(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  name_ = new QLabel(this);
  bar_ = new QProgressBar(this);
  bar_->setMaximumWidth(220);
  bar_->setMaximumHeight(16);
  bar_->setTextVisible(true);
  eta_ = new QLabel(this);
  queue_ = new QToolButton(this);
  queue_->setAutoRaise(true);
  queue_->setToolButtonStyle(Qt::ToolButtonTextOnly);
  cancel_ = new QPushButton(tr("Cancel"), this);
  cancel_->setToolTip(
      tr("Stop the running job at its next safe point; earlier results stay intact"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(name_);
  layout->addWidget(bar_);
  layout->addWidget(eta_);
  layout->addWidget(cancel_);
  layout->addWidget(queue_);
  connect(cancel_, &QPushButton::clicked, this, [this] { runner_->cancel(runner_->currentId()); });
  connect(runner_, &JobRunner::progress, this, &JobStatus::onProgress);
  connect(runner_, &JobRunner::queueChanged, this, &JobStatus::refresh);
  connect(queue_, &QToolButton::clicked, this, &JobStatus::listRequested);
  connect(runner_, &JobRunner::started, this, [this] {
    job_clock_.start();
    showFraction(-1);
    eta_->clear();
  });
  refresh();
}

void JobStatus::followSeries(const QString& title, const QList<int>& jobs) {
  series_title_ = title;
  series_ = jobs;
  if (runner_->isBusy()) showFraction(-1);  // the running step's own fraction comes next
}

QString JobStatus::barText() const {
  return bar_->text();
}

void JobStatus::showFraction(double fraction) {
  const int step = series_.indexOf(runner_->currentId());
  if (step < 0) {
    // The job's own: the name beside the bar says which job.
    bar_->setFormat(QStringLiteral("%p%"));
    bar_->setToolTip(tr("The running job's progress (all its epochs)"));
    bar_->setRange(0, fraction >= 0 ? 1000 : 0);  // 0, 0: busy, total unknown
    if (fraction >= 0) bar_->setValue(int(fraction * 1000));
    return;
  }
  // The whole series, each step alike: a panel's bar shows the running step's own progress.
  const double whole = (step + std::max(fraction, 0.0)) / double(series_.size());
  bar_->setRange(0, 1000);
  bar_->setValue(int(whole * 1000));
  bar_->setFormat(
      tr("%1: step %2 of %3 — %p%").arg(series_title_).arg(step + 1).arg(series_.size()));
  bar_->setToolTip(tr("The whole %1: step %2 of %3 runs (each step counts alike). A panel's "
                      "bar shows the running step's own progress.")
                       .arg(series_title_.toLower())
                       .arg(step + 1)
                       .arg(series_.size()));
}

void JobStatus::onProgress(int id, const QString& stage, qint64 done, qint64 total,
                           const QString& message) {
  if (id != runner_->currentId()) return;  // a light job beside the queue
  if (!job_clock_.isValid()) job_clock_.start();
  name_->setText(QStringLiteral("%1: %2").arg(
      runner_->currentName(), message.isEmpty() ? stage : stage + QStringLiteral(" – ") + message));
  const double fraction = jobFraction(stage, done, total);
  showFraction(fraction);
  const double eta =
      fraction >= 0 ? estimateRemaining(job_clock_.elapsed() / 1000.0, fraction) : -1;
  const bool step = series_.contains(id);
  eta_->setText(eta < 0 ? QString()
                : step  ? tr("this step: ETA %1").arg(formatDuration(eta))
                        : tr("ETA %1").arg(formatDuration(eta)));
}

void JobStatus::refresh() {
  const bool busy = runner_->isBusy();
  name_->setVisible(busy);
  bar_->setVisible(busy);
  eta_->setVisible(busy);
  cancel_->setVisible(busy);
  if (busy && name_->text().isEmpty()) name_->setText(runner_->currentName());
  if (!busy) name_->clear();
  const QStringList queued = runner_->queuedNames();
  // The next job by name, the rest as a count (the whole list in the tooltip).
  queue_->setText(queued.isEmpty() ? (busy ? tr("Jobs") : tr("Idle"))
                  : queued.size() == 1
                      ? tr("Queued: %1").arg(queued.first())
                      : tr("Queued: %1 and %2 more").arg(queued.first()).arg(queued.size() - 1));
  queue_->setToolTip(queued.isEmpty()
                         ? tr("Show the job list")
                         : tr("Show the job list:\n%1").arg(queued.join(QLatin1Char('\n'))));
}
