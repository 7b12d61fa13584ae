// What the Runs browser knows about one run folder, read through the engine's RunFolder and its
// typed reports, without any widget: config.json as the run's DistillOptions (the distill option
// table), result.json as a DistillReport, cut_report.json as a CutReport, metrics.jsonl
// (curves), and which models and pictures it holds. Kept apart from the widgets for tests.
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

#include "compress/cut_report.h"
#include "student/distill_options.h"
#include "student/reports.h"

struct RunInfo {
  QString path;       ///< absolute folder path
  QString name;       ///< folder name
  QString modelType;  ///< from result.json / config.json / the model file name
  QString modelFile;  ///< model_distill_<type>.pt, empty when absent
  bool hasCut = false;
  QStringList images;  ///< component_norms.png and weight_*.png file names
  /// config.json read back through the engine's option table (missing options at their
  /// defaults); empty when the run has no config.json or it does not read (see problem).
  std::optional<kdw::DistillOptions> options;
  QString dataDir;  ///< config.json's data_dir: the data the run trained on
  /// The shape of the model the run trained (kdw::RunFolder::read_arch): for a run that trained a
  /// saved model on, that model's, whatever the options' shape fields say. Empty when nothing
  /// records it (then the options' fields are all there is) or it does not read (see problem).
  std::optional<kdw::StudentArch> arch;
  /// result.json; empty when the run has none (interrupted) or it does not read.
  std::optional<kdw::DistillReport> report;
  /// cut_report.json; empty when the run was not cut or the report does not read.
  std::optional<kdw::CutReport> cut;
  QString problem;  ///< first unreadable file, if any (the run is still listed)

  double bestDevAccuracy() const;  ///< NaN when unknown
  double bestDevMacroF1() const;
  double testAccuracy() const;
  double testMacroF1() const;
  qint64 parameters() const;  ///< -1 when unknown
  /// The saved model the run trained on (its restore_model_path); empty for a fresh student.
  QString startedFrom() const;
  /// The run's shape as kdw::StudentArch::shape_text writes it ("2 x biLSTM 412/388, 290/301"):
  /// arch's, else the options' fields (a run recording no shape); empty without either.
  QString shapeText() const;
  /// The option values shown in the list: "2 x biLSTM 1000, 10 epochs, lr=0.001, α=0.5".
  QString keyOptions() const;
  /// Every option of the run by its table name, as a command line writes its value, in the
  /// table's order; empty without options. The shape options (hidden_size, num_layers, emb_dim,
  /// dropout) are arch's where the run records it: hidden_size per layer when the layers differ.
  QList<QPair<QString, QString>> optionTexts() const;
  /// One option's value as optionTexts() writes it; "–" when the run has no options.
  QString optionText(const QString& name) const;
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

/// Options (the distill table's names) whose values differ between the runs, in the table's
/// order; a run without options counts as differing.
QStringList differingOptions(const QList<RunInfo>& runs);
/// Text of a JSON value for tables ("–" when missing).
QString jsonText(const QJsonValue& v);
