// The Compress panel: selection logic, the component strip's mouse picking, the threshold
// slider, the summary against the engine's cut report, heatmap hover, and the cut job.
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMouseEvent>
#include <QProcess>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

#include <set>

#include <cmath>
#include <filesystem>
#include <memory>

#include "compress/components.h"
#include "compress/cut.h"
#include "core/atomic_output.h"
#include "student/distill.h"
#include "student/run_folder.h"
#include "student/student_model.h"
#include "ui/common/human_units.h"
#include "ui/compress/component_strip.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/heatmap_view.h"
#include "ui/compress/student_source.h"
#include "ui/compress/unit_selection.h"
#include "ui/jobs/job_runner.h"

#include "../../student/synthetic_data.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace fs = std::filesystem;

namespace {

UnitSelection tenUnits() {
  UnitGroup g;
  g.layer = 0;
  g.direction = 0;
  g.norms = {0.5f, 0.1f, 0.9f, 0.3f, 0.7f, 0.2f, 0.8f, 0.4f, 0.6f, 1.0f};
  return UnitSelection({g});
}

// A mouse event with the button state a real drag has (QTest::mouseMove sends no buttons).
void send(QWidget* w, QEvent::Type type, int y, Qt::MouseButtons buttons,
          Qt::KeyboardModifiers mods = Qt::NoModifier) {
  const QPointF pos(20, y);
  QMouseEvent e(type, pos, w->mapToGlobal(pos),
                type == QEvent::MouseMove ? Qt::NoButton : Qt::LeftButton, buttons, mods);
  QApplication::sendEvent(w, &e);
}

// The same at any position, with any button (a pan drag uses the right button).
void sendAt(QWidget* w, QEvent::Type type, QPointF pos, Qt::MouseButton button,
            Qt::MouseButtons buttons, Qt::KeyboardModifiers mods = Qt::NoModifier) {
  QMouseEvent e(type, pos, w->mapToGlobal(pos), button, buttons, mods);
  QApplication::sendEvent(w, &e);
}

// An LSTM-like weight_hh of one group of 6 units: rows in 4 gate blocks of 6, 6 columns, the
// heatmap's rows and columns mapped to the units as the panel maps them.
std::shared_ptr<HeatmapMatrix> sixUnitMatrix(float value = -1.0f) {
  auto m = std::make_shared<HeatmapMatrix>();
  m->name = QStringLiteral("hh");
  m->rows = 24;
  m->cols = 6;
  m->gate_rows = 6;
  for (int64_t r = 0; r < m->rows; ++r)
    for (int64_t c = 0; c < m->cols; ++c)
      m->values.push_back(value >= 0 ? value : float(r * 10 + c) / 240.0f);
  return m;
}

UnitSelection sixUnits() {
  UnitGroup g;
  g.norms = {0.5f, 0.1f, 0.9f, 0.3f, 0.7f, 0.2f};
  return UnitSelection({g});
}

void attachUnits(HeatmapView& view, UnitSelection& s) {
  UnitAxis rows, cols;
  rows.period = 6;
  rows.segments = {{0, 6, 0}};
  cols.segments = {{0, 6, 0}};
  view.setUnits(&s, rows, cols);
}

bool isMagenta(QRgb c) {
  return qRed(c) > 200 && qGreen(c) < 80 && qBlue(c) > 150;
}

// A tiny stack_biLSTM saved as a run folder's model. Unit u's gate rows are scaled by
// (u + 1) / hidden so that the group norms spread out as after group lasso training.
QString writeRun(const QString& dir, int64_t hidden = 6,
                 const std::vector<std::string>& labels = {"a", "b", "c"}) {
  kdw::StudentModel model(
      kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 8, hidden, 2, labels, 0.0));
  {
    torch::NoGradGuard no_grad;
    // Scale everything unit u owns (its gate rows, its W_hh column, its columns in the reader)
    // by (u + 1) / hidden, so that group norms grow with the unit index whatever the init.
    const auto scale = [&](int64_t u) { return double(u + 1) / double(hidden); };
    for (int layer = 0; layer < 2; ++layer)
      for (int dir = 0; dir < 2; ++dir) {
        const std::string p = "layers." + std::to_string(layer) + (dir == 0 ? ".fwd." : ".bwd.");
        for (const char* w : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
          at::Tensor t = model->param(p + w);
          for (int64_t u = 0; u < hidden; ++u)
            for (int64_t g = 0; g < 4; ++g) t[g * hidden + u].mul_(scale(u));
        }
        at::Tensor hh = model->param(p + "weight_hh");
        for (int64_t u = 0; u < hidden; ++u) hh.select(1, u).mul_(scale(u));
        std::vector<at::Tensor> readers;
        if (layer == 0)
          readers = {model->param("layers.1.fwd.weight_ih"),
                     model->param("layers.1.bwd.weight_ih")};
        else
          readers = {model->param("classifier.weight")};
        for (at::Tensor& r : readers)
          for (int64_t u = 0; u < hidden; ++u) r.select(1, dir * hidden + u).mul_(scale(u));
      }
  }
  const QString file = QDir(dir).filePath(QStringLiteral("model_distill_stack_biLSTM.pt"));
  kdw::save_student(model, file.toStdString());
  return file;
}

}  // namespace

