// The main window at 1024x700 (issue 13): every panel's minimum size fits the panel area, and on
// each panel no label, field or check box is squeezed below the width its text needs.
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLayout>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "core/job.h"
#include "data/prepare.h"
#include "ui/common/workspace_state.h"
#include "ui/data/data_panel.h"

#include "ui/shell/main_window.h"

class TestUiLayout : public QObject {
  Q_OBJECT

 private:
  // The names of `panel`'s shown labels and fields narrower than their text needs.
  static QStringList clipped(QWidget* panel) {
    QStringList out;
    for (QWidget* w : panel->findChildren<QWidget*>()) {
      if (!w->isVisibleTo(panel)) continue;
      int need = -1;
      QString what = w->objectName();
      if (auto* label = qobject_cast<QLabel*>(w)) {
        // Word-wrapped labels and pictures (charts' labels are drawn, not QLabels) may shrink.
        if (label->wordWrap() || label->text().isEmpty()) continue;
        need = label->fontMetrics().horizontalAdvance(label->text());
        what = label->text();
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
      QCoreApplication::processEvents();
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
    }
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
    const QStringList bad = checkAt1024x700(window);
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral("\n"))));
  }
};

QTEST_MAIN(TestUiLayout)
#include "test_ui_layout.moc"
