#include "ui/common/panel_util.h"

#include <QBoxLayout>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>

QLabel* makeHeading(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont font = label->font();
  font.setPointSizeF(font.pointSizeF() * 1.4);
  font.setBold(true);
  label->setFont(font);
  return label;
}

QString resourceDir() {
  const QString exe = QCoreApplication::applicationDirPath();
  const QStringList candidates = {
      exe + QStringLiteral("/../share/kdw"),
      exe + QStringLiteral("/../resources"),
#ifdef KDW_SOURCE_RESOURCES
      QStringLiteral(KDW_SOURCE_RESOURCES),
#endif
  };
  for (const QString& dir : candidates) {
    if (QFileInfo::exists(dir + QStringLiteral("/demo/fortunes_ru.csv")))
      return QDir::cleanPath(dir);
  }
  return {};
}

StaleRow addStaleRow(QBoxLayout* layout, QWidget* parent, const QString& redoText,
                     const QString& redoName, const QString& redoTip) {
  StaleRow row;
  row.note = new QLabel(parent);
  row.note->setObjectName(QStringLiteral("staleNote"));
  row.note->setWordWrap(true);
  row.note->setStyleSheet(QStringLiteral("color: #a04000; font-weight: bold;"));
  row.redo = new QPushButton(redoText, parent);
  row.redo->setObjectName(redoName);
  row.redo->setToolTip(redoTip);
  auto* line = new QHBoxLayout;
  line->addWidget(row.note, 1);
  line->addWidget(row.redo);
  layout->addLayout(line);
  row.note->hide();
  row.redo->hide();
  return row;
}
