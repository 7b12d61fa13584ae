// The main window at 1024x700 (issue 13): every panel's minimum size fits the panel area, and on
// each panel no label, field or check box is squeezed below the width its text needs.
#include <QAbstractSpinBox>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTest>

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

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void panelsFitA1024x700Window() {
    MainWindow window;
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QStringList bad;  // every problem, so one run shows them all
    if (window.size() != QSize(1024, 700))
      bad << QStringLiteral("window %1x%2").arg(window.width()).arg(window.height());
    for (int p = 0; p < MainWindow::PanelCount; ++p) {
      QWidget* panel = window.panelWidget(MainWindow::Panel(p));
      auto* stack = qobject_cast<QStackedWidget*>(panel->parentWidget());
      QVERIFY(stack);
      const QString name = QString::fromLatin1(panel->metaObject()->className());
      // Shown and laid out at the area's size first: the forms' column counts follow the width
      // (without a workspace the panels are disabled; their layout is the same).
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
    }
    QVERIFY2(bad.isEmpty(), qPrintable(bad.join(QStringLiteral("\n"))));
  }
};

QTEST_MAIN(TestUiLayout)
#include "test_ui_layout.moc"
