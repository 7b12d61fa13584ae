// Distill panel on a tiny synthetic workspace: a run started from the panel trains through the
// job queue, the live curves receive every metric record, the run folder holds the model and
// result.json, "Open in Compress" hands over the run folder, and a panel opened later on the same
// workspace (and the Compress panel) shows the newest run instead of an empty state.
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include "../../student/synthetic_data.h"
#include "core/atomic_output.h"
#include "student/distill.h"
#include "student/reports.h"
#include "student/run_folder.h"
#include "student/student_model.h"
#include "ui/common/live_chart.h"
#include "ui/common/run_info.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/unit_selection.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/runs/run_list_model.h"
#include "ui/runs/runs_panel.h"

namespace {

QJsonObject readObject(const QString& path) {
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(f.readAll()).object();
}

// Counts metrics.jsonl records of one kind.
int countRecords(const QString& runDir, const QString& kind) {
  int n = 0;
  for (const QJsonObject& r : readMetrics(runDir))
    if (r.value(QStringLiteral("kind")).toString() == kind) ++n;
  return n;
}

template <typename T>
T* field(DistillPanel& panel, const char* name) {
  T* w = panel.findChild<T*>(QLatin1String(name));
  if (!w) qFatal("no form field %s", name);
  return w;
}

// A button by its text.
QPushButton* button(QWidget& panel, const char* text) {
  for (QPushButton* b : panel.findChildren<QPushButton*>())
    if (b->text() == QLatin1String(text)) return b;
  qFatal("no button %s", text);
}

}  // namespace

