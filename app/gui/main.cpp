// kdw-gui: the KD Workbench desktop application.
//   kdw-gui [--workspace DIR] [--threads N] [--screenshot-dir DIR]
// --screenshot-dir opens each panel in turn, lets it settle, saves <panel>.png and exits
// (used by scripts/screenshots.sh under QT_QPA_PLATFORM=offscreen).
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QTimer>

#include <memory>

#include "core/log.h"
#include "core/threads.h"
#include "shell/main_window.h"
#include "shell/preferences_dialog.h"

namespace {
const char* const kShotNames[] = {"data", "teacher", "logits", "distill", "compress", "runs"};

// Grabs the welcome page and every panel, one step per timer tick so each can settle.
void takeScreenshots(MainWindow* window, const QString& dir, bool hasWorkspace) {
  QDir().mkpath(dir);
  auto step = std::make_shared<int>(hasWorkspace ? 0 : -1);
  auto* timer = new QTimer(window);
  timer->setInterval(1500);
  QObject::connect(timer, &QTimer::timeout, window, [=] {
    const int panel = *step;
    if (panel >= MainWindow::PanelCount || (!hasWorkspace && panel > -1)) {
      QApplication::exit(0);
      return;
    }
    // Grab the panel shown by the previous tick, then show the next one.
    // Disabled panels cannot be shown: nothing to grab for them.
    if (panel >= 0 && window->currentPanel() == panel)
      window->grab().save(dir + QStringLiteral("/%1.png").arg(kShotNames[panel]));
    else if (panel < 0)
      window->grab().save(dir + QStringLiteral("/welcome.png"));
    ++*step;
    if (*step < MainWindow::PanelCount) window->showPanel(*step);
  });
  if (hasWorkspace)
    window->showPanel(0);
  else
    window->showPanel(-1);
  timer->start();
}
}  // namespace

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("kdw"));
  QApplication::setApplicationName(QStringLiteral("KD Workbench"));
  QApplication::setApplicationVersion(QStringLiteral(KDW_VERSION));

  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("KD Workbench: distil BERT into small LSTM classifiers"));
  parser.addHelpOption();
  parser.addVersionOption();
  QCommandLineOption workspace(QStringLiteral("workspace"),
                               QStringLiteral("Open this workspace folder."),
                               QStringLiteral("dir"));
  QCommandLineOption threads(
      QStringLiteral("threads"),
      QStringLiteral("Threads for LibTorch (0: all cores); saved as the preference."),
      QStringLiteral("n"));
  QCommandLineOption shots(QStringLiteral("screenshot-dir"),
                           QStringLiteral("Save a PNG of every panel to this folder and exit."),
                           QStringLiteral("dir"));
  parser.addOptions({workspace, threads, shots});
  parser.process(app);

  kdw::log::init_silent();
  if (parser.isSet(threads))
    QSettings().setValue(QStringLiteral("threads"), parser.value(threads).toInt());
  const int used = applySavedThreadCount();
  kdw::warn_if_blas_slow();

  MainWindow window;
  window.show();
  spdlog::info("KD Workbench {} using {} threads", KDW_VERSION, used);
  const bool hasWorkspace =
      parser.isSet(workspace) && window.openWorkspace(parser.value(workspace));
  if (parser.isSet(shots)) {
    window.resize(1280, 820);
    takeScreenshots(&window, parser.value(shots), hasWorkspace);
  }
  return app.exec();
}
