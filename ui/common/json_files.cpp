#include "common/json_files.h"

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
  while (!file.atEnd()) {
    const QByteArray line = file.readLine(1 << 20).trimmed();
    if (line.isEmpty()) continue;
    const QJsonDocument doc = QJsonDocument::fromJson(line);
    if (doc.isObject()) records.push_back(doc.object());
  }
  return records;
}
