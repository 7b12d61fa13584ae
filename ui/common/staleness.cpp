#include "ui/common/staleness.h"

#include <QDir>
#include <QFileInfo>

#include "bert/finetune_report.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/workspace.h"
#include "ui/common/json_files.h"

namespace {

// kdw::file_hash of a small file; empty when it cannot be read.
QString hashOf(const QString& file) {
  try {
    return QString::fromStdString(kdw::file_hash(file.toStdString()));
  } catch (const kdw::Error&) {
    return {};
  }
}

bool newer(const QString& a, const QString& b) {
  return QFileInfo(a).lastModified() > QFileInfo(b).lastModified();
}

}  // namespace

QString logitsStaleReason(const QString& workspace) {
  if (workspace.isEmpty()) return {};
  const kdw::Workspace ws{workspace.toStdString()};
  const QString logits = QString::fromStdString((ws.logits_dir() / "logits.json").string());
  const QString teacherDir = QString::fromStdString(ws.finetune_dir().string());
  const QString notes = QDir(teacherDir).filePath(QString::fromLatin1(kdw::kFinetuneNotesFile));
  if (!QFileInfo::exists(logits) || !QFileInfo::exists(notes)) return {};
  const QJsonObject summary = readJsonObjectFile(logits);
  // Logits of another model (kdw logits --model) say nothing about this teacher.
  const QString model = summary.value(QStringLiteral("model")).toString();
  if (!model.isEmpty() && QFileInfo(model).fileName() != QFileInfo(teacherDir).fileName())
    return {};
  const QString recorded = summary.value(QStringLiteral("teacher_notes_hash")).toString();
  const bool stale = recorded.isEmpty() ? newer(notes, logits) : recorded != hashOf(notes);
  return stale ? QObject::tr(
                     "Stale: the teacher was fine-tuned again after these logits were "
                     "computed.")
               : QString();
}

QString runStaleReason(const QString& runDir) {
  const QString configFile = QDir(runDir).filePath(QStringLiteral("config.json"));
  const QJsonObject config = readJsonObjectFile(configFile);
  const QString dataDir = config.value(QStringLiteral("data_dir")).toString();
  if (dataDir.isEmpty()) return {};
  const QString logits = QDir(dataDir).filePath(QStringLiteral("logits/logits.json"));
  if (!QFileInfo::exists(logits)) return {};
  const QString recorded = config.value(QStringLiteral("logits_hash")).toString();
  const bool stale = recorded.isEmpty() ? newer(logits, configFile) : recorded != hashOf(logits);
  return stale ? QObject::tr(
                     "Stale: the teacher logits were computed again after this student "
                     "was trained.")
               : QString();
}
