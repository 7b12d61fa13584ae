// The job list and the status bar: one queued job cancelled alone while the others go on,
// whole-job progress for an epoch stage (not the epoch's own), overall progress of jobs queued
// together, a notification when a long job ends, and failed jobs in the log's Errors filter.
#include <QComboBox>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/error.h"
#include "core/job.h"
#include "core/log.h"
#include "ui/jobs/job_list.h"
#include "ui/jobs/job_progress.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/log/log_panel.h"

namespace {
// A job that reports `stage` done/total, then waits until released (or cancelled).
JobRunner::JobFn waiting(std::atomic<bool>& release, std::string stage = "work", int64_t done = 0,
                         int64_t total = 0) {
  return [&release, stage, done, total](kdw::JobContext& job) -> nlohmann::json {
    if (total > 0) job.progress(stage, done, total);
    while (!release.load()) {
      job.throw_if_cancelled();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return nlohmann::json::object();
  };
}
nlohmann::json quick(kdw::JobContext&) {
  return nlohmann::json::object();
}
}  // namespace

class TestJobList : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { kdw::log::init_silent(); }

  void epochStagesCountTowardTheWholeJob() {
    QCOMPARE(jobFraction(QStringLiteral("epoch 2/4"), 5, 10), 0.375);
    QCOMPARE(jobFraction(QStringLiteral("epoch 1/1"), 10, 10), 1.0);
    QCOMPARE(jobFraction(QStringLiteral("read"), 1, 4), 0.25);
    QCOMPARE(jobFraction(QStringLiteral("read"), 0, 0), -1.0);
  }

  void queuedJobIsCancelledAlone() {
    JobRunner runner;
    runner.setDeliveryInterval(5);
    JobList list(&runner);
    std::atomic<bool> release{false};
    const int a = runner.submit(QStringLiteral("teacher"), waiting(release));
    const int b = runner.submit(QStringLiteral("logits"), quick);
    const int c = runner.submit(QStringLiteral("student"), quick);
    QCOMPARE(list.rowCount(), 3);
    QCOMPARE(list.state(a), JobList::State::Running);
    QCOMPARE(list.state(b), JobList::State::Queued);
    QVERIFY(list.cancelButton(b));
    list.cancelButton(b)->click();
    QCOMPARE(list.state(b), JobList::State::Cancelled);
    QVERIFY(!list.cancelButton(b));
    QCOMPARE(list.state(a), JobList::State::Running);
    QCOMPARE(list.state(c), JobList::State::Queued);
    QCOMPARE(runner.queuedNames(), QStringList{QStringLiteral("student")});
    QVERIFY2(list.overallText().startsWith(QStringLiteral("1 of 3 jobs done")),
             qPrintable(list.overallText()));
    release = true;
    QTRY_COMPARE(list.state(c), JobList::State::Done);
    QCOMPARE(list.state(a), JobList::State::Done);
    QCOMPARE(list.overallText(), QStringLiteral("3 of 3 jobs done"));
  }

  void statusBarShowsTheWholeJob() {
    JobRunner runner;
    runner.setDeliveryInterval(5);
    JobStatus status(&runner);
    JobList list(&runner);
    std::atomic<bool> release{false};
    const int a = runner.submit(QStringLiteral("teacher"), waiting(release, "epoch 2/4", 5, 10));
    runner.submit(QStringLiteral("logits"), quick);
    QTRY_COMPARE(list.progress(a), 0.375);
    auto* bar = status.findChild<QProgressBar*>();
    QVERIFY(bar);
    QCOMPARE(bar->value(), 375);  // not the epoch's 50 %
    // Two jobs queued together: the first at 37.5 % is 18 % of both.
    QCOMPARE(int(list.overallFraction() * 100), 18);
    QVERIFY2(!list.etaText(a).isEmpty(), "a running job with progress shows an ETA");
    release = true;
    QTRY_VERIFY(!runner.isBusy());
  }

