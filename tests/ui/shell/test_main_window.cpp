// MainWindow: panels enabled/disabled according to what the workspace holds; bad folders and
// failed jobs show the error banner; LiveChart decimation keeps spikes; Preferences offer the GPU
// only where LibTorch sees one.
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonObject>
#include <QProgressBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <thread>

#include "core/job.h"

#include "ui/common/device_setting.h"
#include "ui/common/live_chart.h"
#include "ui/common/workspace_state.h"
#include "ui/data/data_panel.h"
#include "ui/data/table_model.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/jobs/job_status.h"
#include "ui/logits/logits_panel.h"
#include "ui/shell/main_window.h"
#include "ui/shell/preferences_dialog.h"
#include "ui/shell/screenshot_tour.h"
#include "ui/teacher/teacher_panel.h"

namespace {
void touch(const QString& path) {
  QDir().mkpath(QFileInfo(path).path());
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write("x");
}
}  // namespace

class TestMainWindow : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  // Without CUDA (CI, Debian's LibTorch) the device stays the CPU: the choice is disabled and
  // says why, and a "cuda" saved elsewhere never reaches a job. With CUDA, both are offered.
  void preferencesOfferTheGpuOnlyWithCuda() {
    QSettings().remove(QStringLiteral("device"));
    PreferencesDialog dialog;
    QComboBox* box = dialog.deviceBox();
    QCOMPARE(dialog.device(), QStringLiteral("cpu"));
    if (cudaDeviceAvailable()) {
      QVERIFY(box->isEnabled());
      QCOMPARE(box->count(), 2);
      dialog.setDevice(QStringLiteral("cuda"));
      QCOMPARE(dialog.device(), QStringLiteral("cuda"));
    } else {
      QVERIFY(!box->isEnabled());
      QCOMPARE(box->count(), 1);
      QVERIFY2(box->toolTip().contains(QStringLiteral("no CUDA")), qPrintable(box->toolTip()));
      dialog.setDevice(QStringLiteral("cuda"));
      QCOMPARE(dialog.device(), QStringLiteral("cpu"));
    }
    saveJobDevice(QStringLiteral("cuda"));
    QCOMPARE(jobDevice(), cudaDeviceAvailable() ? std::string("cuda") : std::string("cpu"));
    saveJobDevice(QStringLiteral("cpu"));
    QCOMPARE(jobDevice(), std::string("cpu"));
    QSettings().remove(QStringLiteral("device"));
  }

  void panelsFollowWorkspaceContents() {
    MainWindow window;
    for (int p = 0; p < MainWindow::PanelCount; ++p)
      QVERIFY(!window.isPanelEnabled(MainWindow::Panel(p)));  // no workspace yet
    QCOMPARE(window.currentPanel(), -1);                      // the welcome page

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(createWorkspaceLayout(dir.path()), QString());
    QVERIFY(window.openWorkspace(dir.path()));
    QVERIFY(window.workspace().valid);
    QVERIFY(!window.workspace().hasTokens);
    QVERIFY(window.isPanelEnabled(MainWindow::Data));
    QVERIFY(!window.isPanelEnabled(MainWindow::Teacher));
    QVERIFY(!window.isPanelEnabled(MainWindow::Logits));
    QVERIFY(!window.isPanelEnabled(MainWindow::Distill));
    QVERIFY(!window.isPanelEnabled(MainWindow::Compress));  // no runs yet
    QVERIFY(!window.panelNote(MainWindow::Distill).isEmpty());
    // A disabled panel cannot be shown.
    const int shown = window.currentPanel();
    window.showPanel(MainWindow::Distill);
    QCOMPARE(window.currentPanel(), shown);

    touch(dir.filePath("files/data/tokens/train_ids.npy"));
    touch(dir.filePath("files/data/bert_data/train_ids.npy"));
    window.rescanWorkspace();
    QVERIFY(window.workspace().hasTokens && window.workspace().hasBertData);
    QVERIFY(window.isPanelEnabled(MainWindow::Teacher));
    QVERIFY(!window.isPanelEnabled(MainWindow::Logits));  // no fine-tuned teacher

    touch(dir.filePath("files/bert/rubert_finetune/config.json"));
    window.rescanWorkspace();
    QVERIFY(window.isPanelEnabled(MainWindow::Logits));
    QVERIFY(!window.isPanelEnabled(MainWindow::Distill));  // no logits

    touch(dir.filePath("files/data/logits/train.npy"));
    touch(dir.filePath("2026-01-02___03-04-05/model_distill_stack_biLSTM.pt"));
    window.rescanWorkspace();
    QVERIFY(window.workspace().hasLogits);
    QCOMPARE(window.workspace().runs, 1);
    QVERIFY(window.isPanelEnabled(MainWindow::Distill));

    // An enabled panel can be shown.
    window.showPanel(-1);
    window.showPanel(MainWindow::Teacher);
    QCOMPARE(window.currentPanel(), int(MainWindow::Teacher));
  }

  // kdw-gui --screenshot-dir without a workspace: the tour saves the welcome page, then ends.
  void screenshotTourWithoutWorkspace() {
    MainWindow window;
    window.resize(1280, 820);
    window.show();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString shots = dir.filePath(QStringLiteral("shots"));  // made by the tour
    bool done = false;
    runScreenshotTour(&window, shots, false, [&done](const QStringList&) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    QCOMPARE(QDir(shots).entryList(QDir::Files), QStringList{QStringLiteral("welcome.png")});
    const QImage welcome(QDir(shots).filePath(QStringLiteral("welcome.png")));
    QCOMPARE(welcome.size() / welcome.devicePixelRatio(), window.size());
  }

  // A workspace without runs (nor teacher nor logits): the tour takes what there is and skips
  // the rest at once, saying what is missing, instead of waiting minutes for a Cut & Evaluate
  // or a training run that cannot start.
  void screenshotTourSkipsWhatCannotCome() {
    QTemporaryDir ws;
    QVERIFY(ws.isValid());
    QCOMPARE(createWorkspaceLayout(ws.path()), QString());
    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(window.openWorkspace(ws.path()));
    QTemporaryDir dir;
    const QString shots = dir.filePath(QStringLiteral("shots"));
    bool done = false;
    QStringList skipped;
    runScreenshotTour(&window, shots, true, [&](const QStringList& lines) {
      skipped = lines;
      done = true;
    });
    // Far below the minutes the old tour waited (180 s for compress, 240 s for distill-live).
    QTRY_VERIFY_WITH_TIMEOUT(done, 30000);
    const QString all = skipped.join(QLatin1Char('\n'));
    for (const char* name :
         {"teacher", "logits", "distill", "compress", "runs", "compare", "distill-live"})
      QVERIFY2(all.contains(QStringLiteral("no %1.png: ").arg(QLatin1String(name))),
               qPrintable(name + QStringLiteral(" not reported in:\n") + all));
    QVERIFY2(all.contains(QStringLiteral("no runs.png: no runs in the workspace")) ||
                 all.contains(QStringLiteral("no runs.png: the panel is off")),
             qPrintable(all));
    QVERIFY2(!all.contains(QStringLiteral("not ready")), qPrintable(all));
    QVERIFY(QDir(shots).entryList(QDir::Files).contains(QStringLiteral("welcome.png")));
    QVERIFY(!QFileInfo::exists(QDir(shots).filePath(QStringLiteral("compress.png"))));
  }

  void badFolderAndFailedJobShowBanner() {
    MainWindow window;
    window.show();
    QVERIFY(!window.openWorkspace(QStringLiteral("/nonexistent/kdw-ws")));
    QVERIFY(window.errorText().contains(QStringLiteral("/nonexistent/kdw-ws: not a folder")));
    window.runner()->submit(QStringLiteral("bad"), [](kdw::JobContext&) -> nlohmann::json {
      throw std::runtime_error("data.csv: no column named text");
    });
    QTRY_COMPARE_WITH_TIMEOUT(window.errorText(), QStringLiteral("data.csv: no column named text"),
                              10000);
  }

  // New workspace: an empty or missing folder, or a workspace, is fine; a folder holding other
  // things (a slip in the folder dialog gave "/") is refused before files/ is spread into it.
  void newWorkspaceNeedsAnEmptyFolder() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QCOMPARE(newWorkspaceProblem(dir.path()), QString());
    QCOMPARE(newWorkspaceProblem(dir.filePath(QStringLiteral("new/ws"))), QString());
    touch(dir.filePath(QStringLiteral("notes.txt")));
    const QString problem = newWorkspaceProblem(dir.path());
    QVERIFY2(problem.contains(QStringLiteral("is not empty")), qPrintable(problem));
    QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("files"))));
    QVERIFY(newWorkspaceProblem(QStringLiteral("/")).contains(QStringLiteral("is not empty")));
    QVERIFY(!newWorkspaceProblem(dir.filePath(QStringLiteral("notes.txt"))).isEmpty());
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    QCOMPARE(newWorkspaceProblem(ws), QString());  // an existing workspace is opened
  }

  void scanReadsLabels() {
    QTemporaryDir dir;
    QCOMPARE(createWorkspaceLayout(dir.path()), QString());
    QFile labels(dir.filePath("files/data/labels.json"));
    QVERIFY(labels.open(QIODevice::WriteOnly));
    labels.write(R"(["positive","negative","neutral"])");
    labels.close();
    const WorkspaceState state = scanWorkspace(dir.path());
    QCOMPARE(state.labels, (QStringList{"positive", "negative", "neutral"}));
    QVERIFY(state.summary().contains(QStringLiteral("3 classes")));
    QVERIFY(!scanWorkspace(dir.filePath("missing")).valid);
  }

  // Loading a CSV fills the preview model; Prepare writes the workspace files through a job.
  void dataPanelLoadsAndPrepares() {
    QTemporaryDir dir;
    QCOMPARE(createWorkspaceLayout(dir.path()), QString());
    QFile csv(dir.filePath("in.csv"));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("id,text,label\n");
    const char* const texts[] = {"хороший фильм", "плохой сюжет", "отличная игра",
                                 "скучно и долго"};
    for (int i = 0; i < 40; ++i)
      csv.write(QStringLiteral("%1,\"%2 %1\",%3\n")
                    .arg(i)
                    .arg(QString::fromUtf8(texts[i % 4]))
                    .arg(QLatin1String(i % 2 ? "neg" : "pos"))
                    .toUtf8());
    csv.close();
    JobRunner runner;
    DataPanel panel(&runner);
    panel.setWorkspace(dir.path());
    panel.loadFile(csv.fileName());
    QTRY_COMPARE_WITH_TIMEOUT(panel.model()->rowCount(), 40, 20000);
    QCOMPARE(panel.model()->columnCount(), 3);
    QCOMPARE(panel.model()->data(panel.model()->index(0, 2)).toString(), QStringLiteral("pos"));
    bool done = false;
    kdw::PrepareReport summary;
    connect(&panel, &DataPanel::prepared, this,
            [&](const kdw::PrepareReport& s) { done = true, summary = s; });
    QString failure;
    connect(&runner, &JobRunner::failed, this, [&](int, const QString& m) { failure = m; });
    QVERIFY(panel.prepare() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(done || !failure.isEmpty(), 30000);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    QVERIFY(QFileInfo::exists(dir.filePath("files/data/tokens/train_ids.npy")));
    QVERIFY(QFileInfo::exists(dir.filePath("files/data/labels.json")));
    QVERIFY(scanWorkspace(dir.path()).hasTokens);
    QCOMPARE(summary.labels.size(), size_t(2));
  }

  // While the demo runs, the status bar's bar is the whole demo's and says so, and the Distill
  // panel's is the run's own, all epochs, and says so: before, two bare percentages (37 % and the
  // epoch's 50 %) left users guessing which was which.
  void demoProgressSaysWhichBarIsWhich() {
    MainWindow window;
    JobRunner* runner = window.runner();
    runner->setDeliveryInterval(5);
    std::atomic<bool> release{false};
    auto quick = [](kdw::JobContext&) { return nlohmann::json::object(); };
    const int first = runner->submit(QStringLiteral("Demo: prepare data"), quick);
    // The second step: a distillation in its second of four epochs, half of that epoch done.
    const int distil = runner->submit(
        QStringLiteral("Demo: distil stack_LSTM"),
        [&release](kdw::JobContext& job) -> nlohmann::json {
          job.progress("epoch 2/4", 1, 2);
          while (!release.load()) {
            job.throw_if_cancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
          return nlohmann::json::object();
        },
        QString::fromLatin1(JobRunner::kDistillKind));
    const int last = runner->submit(QStringLiteral("Demo: cut stack_LSTM"), quick);
    window.jobStatus()->followSeries(QStringLiteral("Demo"), {first, distil, last});
    auto* run = window.panelWidget(MainWindow::Distill)->findChild<QProgressBar*>("runProgress");
    QVERIFY(run);
    // (1 + 1.5 / 4) / 3 steps of the demo; 1.5 / 4 of the run.
    QTRY_COMPARE(window.jobStatus()->barText(), QStringLiteral("Demo: step 2 of 3 — 45%"));
    QTRY_COMPARE(run->text(), QStringLiteral("This run: 37%"));
    release = true;
    QTRY_VERIFY(!runner->isBusy());
  }

  void chartDecimationKeepsSpikes() {
    LiveChart chart(QStringLiteral("t"), QStringLiteral("x"), QStringLiteral("y"));
    const int s = chart.addSeries(QStringLiteral("s"));
    chart.setMaxDrawn(200);
    for (int i = 0; i < 100000; ++i) chart.append(s, i, i == 54321 ? 100.0 : 1.0);
    chart.redraw();
    QCOMPARE(chart.pointCount(s), 100000);
    QVERIFY(chart.drawnCount(s) <= 200);
    bool spike = false;
    for (const QPointF& p : chart.drawnPoints(s)) spike = spike || p.y() == 100.0;
    QVERIFY(spike);
  }
};

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"
