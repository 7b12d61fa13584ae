// The screenshot tour of kdw-gui --screenshot-dir: drives each panel into a meaningful state
// (a demo file loaded, a run open, units picked, runs compared, a short training run in
// progress) and saves welcome.png, data.png, ..., distill-live.png (scripts/screenshots.sh).
#pragma once

#include <QString>
#include <QStringList>

#include <functional>

class MainWindow;

/// Starts the tour on `window` (shown, with `hasWorkspace` telling whether a workspace is open;
/// without one only welcome.png is taken). Saves the pictures into `dir` (created if missing)
/// and calls `done` from the event loop when the last step is over, with a line for each
/// picture it could not take and why ("no compress.png: no run with a trained student to open").
/// A picture whose state cannot come (a disabled panel, no runs, a failed job) is skipped at
/// once, never waited for.
void runScreenshotTour(MainWindow* window, const QString& dir, bool hasWorkspace,
                       std::function<void(const QStringList& skipped)> done);
