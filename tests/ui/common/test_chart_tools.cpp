// LiveChart's tools: readable ticks for a narrow range, hover read-outs, zoom (wheel) and pan
// (drag) that the live redraw keeps, double-click back to the data, EMA smoothing, PNG/CSV export
// and the kept-epoch marker with its note.
#include <QCheckBox>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QWheelEvent>

#include <QChartView>

#include "ui/common/live_chart.h"

class TestChartTools : public QObject {
  Q_OBJECT

  static QWidget* viewport(LiveChart& chart) {
    auto* view = chart.findChild<QChartView*>();
    return view ? view->viewport() : nullptr;
  }

 private Q_SLOTS:
  void narrowRangeGetsDistinctTicks() {
    LiveChart chart(QStringLiteral("Loss"), QStringLiteral("step"), QString());
    chart.resize(300, 200);  // a small chart, as at 1024x700
    const int s = chart.addSeries(QStringLiteral("loss"));
    for (int i = 0; i < 50; ++i) chart.append(s, i, 1.3801 + 0.0005 * (i % 7) / 7.0);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.redraw();
    QCoreApplication::processEvents();
    const QStringList y = chart.axisLabels(Qt::Vertical);
    QVERIFY2(y.size() >= 2, qPrintable(y.join(" / ")));
    QCOMPARE(QSet<QString>(y.begin(), y.end()).size(), y.size());  // no "1.38 / 1.38 / 1.38"
    // Few enough labels for the height that none is elided.
    QVERIFY2(y.size() <= 8, qPrintable(y.join(" / ")));
    const QStringList x = chart.axisLabels(Qt::Horizontal);
    QVERIFY2(x.size() >= 2 && x.size() <= 5, qPrintable(x.join(" / ")));
  }

  // A run's first epoch is one point, which a line alone does not draw: few points are dots.
  void firstEpochIsVisible() {
    LiveChart chart(QStringLiteral("Dev scores"), QStringLiteral("epoch"), QString());
    const int s = chart.addSeries(QStringLiteral("accuracy"));
    chart.append(s, 1, 0.38);
    chart.redraw();
    QVERIFY(chart.pointsShown(s));
    for (int i = 2; i < 200; ++i) chart.append(s, i, 0.38);
    chart.redraw();
    QVERIFY(!chart.pointsShown(s));  // a dense curve stays a line
  }

  void hoverReadsOutTheNearestPoints() {
    LiveChart chart(QStringLiteral("Dev"), QStringLiteral("epoch"), QString());
    chart.resize(400, 300);
    const int acc = chart.addSeries(QStringLiteral("accuracy"));
    for (int e = 1; e <= 10; ++e) chart.append(acc, e, 0.3 + 0.01 * e);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.redraw();
    QCOMPARE(chart.readoutAt(4.2), QStringLiteral("epoch 4 · accuracy 0.34"));
    QWidget* port = viewport(chart);
    QVERIFY(port);
    QTest::mouseMove(port, port->rect().center());
    QVERIFY2(chart.hoverText().startsWith(QStringLiteral("epoch ")), qPrintable(chart.hoverText()));
  }

