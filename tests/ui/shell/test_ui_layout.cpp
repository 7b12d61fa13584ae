// The main window at 1024x700 (issue 13): every panel's minimum size fits the panel area, and on
// each panel no label, field or check box is squeezed below the width its text needs, no
// word-wrapped label is cut at the bottom, no chart draws an elided ("...") tick label, title or
// legend, and no chart is squeezed below a readable size (with a workspace's data in them: a run's
// summary and its model open in Compress with a cut's table, a teacher's dev results, a BERT
// folder's description, ten long class names). A long status line wraps instead of widening the
// window, and the Teacher's max_seq_len field stops at the chosen model's positions.
#include <QAbstractSpinBox>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFrame>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLayout>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include "core/job.h"
#include "data/prepare.h"
#include "student/student_model.h"
#include "ui/common/live_chart.h"
#include "ui/common/workspace_state.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/heatmap_view.h"
#include "ui/data/data_panel.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/teacher/teacher_panel.h"

#include "ui/shell/main_window.h"

class TestUiLayout : public QObject {
  Q_OBJECT

 private:
  static constexpr int kChartWidth = 160, kChartHeight = 140;

  static void writeFile(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
  }

  // A fine-tuned teacher (curves, dev results of 4 classes) and a finished distillation run:
  // what the Teacher and Distill panels show of a workspace that went through the pipeline.
  static void writeTeacherAndRun(const QString& ws) {
    const QString teacher = ws + QStringLiteral("/files/bert/rubert_finetune/");
    const QByteArray dev = R"({"accuracy":0.496,"macro_f1":0.166,"samples":125,)"
                           R"("confusion":[[0,0,8,0],[0,0,12,0],[0,0,62,0],[0,0,43,0]],)"
                           R"("precision":[0,0,0.496,0],"recall":[0,0,1,0],"f1":[0,0,0.663,0]})";
    writeFile(teacher + "finetune.json",
              R"({"bert_path":"files/bert/demo_bert","from_scratch":true,)"
              R"("labels":["computer","education","love","polit"],"max_seq_len":64,)"
              R"("options":{"epochs":3,"precision":"float32"},"best":{"epoch":1,"dev":)" +
                  dev + "}}");
    QByteArray metrics;
    for (int e = 1; e <= 3; ++e) {
      for (int s = 1; s <= 4; ++s)
        metrics += QStringLiteral(R"({"kind":"step","epoch":%1,"step":%2,"loss":%3})")
                       .arg(e)
                       .arg((e - 1) * 24 + s * 6)
                       .arg(1.3 - 0.02 * s - 0.05 * e)
                       .toUtf8() +
                   "\n";
      metrics += QStringLiteral(R"({"kind":"epoch","epoch":%1,"best":%2,"dev":)")
                     .arg(e)
                     .arg(e == 1 ? "true" : "false")
                     .toUtf8() +
                 dev + "}\n";
    }
    writeFile(teacher + "metrics.jsonl", metrics);
    // The run's summary is five lines beside a run picker: it took the charts' height.
    const QString run = ws + QStringLiteral("/2026-11-26___21-47-13/");
    QByteArray runMetrics;
    for (int e = 1; e <= 3; ++e)
      runMetrics += QStringLiteral(R"({"kind":"step","step":%1,"epoch":%2,"loss":1.2,"ce":1.0,)"
                                   R"("distill":0.2,"lasso":0.1})"
                                   "\n"
                                   R"({"kind":"epoch","epoch":%2,"dev":{"accuracy":0.496,)"
                                   R"("macro_f1":0.166},"alive":[128,128]})"
                                   "\n")
                        .arg(e * 12)
                        .arg(e)
                        .toUtf8();
    writeFile(run + "metrics.jsonl", runMetrics);
    writeFile(run + "result.json",
              R"({"model_type":"stack_LSTM","arch":{},"parameters":439472,"epochs_done":3,)"
              R"("steps":36,"stopped":false,"failed":"","best_epoch":3,)"
              R"("dev":{"accuracy":0.496,"macro_f1":0.1658,"samples":125},)"
              R"("test":{"accuracy":0.4961,"macro_f1":0.1658,"samples":127},)"
              R"("model_file":"model_distill_stack_LSTM.pt","bytes":1759080})");
    // The run's model (small, as the config says in shape), for the Compress panel.
    const kdw::StudentModel model(
        kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 40, 8, 128, 2,
                               {"computer", "education", "love", "polit"}, 0.0));
    kdw::save_student(model, (run + "model_distill_stack_LSTM.pt").toStdString());
    // A run that trained a saved model further: the Distill panel adds a note of that model's
    // shape (a line under the form grew the window to 1024x708; a long model name is shortened).
    nlohmann::json config = {
        {"model_type", "stack_LSTM"},
        {"hidden_size", 128},
        {"layers", 2},
        {"epochs", 3},
        {"lr", 0.002},
        {"alpha", 0.5},
        {"group_lasso", 0.002},
        {"arch", model->arch().to_json()},
        {"restore_model_path",
         (ws + "/2026-11-26___20-00-00/cut_model_distill_stack_biLSTM_after_second_pass.pt")
             .toStdString()}};
    writeFile(run + "config.json", QByteArray::fromStdString(config.dump()));
    // The demo's config-only BERT the teacher started from: the Teacher panel describes it.
    QVERIFY(QDir().mkpath(ws + QStringLiteral("/files/bert/demo_bert")));
    for (const char* file : {"config.json", "vocab.txt"})
      QVERIFY(QFile::copy(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/") + file,
                          ws + QStringLiteral("/files/bert/demo_bert/") + file));
  }

  // The Compress panel with the run's model open, the weaker half of the units picked and the
  // before/after table of a cut filled (as after Cut & Evaluate).
  static void openInCompress(MainWindow& window, const QString& runDir) {
    auto* compress = qobject_cast<CompressPanel*>(window.panelWidget(MainWindow::Compress));
    QVERIFY(compress);
    window.showPanel(MainWindow::Compress);
    compress->openRun(runDir);
    QVERIFY2(compress->matrixPicker()->count() > 0, qPrintable(compress->statusText()));
    compress->thresholdSlider()->setValue(compress->thresholdSlider()->maximum() / 2);
    QTableWidget* table = compress->resultsTable();
    const char* const rows[][3] = {
        {"hidden", "128, 128", "44, 32"},      {"parameters", "1.11 M", "894.01 k"},
        {"bytes", "4.23 MB", "3.41 MB"},       {"latency ms/sample", "2.21", "0.727"},
        {"dev accuracy", "0.5949", "0.5949"},  {"dev macro-F1", "0.5968", "0.5968"},
        {"test accuracy", "0.6412", "0.6412"}, {"test macro-F1", "0.6453", "0.6453"}};
    table->setRowCount(0);
    for (const auto& row : rows) {
      const int r = table->rowCount();
      table->insertRow(r);
      for (int c = 0; c < 3; ++c) table->setItem(r, c, new QTableWidgetItem(row[c]));
    }
  }

  // The names of `panel`'s shown labels and fields narrower than their text needs.
  static QStringList clipped(QWidget* panel) {
    QStringList out;
    for (QWidget* w : panel->findChildren<QWidget*>()) {
      if (!w->isVisibleTo(panel)) continue;
      int need = -1;
      QString what = w->objectName();
      if (auto* label = qobject_cast<QLabel*>(w)) {
        if (label->text().isEmpty()) continue;
        // A word-wrapped label may be narrow, as long as its lines all show (the Teacher's BERT
        // folder description lost its last line at 1024x700).
        if (label->wordWrap()) {
          const int lines = label->heightForWidth(label->contentsRect().width()) + label->height() -
                            label->contentsRect().height();
          if (label->height() < lines)
            out << QStringLiteral("\"%1\" cut at the bottom (%2 px < %3)")
                       .arg(label->text().left(40))
                       .arg(label->height())
                       .arg(lines);
          continue;
        }
        // Its widest line (the Compress summary is four lines).
        need = 0;
        for (const QString& line : label->text().split(QLatin1Char('\n')))
          need = std::max(need, label->fontMetrics().horizontalAdvance(line));
        what = label->text();
      } else if (qobject_cast<LiveChart*>(w) || qobject_cast<BarChart*>(w)) {
        // Charts: ticks apart and legends shown (at ~80 px a loss chart drew "204060", at ~60 px
        // a histogram "5…"), and never below their own minimum (a short one elides its ticks).
        const QSize least = QSize(kChartWidth, kChartHeight)
                                .expandedTo(w->minimumSize())
                                .expandedTo(w->minimumSizeHint());
        if (w->width() < least.width() || w->height() < least.height())
          out << QStringLiteral("chart %1 (%2x%3 < %4x%5)")
                     .arg(QString::fromLatin1(w->metaObject()->className()))
                     .arg(w->width())
                     .arg(w->height())
                     .arg(least.width())
                     .arg(least.height());
        continue;
      } else if (auto* heatmap = qobject_cast<HeatmapView*>(w)) {
        // The read-out after the colour bar, drawn: "pooled 1/1 x 1" at 1024x700.
        const int textWidth = heatmap->fontMetrics().horizontalAdvance(heatmap->legendInfo());
        if (textWidth > heatmap->legendInfoRect().width())
          out << QStringLiteral("heatmap legend \"%1\" (%2 px < %3)")
                     .arg(heatmap->legendInfo())
                     .arg(heatmap->legendInfoRect().width())
                     .arg(textWidth);
        continue;
      } else if (qobject_cast<QAbstractSpinBox*>(w) || qobject_cast<QComboBox*>(w) ||
                 qobject_cast<QCheckBox*>(w)) {
        need = w->minimumSizeHint().width();
        if (auto* box = qobject_cast<QCheckBox*>(w)) what = box->text();
      } else {
        continue;
      }
      if (w->width() < need || w->height() < w->minimumSizeHint().height())
        out << QStringLiteral("%1 (%2x%3 < %4x%5)")
                   .arg(what)
                   .arg(w->width())
                   .arg(w->height())
                   .arg(need)
                   .arg(w->minimumSizeHint().height());
    }
    return out;
  }

  // The texts a panel's charts draw elided: QtCharts shortens a tick label, title or legend entry
  // that has no room to "..." (the Data panel's class balance drew its count ticks as "0 ... ...").
  static QStringList elidedInCharts(QWidget* panel) {
    QStringList out;
    for (QChartView* view : panel->findChildren<QChartView*>()) {
      if (!view->isVisibleTo(panel) || !view->scene()) continue;
      for (QGraphicsItem* item : view->scene()->items()) {
        if (!item->isVisible()) continue;
        QString text;
        if (auto* t = dynamic_cast<QGraphicsTextItem*>(item))
          text = t->toPlainText();
        else if (auto* t = dynamic_cast<QGraphicsSimpleTextItem*>(item))
          text = t->text();
        if (text.contains(QStringLiteral("...")))
          out << QStringLiteral("chart \"%1\" draws \"%2\" at %3,%4")
                     .arg(view->chart() ? view->chart()->title() : QString(), text)
                     .arg(item->scenePos().x())
                     .arg(item->scenePos().y());
      }
    }
    return out;
  }

  static bool inLayout(const QLayout* layout, const QWidget* w) {
    for (int i = 0; i < layout->count(); ++i) {
      QLayoutItem* item = layout->itemAt(i);
      if (item->widget() == w || (item->layout() && inLayout(item->layout(), w))) return true;
    }
    return false;
  }

  // A panel's shown child widgets that no layout places: they sit at (0,0), over the heading
  // (an option field the engine's table gained but the panel never laid out).
  static QStringList unplaced(QWidget* panel) {
    QStringList out;
    for (QWidget* w : panel->findChildren<QWidget*>(QString(), Qt::FindDirectChildrenOnly)) {
      if (!w->isVisibleTo(panel) || w->isWindow()) continue;
      if (panel->layout() && inLayout(panel->layout(), w)) continue;
      out << QStringLiteral("%1 \"%2\" outside the layout")
                 .arg(QString::fromLatin1(w->metaObject()->className()), w->objectName());
    }
    return out;
  }

  static void settleLayouts() {
    // Nested layouts settle over several rounds of posted layout requests.
    for (int round = 0; round < 4; ++round) {
      QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
      QCoreApplication::processEvents();
    }
  }

  // Why `table`'s columns do not fit its width (it scrolls sideways); empty when they fit.
  static QString columnsOverflow(const QTableWidget* table) {
    int columns = table->verticalHeader()->width() + 2 * table->frameWidth();
    for (int c = 0; c < table->columnCount(); ++c) columns += table->columnWidth(c);
    if (columns <= table->width() && !table->horizontalScrollBar()->isVisible()) return {};
    return QStringLiteral("columns %1 px in a %2 px table").arg(columns).arg(table->width());
  }

  // Why not every row of `table` shows without scrolling it; empty when they all do.
  static QString rowsOverflow(const QTableWidget* table) {
    int rows = 0;
    for (int r = 0; r < table->rowCount(); ++r) rows += table->rowHeight(r);
    if (rows <= table->viewport()->height() && table->verticalScrollBar()->maximum() == 0)
      return {};
    return QStringLiteral("%1 rows of %2 px in a %3 px view")
        .arg(table->rowCount())
        .arg(rows)
        .arg(table->viewport()->height());
  }

  // At 1024x700 every panel's minimum fits the panel area and nothing is squeezed.
  static QStringList checkAt1024x700(MainWindow& window) {
    QStringList bad;  // every problem, so one run shows them all
    if (!window.isVisible()) {
      window.resize(1024, 700);
      window.show();
      if (!QTest::qWaitForWindowExposed(&window)) return {QStringLiteral("window not shown")};
    }
    if (window.size() != QSize(1024, 700))
      bad << QStringLiteral("window %1x%2").arg(window.width()).arg(window.height());
    for (int p = 0; p < MainWindow::PanelCount; ++p) {
      QWidget* panel = window.panelWidget(MainWindow::Panel(p));
      auto* stack = qobject_cast<QStackedWidget*>(panel->parentWidget());
      if (!stack) return {QStringLiteral("no panel stack")};
      const QString name = QString::fromLatin1(panel->metaObject()->className());
      // Shown and laid out at the area's size first: the forms' column counts follow the width
      // (disabled panels are laid out the same).
      stack->setCurrentWidget(panel);
      // Nested layouts settle over several rounds of posted layout requests (one round left
      // the charts at their previous panel's sizes).
      for (int round = 0; round < 4; ++round) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
      }
      // The panel area of a 1024x700 window (where the window could not shrink that far, what
      // it grew by comes off the stack's size: the side bar and docks keep theirs).
      const QSize area = stack->size() - (window.size() - QSize(1024, 700)),
                  need = panel->minimumSizeHint();
      if (need.width() > area.width() || need.height() > area.height())
        bad << QStringLiteral("%1: minimum %2x%3 in %4x%5")
                   .arg(name)
                   .arg(need.width())
                   .arg(need.height())
                   .arg(area.width())
                   .arg(area.height());
      for (const QString& c : clipped(panel)) bad << name + QStringLiteral(": ") + c;
      for (const QString& c : unplaced(panel)) bad << name + QStringLiteral(": ") + c;
      for (const QString& c : elidedInCharts(panel)) bad << name + QStringLiteral(": ") + c;
    }
    // The window itself: a panel whose minimum is taller than the room grows it past 1024x700.
    if (window.size() != QSize(1024, 700))
      bad << QStringLiteral("window grew to %1x%2").arg(window.width()).arg(window.height());
    return bad;
  }

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void emptyWindowFits1024x700() {
    MainWindow window;
    const QStringList bad = checkAt1024x700(window);
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral("\n"))));
  }

  // A prepared workspace: the Data panel's summary, the vocabulary path and the charts filled.
  void preparedWorkspaceFits1024x700() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ws = dir.filePath(QStringLiteral("ws")), csv = dir.filePath("texts.csv");
    QFile f(csv);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("text,label\n");
    const char* const labels[] = {"sport", "politics", "science"};
    for (int i = 0; i < 60; ++i)
      f.write(QStringLiteral("sample text number %1 about %2,%2\n")
                  .arg(i)
                  .arg(QLatin1String(labels[i % 3]))
                  .toUtf8());
    f.close();
    QCOMPARE(createWorkspaceLayout(ws), QString());
    kdw::PrepareOptions p;
    p.input = csv.toStdString();
    p.workspace = ws.toStdString();
    p.text_column = "text";
    p.label_column = "label";
    p.bert_vocab = KDW_SOURCE_DIR "/resources/demo/bert/vocab.txt";
    kdw::JobContext job;
    kdw::run_prepare(p, job);
    writeTeacherAndRun(ws);
    // Shown first, as kdw-gui does: a panel that needs more room on the way grows the window,
    // which then stays larger.
    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openWorkspace(ws));
    window.showPanel(MainWindow::Data);
    auto* data = qobject_cast<DataPanel*>(window.panelWidget(MainWindow::Data));
    QVERIFY(data);
    QSignalSpy loaded(data, &DataPanel::tableLoaded);
    data->loadFile(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/fortunes_ru.csv"));
    QVERIFY(loaded.wait(20000));  // loaded in the background
    // The teacher's dev results are shown (the table beside the charts).
    auto* teacher = qobject_cast<TeacherPanel*>(window.panelWidget(MainWindow::Teacher));
    QVERIFY(teacher);
    QCOMPARE(teacher->resultsTable()->rowCount(), 4);
    // The BERT folder's description, read off-thread: its last line is the one that was cut.
    QTRY_VERIFY2(teacher->folderInfoText().contains(QStringLiteral("no weights")),
                 qPrintable(teacher->folderInfoText()));
    // The Distill panel shows the run with its note of the trained-on model's shape.
    auto* distill = qobject_cast<DistillPanel*>(window.panelWidget(MainWindow::Distill));
    QVERIFY(distill);
    QVERIFY2(distill->runShapeText().contains(
                 QStringLiteral("cut_model_distill_stack_biLSTM_afte") + QChar(0x2026)),
             qPrintable(distill->runShapeText()));
    openInCompress(window, ws + QStringLiteral("/2026-11-26___21-47-13"));
    const QStringList bad = checkAt1024x700(window);
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral("\n"))));

    // Compress: the cut's before/after table shows its eight rows (it showed two and scrolled);
    // the side column scrolls instead.
    auto* compress = qobject_cast<CompressPanel*>(window.panelWidget(MainWindow::Compress));
    window.showPanel(MainWindow::Compress);
    settleLayouts();
    QCOMPARE(compress->resultsTable()->rowCount(), 8);
    QVERIFY2(rowsOverflow(compress->resultsTable()).isEmpty(),
             qPrintable(rowsOverflow(compress->resultsTable())));
    // Every name and figure in full ("latency ms/sample" was elided to "latency ms/..."); 6 px:
    // the item text margins of Qt's styles (3 px a side).
    for (int r = 0; r < compress->resultsTable()->rowCount(); ++r)
      for (int c = 0; c < 3; ++c) {
        const QString text = compress->resultsTable()->item(r, c)->text();
        const int need = compress->resultsTable()->fontMetrics().horizontalAdvance(text) + 6;
        QVERIFY2(need <= compress->resultsTable()->columnWidth(c),
                 qPrintable(QStringLiteral("\"%1\" needs %2 px, has %3")
                                .arg(text)
                                .arg(need)
                                .arg(compress->resultsTable()->columnWidth(c))));
      }
    // Teacher: the dev results fit without scrolling sideways (they scrolled at 1024x700), and
    // every column's header still names what it shows, in its text or its tooltip.
    window.showPanel(MainWindow::Teacher);
    settleLayouts();
    QTableWidget* confusion = teacher->resultsTable();
    QVERIFY2(columnsOverflow(confusion).isEmpty(), qPrintable(columnsOverflow(confusion)));
    const QStringList named = {QStringLiteral("computer"), QStringLiteral("education"),
                               QStringLiteral("love"),     QStringLiteral("polit"),
                               QStringLiteral("recision"), QStringLiteral("ecall"),
                               QStringLiteral("F1")};
    QCOMPARE(confusion->columnCount(), int(named.size()));
    for (int c = 0; c < confusion->columnCount(); ++c) {
      const QTableWidgetItem* header = confusion->horizontalHeaderItem(c);
      QVERIFY(header);
      QVERIFY2(header->text().contains(named[c]) || header->toolTip().contains(named[c]),
               qPrintable(header->text() + QStringLiteral(" / ") + header->toolTip()));
      if (c < 4)  // each row names its class
        QVERIFY2(confusion->verticalHeaderItem(c)->text().contains(named[c]),
                 qPrintable(confusion->verticalHeaderItem(c)->text()));
    }

    // At 1600x1000 the dev results show every column: no scrolling where there is room.
    window.resize(1600, 1000);
    window.showPanel(MainWindow::Teacher);
    QTRY_COMPARE(window.size(), QSize(1600, 1000));
    settleLayouts();
    QVERIFY2(columnsOverflow(confusion).isEmpty(), qPrintable(columnsOverflow(confusion)));
    // Room enough for the class names in the headers again.
    QCOMPARE(confusion->horizontalHeaderItem(0)->text(), QStringLiteral("→ computer"));
  }

  // Ten classes with long Russian names: the class balance chart draws neither its count ticks
  // nor the names elided by QtCharts ("..."); a name too long for the axis is shortened by the
  // chart itself ("Компьютеры и…") and the bar's tooltip names it in full, with its count.
  void longClassNamesReadableAt1024x700() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList classes = {QStringLiteral("Компьютеры и информационные технологии"),
                                 QStringLiteral("Образование и научные исследования"),
                                 QStringLiteral("Любовь и семейные отношения"),
                                 QStringLiteral("Политика и государственное управление"),
                                 QStringLiteral("Спорт"),
                                 QStringLiteral("Экономика и финансовые рынки"),
                                 QStringLiteral("Культура, искусство и литература"),
                                 QStringLiteral("Здоровье и медицина"),
                                 QStringLiteral("Путешествия и туризм"),
                                 QStringLiteral("Наука о природе и окружающей среде")};
    const QString csv = dir.filePath("classes.csv");
    QFile f(csv);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("text,label\n");
    for (int i = 0; i < 200; ++i)  // class c has 10 + c texts more than class 0 per round
      for (int c = 0; c < classes.size(); ++c)
        if (i < 10 + 10 * c)
          f.write(QStringLiteral("текст %1 о классе %2,\"%3\"\n")
                      .arg(i)
                      .arg(c)
                      .arg(classes[c])
                      .toUtf8());
    f.close();

    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString ws = dir.filePath(QStringLiteral("ws"));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    QVERIFY(window.openWorkspace(ws));
    window.showPanel(MainWindow::Data);
    auto* data = qobject_cast<DataPanel*>(window.panelWidget(MainWindow::Data));
    QVERIFY(data);
    data->loadFile(csv);
    BarChart* balance = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
          for (BarChart* chart : data->findChildren<BarChart*>())
            if (chart->barCount() == classes.size()) balance = chart;
          return balance != nullptr;
        }(),
        20000);
    const QStringList bad = checkAt1024x700(window);
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral("\n"))));
    // Each name drawn in full or as its own beginning, and in full under the mouse.
    const QStringList drawn = balance->categoryLabels();
    QCOMPARE(drawn.size(), classes.size());
    QSet<int> seen;
    for (int i = 0; i < drawn.size(); ++i) {
      const QString tip = balance->toolTipAt(balance->barCenter(i));
      int c = int(classes.size()) - 1;
      while (c >= 0 && !tip.contains(classes[c])) --c;
      QVERIFY2(c >= 0 && !seen.contains(c), qPrintable(tip));
      seen.insert(c);
      QVERIFY2(tip.contains(QString::number(10 + 10 * c)), qPrintable(tip));
      const QString& name = drawn[i];
      QVERIFY2(name == classes[c] || (name.endsWith(QChar(0x2026)) && name.size() >= 4 &&
                                      classes[c].startsWith(name.chopped(1))),
               qPrintable(name));
    }
  }

  // A failure naming a long path wraps on the Teacher's status line (it widened a 1280 px
  // window to ~1375 px), and goes once another folder is chosen. A model of 64 positions caps
  // the max_seq_len field at 64 (its default 128 failed at Start).
  void teacherStatusWrapsAndSeqLenFollowsTheModel() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Long enough that the failure, which names a file in it, is wider than the window.
    const QString ws = dir.filePath(QStringLiteral("workspace-") + QString(160, QLatin1Char('w')));
    QCOMPARE(createWorkspaceLayout(ws), QString());
    const QString bert = ws + QStringLiteral("/files/bert/");
    QFile config(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/config.json"));
    QVERIFY(config.open(QIODevice::ReadOnly));
    QJsonObject json = QJsonDocument::fromJson(config.readAll()).object();
    QCOMPARE(json.value("max_position_embeddings").toInt(), 128);
    writeFile(bert + "a_demo/config.json", QJsonDocument(json).toJson());
    json["max_position_embeddings"] = 64;
    writeFile(bert + "b_short/config.json", QJsonDocument(json).toJson());
    for (const char* name : {"a_demo", "b_short"})
      QVERIFY(QFile::copy(QStringLiteral(KDW_SOURCE_DIR "/resources/demo/bert/vocab.txt"),
                          bert + name + QStringLiteral("/vocab.txt")));

    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openWorkspace(ws));
    window.showPanel(MainWindow::Teacher);
    auto* teacher = qobject_cast<TeacherPanel*>(window.panelWidget(MainWindow::Teacher));
    QVERIFY(teacher);
    auto* seqLen = teacher->findChild<QAbstractSpinBox*>(QStringLiteral("max_seq_len"));
    QVERIFY(seqLen);
    QComboBox* folders = nullptr;
    for (auto* box : teacher->findChildren<QComboBox*>())
      if (box->findText(QStringLiteral("b_short")) >= 0) folders = box;
    QVERIFY(folders);

    folders->setCurrentText(QStringLiteral("b_short"));
    QTRY_COMPARE(seqLen->property("maximum").toInt(), 64);  // the folder may be read off-thread
    QCOMPARE(seqLen->property("value").toInt(), 64);
    QVERIFY2(seqLen->toolTip().contains(QStringLiteral("64")), qPrintable(seqLen->toolTip()));
    folders->setCurrentText(QStringLiteral("a_demo"));
    QTRY_COMPARE(seqLen->property("maximum").toInt(), 128);
    QVERIFY2(seqLen->toolTip().contains(QStringLiteral("128")), qPrintable(seqLen->toolTip()));

    // Nothing prepared: the job fails at once, naming a file in the workspace.
    QSignalSpy failed(window.runner(), &JobRunner::failed);
    QVERIFY(teacher->start() != 0);
    QVERIFY(failed.wait(20000));
    QCoreApplication::processEvents();
    QVERIFY2(teacher->statusText().startsWith(QStringLiteral("Failed: ")),
             qPrintable(teacher->statusText()));
    QVERIFY2(teacher->statusText().contains(ws), qPrintable(teacher->statusText()));
    // No wider (its lines take height), nor is the error banner saying it too.
    QCOMPARE(window.width(), 1024);
    auto* banner = window.findChild<QFrame*>(QStringLiteral("errorBanner"));
    QVERIFY(banner && banner->isVisible());
    auto* dismiss = banner->findChild<QToolButton*>();
    QVERIFY(dismiss);
    dismiss->click();

    folders->setCurrentText(QStringLiteral("b_short"));
    QTRY_VERIFY2(!teacher->statusText().startsWith(QStringLiteral("Failed: ")),
                 qPrintable(teacher->statusText()));
    // The 160-character workspace path also wraps elsewhere (Runs' "0 run(s) in …"): the
    // window may be a few pixels taller, never wider, and the Teacher panel is not squeezed.
    QCOMPARE(window.width(), 1024);
    qobject_cast<QStackedWidget*>(teacher->parentWidget())->setCurrentWidget(teacher);
    QTRY_VERIFY2(clipped(teacher).isEmpty(),
                 qPrintable(clipped(teacher).join(QStringLiteral("\n"))));
  }
};

QTEST_MAIN(TestUiLayout)
#include "test_ui_layout.moc"
