#include "ui/jobs/job_list.h"

#include <QApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QProgressBar>
#include <QSystemTrayIcon>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "core/log.h"
#include "ui/jobs/job_progress.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"

namespace {
enum Column { NameCol, StateCol, ProgressCol, EtaCol, CancelCol };

QString stateName(JobList::State state) {
  switch (state) {
    case JobList::State::Queued:
      return JobList::tr("queued");
    case JobList::State::Running:
      return JobList::tr("running");
    case JobList::State::Done:
      return JobList::tr("done");
    case JobList::State::Failed:
      return JobList::tr("failed");
    case JobList::State::Cancelled:
      return JobList::tr("cancelled");
  }
  return QString();
}
}  // namespace

JobList::JobList(JobRunner* runner, QWidget* parent) : QWidget(parent), runner_(runner) {
  overall_label_ = new QLabel(tr("No jobs"), this);
  overall_bar_ = new QProgressBar(this);
  overall_bar_->setRange(0, 1000);
  overall_bar_->setMaximumHeight(14);
  overall_bar_->setTextVisible(false);
  overall_bar_->hide();
  tree_ = new QTreeWidget(this);
  tree_->setRootIsDecorated(false);
  tree_->setColumnCount(5);
  tree_->setHeaderLabels({tr("Job"), tr("State"), tr("Progress"), tr("ETA"), QString()});
  tree_->header()->setSectionResizeMode(NameCol, QHeaderView::Stretch);
  tree_->header()->setStretchLastSection(false);
  for (int c : {StateCol, EtaCol, CancelCol})
    tree_->header()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
  tree_->setColumnWidth(ProgressCol, 140);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(4, 4, 4, 4);
  layout->addWidget(overall_label_);
  layout->addWidget(overall_bar_);
  layout->addWidget(tree_, 1);

  connect(runner_, &JobRunner::queueChanged, this, &JobList::syncQueue);
  connect(runner_, &JobRunner::started, this, &JobList::onStarted);
  connect(runner_, &JobRunner::progress, this, &JobList::onProgress);
  connect(runner_, &JobRunner::finished, this,
          [this](int id) { onEnded(id, State::Done, QString()); });
  connect(runner_, &JobRunner::failed, this,
          [this](int id, const QString& message) { onEnded(id, State::Failed, message); });
  connect(runner_, &JobRunner::cancelled, this,
          [this](int id) { onEnded(id, State::Cancelled, QString()); });
  syncQueue();
}

int JobList::rowCount() const {
  return tree_->topLevelItemCount();
}

JobList::State JobList::state(int id) const {
  return rows_.value(id).state;
}

double JobList::progress(int id) const {
  return rows_.contains(id) ? rows_[id].fraction : -1;
}

QString JobList::etaText(int id) const {
  return rows_.contains(id) ? rows_[id].item->text(EtaCol) : QString();
}

QToolButton* JobList::cancelButton(int id) const {
  return rows_.contains(id) ? rows_[id].cancel : nullptr;
}

JobList::Row& JobList::addRow(int id, const QString& name) {
  if (batch_over_) {
    batch_.clear();
    batch_over_ = false;
  }
  if (batch_.isEmpty()) batch_clock_.start();
  if (!batch_.contains(id)) batch_.append(id);
  Row& row = rows_[id];
  row.name = name;
  row.item = new QTreeWidgetItem(tree_, {name});
  row.item->setToolTip(NameCol, name);
  row.bar = new QProgressBar(tree_);
  row.bar->setRange(0, 1000);
  row.bar->setValue(0);
  row.bar->setMaximumHeight(16);
  tree_->setItemWidget(row.item, ProgressCol, row.bar);
  row.cancel = new QToolButton(tree_);
  row.cancel->setText(tr("Cancel"));
  row.cancel->setToolTip(tr("Cancel this job only (a running one stops at its next safe point)"));
  connect(row.cancel, &QToolButton::clicked, this, [this, id] { runner_->cancel(id); });
  tree_->setItemWidget(row.item, CancelCol, row.cancel);
  setState(row, State::Queued);
  return row;
}

void JobList::syncQueue() {
  for (const auto& [id, name] : runner_->queuedJobs())
    if (!rows_.contains(id)) addRow(id, name);
  updateOverall();
}

void JobList::onStarted(int id, const QString& name) {
  Row& row = rows_.contains(id) ? rows_[id] : addRow(id, name);
  row.clock.start();
  row.bar->setRange(0, 0);  // busy until the first progress with a total
  setState(row, State::Running);
  updateOverall();
}

