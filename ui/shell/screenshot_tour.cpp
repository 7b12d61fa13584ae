#include "ui/shell/screenshot_tour.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QFileInfo>
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
// once `ready` holds (or after a time limit) and the window had `settle_ms` to repaint. A state
// that cannot come is never waited for: `missing` says before `enter` what the workspace lacks
// for it, `enter` returns why it could not start, and a job that fails while the step waits
// ends the step at once; the step is then skipped with that reason.
struct TourStep {
  QString name;  ///< PNG name without .png; empty: no picture
  int panel;     ///< the panel the picture must show (-1: welcome page)
  std::function<QString()> enter;
  std::function<bool()> ready = [] { return true; };
  int settle_ms = 1200;
  int limit_ms = 60000;
  std::function<QString()> missing = [] { return QString(); };
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
                       std::function<void(const QStringList& skipped)> done) {
  QDir().mkpath(dir);
  auto steps = std::make_shared<std::vector<TourStep>>();
  steps->push_back({QStringLiteral("welcome"), -1, [window] {
                      window->showPanel(-1);
                      return QString();
                    }});
  if (hasWorkspace) {
    auto* data = panel<DataPanel>(window, MainWindow::Data);
    auto* distill = panel<DistillPanel>(window, MainWindow::Distill);
    auto* compress = panel<CompressPanel>(window, MainWindow::Compress);
    auto* runs = panel<RunsPanel>(window, MainWindow::Runs);
    JobRunner* jobs = window->runner();
    auto idle = [jobs] { return !jobs->isBusy() && jobs->lightCount() == 0; };
    auto show = [window](MainWindow::Panel p) {
      return [window, p] {
        window->showPanel(p);
        return QString();
      };
    };
    const QString demoCsv = resourceDir() + QStringLiteral("/demo/fortunes_ru.csv");
    auto runCount = [runs] { return runs ? runs->model()->rowCount() : 0; };

    TourStep dataStep{QStringLiteral("data"), MainWindow::Data,
                      [window, data, demoCsv] {
                        window->showPanel(MainWindow::Data);
                        if (data) data->loadFile(demoCsv);
                        return QString();
                      },
                      [data, idle] {
                        if (!data || data->model()->rowCount() == 0 || !idle()) return false;
                        // The input file's preview (the texts), not the prepared-data summary.
                        if (auto* tabs = data->findChild<QTabWidget*>()) tabs->setCurrentIndex(0);
                        return true;
                      },
                      2500};
    dataStep.missing = [demoCsv] {
      return QFileInfo::exists(demoCsv)
                 ? QString()
                 : QStringLiteral("the demo CSV (resources/demo/fortunes_ru.csv) is not installed");
    };
    steps->push_back(dataStep);
    steps->push_back({QStringLiteral("teacher"), MainWindow::Teacher, show(MainWindow::Teacher)});
    steps->push_back(
        {QStringLiteral("logits"), MainWindow::Logits, show(MainWindow::Logits), idle});
    steps->push_back({QStringLiteral("distill"), MainWindow::Distill, show(MainWindow::Distill)});
    // Cut & Evaluate writes cut_model_distill_*.pt and cut_report.json into that run.
    TourStep compressStep{
        QStringLiteral("compress"),
        MainWindow::Compress,
        [window, compress] {
          window->showPanel(MainWindow::Compress);
          stageCompress(compress);
          if (compress->cutAndEvaluate(false) == 0)  // a script: no question
            return QStringLiteral("Cut & Evaluate did not start");
          return QString();
        },
        [compress, idle] { return idle() && compress->resultsTable()->rowCount() > 0; },
        1200,
        180000};
    compressStep.missing = [compress] {
      return compress && compress->selection().groupCount() > 0
                 ? QString()
                 : QStringLiteral("no run with a trained student to open");
    };
    steps->push_back(compressStep);
    TourStep runsStep{QStringLiteral("runs"), MainWindow::Runs, [window, runs] {
                        window->showPanel(MainWindow::Runs);
                        // The run with the best dev accuracy.
                        int best = runs->model()->rowCount() - 1;
                        for (int r = 0; r < runs->model()->rowCount(); ++r)
                          if (runs->model()->run(r).bestDevAccuracy() >
                              runs->model()->run(best).bestDevAccuracy())
                            best = r;
                        runs->selectRows({best});
                        runs->tabs()->setCurrentIndex(1);  // Curves
                        return QString();
                      }};
    runsStep.missing = [runCount] {
      return runCount() > 0 ? QString() : QStringLiteral("no runs in the workspace");
    };
    steps->push_back(runsStep);
    TourStep compareStep{QStringLiteral("compare"), MainWindow::Runs, [window, runs] {
                           window->showPanel(MainWindow::Runs);
                           const int n = runs->model()->rowCount();
                           runs->selectRows({n - 2, n - 1});
                           runs->tabs()->setCurrentIndex(runs->tabs()->count() - 1);  // Compare
                           return QString();
                         }};
    compareStep.missing = [runCount] {
      return runCount() >= 2
                 ? QString()
                 : QStringLiteral("%1 run(s) in the workspace, two are compared").arg(runCount());
    };
    steps->push_back(compareStep);
    // A short training run, caught after its fourth epoch; its folder goes to a temporary
    // directory so the tour leaves the workspace as it was.
    auto out =
        std::make_shared<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/kdw-tour-XXXXXX"));
    steps->push_back(
        {QStringLiteral("distill-live"), MainWindow::Distill,
         [window, distill, jobs, out] {
           window->showPanel(MainWindow::Distill);
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
           return jobs->isBusy() ? QString() : QStringLiteral("the training run did not start");
         },
         [distill, jobs] { return jobs->isBusy() && distill->devChart()->pointCount(0) >= 4; }, 800,
         240000});
    steps->push_back({QString(), -1,
                      [distill, jobs] {
                        if (distill && distill->jobId()) jobs->cancel(distill->jobId());
                        return QString();
                      },
                      idle, 0, 60000});
  }

  auto index = std::make_shared<size_t>(0);
  auto clock = std::make_shared<QElapsedTimer>();
  auto entered = std::make_shared<bool>(false);
  auto ready_since = std::make_shared<qint64>(-1);
  auto skipped = std::make_shared<QStringList>();
  auto failure = std::make_shared<QString>();  // a job that failed during the current step
  QObject::connect(window->runner(), &JobRunner::failed, window,
                   [failure](int, const QString& error) { *failure = error; });
  auto* timer = new QTimer(window);
  timer->setInterval(100);
  // Leaves the current step without its picture, saying why (also in the log).
  auto skip = [=](const QString& why) {
    TourStep& step = (*steps)[*index];
    if (!step.name.isEmpty()) {
      kdw::log::warn("screenshot tour: no {}.png: {}", step.name.toStdString(), why.toStdString());
      *skipped << QStringLiteral("no %1.png: %2").arg(step.name, why);
    }
    ++*index;
    *entered = false;
  };
  QObject::connect(timer, &QTimer::timeout, window, [=] {
    if (*index >= steps->size()) {
      timer->stop();
      done(*skipped);
      return;
    }
    TourStep& step = (*steps)[*index];
    if (!*entered) {
      // Disabled panels cannot be shown: their note says what they wait for.
      QString why = step.panel >= 0 && !window->isPanelEnabled(MainWindow::Panel(step.panel))
                        ? QStringLiteral("the panel is off: %1")
                              .arg(window->panelNote(MainWindow::Panel(step.panel)))
                        : step.missing();
      failure->clear();
      if (why.isEmpty()) why = step.enter();
      if (!why.isEmpty()) return skip(why);
      *entered = true;
      *ready_since = -1;
      clock->start();
      return;
    }
    const bool ready = step.ready();
    if (!ready && !failure->isEmpty())
      return skip(QStringLiteral("a job failed: %1").arg(*failure));
    if (ready && *ready_since < 0) *ready_since = clock->elapsed();
    const bool timed_out = clock->elapsed() > step.limit_ms;
    if (!timed_out && (!ready || clock->elapsed() - *ready_since < step.settle_ms)) return;
    if (timed_out && !step.name.isEmpty()) {
      kdw::log::warn("screenshot tour: {} did not get ready", step.name.toStdString());
      *skipped << QStringLiteral("%1.png: not ready after %2 s, taken as it was")
                      .arg(step.name)
                      .arg(step.limit_ms / 1000);
    }
    if (!step.name.isEmpty() && window->currentPanel() == step.panel)
      window->grab().save(dir + QStringLiteral("/%1.png").arg(step.name));
    ++*index;
    *entered = false;
  });
  timer->start();
}
