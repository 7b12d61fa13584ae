// JobRunner: order, one job at a time, delivery on the UI thread, cancel, failure, and the
// responsiveness of the UI event loop while a CPU-heavy job reports many metric records.
#include <QElapsedTimer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/job.h"
#include "core/memory.h"
#include "ui/common/live_chart.h"
#include "ui/jobs/job_runner.h"

namespace {
bool waitFor(const std::function<bool()>& done, int ms = 20000) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < ms) QTest::qWait(5);
  return done();
}

// On a job's thread: waits until the UI thread releases `gate`. The bound only turns a deadlock
// (a UI thread that waits on the job) into a failure; it is far beyond any real answer. Cancel
// is checked meanwhile, so that a runner being destroyed need not wait the bound out.
bool waitForUi(QSemaphore& gate, kdw::JobContext& job) {
  for (int slice = 0; slice < 3000; ++slice) {  // 3000 x 10 ms
    if (gate.tryAcquire(1, 10)) return true;
    job.throw_if_cancelled();
  }
  return false;
}
}  // namespace

class TestJobRunner : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // The allocator settings of kdw-gui (one shared arena, freed memory kept), so that the heavy
  // job below runs beside the UI as it does in the app.
  void initTestCase() { kdw::keep_freed_memory(); }

  void runsInOrderOneAtATime() {
    JobRunner runner;
    std::atomic<int> running{0}, maxRunning{0};
    std::mutex mutex;
    std::vector<int> order;
    QList<int> started, finished;
    connect(&runner, &JobRunner::started, this, [&](int id, const QString&) { started << id; });
    connect(&runner, &JobRunner::finished, this, [&](int id, const JobResult& r) {
      QVERIFY(r.get<int>());
      QCOMPARE(*r.get<int>(), id * 10);
      finished << id;
    });
    QList<int> ids;
    for (int n = 0; n < 3; ++n) {
      ids << runner.submit(QStringLiteral("job %1").arg(n), [&, n](kdw::JobContext&) {
        const int now = ++running;
        maxRunning = std::max(maxRunning.load(), now);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        {
          std::lock_guard<std::mutex> lock(mutex);
          order.push_back(n);
        }
        --running;
        return (n + 1) * 10;
      });
    }
    QCOMPARE(runner.queuedNames().size(), 2);  // the first one runs already
    QVERIFY(waitFor([&] { return finished.size() == 3; }));
    QCOMPARE(started, ids);
    QCOMPARE(finished, ids);
    QCOMPARE(maxRunning.load(), 1);
    QCOMPARE(order, (std::vector<int>{0, 1, 2}));
    QVERIFY(!runner.isBusy());
  }

  void deliversProgressAndMetricsOnUiThread() {
    JobRunner runner;
    runner.setDeliveryInterval(20);
    int progressCalls = 0, records = 0, lastStep = -1;
    bool onUiThread = true;
    qint64 lastDone = -1;
    bool done = false;
    connect(&runner, &JobRunner::progress, this,
            [&](int, const QString& stage, qint64 d, qint64 t, const QString&) {
              onUiThread = onUiThread && QThread::currentThread() == qApp->thread();
              QCOMPARE(stage, QStringLiteral("train"));
              QCOMPARE(t, qint64(500));
              lastDone = d;
              ++progressCalls;
            });
    connect(&runner, &JobRunner::metrics, this, [&](int, const QJsonArray& batch) {
      onUiThread = onUiThread && QThread::currentThread() == qApp->thread();
      for (const auto& v : batch) {
        const int step = v.toObject().value("step").toInt();
        QCOMPARE(step, lastStep + 1);  // in order, none lost
        lastStep = step;
        ++records;
      }
    });
    connect(&runner, &JobRunner::finished, this, [&] { done = true; });
    runner.submit(QStringLiteral("report"), [](kdw::JobContext& job) {
      for (int i = 0; i < 500; ++i) {
        job.progress("train", i + 1, 500);
        job.metric({{"kind", "step"}, {"step", i}, {"loss", 1.0 / (i + 1)}});
        if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return nlohmann::json::object();
    });
    QVERIFY(waitFor([&] { return done; }));
    QVERIFY(onUiThread);
    QCOMPARE(records, 500);
    QCOMPARE(lastDone, qint64(500));
    QVERIFY(progressCalls >= 1);
    QVERIFY(progressCalls < 500);  // throttled: intermediate events are coalesced
  }

  void cancelsRunningAndQueuedJobs() {
    JobRunner runner;
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy finished(&runner, &JobRunner::finished);
    std::atomic<bool> entered{false};
    const int first = runner.submit(QStringLiteral("loop"), [&](kdw::JobContext& job) {
      entered = true;
      for (;;) {
        job.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return nlohmann::json();
    });
    const int second = runner.submit(QStringLiteral("never"), [](kdw::JobContext&) {
      return nlohmann::json{{"ran", true}};
    });
    QVERIFY(waitFor([&] { return entered.load(); }));
    runner.cancel(second);
    QCOMPARE(cancelled.size(), 1);
    QCOMPARE(cancelled.at(0).at(0).toInt(), second);
    runner.cancel(first);
    QVERIFY(waitFor([&] { return cancelled.size() == 2; }));
    QCOMPARE(cancelled.at(1).at(0).toInt(), first);
    QVERIFY(waitFor([&] { return !runner.isBusy(); }));
    QCOMPARE(finished.size(), 0);
  }

  void reportsFailureMessage() {
    JobRunner runner;
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy finished(&runner, &JobRunner::finished);
    runner.submit(QStringLiteral("bad"), [](kdw::JobContext&) -> nlohmann::json {
      throw kdw::file_error("/tmp/x.csv", "line 3: 2 columns, expected 3");
    });
    const int ok = runner.submit(QStringLiteral("good"), [](kdw::JobContext&) { return 7; });
    QVERIFY(waitFor([&] { return finished.size() == 1; }));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(1).toString(),
             QStringLiteral("/tmp/x.csv: line 3: 2 columns, expected 3"));
    QCOMPARE(finished.at(0).at(0).toInt(), ok);
    QCOMPARE(*finished.at(0).at(1).value<JobResult>().get<int>(), 7);
  }

  // Issue 12: a job's typed result reaches the receivers as the job returned it (no JSON in
  // between: a field that has no JSON form, a path, arrives as it is), and a job asked for
  // another type hands back nothing rather than a wrong value.
  void resultsArriveTyped() {
    struct Report {
      std::filesystem::path folder;
      std::vector<double> scores;
    };
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    const int id = runner.submit(QStringLiteral("typed"), [](kdw::JobContext&) {
      return Report{"/runs/2026-11-26___18-00-00", {0.5, 0.75}};
    });
    QVERIFY(waitFor([&] { return finished.size() == 1; }));
    QCOMPARE(finished.at(0).at(0).toInt(), id);
    const JobResult result = finished.at(0).at(1).value<JobResult>();
    QVERIFY(result.hasValue());
    const Report* report = result.get<Report>();
    QVERIFY(report);
    QCOMPARE(report->folder, std::filesystem::path("/runs/2026-11-26___18-00-00"));
    QCOMPARE(report->scores, (std::vector<double>{0.5, 0.75}));
    QVERIFY(!result.get<int>());
  }

  // A job cancelled with kdw::CancelledWithResult hands back what it finished, typed; a plain
  // cancel hands back nothing.
  void cancelledJobHandsBackWhatItFinished() {
    struct Partial {
      std::string run_dir;
      int best_epoch = 0;
    };
    JobRunner runner;
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    std::atomic<bool> entered{false};
    const int kept = runner.submit(QStringLiteral("keeps"), [&](kdw::JobContext& job) {
      entered = true;
      while (!job.cancel_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      throw kdw::CancelledWithResult(Partial{"/ws/run", 2});
      return 0;
    });
    QVERIFY(waitFor([&] { return entered.load(); }));
    runner.cancel(kept);
    QVERIFY(waitFor([&] { return cancelled.size() == 1; }));
    const int plain = runner.submit(QStringLiteral("plain"), [](kdw::JobContext& job) {
      for (;;) {
        job.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return 0;
    });
    runner.cancel(plain);
    QVERIFY(waitFor([&] { return cancelled.size() == 2; }));
    QCOMPARE(cancelled.at(0).at(0).toInt(), kept);
    const Partial* partial = cancelled.at(0).at(1).value<JobResult>().get<Partial>();
    QVERIFY(partial);
    QCOMPARE(partial->run_dir, std::string("/ws/run"));
    QCOMPARE(partial->best_epoch, 2);
    QCOMPARE(cancelled.at(1).at(0).toInt(), plain);
    QVERIFY(!cancelled.at(1).at(1).value<JobResult>().hasValue());
  }

  // A light job runs at once beside a running queued job (not waiting for it, not in the queue),
  // reports through the same signals, and can fail or be cancelled on its own.
  void lightJobsRunBesideTheQueue() {
    JobRunner runner;
    runner.setDeliveryInterval(10);
    std::atomic<bool> release{false};
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy progress(&runner, &JobRunner::progress);
    const int heavy = runner.submit(QStringLiteral("heavy"), [&](kdw::JobContext&) {
      while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      return nlohmann::json{{"heavy", true}};
    });
    runner.submit(QStringLiteral("queued"), [](kdw::JobContext&) { return 1; });
    const int light = runner.submitLight(QStringLiteral("stats"), [](kdw::JobContext& job) {
      job.progress("count", 3, 3);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));  // a delivery tick passes
      return int64_t(6);
    });
    const int bad =
        runner.submitLight(QStringLiteral("bad"), [](kdw::JobContext&) -> nlohmann::json {
          throw std::runtime_error("stats.npy: truncated");
        });
    std::atomic<bool> looping{false};
    const int endless = runner.submitLight(QStringLiteral("endless"), [&](kdw::JobContext& job) {
      looping = true;
      for (;;) {
        job.throw_if_cancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      return nlohmann::json();
    });
    QCOMPARE(runner.currentId(), heavy);
    QCOMPARE(runner.queuedNames(), QStringList{QStringLiteral("queued")});
    QVERIFY(waitFor([&] { return finished.size() == 1 && failed.size() == 1 && looping; }));
    QCOMPARE(finished.at(0).at(0).toInt(), light);
    QCOMPARE(*finished.at(0).at(1).value<JobResult>().get<int64_t>(), int64_t(6));
    QCOMPARE(failed.at(0).at(0).toInt(), bad);
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("stats.npy: truncated"));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(0).toInt(), light);
    QCOMPARE(runner.currentId(), heavy);  // the queue did not move meanwhile
    QCOMPARE(runner.lightCount(), 1);
    runner.cancel(endless);
    QVERIFY(waitFor([&] { return cancelled.size() == 1; }));
    QCOMPARE(cancelled.at(0).at(0).toInt(), endless);
    QCOMPARE(runner.lightCount(), 0);
    release = true;
    QVERIFY(waitFor([&] { return finished.size() == 3; }));
    QCOMPARE(finished.at(1).at(0).toInt(), heavy);
  }

 private:
  // A training-like job (LibTorch forward, autograd backward, update; several metric records per
  // step), run for a fixed number of steps while the UI thread plots its records in a shown
  // LiveChart. Nothing here is timed: each property is shown by a handshake that only a
  // responsive UI thread can complete (speed is for benchmarks, not for tests).
  static constexpr int kChunks = 8, kStepsPerChunk = 25, kRecordsPerStep = 8;
  static constexpr int kRecordsPerChunk = kStepsPerChunk * kRecordsPerStep;
  static constexpr int kRecords = kChunks * kRecordsPerChunk;  // > the chart's 1200 drawn points
  static constexpr int kNoTick = 24 * 3600 * 1000;             // the delivery timer stays quiet

 private Q_SLOTS:
  // The UI thread never waits on a job: after every step the job blocks until an event it
  // posted has been handled by the UI event loop, and after every chunk of steps until the
  // runner's delivery timer (on the UI thread) has handed the chunk's records to the chart. A UI
  // thread that waited on the job (ran it, joined it, waited for its records) would never
  // answer: the job gives up after a bound meant only to turn that deadlock into a failure.
  // The delivery timer is held back while a chunk is reported, so each delivery is one signal
  // for a whole chunk: records come in batches (8 signals for 1600 records), in order, none
  // lost, and the chart draws a decimated copy.
  void uiStaysResponsiveDuringHeavyJob() {
    LiveChart chart(QStringLiteral("loss"), QStringLiteral("step"), QStringLiteral("loss"));
    const int series = chart.addSeries(QStringLiteral("loss"));
    chart.resize(600, 300);
    chart.show();
    QSemaphore answered, delivered;
    int received = 0, batches = 0, progressSignals = 0;
    qint64 lastDone = -1;
    bool inOrder = true, onUiThread = true, done = false;
    QString failure;
    // Declared after the state it touches and before the runner: deleted once the runner has
    // joined the job, it drops any event the job posted that was not handled yet.
    QObject ui;
    JobRunner runner;
    runner.setDeliveryInterval(kNoTick);
    connect(&runner, &JobRunner::progress, &ui,
            [&](int, const QString&, qint64 d, qint64, const QString&) {
              lastDone = d;
              ++progressSignals;
            });
    connect(&runner, &JobRunner::metrics, &ui, [&](int, const QJsonArray& batch) {
      onUiThread = onUiThread && QThread::currentThread() == qApp->thread();
      ++batches;
      for (const auto& v : batch) {
        const QJsonObject r = v.toObject();
        inOrder = inOrder && r.value("step").toInt() == received;
        chart.append(series, r.value("step").toDouble(), r.value("loss").toDouble());
        ++received;
      }
      if (received > 0 && received % kRecordsPerChunk == 0) {
        runner.setDeliveryInterval(kNoTick);  // quiet again while the next chunk is reported
        delivered.release();
      }
    });
    connect(&runner, &JobRunner::finished, &ui, [&] { done = true; });
    connect(&runner, &JobRunner::failed, &ui, [&](int, const QString& m) { failure = m; });
    runner.submit(QStringLiteral("train-like"), [&](kdw::JobContext& job) {
      at::set_num_threads(1);  // one core for the job, one for the UI (2-core machines)
      at::manual_seed(0);
      at::Tensor w1 = (at::randn({192, 192}) * 0.05).set_requires_grad(true);
      at::Tensor w2 = (at::randn({192, 8}) * 0.05).set_requires_grad(true);
      const at::Tensor target = at::randn({64, 8});
      int record = 0;
      for (int chunk = 0; chunk < kChunks; ++chunk) {
        for (int s = 0; s < kStepsPerChunk; ++s) {
          const at::Tensor x = at::randn({64, 192});
          const at::Tensor h = at::tanh(at::matmul(at::tanh(at::matmul(x, w1)), w1));
          const at::Tensor loss = (at::matmul(h, w2) - target).pow(2).mean();
          loss.backward();
          {
            at::NoGradGuard noGrad;
            for (at::Tensor* w : {&w1, &w2}) {
              w->sub_(w->grad() * 0.01);
              w->mutable_grad().zero_();
            }
          }
          const float value = loss.item<float>();
          for (int r = 0; r < kRecordsPerStep; ++r)  // a chatty trainer
            job.metric({{"kind", "step"}, {"step", record++}, {"loss", value}});
          job.progress("train", chunk * kStepsPerChunk + s + 1, kChunks * kStepsPerChunk);
          QMetaObject::invokeMethod(
              &ui, [&answered] { answered.release(); }, Qt::QueuedConnection);
          if (!waitForUi(answered, job))
            throw std::runtime_error("the UI thread did not handle an event while the job ran");
        }
        // Deliver now: the timer fires on the UI thread while this job waits, so the delivery
        // cannot depend on the job going on.
        QMetaObject::invokeMethod(
            &ui, [&runner] { runner.setDeliveryInterval(0); }, Qt::QueuedConnection);
        if (!waitForUi(delivered, job))
          throw std::runtime_error(
              "the UI thread did not get the chunk's records while the job waited");
      }
      return nlohmann::json{{"records", record}};
    });

    // Information only (never asserted: a loaded machine preempts the UI thread at will): the
    // longest gap between ticks of a 5 ms timer on the UI thread while the job ran.
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer tick;
    tick.setInterval(5);
    tick.setTimerType(Qt::PreciseTimer);
    connect(&tick, &QTimer::timeout, &ui, [&] {
      worst = std::max(worst, clock.elapsed() - last);
      last = clock.elapsed();
    });
    tick.start();
    QVERIFY(waitFor([&] { return done || !failure.isEmpty(); }, 60000));
    tick.stop();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY(onUiThread);
    QCOMPARE(received, kRecords);
    QVERIFY(inOrder);
    QCOMPARE(batches, kChunks);          // one signal per delivery, however many records it carries
    QCOMPARE(progressSignals, kChunks);  // the progress in between is coalesced
    QCOMPARE(lastDone, qint64(kChunks * kStepsPerChunk));
    chart.redraw();
    QCOMPARE(chart.pointCount(series), kRecords);
    QVERIFY(chart.drawnCount(series) <= 1200);  // decimated
    QVERIFY(chart.drawnCount(series) < kRecords);
    qInfo("records: %d in %d batches; longest gap between UI timer ticks: %lld ms", received,
          batches, worst);
  }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
