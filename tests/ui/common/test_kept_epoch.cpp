// "Say why": the kept epoch and its rule with the curves. The sentence follows the run's config
// (sparse_tolerance, group_lasso) and curves; the Distill panel marks the kept epoch on its dev
// and alive curves and puts the sentence under the charts for a run folder whose kept epoch is
// not its peak.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "ui/common/kept_epoch.h"
#include "ui/common/live_chart.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"

namespace {
void writeText(const QString& path, const QByteArray& text) {
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(text);
}
QVector<EpochScores> threeEpochs() {
  // Epoch 2 peaks; epoch 3 is within 0.03 of it with fewer alive components.
  return {{1, 0.30, 0.28, 200}, {2, 0.425, 0.40, 180}, {3, 0.396, 0.37, 90}};
}
}  // namespace

class TestKeptEpoch : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void sparseToleranceSaysWhy() {
    QCOMPARE(distillKeptReason(3, QJsonObject{{"sparse_tolerance", 0.03}}, threeEpochs()),
             QStringLiteral("kept epoch 3 (dev accuracy 0.396): the sparsest epoch within 0.03 of "
                            "the best dev accuracy 0.425 (epoch 2); 90 ISS components alive"));
    QCOMPARE(distillKeptReason(2, QJsonObject{{"sparse_tolerance", 0.0}}, threeEpochs()),
             QStringLiteral("kept epoch 2 (dev accuracy 0.425): the best dev accuracy"));
    QVERIFY(distillKeptReason(2, QJsonObject{{"group_lasso", 0.01}}, threeEpochs())
                .endsWith(QStringLiteral("(of equal epochs the later, sparser one)")));
    QVERIFY(distillKeptReason(0, QJsonObject{}, threeEpochs()).isEmpty());
    QCOMPARE(
        teacherKeptReason(2, threeEpochs()),
        QStringLiteral("kept epoch 2: the best dev macro-F1 0.400 (accuracy 0.425 breaks ties)"));
  }

  void distillPanelMarksTheKeptEpoch() {
    QTemporaryDir dir;
    const QString run = dir.filePath("runs/run1");
    QVERIFY(QDir().mkpath(run));
    writeText(run + "/config.json", R"({"model_type":"bilstm","sparse_tolerance":0.03})");
    QByteArray metrics;
    const double acc[] = {0.30, 0.425, 0.396};
    const int alive[] = {200, 180, 90};
    for (int e = 1; e <= 3; ++e) {
      metrics += QStringLiteral(R"({"kind":"step","step":%1,"epoch":%2,"loss":1.0,"ce":1.0,)"
                                R"("distill":0.5,"lasso":0,"samples_per_s":10})")
                     .arg(e * 10)
                     .arg(e)
                     .toUtf8() +
                 "\n";
      metrics += QStringLiteral(R"({"kind":"epoch","epoch":%1,"dev":{"accuracy":%2,)"
                                R"("macro_f1":0.3},"alive":[%3]})")
                     .arg(e)
                     .arg(acc[e - 1])
                     .arg(alive[e - 1])
                     .toUtf8() +
                 "\n";
    }
    writeText(run + "/metrics.jsonl", metrics);
    writeText(run + "/result.json",
              R"({"model_type":"bilstm","arch":{},"parameters":1000,"epochs_done":3,"steps":30,)"
              R"("stopped":false,"failed":"","best_epoch":3,)"
              R"("dev":{"accuracy":0.396,"macro_f1":0.3,"samples":10},"model_file":"model.pt",)"
              R"("bytes":4000})");
    JobRunner runner;
    DistillPanel panel(&runner);
    QVERIFY(panel.showRun(run));
    QCOMPARE(panel.devChart()->markerX(), 3.0);
    // The sentence goes under the charts, with the run's result.
    QVERIFY2(panel.resultText().contains(QStringLiteral(
                 "kept epoch 3 (dev accuracy 0.396): the sparsest epoch within 0.03 of the best "
                 "dev accuracy 0.425 (epoch 2)")),
             qPrintable(panel.resultText()));
    QCOMPARE(panel.aliveChart()->markerX(), 3.0);
  }

  // A short run (two optimizer steps, as a tiny data set gives): the loss chart's step axis has
  // whole-number ticks, like the epoch axes, not "1.0 1.2 1.4".
  void lossChartTicksAreWholeSteps() {
    QTemporaryDir dir;
    const QString run = dir.filePath("runs/run1");
    QVERIFY(QDir().mkpath(run));
    writeText(run + "/config.json", R"({"model_type":"bilstm"})");
    writeText(run + "/metrics.jsonl",
              R"({"kind":"step","step":1,"epoch":1,"loss":1.2,"ce":1.0,"distill":0.2,"lasso":0})"
              "\n"
              R"({"kind":"epoch","epoch":1,"dev":{"accuracy":0.3,"macro_f1":0.2}})"
              "\n"
              R"({"kind":"step","step":2,"epoch":2,"loss":1.1,"ce":0.9,"distill":0.2,"lasso":0})"
              "\n"
              R"({"kind":"epoch","epoch":2,"dev":{"accuracy":0.35,"macro_f1":0.25}})"
              "\n");
    writeText(run + "/result.json",
              R"({"model_type":"bilstm","arch":{},"parameters":1000,"epochs_done":2,"steps":2,)"
              R"("stopped":false,"failed":"","best_epoch":2,)"
              R"("dev":{"accuracy":0.35,"macro_f1":0.25,"samples":10},"model_file":"model.pt",)"
              R"("bytes":4000})");
    JobRunner runner;
    DistillPanel panel(&runner);
    panel.resize(1000, 500);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QVERIFY(panel.showRun(run));
    panel.lossChart()->redraw();
    QTest::qWait(20);  // the re-tick queued after the chart's layout
    const QStringList x = panel.lossChart()->axisLabels(Qt::Horizontal);
    QVERIFY2(x.size() >= 2, qPrintable(x.join(" / ")));
    for (const QString& label : x)
      QVERIFY2(!label.contains(QLatin1Char('.')), qPrintable(x.join(" / ")));
  }
};

QTEST_MAIN(TestKeptEpoch)
#include "test_kept_epoch.moc"
