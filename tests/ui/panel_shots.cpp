// Not a test: screenshots of the welcome page and the Data, Teacher and Logits panels of a
// workspace, and of the Teacher panel during a short fine-tune (live curves), for looking at them.
//   panel_shots WORKSPACE OUT_DIR      (QT_QPA_PLATFORM=offscreen; the workspace is written to)
// Built with -DKDW_UI_SHOTS=ON.
#include <QApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTimer>

#include <cstdio>
#include <functional>

#include "common/live_chart.h"
#include "jobs/job_runner.h"
#include "shell/main_window.h"
#include "teacher/teacher_panel.h"

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
  if (argc < 3) {
    std::fprintf(stderr, "usage: panel_shots WORKSPACE OUT_DIR\n");
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
  if (!window.openWorkspace(QString::fromLocal8Bit(argv[1]))) return 1;
  const char* const names[] = {"data", "teacher", "logits"};
  for (int p = MainWindow::Data; p <= MainWindow::Logits; ++p) {
    window.showPanel(p);
    waitUntil([&] { return window.runner()->lightCount() == 0; }, 10000);
    wait(800);
    window.grab().save(out + QStringLiteral("/%1.png").arg(QLatin1String(names[p])));
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
