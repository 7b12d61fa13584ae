// The Compress panel: selection logic, the component strip's mouse picking, the threshold
// slider, the summary against the engine's cut report, heatmap hover, and the cut job.
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMouseEvent>
#include <QProcess>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <memory>

#include "compress/components.h"
#include "compress/cut.h"
#include "core/atomic_output.h"
#include "student/run_folder.h"
#include "student/student_model.h"
#include "ui/common/human_units.h"
#include "ui/compress/component_strip.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/heatmap_view.h"
#include "ui/compress/student_source.h"
#include "ui/compress/unit_selection.h"
#include "ui/jobs/job_runner.h"

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

// A tiny stack_biLSTM saved as a run folder's model. Unit u's gate rows are scaled by
// (u + 1) / hidden so that the group norms spread out as after group lasso training.
QString writeRun(const QString& dir, int64_t hidden = 6) {
  kdw::StudentModel model(kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 8, hidden, 2,
                                                 {"a", "b", "c"}, 0.0));
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
};

QTEST_MAIN(TestUiCompress)
#include "test_ui_compress.moc"