  void wheelZoomsDragPansDoubleClickResets() {
    LiveChart chart(QStringLiteral("Loss"), QStringLiteral("step"), QString());
    chart.resize(400, 300);
    const int s = chart.addSeries(QStringLiteral("loss"));
    for (int i = 0; i <= 100; ++i) chart.append(s, i, 1.0 + (i % 5));
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    chart.redraw();
    const auto full = chart.xRange();
    QWidget* port = viewport(chart);
    const QPointF at = port->rect().center();
    QWheelEvent wheel(at, port->mapToGlobal(at), QPoint(), QPoint(0, 240), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(port, &wheel);
    QVERIFY(chart.isZoomed());
    const auto zoomed = chart.xRange();
    QVERIFY(zoomed.second - zoomed.first < 0.8 * (full.second - full.first));
    // New points arrive: the zoomed view stays.
    chart.append(s, 101, 3);
    chart.redraw();
    QCOMPARE(chart.xRange(), zoomed);
    // A drag to the left moves the view to larger x.
    QTest::mousePress(port, Qt::LeftButton, {}, at.toPoint());
    QTest::mouseMove(port, at.toPoint() - QPoint(60, 0));
    QTest::mouseRelease(port, Qt::LeftButton, {}, at.toPoint() - QPoint(60, 0));
    QVERIFY(chart.xRange().first > zoomed.first);
    QTest::mouseDClick(port, Qt::LeftButton, {}, at.toPoint());
    QVERIFY(!chart.isZoomed());
    QCOMPARE(chart.xRange(), qMakePair(0.0, 101.0));
  }

  void smoothingDrawsAnExponentialAverage() {
    LiveChart chart(QStringLiteral("Loss"), QStringLiteral("step"), QString());
    chart.setSmoothingControl(true);
    const int s = chart.addSeries(QStringLiteral("loss"));
    for (int i = 0; i < 4; ++i) chart.append(s, i, i % 2 ? 10.0 : 0.0);
    chart.redraw();
    QCOMPARE(chart.drawnPoints(s).at(1).y(), 10.0);
    chart.setSmoothing(0.5);
    const QList<QPointF> drawn = chart.drawnPoints(s);
    QCOMPARE(drawn.size(), 4);
    QCOMPARE(drawn.at(0).y(), 0.0);
    QCOMPARE(drawn.at(1).y(), 5.0);
    QCOMPARE(drawn.at(2).y(), 2.5);
    QCOMPARE(chart.pointCount(s), 4);  // the stored points stay raw
    chart.setSmoothing(0);
    QCOMPARE(chart.drawnPoints(s).at(1).y(), 10.0);
  }

  // In a narrow chart the smoothing control would cover the centred title: the chart starts
  // below it; a wide chart keeps its title beside the control.
  void smoothingControlLeavesTheTitleFree() {
    LiveChart chart(QStringLiteral("Training loss"), QStringLiteral("step"), QString());
    chart.setSmoothingControl(true);
    chart.addSeries(QStringLiteral("loss"));
    chart.resize(260, 200);  // the Teacher panel's loss chart at 1024x700
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    QCoreApplication::processEvents();
    auto* view = chart.findChild<QChartView*>();
    auto* smooth = chart.findChild<QCheckBox*>();
    QVERIFY(view && smooth);
    const int controlBottom = smooth->parentWidget()->geometry().bottom();
    QVERIFY2(view->chart()->margins().top() > controlBottom,
             qPrintable(QStringLiteral("top margin %1, control bottom %2")
                            .arg(view->chart()->margins().top())
                            .arg(controlBottom)));
    chart.resize(900, 300);
    QCoreApplication::processEvents();
    QCOMPARE(view->chart()->margins().top(), 4);
  }

  void exportsPngAndCsv() {
    QTemporaryDir dir;
    LiveChart chart(QStringLiteral("Dev"), QStringLiteral("epoch"), QString());
    chart.resize(300, 200);
    const int acc = chart.addSeries(QStringLiteral("accuracy"));
    chart.append(acc, 1, 0.5);
    chart.append(acc, 2, 0.625);
    chart.redraw();
    QVERIFY(chart.exportCsv(dir.filePath("dev.csv")));
    QFile csv(dir.filePath("dev.csv"));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(csv.readAll()),
             QStringLiteral("series,x,y\n\"accuracy\",1,0.5\n\"accuracy\",2,0.625\n"));
    QVERIFY(chart.exportPng(dir.filePath("dev.png")));
    QImage image(dir.filePath("dev.png"));
    QVERIFY(!image.isNull());
    QVERIFY(image.width() > 100);
    QVERIFY(!chart.exportCsv(dir.filePath("missing/dev.csv")));
  }

  void markerAndNoteShowTheKeptEpoch() {
    LiveChart chart(QStringLiteral("Dev"), QStringLiteral("epoch"), QString());
    const int acc = chart.addSeries(QStringLiteral("accuracy"));
    for (int e = 1; e <= 5; ++e) chart.append(acc, e, 0.1 * e);
    chart.setMarker(3, QStringLiteral("kept epoch 3"));
    chart.setNote(QStringLiteral("kept epoch 3: the best dev accuracy"));
    chart.redraw();
    QCOMPARE(chart.markerX(), 3.0);
    QCOMPARE(chart.note(), QStringLiteral("kept epoch 3: the best dev accuracy"));
    // The marker is no data series: the read-out and the CSV leave it out.
    QVERIFY(!chart.readoutAt(3).contains(QStringLiteral("kept")));
    chart.clear();
    QVERIFY(chart.note().isEmpty());
  }
};

QTEST_MAIN(TestChartTools)
#include "test_chart_tools.moc"
