#include "ui/common/replace_question.h"

#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>

#include "core/commit.h"
#include "core/error.h"

bool confirmReplace(QWidget* parent, const QString& what, const QStringList& paths,
                    QString* error) {
  QStringList existing;
  for (const QString& p : paths)
    if (QFileInfo::exists(p)) existing << p;
  if (existing.isEmpty()) return true;
  QMessageBox box(QMessageBox::Question, QObject::tr("Replace %1?").arg(what),
                  QObject::tr("This replaces %1 (%2).").arg(what, existing.first()),
                  QMessageBox::NoButton, parent);
  box.setInformativeText(
      QObject::tr("Keep the old one: it is renamed with a date and time suffix and stays next to "
                  "the new one."));
  QPushButton* keep = box.addButton(QObject::tr("Keep the old one"), QMessageBox::AcceptRole);
  QPushButton* replace = box.addButton(QObject::tr("Replace"), QMessageBox::DestructiveRole);
  QPushButton* cancel = box.addButton(QMessageBox::Cancel);
  keep->setObjectName(QLatin1String(kKeepButton));
  replace->setObjectName(QLatin1String(kReplaceButton));
  cancel->setObjectName(QLatin1String(kCancelButton));
  box.setDefaultButton(keep);  // Enter must not throw a trained model away
  box.setEscapeButton(cancel);
  box.exec();
  if (box.clickedButton() == replace) return true;
  if (box.clickedButton() != keep) return false;
  try {
    for (const QString& p : existing) kdw::keep_aside(p.toStdString());
  } catch (const kdw::Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return false;
  }
  return true;
}

TakenName askTakenName(QWidget* parent, const QString& what, const QString& path, QString* error) {
  QMessageBox box(QMessageBox::Question, QObject::tr("%1 exists").arg(QFileInfo(path).fileName()),
                  QObject::tr("%1 already holds %2; it is not replaced.").arg(path, what),
                  QMessageBox::NoButton, parent);
  box.setInformativeText(
      QObject::tr("Keep the old one: it is renamed with a date and time suffix and stays next to "
                  "the new one. Or give the new one another name."));
  QPushButton* keep = box.addButton(QObject::tr("Keep the old one"), QMessageBox::AcceptRole);
  QPushButton* other = box.addButton(QObject::tr("Another name…"), QMessageBox::ActionRole);
  QPushButton* cancel = box.addButton(QMessageBox::Cancel);
  keep->setObjectName(QLatin1String(kKeepButton));
  other->setObjectName(QLatin1String(kOtherNameButton));
  cancel->setObjectName(QLatin1String(kCancelButton));
  box.setDefaultButton(other);
  box.setEscapeButton(cancel);
  box.exec();
  if (box.clickedButton() == other) return TakenName::OtherName;
  if (box.clickedButton() != keep) return TakenName::Cancelled;
  try {
    kdw::keep_aside(path.toStdString());
  } catch (const kdw::Error& e) {
    if (error) *error = QString::fromUtf8(e.what());
    return TakenName::Cancelled;
  }
  return TakenName::KeptAside;
}

bool confirmStopJobs(QWidget* parent, const QString& action, const QString& job, int queued) {
  QMessageBox box(QMessageBox::Warning, QObject::tr("A job is running"),
                  queued > 0 ? QObject::tr("“%1” is running and %n more wait(s). Cancel them and "
                                           "%2?",
                                           nullptr, queued)
                                   .arg(job, action)
                             : QObject::tr("“%1” is running. Cancel it and %2?").arg(job, action),
                  QMessageBox::NoButton, parent);
  box.setInformativeText(QObject::tr("What it finished is kept; a fine-tuning can be resumed."));
  QPushButton* stop =
      box.addButton(QObject::tr("Cancel the job and %1").arg(action), QMessageBox::DestructiveRole);
  QPushButton* stay = box.addButton(QObject::tr("Keep working"), QMessageBox::RejectRole);
  stop->setObjectName(QLatin1String(kStopJobsButton));
  stay->setObjectName(QLatin1String(kKeepWorkingButton));
  box.setDefaultButton(stay);
  box.setEscapeButton(stay);
  box.exec();
  return box.clickedButton() == stop;
}
