// JobRunner: order, one job at a time, delivery on the UI thread, cancel, failure, and the
// responsiveness of the UI event loop while a CPU-heavy job reports many metric records.
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/live_chart.h"
#include "core/error.h"
#include "core/job.h"
#include "core/memory.h"
#include "jobs/job_runner.h"

namespace {
bool waitFor(const std::function<bool()>& done, int ms = 20000) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < ms) QTest::qWait(5);
  return done();
}
}  // namespace

class TestJobRunner : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // The allocator settings of kdw-gui (one shared arena, freed memory kept), so that the stall
  // test below measures the UI as it runs in the app.
  void initTestCase() { kdw::keep_freed_memory(); }

  void runsInOrderOneAtATime() {
    JobRunner runner;
    std::atomic<int> running{0}, maxRunning{0};
    std::mutex mutex;
    std::vector<int> order;
    QList<int> started, finished;
    connect(&runner, &JobRunner::started, this, [&](int id, const QString&) { started << id; });
    connect(&runner, &JobRunner::finished, this, [&](int id, const QJsonObject& r) {
      QCOMPARE(r.value("n").toInt(), id * 10);
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
        return nlohmann::json{{"n", (n + 1) * 10}};
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
    QCOMPARE(finished.at(0).at(1).toJsonObject().value("value").toInt(), 7);
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
      return nlohmann::json{{"sum", 6}};
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
    QCOMPARE(finished.at(0).at(1).toJsonObject().value("sum").toInt(), 6);
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
  // One measurement: the job runs ~1.5 s while the UI thread plots its records; `worst` is the
  // longest gap between two ticks of a 5 ms timer on the UI thread.
  void measureStall(qint64* worst_out) {
    JobRunner runner;
    LiveChart chart(QStringLiteral("loss"), QStringLiteral("step"), QStringLiteral("loss"));
    const int series = chart.addSeries(QStringLiteral("loss"));
    chart.resize(600, 300);
    chart.show();
    int received = 0;
    connect(&runner, &JobRunner::metrics, this, [&](int, const QJsonArray& batch) {
      for (const auto& v : batch) {
        const QJsonObject r = v.toObject();
        chart.append(series, r.value("step").toDouble(), r.value("loss").toDouble());
        ++received;
      }
    });
    bool done = false;
    int steps = 0;
    connect(&runner, &JobRunner::finished, this,
            [&](int, const QJsonObject& r) { done = true, steps = r.value("steps").toInt(); });
    runner.submit(QStringLiteral("train-like"), [](kdw::JobContext& job) {
      at::set_num_threads(1);  // one core for the job, one for the UI (2-core machines)
      at::manual_seed(0);
      // A small MLP trained by SGD: forward, autograd backward, in-place update, as a trainer.
      at::Tensor w1 = (at::randn({192, 192}) * 0.05).set_requires_grad(true);
      at::Tensor w2 = (at::randn({192, 8}) * 0.05).set_requires_grad(true);
      const at::Tensor target = at::randn({64, 8});
      const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
      int step = 0;
      // At least 1.5 s and at least 1,040 records: a slow machine (or a sanitizer build) made
      // fewer than the 1,000 the chart's decimation check needs in 1.5 s.
      while (std::chrono::steady_clock::now() < end || step < 260) {
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
        for (int r = 0; r < 4; ++r)  // several records per step, as a chatty trainer
          job.metric({{"kind", "step"}, {"step", step * 4 + r}, {"loss", value}});
        job.progress("train", step, 0);
        job.throw_if_cancelled();
        ++step;
      }
      return nlohmann::json{{"steps", step * 4}};
    });
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    int ticks = 0;
    QTimer tick;
    tick.setInterval(5);
    tick.setTimerType(Qt::PreciseTimer);
    connect(&tick, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      worst = std::max(worst, now - last);
      last = now;
      ++ticks;
    });
    tick.start();
    while (!done && clock.elapsed() < 30000)
      QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    tick.stop();
    QVERIFY(done);
    QCOMPARE(received, steps);
    QVERIFY2(steps > 1000, qPrintable(QStringLiteral("only %1 records").arg(steps)));
    chart.redraw();
    QVERIFY(chart.drawnCount(series) <= 1200);        // decimated
    worst = std::max(worst, clock.elapsed() - last);  // up to its end
    qInfo("records: %d, timer ticks: %d, longest UI stall: %lld ms", steps, ticks, worst);
    // The measurement itself ran: the timer ticked all along the job (~1.5 s of 5 ms ticks).
    QVERIFY2(ticks > 20, qPrintable(QStringLiteral("only %1 ticks").arg(ticks)));
    *worst_out = worst;
  }

 private Q_SLOTS:
  // A training job (LibTorch forward, autograd backward and update, several metric records per
  // step) must not stall the UI: the longest gap between ticks of a 5 ms timer, measured on the
  // UI thread while the records are plotted in a shown LiveChart, stays under 50 ms.
  // The gaps are wall-clock time, so other processes on a loaded 2-core machine can preempt the
  // UI thread for longer than that now and then: up to three measurements are taken, and one
  // must stay under 50 ms. A stall of our own (delivery, plotting, locking) shows in each.
  void uiStaysResponsiveDuringHeavyJob() {
    QList<qint64> worst;
    for (int attempt = 0; attempt < 3 && (worst.isEmpty() || worst.last() >= 50); ++attempt) {
      worst << -1;
      measureStall(&worst.last());
      if (QTest::currentTestFailed()) return;
    }
    QVERIFY2(worst.last() < 50,
             qPrintable(QStringLiteral("UI stalled in every attempt (ms): %1").arg([&] {
               QStringList ms;
               for (qint64 w : worst) ms << QString::number(w);
               return ms.join(QStringLiteral(", "));
             }())));
  }
};

QTEST_MAIN(TestJobRunner)
#include "test_job_runner.moc"