  void longJobEndNotifies() {
    JobRunner runner;
    runner.setDeliveryInterval(5);
    QWidget window;
    JobList list(&runner, &window);
    list.setNotifyAfter(0);  // every job counts as long here
    QSignalSpy spy(&list, &JobList::notified);
    runner.submit(QStringLiteral("Fine-tune teacher"), quick);
    QTRY_COMPARE(spy.count(), 1);
    QVERIFY2(spy.at(0).at(0).toString().startsWith(QStringLiteral("Fine-tune teacher finished")),
             qPrintable(spy.at(0).at(0).toString()));
    // No system tray offscreen: a popup that does not block the window.
    auto* popup = window.findChild<QMessageBox*>(QStringLiteral("jobNotification"));
    QVERIFY(popup);
    QVERIFY(!popup->isModal());
    // A short job (under the threshold) stays quiet.
    list.setNotifyAfter(60 * 60 * 1000);
    const int id = runner.submit(QStringLiteral("preview"), quick);
    QTRY_COMPARE(list.state(id), JobList::State::Done);
    QCOMPARE(spy.count(), 1);
  }

  void failedJobIsInTheErrorsFilter() {
    LogPanel log;
    auto* level = log.findChild<QComboBox*>();
    level->setCurrentIndex(level->findData(int(kdw::log::Level::error)));
    JobRunner runner;
    runner.setDeliveryInterval(5);
    QSignalSpy failed(&runner, &JobRunner::failed);
    runner.submit(QStringLiteral("Prepare data"), [](kdw::JobContext&) -> nlohmann::json {
      throw kdw::Error("data.csv: no label column");
    });
    QTRY_COMPARE(failed.count(), 1);
    log.poll();
    QVERIFY2(log.visibleText().contains(
                 QStringLiteral("[E] Prepare data failed: data.csv: no label column")),
             qPrintable(log.visibleText()));
  }

  void logFollowsUnlessScrolledUp() {
    LogPanel log;
    log.resize(500, 400);
    log.show();
    QVERIFY(QTest::qWaitForWindowExposed(&log));
    auto* bar = log.findChild<QScrollBar*>(QString(), Qt::FindChildrenRecursively);
    QScrollBar* vertical = nullptr;
    for (auto* b : log.findChildren<QScrollBar*>())
      if (b->orientation() == Qt::Vertical) vertical = b;
    QVERIFY(bar && vertical);
    for (int i = 0; i < 40; ++i) kdw::log::info("line {}", i);
    log.poll();
    QCoreApplication::processEvents();
    QVERIFY(vertical->maximum() > 0);
    QCOMPARE(vertical->value(), vertical->maximum());
    // The dock gets smaller (the window's layout settles, the user drags the splitter): the
    // range grows under the view, which must still follow the next lines.
    log.resize(500, 160);
    QCoreApplication::processEvents();
    // A line wider than the view brings the horizontal scroll bar (the view's height shrinks).
    kdw::log::info("epoch 1: {}", std::string(400, 'x'));
    log.poll();
    QCoreApplication::processEvents();
    for (int i = 0; i < 5; ++i) {
      kdw::log::info("step {}", i);
      log.poll();
      QCoreApplication::processEvents();
    }
    QCOMPARE(vertical->value(), vertical->maximum());
    QVERIFY(log.isFollowing());
    // The user scrolls up: new lines leave the view where it is.
    vertical->triggerAction(QAbstractSlider::SliderPageStepSub);
    const int kept = vertical->value();
    QVERIFY(kept < vertical->maximum());
    QVERIFY(!log.isFollowing());
    for (int i = 0; i < 5; ++i) kdw::log::info("more {}", i);
    log.poll();
    QCoreApplication::processEvents();
    QCOMPARE(vertical->value(), kept);
    // Back at the end: following again.
    vertical->triggerAction(QAbstractSlider::SliderToMaximum);
    QVERIFY(log.isFollowing());
    kdw::log::info("last");
    log.poll();
    QCoreApplication::processEvents();
    QCOMPARE(vertical->value(), vertical->maximum());
  }
};

QTEST_MAIN(TestJobList)
#include "test_job_list.moc"
