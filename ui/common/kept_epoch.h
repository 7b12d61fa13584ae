// "Say why": which epoch a run kept and the rule that chose it, as one sentence shown with the
// curves ("kept epoch 12: the sparsest epoch within 0.03 of the best dev accuracy 0.425
// (epoch 9)"), so that a kept score below the curve's peak is no surprise.
#pragma once

#include <QJsonObject>
#include <QString>
#include <QVector>

class LiveChart;

/// One epoch's dev scores (and its alive ISS components, -1 when not reported).
struct EpochScores {
  int epoch = 0;
  double accuracy = 0;
  double macroF1 = 0;
  double alive = -1;
};

/// The "kind":"epoch" records of a metrics.jsonl (dev scores and alive counts), in order.
QVector<EpochScores> epochScores(const QVector<QJsonObject>& records);

/// The sentence the engine gives for a distillation's choice (kdw::DistillBestEpoch::describe,
/// the rule configured from the run's config.json: sparse_tolerance, group_lasso). Empty when
/// `kept` is 0 (no epoch kept).
QString distillKeptReason(int kept, const QJsonObject& config, const QVector<EpochScores>& epochs);
/// The teacher's rule in the engine's words (kdw::FinetuneBestEpoch::describe).
QString teacherKeptReason(int kept, const QVector<EpochScores>& epochs);

/// Marks epoch `kept` on `chart` and puts `reason` under it (kept 0 clears both; an empty
/// reason leaves the chart without a note, for panels that show it elsewhere).
void showKeptEpoch(LiveChart* chart, int kept, const QString& reason);
