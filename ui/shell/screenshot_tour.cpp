#include "ui/shell/screenshot_tour.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <memory>
#include <type_traits>
#include <vector>

#include "core/log.h"
#include "ui/common/live_chart.h"
#include "ui/common/panel_util.h"
#include "ui/compress/compress_panel.h"
#include "ui/compress/unit_selection.h"
#include "ui/data/data_panel.h"
#include "ui/data/table_model.h"
#include "ui/distill/distill_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/runs/run_list_model.h"
#include "ui/runs/runs_panel.h"
#include "ui/shell/main_window.h"

namespace {

// One stop of the screenshot tour: `enter` drives the window into a state, the shot is taken
// once `ready` holds (or after a time limit) and the window had `settle_ms` to repaint.
struct TourStep {
  QString name;  ///< PNG name without .png; empty: no picture
  int panel;     ///< the panel the picture must show (-1: welcome page)
  std::function<void()> enter;
  std::function<bool()> ready = [] { return true; };
  int settle_ms = 1200;
  int limit_ms = 60000;
};

template <typename T>
T* panel(MainWindow* window, MainWindow::Panel p) {
  return qobject_cast<T*>(window->panelWidget(p));
}

template <typename T>
void setField(QWidget* parent, const char* name, const QVariant& value) {
  if (auto* w = parent->findChild<T*>(QLatin1String(name))) {
    if constexpr (std::is_same_v<T, QComboBox>)
      w->setCurrentText(value.toString());
    else if constexpr (std::is_same_v<T, QSpinBox>)
      w->setValue(value.toInt());
    else
      w->setValue(value.toDouble());
  }
}

// Compress: a threshold that picks a good share of the units (the weakest ones), the strip
// sorted by norm, and the recurrent matrix of the group shown on the strip.
void stageCompress(CompressPanel* compress) {
  UnitSelection& sel = compress->selection();
  if (sel.groupCount() == 0) return;
  int total = 0;
  for (int g = 0; g < sel.groupCount(); ++g) total += sel.unitCount(g);
  QSlider* slider = compress->thresholdSlider();
  int value = slider->maximum() / 2;
  // The smallest slider value that picks at least 40 % of all units: with group lasso the
  // weak units sit far below the strong ones, so this lands in the gap between them.
  for (int v = 1; v <= slider->maximum(); ++v) {
    sel.applyThreshold(compress->thresholdForSlider(v));
    int picked = 0;
    for (int g = 0; g < sel.groupCount(); ++g)
      for (int u = 0; u < sel.unitCount(g); ++u) picked += sel.isPicked(g, u) ? 1 : 0;
    if (picked * 10 >= total * 4) {
      value = v;
      break;
    }
  }
  if (QCheckBox* sorted = compress->sortedCheck()) sorted->setChecked(true);
  slider->setValue(value);
  // Last layer's recurrent matrix (fwd): the one the strip's first group feeds the most.
  QComboBox* matrices = compress->matrixPicker();
  for (int i = 0; i < matrices->count(); ++i)
    if (matrices->itemText(i).contains(QStringLiteral("weight_hh"))) {
      matrices->setCurrentIndex(i);
      break;
    }
}

}  // namespace

