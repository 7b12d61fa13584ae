// The shell's help and habits: Help → About names version, LibTorch, Qt, BLAS, threads and
// device; the Help page names the panels in pipeline order; Ctrl+1…6 switch panels; the last
// workspace reopens on start, and a deleted one leaves the welcome page without an error; the Edit
// menu undoes and redoes the Compress panel's picks.
#include <QAction>
#include <QDialog>
#include <QDir>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoCommand>
#include <QUndoStack>

#include <torch/version.h>

#include "ui/common/workspace_state.h"
#include "ui/compress/compress_panel.h"
#include "ui/shell/help_dialogs.h"
#include "ui/shell/main_window.h"

class TestShellHelp : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void aboutNamesWhatTheProgramRunsOn() {
    const QString about = aboutFacts().join(QLatin1Char('\n'));
    QVERIFY2(about.startsWith(QStringLiteral("KD Workbench ")), qPrintable(about));
    QVERIFY(!about.contains(QStringLiteral("unknown")));
    QVERIFY(about.contains(QStringLiteral("LibTorch " TORCH_VERSION)));
    QVERIFY(about.contains(QStringLiteral("Qt %1").arg(QString::fromLatin1(qVersion()))));
    QVERIFY(about.contains(QStringLiteral("\nBLAS ")));
    QVERIFY(about.contains(QStringLiteral("\nThreads ")));
    QVERIFY(about.contains(QStringLiteral("\nDevice cpu")) || about.contains("\nDevice cuda"));
    const QString help = helpText();
    int at = 0;
    for (const char* panel : {"Data", "Teacher", "Logits", "Distill", "Compress", "Runs"}) {
      const int next = int(help.indexOf(QStringLiteral("<b>%1</b>").arg(QLatin1String(panel))));
      QVERIFY2(next > at, panel);  // in pipeline order
      at = next;
    }
  }

  void helpMenuOpensNonModalWindows() {
    MainWindow window;
    QAction* about = nullptr;
    for (QAction* a : window.findChildren<QAction*>())
      if (a->text().contains(QStringLiteral("About"))) about = a;
    QVERIFY(about);
    about->trigger();
    auto* dialog = window.findChild<QDialog*>(QStringLiteral("aboutDialog"));
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->isModal());
  }

  void ctrlDigitsSwitchPanels() {
    QTemporaryDir dir;
    QVERIFY(createWorkspaceLayout(dir.path()).isEmpty());
    MainWindow window;
    window.show();
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QVERIFY(window.openWorkspace(dir.path()));
    window.showPanel(-1);
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(window.currentPanel(), int(MainWindow::Data));
    QTest::keyClick(&window, Qt::Key_6, Qt::ControlModifier);
    QCOMPARE(window.currentPanel(), int(MainWindow::Runs));
    // An empty workspace: Teacher is not ready, Ctrl+2 stays put.
    QTest::keyClick(&window, Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(window.currentPanel(), int(MainWindow::Runs));
  }

  // Edit → Undo / Redo are the Compress panel's pick history: enabled only while it has a step
  // to undo / redo; chosen over another panel, they bring the Compress panel up.
  void editMenuUndoesAndRedoesPicks() {
    QTemporaryDir dir;
    QVERIFY(createWorkspaceLayout(dir.path()).isEmpty());
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("2026-11-26___12-00-00"))));  // a run
    MainWindow window;
    QVERIFY(window.openWorkspace(dir.path()));
    QMenu* edit = nullptr;
    for (QMenu* menu : window.menuBar()->findChildren<QMenu*>())
      if (menu->title() == QStringLiteral("&Edit")) edit = menu;
    QVERIFY(edit);
    QAction* undo = nullptr;
    QAction* redo = nullptr;
    for (QAction* a : edit->actions()) {
      if (a->objectName() == QStringLiteral("undoPicks")) undo = a;
      if (a->objectName() == QStringLiteral("redoPicks")) redo = a;
    }
    QVERIFY(undo && redo);
    QVERIFY(!undo->isEnabled());
    QVERIFY(!redo->isEnabled());
    auto* compress = qobject_cast<CompressPanel*>(window.panelWidget(MainWindow::Compress));
    QVERIFY(compress);
    QUndoStack* stack = compress->undoStack();
    stack->push(new QUndoCommand(QStringLiteral("pick units")));  // as a click on the heatmap
    QVERIFY(undo->isEnabled());
    QVERIFY(!redo->isEnabled());
    QVERIFY(undo->text().contains(QStringLiteral("pick units")));
    window.showPanel(MainWindow::Data);
    undo->trigger();
    QCOMPARE(stack->index(), 0);
    QVERIFY(!undo->isEnabled());
    QVERIFY(redo->isEnabled());
    QCOMPARE(window.currentPanel(), int(MainWindow::Compress));
    redo->trigger();
    QCOMPARE(stack->index(), 1);
    QVERIFY(undo->isEnabled());
    QVERIFY(!redo->isEnabled());
  }

  void lastWorkspaceReopens() {
    QTemporaryDir dir;
    QVERIFY(createWorkspaceLayout(dir.path()).isEmpty());
    {
      MainWindow first;
      QVERIFY(first.openWorkspace(dir.path()));
    }
    MainWindow second;
    QVERIFY(second.reopenLastWorkspace());
    QCOMPARE(second.workspace().root, QDir::cleanPath(dir.path()));
    QVERIFY(second.currentPanel() >= 0);
  }

  void goneWorkspaceShowsTheWelcomePage() {
    QString gone;
    {
      QTemporaryDir dir;
      QVERIFY(createWorkspaceLayout(dir.path()).isEmpty());
      MainWindow first;
      QVERIFY(first.openWorkspace(dir.path()));
      gone = dir.path();
    }
    QVERIFY(!QFileInfo::exists(gone));
    MainWindow window;
    QVERIFY(!window.reopenLastWorkspace());
    QVERIFY(!window.workspace().valid);
    QCOMPARE(window.currentPanel(), -1);
    QVERIFY(window.errorText().isEmpty());
    QCOMPARE(QSettings().value(QStringLiteral("lastWorkspace")).toString(), gone);
  }
};

QTEST_MAIN(TestShellHelp)
#include "test_shell_help.moc"
