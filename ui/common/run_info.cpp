#include "ui/common/run_info.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointF>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/workspace.h"
#include "student/run_folder.h"
#include "ui/common/json_files.h"

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Reads a JSON object file; empty object and a problem text when it is missing or bad.
QJsonObject readObject(const QString& path, QString& problem) {
  QFile f(path);
  if (!f.exists()) return {};
  if (!f.open(QIODevice::ReadOnly)) {
    if (problem.isEmpty()) problem = path + QStringLiteral(": cannot open");
    return {};
  }
  QJsonParseError err{};
  // Up to 16 MiB, but no bigger buffer than the file: read(n) allocates all n bytes up front.
  const QJsonDocument doc =
      QJsonDocument::fromJson(f.read(std::min<qint64>(f.size(), 16 << 20)), &err);
  if (err.error != QJsonParseError::NoError || !doc.isObject()) {
    if (problem.isEmpty()) problem = path + QStringLiteral(": not a JSON object");
    return {};
  }
  return doc.object();
}

QString name(const char* file) {
  return QString::fromLatin1(file);
}

// "<prefix>*<suffix>" for QDir::entryList.
QString pattern(const char* prefix, const char* suffix) {
  return name(prefix) + QLatin1Char('*') + name(suffix);
}
}  // namespace

double RunInfo::bestDevAccuracy() const {
  return report.dev ? report.dev->accuracy : kNaN;
}
double RunInfo::bestDevMacroF1() const {
  return report.dev ? report.dev->macro_f1 : kNaN;
}
double RunInfo::testAccuracy() const {
  return report.test ? report.test->accuracy : kNaN;
}
double RunInfo::testMacroF1() const {
  return report.test ? report.test->macro_f1 : kNaN;
}

qint64 RunInfo::parameters() const {
  return result.contains(QStringLiteral("parameters")) ? report.parameters : -1;
}

QString RunInfo::keyOptions() const {
  if (!options) return {};
  const kdw::DistillOptions& o = *options;
  QStringList parts;
  parts << QStringLiteral("h=%1 x%2").arg(o.hidden_size).arg(o.num_layers);
  parts << QStringLiteral("%1 epochs").arg(o.epochs);
  parts << QStringLiteral("lr=%1").arg(o.lr);
  parts << QStringLiteral("α=%1").arg(o.alpha);
  if (o.group_lasso > 0) parts << QStringLiteral("lasso=%1").arg(o.group_lasso);
  return parts.join(QStringLiteral(", "));
}

RunInfo readRunInfo(const QString& dir) {
  RunInfo info;
  const QDir d(dir);
  info.path = d.absolutePath();
  info.name = d.dirName();
  using kdw::RunFolder;
  info.config = readObject(d.filePath(name(RunFolder::kConfig)), info.problem);
  info.result = readObject(d.filePath(name(RunFolder::kResult)), info.problem);
  if (!info.config.isEmpty()) {
    try {
      info.options = kdw::distill_options_from_json(
          nlohmann::json::parse(QJsonDocument(info.config).toJson().toStdString()));
    } catch (const std::exception& e) {
      if (info.problem.isEmpty())
        info.problem = d.filePath(name(RunFolder::kConfig)) + QStringLiteral(": ") +
                       QString::fromUtf8(e.what());
    }
  }
  try {
    info.report = fromQJson(info.result).get<kdw::DistillReport>();
  } catch (const std::exception&) {
    if (info.problem.isEmpty())
      info.problem = d.filePath(name(RunFolder::kResult)) + QStringLiteral(": not a run result");
    info.report = {};
  }
  const QStringList models = d.entryList(
      {pattern(RunFolder::kModelPrefix, RunFolder::kModelSuffix)}, QDir::Files, QDir::Name);
  if (!models.isEmpty()) info.modelFile = models.first();
  info.hasCut =
      !d.entryList({pattern(RunFolder::kCutModelPrefix, RunFolder::kModelSuffix)}, QDir::Files)
           .isEmpty();
  // kdw compress --show_weight: the component norms chart first, then the matrices.
  info.images = d.entryList({name(RunFolder::kNormsPicture)}, QDir::Files);
  info.images +=
      d.entryList({pattern(RunFolder::kWeightPicturePrefix, ".png")}, QDir::Files, QDir::Name);
  info.modelType = QString::fromStdString(info.report.model_type);
  if (info.modelType.isEmpty())
    info.modelType = info.config.value(QStringLiteral("model_type")).toString();
  if (info.modelType.isEmpty() && !info.modelFile.isEmpty()) {
    const auto type = RunFolder::type_of_model_name(info.modelFile.toStdString());
    if (type) info.modelType = QString::fromStdString(kdw::student_type_name(*type));
  }
  return info;
}

