// The Runs browser: which folders are runs, what the list shows, curves from metrics.jsonl,
// the "options that differ" logic and the compare table, on run folders written here.
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QGraphicsScene>
#include <QGraphicsTextItem>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

#include "student/student_model.h"
#include "ui/common/run_info.h"
#include "ui/runs/run_list_model.h"
#include "ui/runs/runs_panel.h"

namespace {

void writeFile(const QString& path, const QByteArray& content) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QFile f(path);
  QVERIFY(f.open(QIODevice::WriteOnly));
  f.write(content);
}

// Workspace: two named runs, one hand-made folder with a model, one folder without a model,
// one named run with a broken result.json.
void writeWorkspace(const QString& root) {
  const QDir r(root);
  writeFile(
      r.filePath("2026-11-20___10-00-00/config.json"),
      R"({"model_type":"stack_biLSTM","hidden_size":256,"num_layers":2,"lr":0.001,"epochs":3,"seed":42,)"
      R"("arch":{"model_type":"stack_biLSTM","vocab_size":20,"emb_dim":300,)"
      R"("hidden":[[256,256],[256,256]],"labels":["neg","pos"],"dropout":0.1}})");
  writeFile(
      r.filePath("2026-11-20___10-00-00/result.json"),
      R"({"model_type":"stack_biLSTM","parameters":123456,"dev":{"accuracy":0.81,"macro_f1":0.78},"test":{"accuracy":0.8,"macro_f1":0.77}})");
  writeFile(r.filePath("2026-11-20___10-00-00/metrics.jsonl"),
            "{\"kind\":\"step\",\"step\":10,\"loss\":1.5}\n"
            "{\"kind\":\"step\",\"step\":20,\"loss\":1.1}\n"
            "not json\n"
            "{\"kind\":\"epoch\",\"epoch\":1,\"dev\":{\"accuracy\":0.7,\"macro_f1\":0.6}}\n"
            "{\"kind\":\"epoch\",\"epoch\":2,\"dev\":{\"accuracy\":0.81,\"macro_f1\":0.78}}\n");
  writeFile(r.filePath("2026-11-20___10-00-00/model_distill_stack_biLSTM.pt"), "x");
  writeFile(r.filePath("2026-11-20___10-00-00/cut_model_distill_stack_biLSTM.pt"), "x");
  writeFile(r.filePath("2026-11-20___10-00-00/cut_report.json"),
            R"({"model_type":"stack_biLSTM","parameters_before":123456,"parameters_after":5000,)"
            R"("hidden_after":"[[40,40],[30,30]]","chosen_by":"threshold","threshold":0.05})");
  writeFile(r.filePath("2026-11-20___10-00-00/weight_layer0_fwd_ih.png"), "x");
  writeFile(r.filePath("2026-11-20___10-00-00/component_norms.png"), "x");

  writeFile(
      r.filePath("2026-11-21___09-30-00/config.json"),
      R"({"model_type":"stack_biLSTM","hidden_size":1000,"num_layers":2,"lr":0.002,"epochs":3})");
  writeFile(
      r.filePath("2026-11-21___09-30-00/result.json"),
      R"({"model_type":"stack_biLSTM","parameters":999,"dev":{"accuracy":0.85,"macro_f1":0.8}})");
  writeFile(r.filePath("2026-11-21___09-30-00/metrics.jsonl"),
            "{\"kind\":\"epoch\",\"epoch\":1,\"dev\":{\"accuracy\":0.85,\"macro_f1\":0.8}}\n");

  writeFile(r.filePath("old_experiment/model_distill_stack_LSTM.pt"), "x");
  writeFile(r.filePath("files/data/labels.json"), "[]");
  writeFile(r.filePath("2026-11-22___08-00-00/result.json"), "{broken");
}

// The axis labels and titles a chart view draws that QtCharts cut to fit with "...".
QStringList elidedTexts(QChartView* view) {
  QStringList out;
  for (QGraphicsItem* item : view->scene()->items()) {
    if (view->chart()->legend()->isAncestorOf(item)) continue;  // run names, elided in the middle
    auto* text = dynamic_cast<QGraphicsTextItem*>(item);
    if (text && text->isVisible() && text->toPlainText().contains(QStringLiteral("...")))
      out << text->toPlainText();
  }
  return out;
}

}  // namespace

