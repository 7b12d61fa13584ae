#include "ui/common/run_info.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointF>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>

#include "core/workspace.h"
#include "student/run_folder.h"
#include "ui/common/json_files.h"

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString name(const char* file) {
  return QString::fromLatin1(file);
}

// "<prefix>*<suffix>" for QDir::entryList.
QString pattern(const char* prefix, const char* suffix) {
  return name(prefix) + QLatin1Char('*') + name(suffix);
}

// Reads one part of a run through `read`; a part that is missing stays empty, one that does not
// read stays empty and names its file in `problem` (the first one only).
template <class Read>
auto readPart(const std::filesystem::path& file, QString& problem, Read read)
    -> std::optional<decltype(read())> {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::nullopt;
  try {
    return read();
  } catch (const std::exception& e) {
    if (problem.isEmpty()) problem = QString::fromUtf8(e.what());
    return std::nullopt;
  }
}
}  // namespace

double RunInfo::bestDevAccuracy() const {
  return report && report->dev ? report->dev->accuracy : kNaN;
}
double RunInfo::bestDevMacroF1() const {
  return report && report->dev ? report->dev->macro_f1 : kNaN;
}
double RunInfo::testAccuracy() const {
  return report && report->test ? report->test->accuracy : kNaN;
}
double RunInfo::testMacroF1() const {
  return report && report->test ? report->test->macro_f1 : kNaN;
}

qint64 RunInfo::parameters() const {
  return report && report->parameters > 0 ? report->parameters : -1;
}

QString RunInfo::startedFrom() const {
  return options ? QString::fromStdString(options->restore_model_path.string()) : QString();
}

QString RunInfo::shapeText() const {
  if (arch) return QString::fromStdString(arch->shape_text());
  if (!options) return {};
  const kdw::DistillOptions& o = *options;
  // A saved model trained on has its own shape, which such a run does not say.
  if (!o.restore_model_path.empty())
    return QStringLiteral("shape of %1")
        .arg(QString::fromStdString(o.restore_model_path.filename().string()));
  return QString::fromStdString(
      kdw::StudentArch::make(o.model_type, 0, o.emb_dim, o.hidden_size, o.num_layers, {}, o.dropout)
          .shape_text());
}

QString RunInfo::keyOptions() const {
  if (!options) return {};
  const kdw::DistillOptions& o = *options;
  QStringList parts;
  parts << shapeText();
  parts << QStringLiteral("%1 epochs").arg(o.epochs);
  parts << QStringLiteral("lr=%1").arg(o.lr);
  parts << QStringLiteral("α=%1").arg(o.alpha);
  if (o.group_lasso > 0) parts << QStringLiteral("lasso=%1").arg(o.group_lasso);
  return parts.join(QStringLiteral(", "));
}

namespace {
// A shape option's value as the model the run trained has it; nullopt for the other options.
std::optional<std::string> archOptionText(const kdw::StudentArch& arch, const std::string& name) {
  if (name == "hidden_size") return arch.hidden_text();
  if (name == "num_layers") return std::to_string(arch.hidden.size());
  if (name == "emb_dim") return std::to_string(arch.emb_dim);
  if (name == "dropout") return kdw::option_text(arch.dropout);
  return std::nullopt;
}
}  // namespace

QList<QPair<QString, QString>> RunInfo::optionTexts() const {
  QList<QPair<QString, QString>> out;
  if (!options) return out;
  for (const auto& e : kdw::distill_option_table().entries())
    out.append(
        {QString::fromStdString(e.spec.name), optionText(QString::fromStdString(e.spec.name))});
  return out;
}

QString RunInfo::optionText(const QString& option) const {
  const std::string name = option.toStdString();
  const auto* e = kdw::distill_option_table().find(name);
  if (!options || !e) return QStringLiteral("–");
  if (arch)
    if (const std::optional<std::string> shape = archOptionText(*arch, name))
      return QString::fromStdString(*shape);
  return QString::fromStdString(kdw::option_text(e->get(*options)));
}

RunInfo readRunInfo(const QString& dir) {
  RunInfo info;
  const QDir d(dir);
  info.path = d.absolutePath();
  info.name = d.dirName();
  using kdw::RunFolder;
  const RunFolder run(info.path.toStdString());
  // config.json: the options through the table, and the data folder the run found.
  const auto config = readPart(run.config_file(), info.problem, [&] { return run.read_config(); });
  if (config) {
    try {
      info.options = kdw::distill_options_from_json(*config);
    } catch (const std::exception& e) {
      if (info.problem.isEmpty())
        info.problem = QString::fromStdString(run.config_file().string()) + QStringLiteral(": ") +
                       QString::fromUtf8(e.what());
    }
    const auto data = config->find("data_dir");
    if (data != config->end() && data->is_string())
      info.dataDir = QString::fromStdString(data->get<std::string>());
  }
  // The shape of the model it trained: recorded in config.json (or result.json), else, for a
  // hand-made run, in its model file's header.
  try {
    info.arch = run.read_arch();
  } catch (const std::exception& e) {
    if (info.problem.isEmpty()) info.problem = QString::fromUtf8(e.what());
  }
  info.report = readPart(run.result_file(), info.problem,
                         [&] { return kdw::read_distill_report(run.result_file()); });
  info.cut = readPart(run.cut_report_file(), info.problem,
                      [&] { return kdw::read_cut_report(run.cut_report_file()); });
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
  if (info.report) info.modelType = QString::fromStdString(info.report->model_type);
  if (info.modelType.isEmpty() && info.options)
    info.modelType = QString::fromStdString(kdw::student_type_name(info.options->model_type));
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
  QStringList out;
  for (const auto& e : kdw::distill_option_table().entries()) {
    const QString option = QString::fromStdString(e.spec.name);
    for (int i = 1; i < runs.size(); ++i) {
      if (!runs[i].options || !runs[0].options ||
          runs[i].optionText(option) != runs[0].optionText(option)) {
        out << option;
        break;
      }
    }
  }
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