class TestUiCompress : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void thresholdPicksUnitsBelow() {
    UnitSelection s = tenUnits();
    s.applyThreshold(0.45f);
    const std::vector<int> expected{1, 3, 5, 7};
    QCOMPARE(s.pickedUnits(0), expected);
    QCOMPARE(s.keptCount(0), 6);
    s.applyThreshold(2.0f);  // everything picked: the strongest unit stays
    QCOMPARE(s.keptUnits(0), std::vector<int>{9});
    ArchSizes a;
    a.hidden = {{10, 0}};
    a.bidirectional = false;
    const auto removed = removedUnits(s, a);
    QCOMPARE(removed[0][0].size(), size_t(9));
  }

  void stripClickShiftAndDrag() {
    UnitSelection s = tenUnits();
    ComponentStrip strip;
    strip.resize(200, 18 + 4 + 200);  // 20 pixels per unit
    strip.setSelection(&s, 0);
    strip.show();
    QVERIFY(QTest::qWaitForWindowExposed(&strip));
    QCOMPARE(strip.unitAt(strip.unitY(3)), 3);

    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(20, strip.unitY(2)));
    QCOMPARE(s.pickedUnits(0), std::vector<int>{2});
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(20, strip.unitY(2)));
    QVERIFY(s.pickedUnits(0).empty());

    // Click 2 (picks it), shift-click 5: 2..5 picked.
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(20, strip.unitY(2)));
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::ShiftModifier, QPoint(20, strip.unitY(5)));
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{2, 3, 4, 5}));

    // Drag from 7 to 9 picks 7, 8, 9; a drag starting on a picked unit unpicks.
    QSignalSpy edited(&strip, &ComponentStrip::selectionEdited);
    send(&strip, QEvent::MouseButtonPress, strip.unitY(7), Qt::LeftButton);
    send(&strip, QEvent::MouseMove, strip.unitY(8), Qt::LeftButton);
    send(&strip, QEvent::MouseMove, strip.unitY(9), Qt::LeftButton);
    send(&strip, QEvent::MouseButtonRelease, strip.unitY(9), Qt::NoButton);
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{2, 3, 4, 5, 7, 8, 9}));
    QVERIFY(edited.count() >= 3);
    send(&strip, QEvent::MouseButtonPress, strip.unitY(5), Qt::LeftButton);
    send(&strip, QEvent::MouseMove, strip.unitY(3), Qt::LeftButton);
    send(&strip, QEvent::MouseButtonRelease, strip.unitY(3), Qt::NoButton);
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{2, 7, 8, 9}));

    // Sorted by norm: the top row is the weakest unit (1), then 5.
    strip.setSorted(true);
    QCOMPARE(strip.unitAt(strip.unitY(1)), 1);
    QCOMPARE(strip.order().front(), 1);
    QCOMPARE(strip.order()[1], 5);
    QTest::mouseClick(&strip, Qt::LeftButton, Qt::NoModifier, QPoint(20, 18 + 10));
    QVERIFY(s.isPicked(0, 1));
  }

  void heatmapHoverReportsCell() {
    auto m = std::make_shared<HeatmapMatrix>();
    m->name = QStringLiteral("test");
    m->rows = 8;
    m->cols = 5;
    m->gate_rows = 2;
    for (int64_t r = 0; r < m->rows; ++r)
      for (int64_t c = 0; c < m->cols; ++c) m->values.push_back(float(r * 100 + c));
    HeatmapView view;
    view.resize(300, 300);
    view.setMatrix(m);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const char gates[] = {'i', 'f', 'g', 'o'};
    for (int64_t r = 0; r < m->rows; ++r)
      for (int64_t c = 0; c < m->cols; ++c) {
        const auto h = view.hoverAt(view.cellCenter(r, c));
        QVERIFY(h.valid);
        QCOMPARE(h.row, r);
        QCOMPARE(h.col, c);
        QCOMPARE(h.gate, QChar(QLatin1Char(gates[r / 2])));
        QCOMPARE(h.value, float(r * 100 + c));
      }
    // Zoomed in around a cell, the cell under the cursor stays the same.
    const QPointF p = view.cellCenter(5, 3);
    view.zoomAt(p, 4.0);
    const auto h = view.hoverAt(p);
    QCOMPARE(h.row, int64_t(5));
    QCOMPARE(h.col, int64_t(3));
    QCOMPARE(view.hoverAt(view.cellCenter(5, 2)).col, int64_t(2));
    QVERIFY(HeatmapView::hoverText(h).contains(QStringLiteral("gate g")));
    QVERIFY(!view.hoverAt(QPointF(1, 1)).valid);  // in the margin
    // Hover signal.
    QSignalSpy hovered(&view, &HeatmapView::hovered);
    QTest::mouseMove(&view, view.cellCenter(5, 3).toPoint());
    QVERIFY(!hovered.isEmpty());
    QVERIFY(hovered.last().at(0).toString().startsWith(QStringLiteral("row 5, col 3")));
  }

  // Issue 13: a click on a row band toggles its unit (Ctrl: the column's), Shift+click sets a
  // range, a left drag sets the range under it (and un-sets it when dragged back), a right
  // drag pans without touching the picks; each gesture ends with one editFinished.
  void heatmapClickAndDragPickUnits() {
    UnitSelection s = sixUnits();
    HeatmapView view;
    view.resize(300, 300);
    view.setMatrix(sixUnitMatrix());
    attachUnits(view, s);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy edited(&view, &HeatmapView::selectionEdited);
    QSignalSpy finished(&view, &HeatmapView::editFinished);

    // Row 8 = gate f of unit 2.
    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, view.cellCenter(8, 4).toPoint());
    QCOMPARE(s.pickedUnits(0), std::vector<int>{2});
    QCOMPARE(finished.count(), 1);
    QTest::mouseClick(&view, Qt::LeftButton, Qt::NoModifier, view.cellCenter(20, 0).toPoint());
    QVERIFY(s.pickedUnits(0).empty());  // row 20 = gate o of unit 2 again
    QTest::mouseClick(&view, Qt::LeftButton, Qt::ControlModifier, view.cellCenter(0, 4).toPoint());
    QCOMPARE(s.pickedUnits(0), std::vector<int>{4});

    // Drag from unit 1 to unit 3, back to unit 2, release.
    sendAt(&view, QEvent::MouseButtonPress, view.cellCenter(1, 0), Qt::LeftButton, Qt::LeftButton);
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{1, 4}));
    sendAt(&view, QEvent::MouseMove, view.cellCenter(3, 0), Qt::NoButton, Qt::LeftButton);
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{1, 2, 3, 4}));
    sendAt(&view, QEvent::MouseMove, view.cellCenter(2, 0), Qt::NoButton, Qt::LeftButton);
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{1, 2, 4}));
    const int finished_before = finished.count();
    sendAt(&view, QEvent::MouseButtonRelease, view.cellCenter(2, 0), Qt::LeftButton, Qt::NoButton);
    QCOMPARE(finished.count(), finished_before + 1);
    QVERIFY(edited.count() >= 5);

    // Shift+click from the last clicked unit (1, picked) to unit 5.
    QTest::mouseClick(&view, Qt::LeftButton, Qt::ShiftModifier, view.cellCenter(5, 1).toPoint());
    QCOMPARE(s.pickedUnits(0), (std::vector<int>{1, 2, 3, 4, 5}));

    // Right drag pans (zoomed in so there is room) and picks nothing.
    view.zoomAt(QPointF(150, 150), 4.0);
    const auto picks = s.picks();
    const QPointF before = view.cellCenter(0, 0);
    sendAt(&view, QEvent::MouseButtonPress, QPointF(150, 150), Qt::RightButton, Qt::RightButton);
    sendAt(&view, QEvent::MouseMove, QPointF(110, 100), Qt::NoButton, Qt::RightButton);
    sendAt(&view, QEvent::MouseButtonRelease, QPointF(110, 100), Qt::RightButton, Qt::NoButton);
    QVERIFY(view.cellCenter(0, 0) != before);
    QVERIFY(s.picks() == picks);
  }

  // Issue 13: hovering names the row's and the column's unit, the gate, the value and the
  // unit's group norm.
  void heatmapHoverNamesUnitAndNorm() {
    UnitSelection s = sixUnits();
    s.setPicked(0, 4, true);
    HeatmapView view;
    view.resize(300, 300);
    view.setMatrix(sixUnitMatrix());
    attachUnits(view, s);
    const auto h = view.hoverAt(view.cellCenter(8, 4));
    QCOMPARE(h.row_unit.unit, 2);
    QCOMPARE(h.col_unit.unit, 4);
    QCOMPARE(h.row_unit.norm, 0.9f);
    const QString text = HeatmapView::hoverText(h);
    QVERIFY2(text.startsWith(QStringLiteral("row 8, col 4, gate f, value")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("row: unit 2 of layer 0 fwd, group norm 0.9")),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("col: unit 4 of layer 0 fwd, group norm 0.7, picked")),
             qPrintable(text));
  }

  // Issue 13: picked units are hatched and marked in magenta (in the margin too), not merely
  // darker: a uniform matrix shows more than one colour inside a picked band.
  void heatmapDrawsPickedUnitsDistinctly() {
    HeatmapView view;
    view.resize(300, 300);
    view.setMatrix(sixUnitMatrix(0.5f));
    std::vector<char> rows(24, 0), cols(6, 0);
    for (int gate = 0; gate < 4; ++gate) rows[size_t(gate * 6 + 2)] = 1;
    view.setHighlight(rows, cols);
    const QImage img = view.grab().toImage();
    const int y_picked = int(view.cellCenter(8, 0).y());
    const int y_kept = int(view.cellCenter(9, 0).y());
    const int margin_x = view.plotRect().left() - 3;
    QVERIFY(isMagenta(img.pixel(margin_x, y_picked)));
    QVERIFY(!isMagenta(img.pixel(margin_x, y_kept)));
    std::set<QRgb> band, kept;
    const int y0 = int(view.cellCenter(8, 0).y() - 3), y1 = int(view.cellCenter(8, 0).y() + 3);
    for (int y = y0; y <= y1; ++y)
      for (int x = view.plotRect().left() + 5; x < view.plotRect().right() - 5; ++x) {
        band.insert(img.pixel(x, y));
        kept.insert(img.pixel(x, y - y_picked + y_kept));
      }
    QCOMPARE(kept.size(), size_t(1));  // the uniform matrix itself
    QVERIFY(band.size() > 1);          // hatched
  }

  // Issue 13: 256 units in a 300-pixel scroll area still get rows a click can hit (the strip
  // grows and scrolls), Ctrl+wheel zooms the rows, picked rows are tinted across the strip.
  void stripReadableAtManyUnits() {
    UnitGroup g;
    for (int u = 0; u < 256; ++u) g.norms.push_back(0.01f + float(u % 17) / 17.0f);
    UnitSelection s({g});
    QScrollArea area;
    auto* strip = new ComponentStrip;
    area.setWidget(strip);
    area.setWidgetResizable(true);
    area.resize(220, 300);
    strip->setSelection(&s, 0);
    area.show();
    QVERIFY(QTest::qWaitForWindowExposed(&area));
    QVERIFY(strip->height() >= 256 * 3);
    for (int u = 0; u < 256; ++u) QCOMPARE(strip->unitAt(strip->unitY(u)), u);
    QTest::mouseClick(strip, Qt::LeftButton, Qt::NoModifier, QPoint(40, strip->unitY(200)));
    QCOMPARE(s.pickedUnits(0), std::vector<int>{200});

    const int h0 = strip->height();
    QWheelEvent wheel(QPointF(40, 40), strip->mapToGlobal(QPointF(40, 40)), QPoint(),
                      QPoint(0, 240), Qt::NoButton, Qt::ControlModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(strip, &wheel);
    QTRY_VERIFY(strip->height() > h0);

    const QImage img = strip->grab().toImage();
    const int x = strip->width() - 5;  // right of every bar: only the row's tint
    QVERIFY(img.pixel(x, strip->unitY(200)) != img.pixel(x, strip->unitY(201)));
    QVERIFY(img.pixel(x, strip->unitY(199)) == img.pixel(x, strip->unitY(201)));
  }

  // A run trained with the group lasso opens with its own ISS threshold (the one its alive
  // counts used) typed in, its units below it picked: ready to cut as trained; a run without
  // one (config.json absent or iss_threshold 0) opens with nothing picked.
  void opensWithTheRunsIssThreshold() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString model = writeRun(dir.path(), 6);
    CompressPanel bare(nullptr);
    QVERIFY(bare.openModel(model));
    QCOMPARE(bare.thresholdSpin()->value(), 0.0);
    QCOMPARE(bare.selection().countBelow(0.0f), 0);

    kdw::DistillOptions trained;
    trained.group_lasso = 1e-3;
    trained.iss_threshold = 0.5;  // between the spread norms of writeRun's units (exact in float)
    kdw::write_file_atomic(fs::path(dir.path().toStdString()) / "config.json",
                           trained.to_json().dump());
    CompressPanel panel(nullptr);
    QVERIFY(panel.openModel(model));
    QCOMPARE(panel.thresholdSpin()->value(), 0.5);
    QCOMPARE(panel.thresholdSlider()->value(), panel.sliderForThreshold(0.5f));
    const int below = panel.selection().countBelow(0.5f);
    QVERIFY2(below > 0 && below < panel.selection().totalUnits(),
             qPrintable(QString::number(below)));
    QCOMPARE(panel.thresholdCountText(), QStringLiteral("%1 of %2 units below the threshold")
                                             .arg(below)
                                             .arg(panel.selection().totalUnits()));
  }

  // Issue 13: the threshold slider is logarithmic between the smallest non-zero and the
  // largest norm, the typed threshold and the slider follow each other, and the number of
  // units below it is shown.
  void thresholdTypedAndLogSlider() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeRun(dir.path());
    CompressPanel panel(nullptr);
    panel.openRun(dir.path());
    QVERIFY2(panel.matrixPicker()->count() > 0, qPrintable(panel.statusText()));
    const UnitSelection& s = panel.selection();
    const float lo = s.minNonZeroNorm(), hi = s.maxNorm();
    QVERIFY(lo > 0 && lo < hi);
    QCOMPARE(panel.thresholdForSlider(0), 0.0f);
    QCOMPARE(panel.thresholdForSlider(1), lo);
    QVERIFY(panel.thresholdForSlider(1000) > hi);
    const double mid = panel.thresholdForSlider(500);
    QVERIFY(std::fabs(std::log(mid) - 0.5 * (std::log(lo) + std::log(hi))) < 0.02);

    // Slider -> box.
    panel.thresholdSlider()->setValue(700);
    QCOMPARE(float(panel.thresholdSpin()->value()), panel.thresholdForSlider(700));
    // Box -> slider, picks and the count.
    const float t = 0.5f * (lo + hi);
    panel.thresholdSpin()->setValue(double(t));
    QCOMPARE(panel.thresholdSlider()->value(), panel.sliderForThreshold(t));
    QVERIFY(std::fabs(panel.thresholdForSlider(panel.thresholdSlider()->value()) - t) < 0.01f * t);
    int below = 0;
    for (int g = 0; g < s.groupCount(); ++g)
      for (int u = 0; u < s.unitCount(g); ++u) {
        const bool under = s.group(g).norms[size_t(u)] < t;
        below += under;
        QCOMPARE(s.isPicked(g, u), under);
      }
    QVERIFY(below > 0);
    QCOMPARE(panel.thresholdCountText(),
             QStringLiteral("%1 of %2 units below the threshold").arg(below).arg(s.totalUnits()));
    // Typed as text, in any magnitude.
    panel.thresholdSpin()->selectAll();
    QTest::keyClicks(panel.thresholdSpin(), QStringLiteral("1e-9"));
    QTest::keyClick(panel.thresholdSpin(), Qt::Key_Return);
    QCOMPARE(panel.thresholdSpin()->value(), 1e-9);
    QCOMPARE(panel.thresholdSlider()->value(), 1);
  }

  // Issue 13: in the panel a click on the heatmap picks the unit of the matrix's group, the
  // strip follows, Ctrl+Z / Ctrl+Shift+Z undo and redo picks and thresholds, and the
  // before/after table is cleared whenever the picks change.
  void panelHeatmapPicksUndoRedoAndClearsResults() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeRun(dir.path());
    CompressPanel panel(nullptr);
    panel.resize(1024, 700);
    panel.openRun(dir.path());
    QVERIFY2(panel.matrixPicker()->count() > 0, qPrintable(panel.statusText()));
    panel.show();
    QVERIFY(QTest::qWaitForWindowActive(&panel));
    HeatmapView* view = panel.heatmap();
    QVERIFY(view->matrix()->name.endsWith(QStringLiteral("weight_hh")));
    const int g = panel.selection().findGroup(0, 0);
    QCOMPARE(panel.strip()->group(), g);
    panel.resultsTable()->setRowCount(3);  // as after a cut

    QTest::mouseClick(view, Qt::LeftButton, Qt::NoModifier, view->cellCenter(6 + 2, 1).toPoint());
    QCOMPARE(panel.selection().pickedUnits(g), std::vector<int>{2});
    QCOMPARE(panel.resultsTable()->rowCount(), 0);
    QTest::mouseClick(view, Qt::LeftButton, Qt::ControlModifier, view->cellCenter(0, 4).toPoint());
    QCOMPARE(panel.selection().pickedUnits(g), (std::vector<int>{2, 4}));
    QCOMPARE(panel.undoStack()->count(), 2);

    view->setFocus();
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
    QCOMPARE(panel.selection().pickedUnits(g), std::vector<int>{2});
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier);
    QVERIFY(panel.selection().pickedUnits(g).empty());
    QTest::keyClick(view, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(panel.selection().pickedUnits(g), std::vector<int>{2});

    // A threshold is one step; undoing it brings back the hand-picked units and the value.
    panel.thresholdSlider()->setValue(600);
    QVERIFY(panel.selection().pickedUnits(g) != std::vector<int>{2});
    panel.resultsTable()->setRowCount(3);
    panel.undoStack()->undo();
    QCOMPARE(panel.selection().pickedUnits(g), std::vector<int>{2});
    QCOMPARE(panel.thresholdSlider()->value(), 0);
    QCOMPARE(panel.thresholdSpin()->value(), 0.0);
    QCOMPARE(panel.resultsTable()->rowCount(), 0);
    panel.undoStack()->redo();
    QCOMPARE(panel.thresholdSlider()->value(), 600);

    // The strip's edits are steps too.
    ComponentStrip* strip = panel.strip();
    const int before = panel.undoStack()->count();
    QTest::mouseClick(strip, Qt::LeftButton, Qt::NoModifier, QPoint(40, strip->unitY(5)));
    QCOMPARE(panel.undoStack()->count(), before + 1);
  }

  // Issue 13: hovering the heatmap marks the hovered unit's row on the component strip (the
  // row's unit, else the column's), scrolled into view; leaving the heatmap clears it.
  void heatmapHoverMarksTheUnitOnTheStrip() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeRun(dir.path());
    CompressPanel panel(nullptr);
    panel.resize(1024, 700);
    panel.openRun(dir.path());
    QVERIFY2(panel.matrixPicker()->count() > 0, qPrintable(panel.statusText()));
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    HeatmapView* view = panel.heatmap();
    ComponentStrip* strip = panel.strip();
    QVERIFY(view->matrix()->name.endsWith(QStringLiteral("weight_hh")));
    QCOMPARE(strip->hoveredUnit(), -1);
    const QImage before = strip->grab().toImage();
    // Gate block f (rows 6..11), row 6 + 3: unit 3.
    sendAt(view, QEvent::MouseMove, view->cellCenter(6 + 3, 1), Qt::NoButton, Qt::NoButton);
    QCOMPARE(strip->hoveredUnit(), 3);
    const QImage after = strip->grab().toImage();
    const qreal dpr = after.devicePixelRatio();
    // Right of the bars (unit 3's is not the longest): the row's background turned amber.
    const QPoint at(int((strip->width() - 4) * dpr), int(strip->unitY(3) * dpr));
    QVERIFY(before.pixel(at) != after.pixel(at));
    QVERIFY2(qRed(after.pixel(at)) > 200 && qBlue(after.pixel(at)) < 200,
             qPrintable(QString::number(after.pixel(at), 16)));
    const QPoint other(at.x(), int(strip->unitY(1) * dpr));
    QCOMPARE(after.pixel(other), before.pixel(other));
    sendAt(view, QEvent::MouseMove, view->cellCenter(18 + 5, 0), Qt::NoButton, Qt::NoButton);
    QCOMPARE(strip->hoveredUnit(), 5);
    QEvent leave(QEvent::Leave);
    QApplication::sendEvent(view, &leave);
    QCOMPARE(strip->hoveredUnit(), -1);
  }

  // Which unit a row or column stands for, per kind of matrix (layer 1 reads layer 0's
  // forward units, then its backward ones; the classifier's rows are labels, not units).
  void unitAxesFollowTheArchitecture() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeRun(dir.path());
    auto loaded = loadStudentForView(file.toStdString());
    const UnitSelection s(loaded->groups);
    int checked = 0;
    for (const MatrixInfo& info : loaded->matrices) {
      UnitAxis rows, cols;
      unitAxesFor(info, loaded->sizes, s, rows, cols);
      const auto pair = [](int a, int b) { return std::pair<int, int>(a, b); };
      if (info.kind == MatrixInfo::Kind::InputHidden && info.layer == 1 && info.direction == 1) {
        QCOMPARE(rows.unitOf(2 * 6 + 3), pair(s.findGroup(1, 1), 3));
        QCOMPARE(cols.unitOf(1), pair(s.findGroup(0, 0), 1));
        QCOMPARE(cols.unitOf(6 + 1), pair(s.findGroup(0, 1), 1));
        ++checked;
      } else if (info.kind == MatrixInfo::Kind::InputHidden && info.layer == 0) {
        QVERIFY(cols.empty());  // embedding dimensions
        ++checked;
      } else if (info.kind == MatrixInfo::Kind::Classifier) {
        QVERIFY(rows.empty());
        QCOMPARE(cols.unitOf(6 + 5), pair(s.findGroup(1, 1), 5));
        ++checked;
      } else if (info.kind == MatrixInfo::Kind::HiddenHidden) {
        QCOMPARE(rows.unitOf(3 * 6 + 4), pair(s.findGroup(info.layer, info.direction), 4));
        QCOMPARE(cols.unitOf(4), pair(s.findGroup(info.layer, info.direction), 4));
        ++checked;
      }
    }
    QCOMPARE(checked, 1 + 2 + 1 + 4);
  }

  // Bench-like figures (printed, not asserted): repaint of a 4000 x 1000 matrix.
  void heatmapLargeRedrawTimes() {
    auto m = std::make_shared<HeatmapMatrix>();
    m->rows = 4000;
    m->cols = 1000;
    m->gate_rows = 1000;
    m->values.resize(size_t(m->rows * m->cols));
    for (size_t i = 0; i < m->values.size(); ++i) m->values[i] = std::sin(float(i) * 0.37f);
    HeatmapView view;
    view.resize(900, 700);
    view.setMatrix(m);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QElapsedTimer t;
    for (int step = 0; step < 12; ++step) {
      t.start();
      view.repaint();
      const double first = view.lastPaintMs();
      view.repaint();
      qInfo("zoom step %2d level %d/%d: first paint %.1f ms, cached %.1f ms", step,
            view.currentLevel().first, view.currentLevel().second, first, view.lastPaintMs());
      view.zoomAt(QPointF(450, 350), 1.6);
    }
    QVERIFY(view.cachedLevelCount() > 1);
    // Every other unit picked (2000 row bands, 500 column bands), the whole matrix in view.
    std::vector<char> rows(size_t(m->rows), 0), cols(size_t(m->cols), 0);
    for (size_t r = 0; r < rows.size(); r += 2) rows[r] = 1;
    for (size_t c = 0; c < cols.size(); c += 2) cols[c] = 1;
    view.setHighlight(rows, cols);
    view.resetView();
    view.repaint();
    view.repaint();
    qInfo("whole matrix, every other unit picked: %.1f ms", view.lastPaintMs());
  }

  void panelSliderSummaryAndCut() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = writeRun(dir.path());
    JobRunner jobs;
    CompressPanel panel(&jobs);
    panel.resize(1100, 700);
    panel.openRun(dir.path());
    QVERIFY2(panel.matrixPicker()->count() > 0, qPrintable(panel.statusText()));
    kdw::StudentModel model = kdw::load_student(file.toStdString());
    QCOMPARE(panel.sizesBefore().parameterCount(), model->parameter_count());

    // The slider picks what the engine's own threshold selection removes.
    panel.thresholdSlider()->setValue(450);
    const float t = panel.thresholdForSlider(450);
    const kdw::Selection engine_sel =
        kdw::select_by_threshold(model->arch(), kdw::component_norms(*model), t);
    const auto removed = removedUnits(panel.selection(), panel.sizesBefore());
    QVERIFY(engine_sel.count() > 0);
    for (size_t l = 0; l < removed.size(); ++l)
      for (int d = 0; d < 2; ++d) QCOMPARE(removed[l][d], engine_sel.removed[l][d]);

    // Summary arithmetic equals cut_student's report.
    kdw::Selection sel = kdw::Selection::none(model->arch());
    sel.removed = removed;
    kdw::StudentModel cut = kdw::cut_student(*model, sel);
    const nlohmann::json report = kdw::cut_report(*model, *cut, sel);
    QCOMPARE(panel.sizesAfter().parameterCount(), report["parameters_after"].get<int64_t>());
    QCOMPARE(panel.sizesAfter().parameterBytes(), report["bytes_after"].get<int64_t>());
    QCOMPARE(panel.sizesBefore().parameterBytes(), report["bytes_before"].get<int64_t>());
    QVERIFY(panel.summary().contains(
        QString::fromStdString(humanCount(report["parameters_after"].get<int64_t>()))));

    // Picked units are veiled in the heatmap: rows of all four gates and the column.
    const int g = panel.selection().findGroup(0, 0);
    panel.selection().clear();
    panel.selection().setPicked(g, 2, true);
    std::vector<char> rows, cols;
    auto loaded = loadStudentForView(file.toStdString());
    for (const MatrixInfo& info : loaded->matrices) {
      if (info.kind != MatrixInfo::Kind::HiddenHidden || info.layer != 0 || info.direction != 0)
        continue;
      highlightFor(info, loaded->sizes, panel.selection(), rows, cols);
      for (int64_t r = 0; r < info.matrix->rows; ++r) QCOMPARE(bool(rows[size_t(r)]), r % 6 == 2);
      for (int64_t c = 0; c < info.matrix->cols; ++c) QCOMPARE(bool(cols[size_t(c)]), c == 2);
    }

    // Cut & Evaluate writes the cut model and its report into the run folder.
    panel.thresholdSlider()->setValue(0);
    panel.thresholdSlider()->setValue(500);
    const ArchSizes expected = panel.sizesAfter();
    QSignalSpy finished(&jobs, &JobRunner::finished);
    QSignalSpy failed(&jobs, &JobRunner::failed);
    QVERIFY(panel.cutAndEvaluate() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 30000);
    QCOMPARE(failed.count(), 0);
    const QString cut_file =
        QDir(dir.path()).filePath(QStringLiteral("cut_model_distill_stack_biLSTM.pt"));
    QVERIFY(QFileInfo::exists(cut_file));
    QVERIFY(QFileInfo::exists(QDir(dir.path()).filePath(QStringLiteral("cut_report.json"))));
    kdw::StudentModel reloaded = kdw::load_student(cut_file.toStdString());
    QCOMPARE(reloaded->arch().hidden, expected.hidden);
    QCOMPARE(reloaded->parameter_count(), expected.parameterCount());
  }

  // One compress pipeline: the GUI's Cut & Evaluate of some picks and `kdw compress --cut_model
  // --components` of the same units write byte-identical cut models and cut_report.json files.
  void guiAndCliCutsAreByteIdentical() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A run folder with no data beside it: neither cut evaluates (timings would differ).
    const QString run = QDir(dir.path()).filePath(QStringLiteral("ws/2026-01-01___00-00-00"));
    QVERIFY(QDir().mkpath(run));
    const QString file = writeRun(run);
    JobRunner jobs;
    CompressPanel panel(&jobs);
    QVERIFY(panel.openModel(file));
    for (int g = 0; g < panel.selection().groupCount(); ++g)
      for (int u : {0, 2, 3}) panel.selection().setPicked(g, u, true);
    QSignalSpy finished(&jobs, &JobRunner::finished);
    QSignalSpy failed(&jobs, &JobRunner::failed);
    QVERIFY(panel.cutAndEvaluate() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    const kdw::RunFolder folder(run.toStdString());
    const fs::path cut = folder.cut_model_file(kdw::StudentType::kStackBiLSTM);
    const std::string gui_model = kdw::read_file(cut);
    const std::string gui_report = kdw::read_file(folder.cut_report_file());
    fs::remove(cut);
    fs::remove(folder.cut_report_file());

    kdw::Selection picks;
    picks.removed = removedUnits(panel.selection(), panel.sizesBefore());
    const fs::path components = fs::path(dir.path().toStdString()) / "components.json";
    kdw::write_file_atomic(components, picks.to_json().dump());
    QProcess kdw_cli;
    kdw_cli.start(KDW_BINARY_DIR "/app/kdw/kdw",
                  {"compress", "--restore_path", run, "--cut_model", "--components",
                   QString::fromStdString(components.string())});
    QVERIFY(kdw_cli.waitForFinished(120000));
    QVERIFY2(kdw_cli.exitCode() == 0, kdw_cli.readAllStandardError().constData());
    QCOMPARE(kdw::read_file(folder.cut_report_file()), gui_report);
    QVERIFY(kdw::read_file(cut) == gui_model);
  }

  // After a cut, "Train the cut model on" trains the cut model at its shape for the epochs
  // asked, on the run's data and without the lasso, as a distillation job (the kind the Distill
  // panel follows) that writes a new run folder beside the data.
  void trainTheCutModelOn() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const fs::path ws = dir.path().toStdString();
    kdw::testing::write_synthetic_data(ws / "data");
    const QString run = QDir(dir.path()).filePath(QStringLiteral("2026-01-01___00-00-00"));
    QVERIFY(QDir().mkpath(run));
    // The run trained with the lasso (its config.json); the training on leaves it out.
    kdw::DistillOptions trained;
    trained.group_lasso = 1e-3;
    trained.lasso_ramp = 2;
    trained.iss_threshold = 0.05;
    trained.lr = 3e-3;
    trained.batch_size = 8;
    kdw::write_file_atomic(fs::path(run.toStdString()) / "config.json", trained.to_json().dump());
    const QString model = writeRun(run, 6, {"neg", "pos"});
    JobRunner jobs;
    CompressPanel panel(&jobs);
    QVERIFY(panel.openModel(model));
    QVERIFY(!panel.trainOnButton()->isEnabled());  // nothing cut yet
    QCOMPARE(panel.trainCutOn(), 0);
    for (int g = 0; g < panel.selection().groupCount(); ++g)
      for (int u : {0, 2, 3}) panel.selection().setPicked(g, u, true);
    QSignalSpy failed(&jobs, &JobRunner::failed);
    QSignalSpy finished(&jobs, &JobRunner::finished);
    QVERIFY(panel.cutAndEvaluate(false) > 0);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() + failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    QVERIFY(panel.trainOnButton()->isEnabled());
    const fs::path cutFile =
        kdw::RunFolder(run.toStdString()).cut_model_file(kdw::StudentType::kStackBiLSTM);
    const auto cutHidden = kdw::load_student(cutFile)->arch().hidden;

    QSignalSpy started(&panel, &CompressPanel::trainOnStarted);
    QHash<int, QString> kinds;  // the runner starts a job within submit()
    fs::path runDir;
    connect(&jobs, &JobRunner::started, this,
            [&](int id, const QString&) { kinds.insert(id, jobs.currentKind()); });
    connect(&jobs, &JobRunner::finished, this, [&](int id, const JobResult& r) {
      if (started.isEmpty() || id != started[0][0].toInt()) return;
      if (const auto* result = r.get<kdw::DistillResult>()) runDir = result->run_dir;
    });
    panel.trainOnEpochs()->setValue(2);
    QTest::mouseClick(panel.trainOnButton(), Qt::LeftButton);
    QCOMPARE(started.size(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!runDir.empty() || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.isEmpty() ? QString() : failed[0][1].toString()));
    QCOMPARE(kinds.value(started[0][0].toInt()), QString::fromLatin1(JobRunner::kDistillKind));
    QCOMPARE(runDir.parent_path(), fs::path(dir.path().toStdString()));
    QVERIFY(runDir != fs::path(run.toStdString()));
    const kdw::RunFolder on(runDir);
    kdw::StudentModel trainedOn = kdw::load_student(on.model_file(kdw::StudentType::kStackBiLSTM));
    QCOMPARE(trainedOn->arch().hidden, cutHidden);  // the cut shape is kept
    const kdw::DistillOptions o = kdw::distill_options_from_json(on.read_config());
    QCOMPARE(o.restore_model_path, cutFile);
    QCOMPARE(o.epochs, 2);
    QCOMPARE(o.group_lasso, 0.0);
    QCOMPARE(o.lasso_ramp, 0);
    QCOMPARE(o.iss_threshold, 0.0);
    QCOMPARE(o.lr, 3e-3);  // the run's own training options
    QCOMPARE(o.batch_size, int64_t(8));
    QVERIFY(panel.statusText().contains(QString::fromStdString(runDir.string())));
  }
};

QTEST_MAIN(TestUiCompress)
#include "test_ui_compress.moc"
