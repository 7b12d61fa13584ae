#include "common/panel_util.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QVBoxLayout>

QWidget* makeUnavailableNote(const QString& title, const QString& why, QWidget* parent) {
  auto* note = new QWidget(parent);
  auto* layout = new QVBoxLayout(note);
  layout->addWidget(makeHeading(title, note));
  auto* text = new QLabel(why, note);
  text->setWordWrap(true);
  text->setEnabled(false);
  layout->addWidget(text);
  layout->addStretch(1);
  return note;
}

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
