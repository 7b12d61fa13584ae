// The Distill panel with Preferences' Workers at 2 (issue 15): one job that runs `kdw distill
// --nproc 2` (Gloo, real processes) and ends with the run a 1-worker run gives (same weights
// within float rounding, same scores), its curves fed by rank 0's events; Stop stops every
// worker and shows the kept model as an in-process job's Stop does; a failing worker's own line
// is the job's error; a missing kdw program is one clear line; the kdw program is found beside
// kdw-gui in the build tree and when installed.
#include <signal.h>

#include <QDir>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include "../../student/synthetic_data.h"
#include "../child_processes.h"
#include "student/reports.h"
#include "student/student_model.h"
#include "ui/common/device_setting.h"
#include "ui/common/live_chart.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/kdw_process.h"
#include "ui/shell/preferences_dialog.h"

namespace fs = std::filesystem;

namespace {

using kdw::test::alive;
using kdw::test::childrenOf;

const QByteArray kKdw = KDW_BINARY_DIR "/app/kdw/kdw";

template <typename T>
T* field(DistillPanel& panel, const char* name) {
  T* w = panel.findChild<T*>(QLatin1String(name));
  if (!w) qFatal("no form field %s", name);
  return w;
}

// A small student: one epoch trains in well under a second.
void smallStudent(DistillPanel& panel, int epochs) {
  field<QSpinBox>(panel, "hidden_size")->setValue(8);
  field<QSpinBox>(panel, "emb_dim")->setValue(5);
  field<QSpinBox>(panel, "num_layers")->setValue(1);
  field<QSpinBox>(panel, "batch_size")->setValue(7);
  field<QSpinBox>(panel, "epochs")->setValue(epochs);
}

double maxWeightDifference(const fs::path& a, const fs::path& b) {
  const kdw::StudentModel ma = kdw::load_student(a, kdw::StudentType::kStackBiLSTM);
  const kdw::StudentModel mb = kdw::load_student(b, kdw::StudentType::kStackBiLSTM);
  const auto pa = ma->named_parameters(), pb = mb->named_parameters();
  double most = 0;
  for (const auto& item : pa)
    most = std::max(most, (item.value() - pb[item.key()]).abs().max().item<double>());
  return most;
}

}  // namespace

