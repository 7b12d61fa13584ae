// Reading the engine's JSON outputs (result.json, prepare.json, metrics.jsonl, ...) for display.
// Display code treats a missing or broken file as "nothing to show", so these never throw.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QVector>

#include <nlohmann/json.hpp>

/// The file's JSON object; empty when it is missing, unreadable, larger than `max_bytes` or not
/// an object.
QJsonObject readJsonObjectFile(const QString& path, qint64 max_bytes = 64 << 20);
/// Every JSON object line of a JSON-lines file (metrics.jsonl); other lines are skipped.
QVector<QJsonObject> readJsonLines(const QString& path);

/// Converts between the engine's JSON and Qt's (through text: simple, and fast enough for batches).
QJsonObject toQJson(const nlohmann::json& object);
nlohmann::json fromQJson(const QJsonObject& object);
