// Issue 13's trust part, on a small real workspace (prepared, a teacher fine-tuned, its logits,
// two students distilled, all through the engine as the kdw verbs do):
// - replacing a fine-tuned teacher, the logits or a cut model asks first and can keep the old
//   one under a new name; quitting or switching workspaces while a job runs asks, cancels the
//   job and goes on once it stopped, without the UI thread waiting;
// - logits older than the teacher and students trained on older logits are marked stale where
//   they are shown, and one click redoes them;
// - opening another workspace leaves nothing of the old one in the panels;
// - a PNG chosen as data, or a table without a label column, gets a plain sentence and an empty
//   preview.
// Dialogs are real QMessageBoxes, answered by clicking their named buttons.
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QMessageBox>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <filesystem>
#include <memory>

#include "../next_dialog.h"
#include "bert/finetune.h"
#include "bert/logits.h"
#include "core/job.h"
#include "data/prepare.h"
#include "student/distill.h"
#include "ui/common/live_chart.h"
#include "ui/common/replace_question.h"
#include "ui/common/workspace_state.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/unit_selection.h"
#include "ui/data/data_panel.h"
#include "ui/data/table_model.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/logits/logits_panel.h"
#include "ui/runs/run_list_model.h"
#include "ui/runs/runs_panel.h"
#include "ui/shell/main_window.h"
#include "ui/teacher/teacher_panel.h"

namespace fs = std::filesystem;

namespace {

using kdw::test::clickInNextDialog;

fs::path path(const QString& p) {
  return fs::path(p.toStdString());
}

// 90 rows, three topics.
void writeCsv(const QString& file) {
  const char* const words[3][5] = {{"мяч", "гол", "матч", "команда", "тренер"},
                                   {"закон", "выборы", "партия", "министр", "власть"},
                                   {"фильм", "актёр", "режиссёр", "сцена", "роль"}};
  const char* const topics[3] = {"sport", "politics", "cinema"};
  QFile f(file);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("text,label\n");
  for (int i = 0; i < 90; ++i) {
    const int t = i % 3;
    f.write(QStringLiteral("\"%1 и %2 это %3 номер %4\",%5\n")
                .arg(QString::fromUtf8(words[t][i % 5]), QString::fromUtf8(words[t][(i / 3) % 5]),
                     QString::fromUtf8(words[(t + 1) % 3][i % 5]))
                .arg(i)
                .arg(QLatin1String(topics[t]))
                .toUtf8());
  }
}

// A job that runs until it is cancelled.
nlohmann::json untilCancelled(kdw::JobContext& job) {
  for (;;) {
    job.throw_if_cancelled();
    QThread::msleep(2);
  }
}

QStringList kept(const QString& dir, const QString& prefix) {
  return QDir(dir).entryList({prefix + QStringLiteral("-kept-*")},
                             QDir::AllEntries | QDir::NoDotAndDotDot);
}

}  // namespace

