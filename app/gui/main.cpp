// kdw-gui: the KD Workbench desktop application.
//   kdw-gui [--workspace DIR] [--threads N] [--screenshot-dir DIR [--screenshot-size WxH]]
// --screenshot-dir takes the screenshot tour of the panels (ui/shell/screenshot_tour.h) and exits
// (used by scripts/screenshots.sh under QT_QPA_PLATFORM=offscreen).
#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

#include <cstdio>

#include "core/log.h"
#include "core/memory.h"
#include "core/threads.h"
#include "ui/shell/main_window.h"
#include "ui/shell/preferences_dialog.h"
#include "ui/shell/screenshot_tour.h"

int main(int argc, char** argv) {
  kdw::keep_freed_memory();
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
  QCommandLineOption shots(
      QStringLiteral("screenshot-dir"),
      QStringLiteral("Take a tour of the panels, save a PNG of each to this folder and exit."),
      QStringLiteral("dir"));
  QCommandLineOption shotSize(
      QStringLiteral("screenshot-size"),
      QStringLiteral("Window size for --screenshot-dir (default 1280x820)."), QStringLiteral("WxH"),
      QStringLiteral("1280x820"));
  parser.addOptions({workspace, threads, shots, shotSize});
  parser.process(app);

  kdw::log::init_silent();
  if (parser.isSet(threads))
    QSettings().setValue(QStringLiteral("threads"), parser.value(threads).toInt());
  const int used = applySavedThreadCount();
  kdw::warn_if_blas_slow();

  const QStringList wh = parser.value(shotSize).split(QLatin1Char('x'));
  const QSize size = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
  if (parser.isSet(shots) && !size.isValid()) {
    std::fprintf(stderr, "--screenshot-size: expected WxH, e.g. 1024x700\n");
    return 2;
  }
  MainWindow window;
  if (parser.isSet(shots)) window.resize(size);
  window.show();
  kdw::log::info("KD Workbench {} using {} threads", KDW_VERSION, used);
  // --workspace, else the previous session's workspace (not for the screenshot tour).
  const bool hasWorkspace = parser.isSet(workspace)
                                ? window.openWorkspace(parser.value(workspace))
                                : !parser.isSet(shots) && window.reopenLastWorkspace();
  if (parser.isSet(shots)) {
    window.resize(size);
    runScreenshotTour(&window, parser.value(shots), hasWorkspace, [](const QStringList& skipped) {
      for (const QString& line : skipped) std::fprintf(stderr, "screenshot tour: %s\n", qPrintable(line));
      QApplication::exit(0);
    });
  }
  return app.exec();
}
