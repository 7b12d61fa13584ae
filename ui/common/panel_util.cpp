#include "ui/common/panel_util.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>

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
