// Help → About (what the program runs on: version, LibTorch, Qt, BLAS, threads, device) and the
// short Help page (what each panel does, in pipeline order). Both non-modal.
#pragma once

#include <QStringList>

class QWidget;

/// "KD Workbench 0.3.0", "LibTorch 1.13.1", "Qt 6.4.2", "BLAS …", "Threads 4", "Device cpu (…)":
/// read from the engine where it reports them (kdw --version, core/threads.h, core/device.h).
QStringList aboutFacts();
/// The Help page's text (HTML): the panels in pipeline order and what each does.
QString helpText();

/// Opens the About / Help window over `parent` (non-modal, deleted when closed).
void showAbout(QWidget* parent);
void showHelp(QWidget* parent);
