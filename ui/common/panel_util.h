// Small helpers shared by the pipeline panels.
#pragma once

#include <QString>

class QWidget;
class QLabel;

/// A bold heading label for a panel.
QLabel* makeHeading(const QString& text, QWidget* parent);
/// Resources (demo data, icons) next to the executable: <exe>/../share/kdw, or the source tree.
QString resourceDir();