QList<RunInfo> scanRuns(const QString& root) {
  QList<RunInfo> runs;
  if (root.isEmpty()) return runs;
  const QDir r(root);
  const QStringList dirs = r.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
  for (const QString& name : dirs) {
    const QDir d(r.filePath(name));
    const bool named = kdw::is_run_folder_name(name.toStdString());
    if (!named && d.entryList({pattern(kdw::RunFolder::kModelPrefix, kdw::RunFolder::kModelSuffix)},
                              QDir::Files)
                      .isEmpty())
      continue;
    runs.push_back(readRunInfo(d.path()));
  }
  return runs;
}

QString latestRunDir(const QString& root) {
  QString best_named, best_other;
  QDateTime other_time;
  for (const RunInfo& run : scanRuns(root)) {
    if (run.modelFile.isEmpty()) continue;
    if (kdw::is_run_folder_name(run.name.toStdString())) {
      if (run.name > QDir(best_named).dirName() || best_named.isEmpty()) best_named = run.path;
    } else {
      const QDateTime t = QFileInfo(run.path).lastModified();
      if (best_other.isEmpty() || t > other_time) {
        best_other = run.path;
        other_time = t;
      }
    }
  }
  return best_named.isEmpty() ? best_other : best_named;
}

QVector<QJsonObject> readMetrics(const QString& dir) {
  return readJsonLines(QDir(dir).filePath(name(kdw::RunFolder::kMetrics)));
}

QList<Curve> runCurves(const QVector<QJsonObject>& records) {
  Curve loss{QStringLiteral("loss"), {}}, acc{QStringLiteral("dev accuracy"), {}},
      f1{QStringLiteral("dev macro-F1"), {}};
  for (const QJsonObject& r : records) {
    const QString kind = r.value(QStringLiteral("kind")).toString();
    if (kind == QLatin1String("step") && r.value(QStringLiteral("loss")).isDouble())
      loss.points.push_back(QPointF(r.value(QStringLiteral("step")).toDouble(),
                                    r.value(QStringLiteral("loss")).toDouble()));
    if (kind == QLatin1String("epoch")) {
      const QJsonObject dev = r.value(QStringLiteral("dev")).toObject();
      const double e = r.value(QStringLiteral("epoch")).toDouble();
      if (dev.value(QStringLiteral("accuracy")).isDouble())
        acc.points.push_back(QPointF(e, dev.value(QStringLiteral("accuracy")).toDouble()));
      if (dev.value(QStringLiteral("macro_f1")).isDouble())
        f1.points.push_back(QPointF(e, dev.value(QStringLiteral("macro_f1")).toDouble()));
    }
  }
  return {loss, acc, f1};
}

QStringList differingOptions(const QList<RunInfo>& runs) {
  QSet<QString> keys;
  for (const RunInfo& r : runs)
    for (auto it = r.config.begin(); it != r.config.end(); ++it) keys.insert(it.key());
  QStringList out;
  for (const QString& key : keys) {
    for (int i = 1; i < runs.size(); ++i) {
      if (!runs[i].config.contains(key) || !runs[0].config.contains(key) ||
          runs[i].config.value(key) != runs[0].config.value(key)) {
        out << key;
        break;
      }
    }
  }
  out.sort();
  return out;
}

QString jsonText(const QJsonValue& v) {
  switch (v.type()) {
    case QJsonValue::Undefined:
    case QJsonValue::Null:
      return QStringLiteral("–");
    case QJsonValue::Bool:
      return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
      return QString::number(v.toDouble(), 'g', 6);
    case QJsonValue::String:
      return v.toString();
    case QJsonValue::Array:
      return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
      return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
  }
  return QString();
}
