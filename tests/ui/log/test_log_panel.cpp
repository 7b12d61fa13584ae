// The log panel gets engine log lines through kdw::log's callback sinks (no spdlog types in ui/):
// lines logged on other threads appear after poll(), the level filter applies, and a destroyed
// panel's sink is gone.
#include <QComboBox>
#include <QTest>

#include <thread>

#include "core/log.h"
#include "ui/log/log_panel.h"

class TestLogPanel : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() { kdw::log::init_silent(); }

  void showsLinesFromOtherThreads() {
    LogPanel panel;
    std::thread worker([] {
      kdw::log::info("epoch {}: dev accuracy {:.4f}", 1, 0.5);
      kdw::log::debug("a debug line");
      kdw::log::warn("careful");
    });
    worker.join();
    panel.poll();
    QCOMPARE(panel.lineCount(), 3);
    const QString shown = panel.visibleText();
    QVERIFY2(shown.contains(QStringLiteral("[I] epoch 1: dev accuracy 0.5000")), qPrintable(shown));
    QVERIFY(shown.contains(QStringLiteral("[W] careful")));
    QVERIFY(!shown.contains(QStringLiteral("a debug line")));  // the filter starts at Info

    auto* level = panel.findChild<QComboBox*>();
    QVERIFY(level);
    level->setCurrentIndex(level->findData(int(kdw::log::Level::debug)));
    QVERIFY(panel.visibleText().contains(QStringLiteral("[D] a debug line")));
    level->setCurrentIndex(level->findData(int(kdw::log::Level::warn)));
    QVERIFY(!panel.visibleText().contains(QStringLiteral("epoch 1")));
  }

  void destroyedPanelTakesNoMoreLines() {
    auto* panel = new LogPanel;
    delete panel;
    kdw::log::info("after the panel is gone");  // must not reach the freed sink
    LogPanel fresh;
    kdw::log::info("for the new panel");
    fresh.poll();
    QCOMPARE(fresh.lineCount(), 1);
  }
};

QTEST_MAIN(TestLogPanel)
#include "test_log_panel.moc"
