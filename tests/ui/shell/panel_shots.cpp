// Not a test: screenshots of the welcome page and the Data, Teacher and Logits panels of a
// workspace, and of the Teacher panel during a short fine-tune (live curves), for looking at them.
//   panel_shots WORKSPACE OUT_DIR      (QT_QPA_PLATFORM=offscreen; the workspace is written to)
//   panel_shots --demo WORKSPACE OUT_DIR   runs the demo pipeline there (as "Open demo
//                                          workspace"), grabbing the window during each step
// Built with -DKDW_UI_SHOTS=ON.
#include <QApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTimer>

#include <cstdio>
#include <functional>

#include "ui/common/live_chart.h"
#include "ui/common/panel_util.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/demo_pipeline.h"
#include "ui/shell/main_window.h"
#include "ui/teacher/teacher_panel.h"

namespace {
void wait(int ms) {
  QEventLoop loop;
  QTimer::singleShot(ms, &loop, &QEventLoop::quit);
  loop.exec();
}
bool waitUntil(const std::function<bool()>& done, int ms) {
  QElapsedTimer clock;
  clock.start();
  while (!done() && clock.elapsed() < ms) wait(50);
  return done();
}
}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  // --demo-quick: the demo with 3 epochs for teacher and students (a loaded machine).
  const bool quick = argc > 1 && QByteArray(argv[1]) == "--demo-quick";
  const bool demo = argc > 1 && (quick || QByteArray(argv[1]) == "--demo");
  if (demo) ++argv, --argc;
  if (argc < 3) {
    std::fprintf(stderr, "usage: panel_shots [--demo] WORKSPACE OUT_DIR\n");
    return 2;
  }
  QStandardPaths::setTestModeEnabled(true);  // private settings
  QSettings().clear();
  const QString out = QString::fromLocal8Bit(argv[2]);
  QDir().mkpath(out);
  MainWindow window;
  window.resize(1280, 820);
  window.show();
  wait(300);
  window.grab().save(out + "/welcome.png");
  if (demo) {
    // Each step is grabbed a few seconds after it started (the window follows the steps).
    QElapsedTimer clock;
    clock.start();
    QString step;
    qint64 shotAt = -1;
    int shots = 0;
    QObject::connect(window.runner(), &JobRunner::started, [&](int, const QString& name) {
      step = name;
      shotAt = clock.elapsed() + 6000;
    });
    DemoSettings settings;
    if (quick)
      for (kdw::OptionArgs* args : {&settings.finetune, &settings.student})
        kdw::set_option_arg(*args, "epochs", int64_t(3));
    if (window.runDemoPipeline(QString::fromLocal8Bit(argv[1]), resourceDir(), settings).isEmpty())
      return 1;
    while (window.demoPipeline()->isRunning() || window.runner()->isBusy()) {
      wait(200);
      if (shotAt >= 0 && clock.elapsed() >= shotAt && window.runner()->isBusy()) {
        shotAt = -1;
        window.grab().save(out + QStringLiteral("/demo-%1.png").arg(++shots, 2, 10, QChar('0')));
        std::printf("demo-%02d.png: %s, %lld s\n", shots, qPrintable(step), clock.elapsed() / 1000);
        std::fflush(stdout);
      }
    }
    wait(1500);
    const char* const panels[] = {"data", "teacher", "logits", "distill", "compress", "runs"};
    for (int p = 0; p < MainWindow::PanelCount; ++p) {
      window.showPanel(p);
      waitUntil([&] { return window.runner()->lightCount() == 0; }, 10000);
      wait(1200);
      window.grab().save(out + QStringLiteral("/demo-end-%1.png").arg(QLatin1String(panels[p])));
    }
    std::printf("demo done in %lld s\n", clock.elapsed() / 1000);
    return 0;
  }
  if (!window.openWorkspace(QString::fromLocal8Bit(argv[1]))) return 1;
  const char* const names[] = {"data", "teacher", "logits"};
  for (int p = MainWindow::Data; p <= MainWindow::Logits; ++p) {
    window.showPanel(p);
    waitUntil([&] { return window.runner()->lightCount() == 0; }, 10000);
    wait(800);
    window.grab().save(out + QStringLiteral("/%1.png").arg(QLatin1String(names[p])));
    if (auto* tabs = window.panelWidget(MainWindow::Panel(p))->findChild<QTabWidget*>()) {
      tabs->setCurrentIndex(0);  // the Data panel's input preview
      wait(500);
      window.grab().save(out + QStringLiteral("/%1-input.png").arg(QLatin1String(names[p])));
    }
  }
  // Fine-tune for a few epochs and grab the Teacher panel in the middle of it.
  auto* teacher = static_cast<TeacherPanel*>(window.panelWidget(MainWindow::Teacher));
  window.showPanel(MainWindow::Teacher);
  teacher->findChild<QSpinBox*>("epochs")->setValue(4);
  teacher->findChild<QSpinBox*>("batch_size")->setValue(16);
  teacher->findChild<QDoubleSpinBox*>("lr")->setValue(5e-4);
  const int job = teacher->start();
  if (job == 0) return 1;
  waitUntil([&] { return teacher->devChart()->pointCount(0) >= 2; }, 300000);
  wait(600);
  window.grab().save(out + "/teacher-live.png");
  window.runner()->cancel(job);
  waitUntil([&] { return !window.runner()->isBusy(); }, 60000);
  return 0;
}
