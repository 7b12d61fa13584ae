// What the Runs browser knows about one run folder, read from its files without any widget:
// config.json (options), result.json (best dev, test, parameters, bytes), metrics.jsonl
// (curves), and which models and pictures it holds. Kept apart from the widgets for tests.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

#include "student/distill_options.h"
#include "student/reports.h"

struct RunInfo {
  QString path;       ///< absolute folder path
  QString name;       ///< folder name
  QString modelType;  ///< from result.json / config.json / the model file name
  QString modelFile;  ///< model_distill_<type>.pt, empty when absent
  bool hasCut = false;
  QStringList images;  ///< component_norms.png and weight_*.png file names
  QJsonObject config;
  /// config.json read back through the engine's option table (missing options at their
  /// defaults); empty when the run has no config.json or it does not read (see problem).
  std::optional<kdw::DistillOptions> options;
  QJsonObject result;         ///< result.json as it is (for the options/results tables)
  kdw::DistillReport report;  ///< result.json through the engine's mapping
  QString problem;            ///< first unreadable file, if any (the run is still listed)

  double bestDevAccuracy() const;  ///< NaN when unknown
  double bestDevMacroF1() const;
  double testAccuracy() const;
  double testMacroF1() const;
  qint64 parameters() const;  ///< -1 when unknown
  /// The option values shown in the list: "h=1000 x2 layers, lr=0.001, 10 epochs".
  QString keyOptions() const;
};

/// Reads one folder; never throws (problems go to RunInfo::problem).
RunInfo readRunInfo(const QString& dir);

/// Run folders of a workspace: named YYYY-MM-DD___HH-MM-SS, or any folder holding a
/// model_distill_*.pt (hand-made or older runs). Oldest name first.
QList<RunInfo> scanRuns(const QString& root);

/// The newest run of a workspace that holds a model: the latest YYYY-MM-DD___HH-MM-SS name,
/// else the most recently modified hand-made run folder. Empty when there is none.
QString latestRunDir(const QString& root);

/// metrics.jsonl records in order (bad lines skipped).
QVector<QJsonObject> readMetrics(const QString& dir);

/// One curve: x (step or epoch) against y.
struct Curve {
  QString name;
  QVector<QPointF> points;
};
/// "loss" per step and "dev accuracy" / "dev macro-F1" per epoch.
QList<Curve> runCurves(const QVector<QJsonObject>& records);

/// Options (config.json keys) whose values differ between the runs, sorted by name; a key
/// missing from some runs counts as differing.
QStringList differingOptions(const QList<RunInfo>& runs);
/// Text of a JSON value for tables ("–" when missing).
QString jsonText(const QJsonValue& v);