class TestUiDistill : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(ws_.isValid());
    kdw::testing::write_synthetic_data(
        std::filesystem::path(ws_.path().toStdString()) / "files" / "data", 64, 16, 16);
  }

  void emptyWorkspaceShowsNoRun() {
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    QCOMPARE(panel.resultText(), QStringLiteral("No run yet."));
    QVERIFY(!panel.openButton()->isEnabled());
    QVERIFY(panel.lastRunDir().isEmpty());
  }

  void runFromPanel() {
    JobRunner runner;
    runner.setDeliveryInterval(20);
    DistillPanel panel(&runner);
    panel.resize(1200, 800);
    panel.show();
    panel.setWorkspace(ws_.path());
    field<QComboBox>(panel, "model_type")->setCurrentText(QStringLiteral("stack_LSTM"));
    field<QSpinBox>(panel, "hidden_size")->setValue(6);
    field<QSpinBox>(panel, "num_layers")->setValue(2);
    field<QSpinBox>(panel, "emb_dim")->setValue(5);
    field<QSpinBox>(panel, "batch_size")->setValue(8);
    field<QSpinBox>(panel, "epochs")->setValue(2);
    field<QDoubleSpinBox>(panel, "group_lasso")->setValue(0.001);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy metrics(&runner, &JobRunner::metrics);
    panel.start();
    QVERIFY(panel.jobId() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    QCOMPARE(panel.jobId(), 0);
    QVERIFY(!metrics.isEmpty());

    // The run folder, with the model and the results.
    run_ = panel.lastRunDir();
    QVERIFY(!run_.isEmpty());
    QVERIFY(QFileInfo(run_).isDir());
    QCOMPARE(QFileInfo(run_).absolutePath(), QFileInfo(ws_.path()).absoluteFilePath());
    QVERIFY(QFileInfo::exists(QDir(run_).filePath("model_distill_stack_LSTM.pt")));
    const QJsonObject result = readObject(QDir(run_).filePath("result.json"));
    QCOMPARE(result.value("epochs_done").toInt(), 2);
    QCOMPARE(result.value("model_type").toString(), QStringLiteral("stack_LSTM"));
    // The job's result reached the panel typed: the run folder it shows is the one the job wrote.
    const auto* typed = finished[0][1].value<JobResult>().get<kdw::DistillResult>();
    QVERIFY(typed);
    QCOMPARE(QString::fromStdString(typed->run_dir.string()), run_);
    QCOMPARE(typed->report.epochs_done, 2);
    QCOMPARE(typed->report.model_type, std::string("stack_LSTM"));

    // Every record of metrics.jsonl reached the live charts.
    steps_ = countRecords(run_, QStringLiteral("step"));
    QVERIFY(steps_ > 0);
    LiveChart* loss = panel.lossChart();
    for (int s = 0; s < 4; ++s) QCOMPARE(loss->pointCount(s), steps_);  // total, CE, distill, lasso
    QCOMPARE(countRecords(run_, QStringLiteral("epoch")), 2);
    QCOMPARE(panel.devChart()->pointCount(0), 2);
    QCOMPARE(panel.devChart()->pointCount(1), 2);
    QCOMPARE(panel.aliveChart()->pointCount(0), 2);  // layer 1
    QCOMPARE(panel.aliveChart()->pointCount(1), 2);  // layer 2
    loss->redraw();
    panel.aliveChart()->redraw();
    QVERIFY(!loss->drawnPoints(0).isEmpty());
    // 6 hidden units per layer, a few zeroed at most: the alive counts are plausible.
    const QList<QPointF> alive = panel.aliveChart()->drawnPoints(0);
    QVERIFY(!alive.isEmpty());
    for (const QPointF& p : alive) QVERIFY(p.y() >= 1 && p.y() <= 6);

    QVERIFY(panel.resultText().contains(QDir(run_).dirName()));
    QVERIFY(panel.openButton()->isEnabled());
    QSignalSpy open(&panel, &DistillPanel::openInCompress);
    QTest::mouseClick(panel.openButton(), Qt::LeftButton);
    QCOMPARE(open.size(), 1);
    QCOMPARE(open[0][0].toString(), run_);
  }

  // A distillation queued by someone else (the demo pipeline, the Runs browser) shows in the
  // panel while it trains: its curves, its run folder, its settings; Start off, Stop on.
  void followsDistillationQueuedElsewhere() {
    QTemporaryDir other;
    kdw::testing::write_synthetic_data(
        std::filesystem::path(other.path().toStdString()) / "files" / "data", 32, 8, 8);
    JobRunner runner;
    runner.setDeliveryInterval(20);
    DistillPanel panel(&runner);
    panel.setWorkspace(other.path());
    field<QSpinBox>(panel, "hidden_size")->setValue(30);  // the form's own value
    kdw::DistillOptions o;
    o.data_path = other.path().toStdString();
    kdw::distill_option_table().set(o, "model_type", std::string("stack_LSTM"));
    o.hidden_size = 7;
    o.emb_dim = 5;
    o.batch_size = 8;
    o.epochs = 1;
    o.log_every = 1;
    int job = 0;
    bool seen = false, startOff = false, stopOn = false;
    int points = 0, hidden = 0;
    QString liveRunDir;
    connect(&runner, &JobRunner::metrics, this, [&](int id, const QJsonArray&) {
      if (id != job || seen) return;  // the panel has handled this delivery already
      seen = true;
      startOff = !button(panel, "Start")->isEnabled();
      stopOn = button(panel, "Stop")->isEnabled();
      points = panel.lossChart()->pointCount(0);
      liveRunDir = panel.lastRunDir();
      hidden = field<QSpinBox>(panel, "hidden_size")->value();
    });
    QSignalSpy finished(&runner, &JobRunner::finished);
    job = runner.submit(
        QStringLiteral("Demo: distil stack_LSTM"),
        [o](kdw::JobContext& ctx) { return kdw::run_distill(o, ctx); },
        QString::fromLatin1(JobRunner::kDistillKind));
    QCOMPARE(panel.jobId(), job);
    QVERIFY(!button(panel, "Start")->isEnabled());
    QVERIFY(button(panel, "Stop")->isEnabled());
    QVERIFY(panel.resultText() != QStringLiteral("No run yet."));
    QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 60000);
    QVERIFY(seen);
    QVERIFY(startOff);
    QVERIFY(stopOn);
    QVERIFY(points > 0);
    QCOMPARE(hidden, 7);  // the job's settings, read from its config.json
    const auto* result = finished[0][1].value<JobResult>().get<kdw::DistillResult>();
    QVERIFY(result);
    const QString runDir = QString::fromStdString(result->run_dir.string());
    QVERIFY(!runDir.isEmpty());
    QCOMPARE(liveRunDir, QFileInfo(runDir).absoluteFilePath());
    // Ended: the panel shows the finished run and is free again.
    QCOMPARE(panel.jobId(), 0);
    QVERIFY(button(panel, "Start")->isEnabled());
    QVERIFY(!button(panel, "Stop")->isEnabled());
    QVERIFY(panel.resultText().contains(QDir(runDir).dirName()));
    QCOMPARE(panel.lossChart()->pointCount(0), countRecords(runDir, QStringLiteral("step")));
  }

  // An earlier run picked in the run list: its curves and results, and its settings in the form.
  void pickerOpensEarlierRunWithItsSettings() {
    QVERIFY(!run_.isEmpty());
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    field<QSpinBox>(panel, "hidden_size")->setValue(40);
    field<QSpinBox>(panel, "epochs")->setValue(3);
    field<QComboBox>(panel, "model_type")->setCurrentText(QStringLiteral("stack_biLSTM"));
    auto* picker = panel.findChild<QComboBox*>(QStringLiteral("runPicker"));
    QVERIFY(picker);
    QVERIFY(picker->isEnabled());
    const int index = picker->findData(run_);
    QVERIFY(index >= 0);
    picker->setCurrentIndex(index);
    Q_EMIT picker->activated(index);  // as a user's pick
    QCOMPARE(panel.lastRunDir(), run_);
    QVERIFY(panel.resultText().contains(QDir(run_).dirName()));
    QCOMPARE(panel.devChart()->pointCount(0), 2);
    QCOMPARE(field<QSpinBox>(panel, "hidden_size")->value(), 6);
    QCOMPARE(field<QSpinBox>(panel, "num_layers")->value(), 2);
    QCOMPARE(field<QSpinBox>(panel, "epochs")->value(), 2);
    QCOMPARE(field<QComboBox>(panel, "model_type")->currentText(), QStringLiteral("stack_LSTM"));
    QCOMPARE(field<QDoubleSpinBox>(panel, "group_lasso")->value(), 0.001);
  }

  void stopKeepsTheRun() {
    QTemporaryDir out;
    JobRunner runner;
    runner.setDeliveryInterval(20);
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    panel.setOutputDir(out.path());
    // The form shows the workspace's newest run (a stack_LSTM): the type is set, not assumed.
    field<QComboBox>(panel, "model_type")->setCurrentText(QStringLiteral("stack_biLSTM"));
    field<QSpinBox>(panel, "hidden_size")->setValue(4);
    field<QSpinBox>(panel, "emb_dim")->setValue(4);
    field<QSpinBox>(panel, "batch_size")->setValue(8);
    field<QSpinBox>(panel, "epochs")->setValue(1000);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    panel.start();
    QVERIFY(panel.resultText().startsWith(QStringLiteral("Training")));
    QTRY_VERIFY_WITH_TIMEOUT(panel.devChart()->pointCount(0) >= 1, 60000);
    // A newer-named run appearing beside it (another process): the panel must not take it for
    // the stopped one; the job itself says which folder it wrote.
    const QString decoy = QDir(out.path()).filePath(QStringLiteral("2099-01-01___00-00-00"));
    QVERIFY(QDir().mkpath(decoy));
    QFile decoy_model(QDir(decoy).filePath(QStringLiteral("model_distill_stack_biLSTM.pt")));
    QVERIFY(decoy_model.open(QIODevice::WriteOnly));
    decoy_model.close();
    runner.cancel(panel.jobId());
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.size() == 1, 60000);
    QCOMPARE(panel.jobId(), 0);
    // The cancelled job handed back its run folder and best epoch, typed.
    const auto* partial = cancelled[0][1].value<JobResult>().get<kdw::DistillResult>();
    QVERIFY(partial);
    QCOMPARE(QString::fromStdString(partial->run_dir.string()), panel.lastRunDir());
    QVERIFY(partial->report.best_epoch >= 1);
    QVERIFY(partial->report.stopped);
    QVERIFY(panel.resultText().contains(
        QStringLiteral("best epoch %1 of").arg(partial->report.best_epoch)));
    QVERIFY(QDir(panel.lastRunDir()).dirName() != QDir(decoy).dirName());
    // The stopped run's folder (in the output dir) keeps its best model and a result.
    QVERIFY(!panel.lastRunDir().isEmpty());
    QCOMPARE(QFileInfo(panel.lastRunDir()).absolutePath(),
             QFileInfo(out.path()).absoluteFilePath());
    QVERIFY(QFileInfo::exists(QDir(panel.lastRunDir()).filePath("model_distill_stack_biLSTM.pt")));
    QVERIFY(readObject(QDir(panel.lastRunDir()).filePath("result.json")).value("stopped").toBool());
    QVERIFY(panel.resultText().startsWith(QStringLiteral("Stopped; the best model")));
    QVERIFY(panel.openButton()->isEnabled());
  }

  void reopenedWorkspaceShowsLatestRun() {
    QVERIFY(!run_.isEmpty());
    // A second, newer run (a copy under a later timestamp) must be the one shown.
    const QString newer = QDir(ws_.path()).filePath(QStringLiteral("2099-01-01___00-00-00"));
    QVERIFY(QDir().mkpath(newer));
    for (const QString& name : QDir(run_).entryList(QDir::Files))
      QVERIFY(QFile::copy(QDir(run_).filePath(name), QDir(newer).filePath(name)));
    QCOMPARE(latestRunDir(ws_.path()), QFileInfo(newer).absoluteFilePath());

    JobRunner runner;
    DistillPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    QCOMPARE(panel.lastRunDir(), QFileInfo(newer).absoluteFilePath());
    QVERIFY(panel.resultText() != QStringLiteral("No run yet."));
    QVERIFY(panel.resultText().contains(QStringLiteral("2099-01-01___00-00-00")));
    QCOMPARE(panel.lossChart()->pointCount(0), steps_);
    QCOMPARE(panel.devChart()->pointCount(0), 2);
    QCOMPARE(panel.aliveChart()->pointCount(1), 2);
    QVERIFY(panel.openButton()->isEnabled());

    // The Compress panel opens the newest run by itself.
    CompressPanel compress(&runner);
    compress.setWorkspace(ws_.path());
    QVERIFY2(compress.summary().contains(QStringLiteral("parameters:")),
             qPrintable(compress.summary()));
    QVERIFY(compress.matrixPicker()->count() > 0);
    QVERIFY(compress.selection().groupCount() > 0);
    QCOMPARE(compress.runDir(), QFileInfo(newer).absoluteFilePath());
    QVERIFY(compress.summary().startsWith(QStringLiteral("layer 0: 6  ->  6")));
    QDir(newer).removeRecursively();
  }

  void runsPanelShowsAndEvaluatesTrainedRun() {
    QVERIFY(!run_.isEmpty());
    JobRunner runner;
    RunsPanel panel(&runner);
    panel.setWorkspace(ws_.path());
    QCOMPARE(panel.model()->rowCount(), 1);
    panel.selectRows({0});
    QCOMPARE(panel.selectedPaths(), QStringList{run_});
    const QList<QChartView*> charts = panel.tabs()->widget(1)->findChildren<QChartView*>();
    QCOMPARE(charts.size(), 2);
    for (QChartView* view : charts) QVERIFY(!view->chart()->series().isEmpty());
    QPushButton* evaluate = nullptr;
    for (QPushButton* b : panel.findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Evaluate")) evaluate = b;
    QVERIFY(evaluate && evaluate->isEnabled());
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QTest::mouseClick(evaluate, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 60000);
    QVERIFY(failed.isEmpty());
    auto* results = qobject_cast<QTableWidget*>(panel.tabs()->widget(2));
    QVERIFY(results);
    QString dev;
    for (int r = 0; r < results->rowCount(); ++r)
      if (results->item(r, 0)->text() == QStringLiteral("evaluation: dev"))
        dev = results->item(r, 1)->text();
    // The same model on the same dev split: the accuracy of result.json again.
    const QJsonObject result = readObject(QDir(run_).filePath("result.json"));
    QVERIFY2(dev.startsWith(
                 QStringLiteral("accuracy %1")
                     .arg(result.value("dev").toObject().value("accuracy").toDouble(), 0, 'f', 4)),
             qPrintable(dev));
  }

  void cutEvaluateAndExportTrainedRun() {
    QVERIFY(!run_.isEmpty());
    JobRunner runner;
    CompressPanel compress(&runner);
    compress.setWorkspace(ws_.path());
    QCOMPARE(compress.runDir(), run_);
    // Two units of every layer picked by hand (a threshold might empty a layer of this tiny model).
    for (int g = 0; g < compress.selection().groupCount(); ++g)
      for (int u : {0, 1}) compress.selection().setPicked(g, u, true);
    const ArchSizes after = compress.sizesAfter();
    QVERIFY(after.parameterCount() < compress.sizesBefore().parameterCount());
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QVERIFY(compress.cutAndEvaluate() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    const QString cut = QDir(run_).filePath(QStringLiteral("cut_model_distill_stack_LSTM.pt"));
    QVERIFY(QFileInfo::exists(cut));
    QCOMPARE(kdw::load_student(cut.toStdString())->parameter_count(), after.parameterCount());
    // The results table compares both models on the workspace's dev and test data.
    QTableWidget* table = compress.resultsTable();
    QStringList names;
    for (int r = 0; r < table->rowCount(); ++r) {
      names << table->item(r, 0)->text();
      if (!table->item(r, 0)->text().startsWith(QStringLiteral("dev"))) continue;
      bool ok_before = false, ok_after = false;
      const double before = table->item(r, 1)->text().toDouble(&ok_before);
      const double after_value = table->item(r, 2)->text().toDouble(&ok_after);
      QVERIFY(ok_before && ok_after);
      QVERIFY(before >= 0 && before <= 1 && after_value >= 0 && after_value <= 1);
    }
    QVERIFY2(names.contains(QStringLiteral("dev accuracy")), qPrintable(names.join(',')));
    QVERIFY(names.contains(QStringLiteral("test macro-F1")));

    QTemporaryDir out;
    finished.clear();
    QVERIFY(compress.exportCutTo(out.path()) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.size() + failed.size() > 0, 60000);
    QVERIFY(failed.isEmpty());
    const QDir exported(QDir(out.path()).filePath(QStringLiteral("cut_export")));
    QVERIFY(QFileInfo::exists(exported.filePath(QStringLiteral("model.safetensors"))));
    QVERIFY(QFileInfo::exists(exported.filePath(QStringLiteral("config.json"))));
    QVERIFY(compress.statusText().startsWith(QStringLiteral("Exported to")));

    // Another workspace without runs: nothing stays open from this one.
    QTemporaryDir empty;
    compress.setWorkspace(empty.path());
    QVERIFY(compress.runDir().isEmpty());
    QCOMPARE(compress.matrixPicker()->count(), 0);
    QCOMPARE(compress.cutAndEvaluate(), 0);
  }

  // A run that trained a cut model on (kdw distill --restore_model_path, Compress's "Train the
  // cut model on") shows that model's real shape, per layer, wherever a run's shape shows: the
  // Runs browser's Options column, its details and configuration, and the Distill panel's note
  // under the form; the form's shape fields do not pass for it.
  void trainedOnCutModelShowsItsRealShape() {
    QTemporaryDir ws;
    QVERIFY(ws.isValid());
    const std::filesystem::path root = ws.path().toStdString();
    kdw::testing::write_synthetic_data(root / "files" / "data", 32, 16, 16);
    kdw::StudentArch arch =
        kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 8, 16, 2, {"neg", "pos"}, 0.1);
    arch.hidden = {{12, 10}, {9, 11}};  // a cut model's uneven shape
    const std::filesystem::path cut = root / "cut_model_distill_stack_biLSTM.pt";
    kdw::save_student(kdw::StudentModel(arch), cut);
    kdw::DistillOptions o;  // the shape options as given: not the model's
    o.data_path = root;
    o.hidden_size = 32;
    o.emb_dim = 24;
    o.epochs = 1;
    o.batch_size = 16;
    o.restore_model_path = cut;
    kdw::JobContext job;
    const QString run = QString::fromStdString(kdw::run_distill(o, job).run_dir.string());
    const QString shape = QStringLiteral("2 x biLSTM 12/10, 9/11");

    JobRunner runner;
    RunsPanel runs(&runner);
    runs.setWorkspace(ws.path());
    QCOMPARE(runs.model()->rowCount(), 1);
    const QString options =
        runs.model()
            ->data(runs.model()->index(0, RunListModel::Options), Qt::DisplayRole)
            .toString();
    QVERIFY2(options.startsWith(shape), qPrintable(options));
    runs.selectRows({0});
    auto value = [&](int tab, const QString& name) {
      auto* table = qobject_cast<QTableWidget*>(runs.tabs()->widget(tab));
      for (int r = 0; table && r < table->rowCount(); ++r)
        if (table->item(r, 0)->text() == name) return table->item(r, 1)->text();
      return QString();
    };
    QCOMPARE(value(2, QStringLiteral("shape")), shape);
    QCOMPARE(value(0, QStringLiteral("hidden_size")), QStringLiteral("12/10, 9/11"));
    QCOMPARE(value(0, QStringLiteral("emb_dim")), QStringLiteral("8"));

    DistillPanel panel(&runner);
    field<QSpinBox>(panel, "hidden_size")->setValue(64);
    panel.setWorkspace(ws.path());
    QCOMPARE(panel.lastRunDir(), run);
    QVERIFY2(panel.resultText().contains(shape), qPrintable(panel.resultText()));
    QVERIFY2(panel.runShapeText().contains(QStringLiteral("cut_model_distill_stack_biLSTM.pt")) &&
                 panel.runShapeText().contains(QStringLiteral("a new student's")),
             qPrintable(panel.runShapeText()));
    QCOMPARE(field<QSpinBox>(panel, "emb_dim")->value(), 8);
    QCOMPARE(field<QSpinBox>(panel, "num_layers")->value(), 2);
    // No one number is this run's hidden size: the field neither takes the given 32 nor the
    // table's default, it keeps what it had (Start trains a new student of the form's shape).
    QCOMPARE(field<QSpinBox>(panel, "hidden_size")->value(), 64);

    // As older runs recorded it: the shape options as given. The model's shape still shows.
    const kdw::RunFolder folder(run.toStdString());
    nlohmann::json config = folder.read_config();
    config["hidden_size"] = 32;
    config["emb_dim"] = 24;
    kdw::write_file_atomic(folder.config_file(), config.dump());
    field<QSpinBox>(panel, "emb_dim")->setValue(50);
    QVERIFY(panel.showRun(run));
    QCOMPARE(field<QSpinBox>(panel, "emb_dim")->value(), 8);
    QCOMPARE(field<QSpinBox>(panel, "hidden_size")->value(), 64);
    QVERIFY2(panel.resultText().contains(shape), qPrintable(panel.resultText()));
    QCOMPARE(readRunInfo(run).optionText(QStringLiteral("emb_dim")), QStringLiteral("8"));
  }

 private:
  QTemporaryDir ws_;
  QString run_;
  int steps_ = 0;
};

QTEST_MAIN(TestUiDistill)
#include "test_ui_distill.moc"