class TestUiTrust : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString ws_, empty_, csv_, bert_;
  QObject pollers_;  ///< clickInNextDialog's timers

  void finetune(int epochs) {
    kdw::JobContext job;
    kdw::FinetuneOptions f;
    f.workspace = path(ws_);
    f.bert_path = path(bert_);
    f.epochs = epochs;
    f.batch_size = 16;
    f.lr = 5e-4;
    kdw::run_finetune(f, job);
  }

  // The newest run folder of the workspace.
  QString distillRun() const {
    QStringList runs = QDir(ws_).entryList({QStringLiteral("20*___*")}, QDir::Dirs);
    runs.sort();
    return runs.isEmpty() ? QString() : QDir(ws_).filePath(runs.last());
  }

  void distill(uint64_t seed) {
    kdw::JobContext job;
    kdw::DistillOptions d;
    d.data_path = path(ws_);
    d.hidden_size = 8;
    d.emb_dim = 8;
    d.epochs = 1;
    d.seed = seed;
    kdw::run_distill(d, job);
  }

 private Q_SLOTS:
  void cleanup() { qDeleteAll(pollers_.children()); }

  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
    QVERIFY(dir_.isValid());
    ws_ = dir_.filePath(QStringLiteral("ws"));
    empty_ = dir_.filePath(QStringLiteral("empty"));
    csv_ = dir_.filePath(QStringLiteral("topics.csv"));
    writeCsv(csv_);
    QCOMPARE(createWorkspaceLayout(ws_), QString());
    QCOMPARE(createWorkspaceLayout(empty_), QString());
    const QString demo = QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert");
    kdw::JobContext job;
    kdw::PrepareOptions p;
    p.input = path(csv_);
    p.workspace = path(ws_);
    p.bert_vocab = path(demo + QStringLiteral("/vocab.txt"));
    kdw::run_prepare(p, job);
    bert_ = ws_ + QStringLiteral("/files/bert/demo_bert");
    QVERIFY(QDir().mkpath(bert_));
    for (const char* name : {"config.json", "vocab.txt"})
      QVERIFY(QFile::copy(demo + QLatin1Char('/') + QLatin1String(name),
                          bert_ + QLatin1Char('/') + QLatin1String(name)));
    finetune(1);
    kdw::LogitsOptions l;
    l.workspace = path(ws_);
    kdw::run_logits(l, job);
    distill(1);
    QTest::qWait(1100);  // run folders are named by the second
    distill(2);
  }

  // A PNG chosen as data: one plain sentence and an empty preview (the previous file's rows do
  // not stay under the PNG's name); a table with only a text column: no label is made up.
  void badFilesGetAPlainSentenceAndAnEmptyPreview() {
    JobRunner runner;
    DataPanel panel(&runner);
    panel.setWorkspace(empty_);
    QSignalSpy loaded(&panel, &DataPanel::tableLoaded);
    panel.loadFile(csv_);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 1, 20000);
    QCOMPARE(panel.model()->rowCount(), 90);

    const QString png = dir_.filePath(QStringLiteral("picture.png"));
    QFile f(png);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 20));
    f.close();
    QSignalSpy failed(&runner, &JobRunner::failed);
    panel.loadFile(png);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
    QVERIFY2(panel.tableInfo().contains(
                 QStringLiteral("picture.png: this looks like a PNG image, not a text table")),
             qPrintable(panel.tableInfo()));
    QCOMPARE(panel.model()->rowCount(), 0);
    QCOMPARE(panel.textColumn(), QString());
    QCOMPARE(panel.prepare(), 0);

    const QString onlyText = dir_.filePath(QStringLiteral("only_text.csv"));
    QFile t(onlyText);
    QVERIFY(t.open(QIODevice::WriteOnly));
    t.write("text\nодин раз\nдва раза\nтри раза\n");
    t.close();
    panel.loadFile(onlyText);
    QTRY_COMPARE_WITH_TIMEOUT(loaded.count(), 2, 20000);
    QCOMPARE(panel.textColumn(), QStringLiteral("text"));
    QCOMPARE(panel.labelColumn(), QString());  // not the text again
    QVERIFY2(panel.resultText().contains(QStringLiteral(
                 "no label column: the file has only `text`; choose a label column")),
             qPrintable(panel.resultText()));
    QCOMPARE(panel.prepare(), 0);
  }

  // Workspace A (a teacher, logits, runs) then empty workspace B: every panel shows B's state.
  void panelsFollowTheWorkspace() {
    // An unfinished fine-tune's checkpoint: Resume is offered in A only.
    const QString checkpoint = ws_ + QStringLiteral("/files/bert/rubert_finetune.checkpoint");
    QVERIFY(QDir().mkpath(checkpoint));
    MainWindow window;
    QVERIFY(window.openWorkspace(ws_));
    auto* data = qobject_cast<DataPanel*>(window.panelWidget(MainWindow::Data));
    auto* teacher = qobject_cast<TeacherPanel*>(window.panelWidget(MainWindow::Teacher));
    auto* logits = qobject_cast<LogitsPanel*>(window.panelWidget(MainWindow::Logits));
    auto* distillPanel = qobject_cast<DistillPanel*>(window.panelWidget(MainWindow::Distill));
    auto* runs = qobject_cast<RunsPanel*>(window.panelWidget(MainWindow::Runs));
    QVERIFY(data && teacher && logits && distillPanel && runs);
    QTRY_VERIFY_WITH_TIMEOUT(data->model()->rowCount() == 90, 20000);  // prepare.json's input
    QVERIFY2(teacher->statusText().contains(QStringLiteral("best epoch")),
             qPrintable(teacher->statusText()));
    QVERIFY(teacher->canResume());
    QCOMPARE(runs->model()->rowCount(), 2);
    runs->selectRows({0});
    QVERIFY(runs->resultTable()->rowCount() > 0);
    runs->selectRows({0, 1});
    QCOMPARE(runs->compareTable()->columnCount(), 3);
    QVERIFY(!distillPanel->lastRunDir().isEmpty());

    QVERIFY(window.openWorkspace(empty_));
    QCOMPARE(window.workspace().root, QDir::cleanPath(empty_));
    QVERIFY2(!teacher->statusText().contains(QStringLiteral("best epoch")),
             qPrintable(teacher->statusText()));
    QVERIFY(!teacher->canResume());
    QCOMPARE(teacher->lossChart()->pointCount(0), 0);
    QCOMPARE(runs->model()->rowCount(), 0);
    QCOMPARE(runs->resultTable()->rowCount(), 0);
    QCOMPARE(runs->compareTable()->columnCount(), 0);
    QCOMPARE(data->model()->rowCount(), 0);
    QCOMPARE(data->textColumn(), QString());
    QVERIFY(distillPanel->lastRunDir().isEmpty());
    QVERIFY(QDir(checkpoint).removeRecursively());
  }

  // Quitting (Ctrl+Q, the window's close) while a job runs asks; "Keep working" keeps both,
  // "Cancel the job and quit" cancels it and closes once it stopped, close() never waiting.
  void quittingWhileAJobRunsAsks() {
    MainWindow window;
    window.show();
    QVERIFY(window.openWorkspace(ws_));
    QSignalSpy cancelled(window.runner(), &JobRunner::cancelled);
    window.runner()->submit(QStringLiteral("Endless"), untilCancelled);
    QVERIFY(window.runner()->isBusy());

    auto answered = clickInNextDialog(&pollers_, kKeepWorkingButton);
    QVERIFY(!window.close());
    QVERIFY(answered->answered);
    QVERIFY(window.isVisible());
    QVERIFY(window.runner()->isBusy());

    answered = clickInNextDialog(&pollers_, kStopJobsButton);
    QAction* quit = nullptr;
    for (QAction* a : window.findChildren<QAction*>())
      if (a->text() == QStringLiteral("&Quit")) quit = a;
    QVERIFY(quit);
    QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
    quit->trigger();  // what Ctrl+Q does
    QVERIFY(answered->answered);
    QVERIFY2(answered->text.contains(QStringLiteral("Endless")), qPrintable(answered->text));
    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), 20000);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY(!window.runner()->isBusy());
  }

  // Opening another workspace while a job runs asks too, and opens it once the job stopped.
  void switchingWorkspacesWhileAJobRunsAsks() {
    MainWindow window;
    QVERIFY(window.openWorkspace(ws_));
    QSignalSpy cancelled(window.runner(), &JobRunner::cancelled);
    window.runner()->submit(QStringLiteral("Endless"), untilCancelled);
    auto answered = clickInNextDialog(&pollers_, kKeepWorkingButton);
    QVERIFY(!window.openWorkspace(empty_));
    QVERIFY(answered->answered);
    QCOMPARE(window.workspace().root, QDir::cleanPath(ws_));
    answered = clickInNextDialog(&pollers_, kStopJobsButton);
    QVERIFY(!window.openWorkspace(empty_));  // opens once the job stopped
    QVERIFY(answered->answered);
    QTRY_COMPARE_WITH_TIMEOUT(window.workspace().root, QDir::cleanPath(empty_), 20000);
    QCOMPARE(cancelled.count(), 1);
  }

  // Logits older than the teacher are marked stale with a Redo; redone, students trained on the
  // old logits are marked stale in the Distill panel and the Runs list, with their own Redo.
  void staleOutputsAreMarkedAndRedone() {
    JobRunner runner;
    LogitsPanel logits(&runner);
    logits.setWorkspace(ws_);
    QCOMPARE(logits.staleText(), QString());
    DistillPanel distillPanel(&runner);
    distillPanel.setWorkspace(ws_);
    QCOMPARE(distillPanel.staleText(), QString());
    RunListModel model;
    model.setRoot(ws_);
    QCOMPARE(model.staleReason(0), QString());

    finetune(2);  // the teacher is fine-tuned again
    logits.refresh();
    QVERIFY2(logits.staleText().contains(QStringLiteral("Stale")), qPrintable(logits.staleText()));

    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    logits.redo();  // no question: the user asked for exactly this
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    QCOMPARE(logits.staleText(), QString());

    distillPanel.setWorkspace(ws_);
    QVERIFY2(distillPanel.staleText().contains(QStringLiteral("Stale")),
             qPrintable(distillPanel.staleText()));
    model.setRoot(ws_);
    QVERIFY(!model.staleReason(0).isEmpty());
    QVERIFY(!model.staleReason(1).isEmpty());
    const QString oldRun = distillPanel.lastRunDir();
    finished.clear();
    distillPanel.redo();
    QVERIFY(distillPanel.jobId() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    QVERIFY(failed.isEmpty());
    QVERIFY(distillPanel.lastRunDir() != oldRun);
    QCOMPARE(distillPanel.staleText(), QString());
    model.setRoot(ws_);
    QCOMPARE(model.rowCount(), 3);
    int fresh = 0;
    for (int r = 0; r < model.rowCount(); ++r) fresh += model.staleReason(r).isEmpty();
    QCOMPARE(fresh, 1);
  }

  // Starting what would replace a trained teacher or stored logits asks: Cancel changes nothing,
  // Keep renames the old one with a date and time suffix, Replace replaces it.
  void replacingAsksFirst() {
    JobRunner runner;
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    LogitsPanel logits(&runner);
    logits.setWorkspace(ws_);
    const QString data = ws_ + QStringLiteral("/files/data");

    auto answered = clickInNextDialog(&pollers_, kCancelButton);
    QCOMPARE(logits.start(), 0);
    QVERIFY(answered->answered);
    QVERIFY(kept(data, QStringLiteral("logits")).isEmpty());

    answered = clickInNextDialog(&pollers_, kKeepButton);
    QVERIFY(logits.start() > 0);
    QVERIFY(answered->answered);
    const QStringList keptLogits = kept(data, QStringLiteral("logits"));
    QCOMPARE(keptLogits.size(), 1);
    QVERIFY(QFileInfo::exists(data + QLatin1Char('/') + keptLogits[0] +
                              QStringLiteral("/logits.json")));
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    QVERIFY(failed.isEmpty());
    QVERIFY(QFileInfo::exists(data + QStringLiteral("/logits/logits.json")));

    answered = clickInNextDialog(&pollers_, kReplaceButton);
    finished.clear();
    QVERIFY(logits.start() > 0);
    QVERIFY(answered->answered);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    QCOMPARE(kept(data, QStringLiteral("logits")).size(), 1);

    // Cut & Evaluate a second time on the same run: the first cut is kept under a new name.
    CompressPanel compress(&runner);
    compress.setWorkspace(ws_);
    const QString run = distillRun();
    compress.openRun(run);
    QVERIFY(compress.selection().groupCount() > 0);
    for (int g = 0; g < compress.selection().groupCount(); ++g)
      compress.selection().setPicked(g, 0, true);
    finished.clear();
    QVERIFY(compress.cutAndEvaluate() > 0);  // nothing to replace: no question
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    QVERIFY(failed.isEmpty());
    answered = clickInNextDialog(&pollers_, kKeepButton);
    finished.clear();
    QVERIFY(compress.cutAndEvaluate() > 0);
    QVERIFY(answered->answered);
    QCOMPARE(kept(run, QStringLiteral("cut_model_distill_*")).size(), 1);
    QCOMPARE(kept(run, QStringLiteral("cut_report")).size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy() && finished.count() + failed.count() > 0, 60000);
    // The new cut beside the kept one.
    QCOMPARE(QDir(run).entryList({QStringLiteral("cut_model_distill_*")}, QDir::Files).size(), 2);

    TeacherPanel teacher(&runner);
    teacher.setWorkspace(ws_);
    const QString bert = ws_ + QStringLiteral("/files/bert");
    answered = clickInNextDialog(&pollers_, kCancelButton);
    QCOMPARE(teacher.start(), 0);
    QVERIFY(answered->answered);
    QVERIFY(kept(bert, QStringLiteral("rubert_finetune")).isEmpty());
    QVERIFY(QFileInfo::exists(bert + QStringLiteral("/rubert_finetune/finetune.json")));

    answered = clickInNextDialog(&pollers_, kKeepButton);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    const int job = teacher.start();
    QVERIFY(job > 0);
    QVERIFY(answered->answered);
    runner.cancel(job);  // the new fine-tune is not needed here
    QTRY_VERIFY_WITH_TIMEOUT(!runner.isBusy(), 60000);
    const QStringList keptTeacher = kept(bert, QStringLiteral("rubert_finetune"));
    QCOMPARE(keptTeacher.size(), 1);
    QVERIFY(QFileInfo::exists(bert + QLatin1Char('/') + keptTeacher[0] +
                              QStringLiteral("/finetune.json")));
  }
};

QTEST_MAIN(TestUiTrust)
#include "test_ui_trust.moc"
