#include "ui/common/json_files.h"

#include <QFile>
#include <QJsonDocument>

QJsonObject readJsonObjectFile(const QString& path, qint64 max_bytes) {
  QFile file(path);
  if (file.size() > max_bytes || !file.open(QIODevice::ReadOnly)) return {};
  return QJsonDocument::fromJson(file.readAll()).object();
}

QVector<QJsonObject> readJsonLines(const QString& path) {
  QVector<QJsonObject> records;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) return records;
  // Lines come in pieces through a small buffer: readLine(maxSize) allocates maxSize bytes for
  // every line. Lines over 1 MiB are skipped (no record is that long).
  constexpr qsizetype kMaxLine = 1 << 20;
  char piece[16 * 1024];
  QByteArray line;
  while (!file.atEnd()) {
    line.clear();
    bool too_long = false;
    for (qint64 n; (n = file.readLine(piece, sizeof piece)) > 0;) {
      too_long = too_long || line.size() + n > kMaxLine;
      if (!too_long) line.append(piece, static_cast<qsizetype>(n));
      if (piece[n - 1] == '\n') break;
    }
    line = line.trimmed();
    if (too_long || line.isEmpty()) continue;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (doc.isObject()) records.push_back(doc.object());
  }
  return records;
}

QJsonObject toQJson(const nlohmann::json& object) {
  if (!object.is_object()) return QJsonObject{};
  return QJsonDocument::fromJson(QByteArray::fromStdString(object.dump(
                                     -1, ' ', false, nlohmann::json::error_handler_t::replace)))
      .object();
}

nlohmann::json fromQJson(const QJsonObject& object) {
  return nlohmann::json::parse(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString());
}
