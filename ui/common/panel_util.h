// Small helpers shared by the pipeline panels.
#pragma once

#include <QString>

class QWidget;
class QBoxLayout;
class QLabel;
class QPushButton;

/// A bold heading label for a panel.
QLabel* makeHeading(const QString& text, QWidget* parent);

/// A stale-output note and its one-click redo button, added to `layout` as one row, both hidden
/// until a panel has something to say.
struct StaleRow {
  QLabel* note = nullptr;
  QPushButton* redo = nullptr;
};
StaleRow addStaleRow(QBoxLayout* layout, QWidget* parent, const QString& redoText,
                     const QString& redoName, const QString& redoTip);

/// Resources (demo data, icons) next to the executable: <exe>/../share/kdw, or the source tree.
QString resourceDir();