class TestUiDistillWorkers : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(ws_.isValid());
    kdw::testing::write_synthetic_data(fs::path(ws_.path().toStdString()) / "files" / "data");
    qputenv("KDW_CLI", kKdw);
    QSettings().setValue(QStringLiteral("threads"), 2);  // one thread per worker
  }
  void cleanupTestCase() {
    QSettings().remove(QStringLiteral("nproc"));
    QSettings().remove(QStringLiteral("threads"));
  }

  void preferencesWorkersField() {
    QSettings().remove(QStringLiteral("nproc"));
    QCOMPARE(jobWorkers(), 1);  // by default jobs run in this program
    PreferencesDialog dialog;
    // The field of the dist table's nproc record (tests/ui/common/test_option_tables).
    auto* workers = dialog.findChild<QSpinBox*>(QStringLiteral("nproc"));
    QVERIFY(workers);
    QCOMPARE(dialog.workers(), 1);
    QCOMPARE(workers->minimum(), 1);
    dialog.setWorkers(3);
    saveJobWorkers(dialog.workers());
    QCOMPARE(jobWorkers(), 3);
    QSettings().setValue(QStringLiteral("nproc"), 0);  // nonsense saved elsewhere: 1
    QCOMPARE(jobWorkers(), 1);
  }

  void twoWorkersEqualOneWorker() {
    const QString runs[] = {dir_.filePath("one"), dir_.filePath("two")};
    kdw::DistillResult results[2];
    for (int i = 0; i < 2; ++i) {
      QVERIFY(QDir().mkpath(runs[i]));
      saveJobWorkers(i + 1);
      JobRunner runner;
      runner.setDeliveryInterval(20);
      DistillPanel panel(&runner);
      panel.setWorkspace(ws_.path());
      panel.setOutputDir(runs[i]);
      smallStudent(panel, 1);
      QSignalSpy started(&runner, &JobRunner::started);
      QSignalSpy finished(&runner, &JobRunner::finished);
      QSignalSpy failed(&runner, &JobRunner::failed);
      QSignalSpy progress(&runner, &JobRunner::progress);
      panel.start();
      QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 60000);
      QVERIFY2(failed.isEmpty(),
               qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
      QCOMPARE(started.size(), 1);  // one job, whatever the workers
      const auto* r = finished[0][1].value<JobResult>().get<kdw::DistillResult>();
      QVERIFY(r);
      results[i] = *r;
      QCOMPARE(QFileInfo(QString::fromStdString(r->run_dir.string())).absolutePath(),
               QFileInfo(runs[i]).absoluteFilePath());
      QCOMPARE(panel.lastRunDir(), QString::fromStdString(r->run_dir.string()));
      // Rank 0's progress and metric records reached the job as an in-process job's do.
      QVERIFY(!progress.isEmpty());
      QVERIFY(panel.lossChart()->pointCount(0) > 0);
      QVERIFY(panel.resultText().contains(QStringLiteral("best epoch 1 of 1")));
      if (i == 1) QVERIFY(started[0][1].toString().contains(QStringLiteral("2 workers")));
    }
    const double diff = maxWeightDifference(results[0].model_file, results[1].model_file);
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QCOMPARE(results[1].report.best_epoch, results[0].report.best_epoch);
    QCOMPARE(results[1].report.dev->accuracy, results[0].report.dev->accuracy);
    QCOMPARE(results[1].report.test->accuracy, results[0].report.test->accuracy);
    QCOMPARE(results[1].report.parameters, results[0].report.parameters);
  }

  // Stop after the first epoch: the launcher and both workers end, and the panel shows the kept
  // model as after an in-process Stop.
  void stopEndsEveryWorker() {
    saveJobWorkers(2);
    JobRunner runner;
    runner.setDeliveryInterval(20);
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    panel.setOutputDir(dir_.filePath("stopped"));
    QVERIFY(QDir().mkpath(dir_.filePath("stopped")));
    smallStudent(panel, 5000);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy finished(&runner, &JobRunner::finished);
    panel.start();
    QTRY_VERIFY_WITH_TIMEOUT(panel.devChart()->pointCount(0) > 0 || !failed.isEmpty(), 60000);
    QVERIFY(failed.isEmpty());
    const QList<int> launcher = childrenOf(int(getpid()));
    QCOMPARE(launcher.size(), 1);
    const QList<int> workers = childrenOf(launcher[0]);
    QCOMPARE(workers.size(), 2);
    panel.stopButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.size() + failed.size() + finished.size() > 0, 30000);
    QCOMPARE(cancelled.size(), 1);
    QVERIFY(!alive(launcher[0]));
    for (const int pid : workers) QVERIFY(!alive(pid));
    const auto* partial = cancelled[0][1].value<JobResult>().get<kdw::DistillResult>();
    QVERIFY(partial);
    QVERIFY(partial->report.best_epoch >= 1);
    QVERIFY(fs::exists(partial->model_file));
    QVERIFY2(
        panel.resultText().startsWith(QStringLiteral("Stopped; the best model so far is kept")),
        qPrintable(panel.resultText()));
    QVERIFY(panel.startButton()->isEnabled());
  }

  // A workspace without data: each worker fails with the line an in-process run fails with,
  // and that line (not the launcher's "rank 0 exited with code 1") is the job's error.
  void workerErrorIsTheJobError() {
    QTemporaryDir empty;
    QString messages[2];
    for (int i = 0; i < 2; ++i) {
      saveJobWorkers(i + 1);
      JobRunner runner;
      DistillPanel panel(&runner);
      panel.setWorkspace(empty.path());
      smallStudent(panel, 1);
      QSignalSpy failed(&runner, &JobRunner::failed);
      QSignalSpy finished(&runner, &JobRunner::finished);
      panel.start();
      QTRY_VERIFY_WITH_TIMEOUT(failed.size() + finished.size() > 0, 30000);
      QCOMPARE(failed.size(), 1);
      messages[i] = failed[0][1].toString();
    }
    QVERIFY(!messages[0].isEmpty());
    QCOMPARE(messages[1], messages[0]);
  }

  void missingKdwIsOneClearLine() {
    saveJobWorkers(2);
    qputenv("KDW_CLI", "/nonexistent/kdw");
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    smallStudent(panel, 1);
    QSignalSpy failed(&runner, &JobRunner::failed);
    panel.start();
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty(), 10000);
    qputenv("KDW_CLI", kKdw);
    const QString message = failed[0][1].toString();
    QVERIFY2(message.startsWith(QStringLiteral("the kdw program is missing: /nonexistent/kdw")),
             qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY(panel.resultText().contains(message));
  }

  // Beside kdw-gui: the build tree (app/gui/kdw-gui, app/kdw/kdw) and an installation (bin/).
  void findsKdwBesideTheGui() {
    qunsetenv("KDW_CLI");
    QTemporaryDir tree;
    QVERIFY(QDir().mkpath(tree.filePath("app/gui")) && QDir().mkpath(tree.filePath("app/kdw")) &&
            QDir().mkpath(tree.filePath("bin")));
    const auto program = [](const QString& path) {
      QFile f(path);
      return f.open(QIODevice::WriteOnly) &&
             f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    };
    QString error;
    try {
      findKdwProgram(tree.filePath("app/gui"));
    } catch (const kdw::Error& e) {
      error = QString::fromStdString(e.what());
    }
    QVERIFY2(error.contains(tree.filePath("app/gui/kdw")) &&
                 error.contains(tree.filePath("app/kdw/kdw")),
             qPrintable(error));
    QVERIFY(program(tree.filePath("app/kdw/kdw")));
    QCOMPARE(findKdwProgram(tree.filePath("app/gui")), tree.filePath("app/kdw/kdw"));
    QVERIFY(program(tree.filePath("bin/kdw")));
    QCOMPARE(findKdwProgram(tree.filePath("bin")), tree.filePath("bin/kdw"));
    qputenv("KDW_CLI", kKdw);
  }

 private:
  QTemporaryDir ws_, dir_;
};

QTEST_MAIN(TestUiDistillWorkers)
#include "test_ui_distill_workers.moc"