class TestUiRuns : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void scanFindsRunsAndModelFolders() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    const QList<RunInfo> runs = scanRuns(dir.path());
    QStringList names;
    for (const RunInfo& r : runs) names << r.name;
    QCOMPARE(names, (QStringList{"2026-11-20___10-00-00", "2026-11-21___09-30-00",
                                 "2026-11-22___08-00-00", "old_experiment"}));
    QCOMPARE(runs[0].modelType, QStringLiteral("stack_biLSTM"));
    QVERIFY(runs[0].hasCut);
    QCOMPARE(runs[0].images, (QStringList{"component_norms.png", "weight_layer0_fwd_ih.png"}));
    QCOMPARE(runs[0].bestDevAccuracy(), 0.81);
    QCOMPARE(runs[0].testMacroF1(), 0.77);
    QCOMPARE(runs[0].parameters(), qint64(123456));
    QVERIFY(std::isnan(runs[1].testAccuracy()));
    QVERIFY(runs[2].problem.contains(QStringLiteral("result.json")));
    QCOMPARE(runs[3].modelType, QStringLiteral("stack_LSTM"));  // from the file name
    QVERIFY(!runs[3].hasCut);
    QVERIFY2(runs[0].keyOptions().startsWith(QStringLiteral("2 x biLSTM 256, 3 epochs")),
             qPrintable(runs[0].keyOptions()));
    QVERIFY2(runs[0].problem.isEmpty(), qPrintable(runs[0].problem));
  }

  // The run's parts read through the engine's RunFolder into their typed forms: the options
  // through the distill table, result.json as a DistillReport, cut_report.json as a CutReport.
  void runPartsAreTyped() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    const QList<RunInfo> runs = scanRuns(dir.path());
    QVERIFY(runs[0].options);
    QCOMPARE(runs[0].options->hidden_size, int64_t(256));
    QVERIFY(runs[0].options->model_type == kdw::StudentType::kStackBiLSTM);
    QCOMPARE(runs[1].options->seed, uint64_t(42));  // absent: the table's default
    QVERIFY(runs[0].report);
    QCOMPARE(runs[0].report->parameters, int64_t(123456));
    QVERIFY(runs[0].report->test);
    QVERIFY(runs[1].report && !runs[1].report->test);
    QVERIFY(!runs[2].report);  // broken: named in problem
    QVERIFY(runs[0].cut);
    QCOMPARE(runs[0].cut->parameters_after, int64_t(5000));
    QCOMPARE(runs[0].cut->chosen_by, std::string("threshold"));
    QVERIFY(!runs[1].cut);
    QVERIFY(!runs[3].options && !runs[3].report);  // a bare model folder
  }

  void listModelShowsColumns() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    RunListModel model;
    model.setRoot(dir.path());
    QCOMPARE(model.rowCount(), 4);
    auto cell = [&](int row, int col) {
      return model.data(model.index(row, col), Qt::DisplayRole).toString();
    };
    QCOMPARE(cell(0, RunListModel::DevAcc), QStringLiteral("0.8100"));
    QCOMPARE(cell(0, RunListModel::TestF1), QStringLiteral("0.7700"));
    QCOMPARE(cell(1, RunListModel::TestAcc), QStringLiteral("–"));
    QCOMPARE(cell(0, RunListModel::Cut), QStringLiteral("yes"));
    QCOMPARE(cell(1, RunListModel::Cut), QString());
    QCOMPARE(cell(0, RunListModel::Images), QStringLiteral("2"));
    QCOMPARE(cell(0, RunListModel::Params), QStringLiteral("123.46 k"));
    QCOMPARE(cell(3, RunListModel::Type), QStringLiteral("stack_LSTM"));
  }

  void curvesFromMetrics() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    const QList<Curve> c =
        runCurves(readMetrics(QDir(dir.path()).filePath("2026-11-20___10-00-00")));
    QCOMPARE(c.size(), 3);
    QCOMPARE(c[0].points, (QVector<QPointF>{{10, 1.5}, {20, 1.1}}));
    QCOMPARE(c[1].points, (QVector<QPointF>{{1, 0.7}, {2, 0.81}}));
    QCOMPARE(c[2].points.size(), 2);
  }

  // A run that records no shape (hand-made, older) takes its model file's; one whose recorded
  // shape does not read is still listed, with one line naming config.json, and the options'
  // fields as its shape.
  void shapeWithoutRecordOrWithABadOne() {
    QTemporaryDir dir;
    const QString handMade = QDir(dir.path()).filePath(QStringLiteral("hand_made"));
    writeFile(handMade + QStringLiteral("/config.json"), R"({"hidden_size": 64, "num_layers": 3})");
    kdw::StudentArch arch =
        kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 4, 8, 1, {"neg", "pos"}, 0.0);
    arch.hidden = {{7, 5}};
    kdw::save_student(kdw::StudentModel(arch),
                      (handMade + QStringLiteral("/model_distill_stack_biLSTM.pt")).toStdString());
    const RunInfo old = readRunInfo(handMade);
    QVERIFY2(old.problem.isEmpty(), qPrintable(old.problem));
    QCOMPARE(old.shapeText(), QStringLiteral("1 x biLSTM 7/5"));
    QCOMPARE(old.optionText(QStringLiteral("hidden_size")), QStringLiteral("7/5"));
    QCOMPARE(old.optionText(QStringLiteral("num_layers")), QStringLiteral("1"));

    const QString bad = QDir(dir.path()).filePath(QStringLiteral("2026-11-23___00-00-00"));
    writeFile(bad + QStringLiteral("/config.json"),
              R"({"hidden_size": 64, "arch": {"model_type": "stack_biLSTM", "hidden": "x"}})");
    const RunInfo info = readRunInfo(bad);
    QVERIFY2(info.problem.contains(QStringLiteral("config.json: field arch")),
             qPrintable(info.problem));
    QVERIFY(!info.problem.contains(QLatin1Char('\n')));
    QVERIFY(!info.arch);
    QCOMPARE(info.shapeText(), QStringLiteral("2 x biLSTM 64"));
    QCOMPARE(scanRuns(dir.path()).size(), 2);
  }

  void optionsThatDiffer() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    const QList<RunInfo> runs = scanRuns(dir.path());
    // The options as the distill table reads config.json, in the table's order: seed is in one
    // config only, and the other run's seed is the table's default, 42, as well; arch is what
    // the run found, not an option. model_type, num_layers, epochs are equal.
    QCOMPARE(differingOptions({runs[0], runs[1]}), (QStringList{"hidden_size", "lr"}));
    QCOMPARE(runs[1].optionText("seed"), QStringLiteral("42"));
    QCOMPARE(runs[0].optionText("lr"), QStringLiteral("0.001"));
    // A run without a readable config.json differs in every option.
    QCOMPARE(differingOptions({runs[0], runs[3]}).size(),
             int(kdw::distill_option_table().entries().size()));
    QCOMPARE(differingOptions({runs[0], runs[0]}), QStringList());
    QCOMPARE(differingOptions({runs[0]}), QStringList());
  }

  void panelCompareAndOpen() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    RunsPanel panel(nullptr);
    panel.resize(1100, 750);
    panel.setWorkspace(dir.path());
    QCOMPARE(panel.model()->rowCount(), 4);
    panel.selectRows({0, 1});
    QCOMPARE(panel.selectedPaths().size(), 2);
    auto* table = panel.tabs()->widget(panel.tabs()->count() - 1)->findChild<QTableWidget*>();
    QVERIFY(table);
    QStringList first_column;
    for (int r = 0; r < table->rowCount(); ++r) first_column << table->item(r, 0)->text();
    QVERIFY(first_column.contains(QStringLiteral("hidden_size")));
    QVERIFY(first_column.contains(QStringLiteral("lr")));
    QVERIFY(!first_column.contains(QStringLiteral("epochs")));
    QVERIFY(!first_column.contains(QStringLiteral("arch")));  // a long JSON text, left out
    const int lr_row = static_cast<int>(first_column.indexOf(QStringLiteral("lr")));
    QCOMPARE(table->item(lr_row, 1)->text(), QStringLiteral("0.001"));
    QCOMPARE(table->item(lr_row, 2)->text(), QStringLiteral("0.002"));
    const int cut_row = static_cast<int>(first_column.indexOf(QStringLiteral("cut model")));
    QVERIFY(cut_row >= 0);
    // The first run's cut_report.json, read as a CutReport, gives the size after the cut.
    QCOMPARE(table->item(cut_row, 1)->text(),
             QStringLiteral("yes, %1 parameters").arg(QLocale().toString(5000)));
    QCOMPARE(table->item(cut_row, 2)->text(), QStringLiteral("no"));
    // Run names head the columns; the dev accuracy curves of both runs are overlaid.
    QCOMPARE(table->horizontalHeaderItem(1)->text(), panel.model()->run(0).name);
    QCOMPARE(table->horizontalHeaderItem(2)->text(), panel.model()->run(1).name);
    auto* compare_chart = panel.tabs()->widget(panel.tabs()->count() - 1)->findChild<QChartView*>();
    QVERIFY(compare_chart);
    QCOMPARE(compare_chart->chart()->series().size(), 2);
    // Overlaying the training loss instead: run 1 logged no steps, so one curve (run 0's two
    // points).
    panel.compareMetric()->setCurrentIndex(2);
    QCOMPARE(compare_chart->chart()->series().size(), 1);
    auto* loss = qobject_cast<QLineSeries*>(compare_chart->chart()->series().first());
    QVERIFY(loss);
    QCOMPARE(loss->count(), 2);
    QCOMPARE(loss->name(), panel.model()->run(0).name);
    panel.compareMetric()->setCurrentIndex(0);

    // One run: configuration, curves and results are filled.
    panel.selectRows({0});
    auto* config = qobject_cast<QTableWidget*>(panel.tabs()->widget(0));
    QVERIFY(config);
    QVERIFY(config->rowCount() > 0);
    const QList<QChartView*> curves = panel.tabs()->widget(1)->findChildren<QChartView*>();
    QCOMPARE(curves.size(), 2);
    for (QChartView* view : curves) QVERIFY(!view->chart()->series().isEmpty());
    auto* results = qobject_cast<QTableWidget*>(panel.tabs()->widget(2));
    QVERIFY(results);
    QStringList result_names;
    for (int r = 0; r < results->rowCount(); ++r) result_names << results->item(r, 0)->text();
    QVERIFY(result_names.contains(QStringLiteral("folder")));
    QVERIFY(result_names.contains(QStringLiteral("dev")));

    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QSignalSpy open(&panel, &RunsPanel::openInCompress);
    panel.selectRows({0});
    QPushButton* open_button = nullptr;
    for (QPushButton* b : panel.findChildren<QPushButton*>())
      if (b->text() == QStringLiteral("Open in Compress")) open_button = b;
    QVERIFY(open_button);
    QVERIFY(open_button->isEnabled());
    QTest::mouseClick(open_button, Qt::LeftButton);
    QCOMPARE(open.count(), 1);
    QCOMPARE(open.first().at(0).toString(), panel.model()->run(0).path);
  }

  // At 1024x700 the Runs panel gets about 850x480 (less with the log dock raised): the compare
  // chart and the run's curves are short, so their ticks follow the plot's size (fewer, round
  // labels, no axis titles) rather than QtCharts cutting every tick label to "...".
  void chartLabelsFitShortCharts() {
    QTemporaryDir dir;
    writeWorkspace(dir.path());
    for (const QSize size : {QSize(850, 480), QSize(850, 420)}) {
      RunsPanel panel(nullptr);
      panel.resize(size);
      panel.show();
      QVERIFY(QTest::qWaitForWindowExposed(&panel));
      panel.setWorkspace(dir.path());
      panel.selectRows({0, 1});
      panel.tabs()->setCurrentIndex(panel.tabs()->count() - 1);
      auto* compare = panel.tabs()->currentWidget()->findChild<QChartView*>();
      QVERIFY(compare);
      for (int metric : {0, 1, 2}) {  // dev accuracy, macro-F1, training loss
        panel.compareMetric()->setCurrentIndex(metric);
        QTest::qWait(20);  // the queued re-tick after the chart's layout
        QCOMPARE(compare->chart()->series().isEmpty(), false);
        QVERIFY2(elidedTexts(compare).isEmpty(),
                 qPrintable(QStringLiteral("%1x%2, overlay %3: %4")
                                .arg(size.width())
                                .arg(size.height())
                                .arg(metric)
                                .arg(elidedTexts(compare).join(" / "))));
      }
      panel.selectRows({0});
      panel.tabs()->setCurrentIndex(1);  // Curves
      QTest::qWait(20);
      for (QChartView* view : panel.tabs()->widget(1)->findChildren<QChartView*>())
        QVERIFY2(elidedTexts(view).isEmpty(), qPrintable(elidedTexts(view).join(" / ")));
    }
  }
};

QTEST_MAIN(TestUiRuns)
#include "test_ui_runs.moc"