void JobList::onProgress(int id, const QString& stage, qint64 done, qint64 total,
                         const QString& message) {
  if (!rows_.contains(id)) return;  // a light job beside the queue
  Row& row = rows_[id];
  row.item->setToolTip(StateCol,
                       message.isEmpty() ? stage : stage + QStringLiteral(": ") + message);
  row.fraction = jobFraction(stage, done, total);
  if (row.fraction >= 0) {
    row.bar->setRange(0, 1000);
    row.bar->setValue(int(row.fraction * 1000));
    const double left = estimateRemaining(row.clock.elapsed() / 1000.0, row.fraction);
    row.item->setText(EtaCol, left >= 0 ? formatDuration(left) : QString());
  } else {
    row.bar->setRange(0, 0);
  }
  updateOverall();
}

void JobList::onEnded(int id, State state, const QString& detail) {
  if (!rows_.contains(id)) return;
  Row& row = rows_[id];
  const bool ran = row.state == State::Running;
  const qint64 ms = ran ? row.clock.elapsed() : 0;
  if (state == State::Done) row.fraction = 1;
  setState(row, state, detail);
  row.bar->setRange(0, 1000);
  row.bar->setValue(row.fraction >= 0 ? int(row.fraction * 1000) : 0);
  row.item->setText(EtaCol, ran ? tr("took %1").arg(formatDuration(ms / 1000.0)) : QString());
  updateOverall();
  if (ran && ms >= notify_after_ms_) {
    const QString took = formatDuration(ms / 1000.0);
    notify(state == State::Done     ? tr("%1 finished after %2.").arg(row.name, took)
           : state == State::Failed ? tr("%1 failed after %2: %3").arg(row.name, took, detail)
                                    : tr("%1 was cancelled after %2.").arg(row.name, took));
  }
  trimEnded();
}

void JobList::setState(Row& row, State state, const QString& detail) {
  row.state = state;
  row.item->setText(StateCol, stateName(state));
  if (!detail.isEmpty()) row.item->setToolTip(StateCol, detail);
  const bool live = state == State::Queued || state == State::Running;
  if (!live && row.cancel) {
    tree_->removeItemWidget(row.item, CancelCol);  // deletes the button
    row.cancel = nullptr;
  }
}

void JobList::updateOverall() {
  int ended = 0;
  double sum = 0;
  for (int id : batch_) {
    const Row& row = rows_[id];
    if (row.state != State::Queued && row.state != State::Running) {
      ++ended;
      sum += 1;
    } else if (row.state == State::Running && row.fraction > 0) {
      sum += row.fraction;
    }
  }
  const int total = int(batch_.size());
  if (total == 0) {
    overall_label_->setText(tr("No jobs"));
    overall_bar_->hide();
    return;
  }
  const double fraction = sum / total;
  overall_bar_->setValue(int(fraction * 1000));
  overall_bar_->setVisible(total > 1 && ended < total);
  QString text = total == 1 ? tr("1 job") : tr("%1 of %2 jobs done").arg(ended).arg(total);
  if (ended < total) {
    text += tr(" · %1 %").arg(int(fraction * 100));
    const double left = estimateRemaining(batch_clock_.elapsed() / 1000.0, fraction);
    if (left >= 0 && fraction > 0) text += tr(" · ETA %1").arg(formatDuration(left));
  }
  overall_label_->setText(text);
  // The summary stays until the next submission starts a new batch.
  batch_over_ = ended == total && !runner_->isBusy();
}

double JobList::overallFraction() const {
  if (batch_.isEmpty()) return 0;
  double sum = 0;
  for (int id : batch_) {
    const Row& row = rows_[id];
    sum += row.state == State::Queued    ? 0
           : row.state == State::Running ? std::max(0.0, row.fraction)
                                         : 1;
  }
  return sum / batch_.size();
}

QString JobList::overallText() const {
  return overall_label_->text();
}

void JobList::trimEnded() {
  QList<int> ended;
  for (int i = 0; i < tree_->topLevelItemCount(); ++i) {
    for (auto it = rows_.cbegin(); it != rows_.cend(); ++it) {
      if (it->item == tree_->topLevelItem(i) && it->state != State::Queued &&
          it->state != State::Running && !batch_.contains(it.key()))
        ended << it.key();
    }
  }
  while (ended.size() > kMaxEnded) {
    const int id = ended.takeFirst();
    delete rows_[id].item;
    rows_.remove(id);
  }
}

void JobList::notify(const QString& message) {
  kdw::log::info("{}", message.toStdString());
  Q_EMIT notified(message);
  if (QSystemTrayIcon::isSystemTrayAvailable() && QSystemTrayIcon::supportsMessages()) {
    if (!tray_) {
      tray_ = new QSystemTrayIcon(QApplication::windowIcon(), this);
      tray_->show();
    }
    tray_->showMessage(tr("KD Workbench"), message);
    return;
  }
  // No tray: a popup that does not block the window.
  auto* box = new QMessageBox(QMessageBox::Information, tr("KD Workbench"), message,
                              QMessageBox::Ok, window());
  box->setObjectName(QStringLiteral("jobNotification"));
  box->setModal(false);
  box->setWindowModality(Qt::NonModal);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->show();
}