void runScreenshotTour(MainWindow* window, const QString& dir, bool hasWorkspace,
                       std::function<void()> done) {
  QDir().mkpath(dir);
  auto steps = std::make_shared<std::vector<TourStep>>();
  steps->push_back({QStringLiteral("welcome"), -1, [window] { window->showPanel(-1); }});
  if (hasWorkspace) {
    auto* data = panel<DataPanel>(window, MainWindow::Data);
    auto* distill = panel<DistillPanel>(window, MainWindow::Distill);
    auto* compress = panel<CompressPanel>(window, MainWindow::Compress);
    auto* runs = panel<RunsPanel>(window, MainWindow::Runs);
    JobRunner* jobs = window->runner();
    auto idle = [jobs] { return !jobs->isBusy(); };

    steps->push_back({QStringLiteral("data"), MainWindow::Data,
                      [window, data] {
                        window->showPanel(MainWindow::Data);
                        const QString res = resourceDir();
                        if (data && !res.isEmpty())
                          data->loadFile(res + QStringLiteral("/demo/fortunes_ru.csv"));
                      },
                      [data, idle] {
                        if (!data || data->model()->rowCount() == 0 || !idle()) return false;
                        // The input file's preview (the texts), not the prepared-data summary.
                        if (auto* tabs = data->findChild<QTabWidget*>()) tabs->setCurrentIndex(0);
                        return true;
                      },
                      2500});
    steps->push_back({QStringLiteral("teacher"), MainWindow::Teacher,
                      [window] { window->showPanel(MainWindow::Teacher); }});
    steps->push_back({QStringLiteral("logits"), MainWindow::Logits,
                      [window] { window->showPanel(MainWindow::Logits); }, idle});
    steps->push_back({QStringLiteral("distill"), MainWindow::Distill,
                      [window] { window->showPanel(MainWindow::Distill); }});
    // Cut & Evaluate writes cut_model_distill_*.pt and cut_report.json into that run.
    steps->push_back({QStringLiteral("compress"), MainWindow::Compress,
                      [window, compress] {
                        window->showPanel(MainWindow::Compress);
                        if (!compress) return;
                        stageCompress(compress);
                        compress->cutAndEvaluate(false);  // a script: no question
                      },
                      [compress, idle] {
                        return compress && idle() && compress->resultsTable()->rowCount() > 0;
                      },
                      1200, 180000});
    steps->push_back({QStringLiteral("runs"), MainWindow::Runs, [window, runs] {
                        window->showPanel(MainWindow::Runs);
                        if (!runs || runs->model()->rowCount() == 0) return;
                        // The run with the best dev accuracy.
                        int best = runs->model()->rowCount() - 1;
                        for (int r = 0; r < runs->model()->rowCount(); ++r)
                          if (runs->model()->run(r).bestDevAccuracy() >
                              runs->model()->run(best).bestDevAccuracy())
                            best = r;
                        runs->selectRows({best});
                        runs->tabs()->setCurrentIndex(1);  // Curves
                      }});
    steps->push_back({QStringLiteral("compare"), MainWindow::Runs, [window, runs] {
                        window->showPanel(MainWindow::Runs);
                        const int n = runs ? runs->model()->rowCount() : 0;
                        if (n < 2) return;
                        runs->selectRows({n - 2, n - 1});
                        runs->tabs()->setCurrentIndex(runs->tabs()->count() - 1);  // Compare
                      }});
    // A short training run, caught after its fourth epoch; its folder goes to a temporary
    // directory so the tour leaves the workspace as it was.
    auto out =
        std::make_shared<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/kdw-tour-XXXXXX"));
    steps->push_back({QStringLiteral("distill-live"), MainWindow::Distill,
                      [window, distill, out] {
                        window->showPanel(MainWindow::Distill);
                        if (!distill) return;
                        setField<QComboBox>(distill, "model_type", QStringLiteral("stack_LSTM"));
                        setField<QSpinBox>(distill, "hidden_size", 128);
                        setField<QSpinBox>(distill, "emb_dim", 64);
                        setField<QSpinBox>(distill, "epochs", 6);
                        // A threshold high enough to zero units within a few epochs, so the
                        // alive-components curve moves.
                        setField<QDoubleSpinBox>(distill, "group_lasso", 0.003);
                        setField<QDoubleSpinBox>(distill, "iss_threshold", 0.9);
                        distill->setOutputDir(out->path());
                        distill->start();
                      },
                      [distill, jobs] {
                        return distill && jobs->isBusy() && distill->devChart()->pointCount(0) >= 4;
                      },
                      800, 240000});
    steps->push_back({QString(), -1,
                      [distill, jobs] {
                        if (distill && distill->jobId()) jobs->cancel(distill->jobId());
                      },
                      idle, 0, 60000});
  }

  auto index = std::make_shared<size_t>(0);
  auto clock = std::make_shared<QElapsedTimer>();
  auto entered = std::make_shared<bool>(false);
  auto ready_since = std::make_shared<qint64>(-1);
  auto* timer = new QTimer(window);
  timer->setInterval(100);
  QObject::connect(timer, &QTimer::timeout, window, [=] {
    if (*index >= steps->size()) {
      timer->stop();
      done();
      return;
    }
    TourStep& step = (*steps)[*index];
    if (!*entered) {
      step.enter();
      *entered = true;
      *ready_since = -1;
      clock->start();
      return;
    }
    const bool ready = step.ready();
    if (ready && *ready_since < 0) *ready_since = clock->elapsed();
    const bool timed_out = clock->elapsed() > step.limit_ms;
    if (!timed_out && (!ready || clock->elapsed() - *ready_since < step.settle_ms)) return;
    if (timed_out) kdw::log::warn("screenshot tour: {} did not get ready", step.name.toStdString());
    // Disabled panels cannot be shown: nothing to grab for them.
    if (!step.name.isEmpty() && window->currentPanel() == step.panel)
      window->grab().save(dir + QStringLiteral("/%1.png").arg(step.name));
    ++*index;
    *entered = false;
  });
  timer->start();
}
