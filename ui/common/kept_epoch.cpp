#include "ui/common/kept_epoch.h"

#include <QJsonArray>
#include <QObject>

#include <limits>
#include <vector>

#include "core/best_epoch.h"
#include "ui/common/live_chart.h"

namespace {
// The UI's epoch records in the engine's terms, so that the engine words its own rule.
std::vector<kdw::NumberedEpoch> numbered(const QVector<EpochScores>& epochs) {
  std::vector<kdw::NumberedEpoch> out;
  for (const EpochScores& e : epochs) {
    kdw::NumberedEpoch n;
    n.epoch = e.epoch;
    n.dev.accuracy = e.accuracy;
    n.dev.macro_f1 = e.macroF1;
    n.alive_known = e.alive >= 0;
    n.dev.alive = n.alive_known ? int64_t(e.alive) : 0;
    out.push_back(n);
  }
  return out;
}
}  // namespace

QVector<EpochScores> epochScores(const QVector<QJsonObject>& records) {
  QVector<EpochScores> out;
  for (const QJsonObject& r : records) {
    if (r.value(QStringLiteral("kind")).toString() != QLatin1String("epoch")) continue;
    const QJsonObject dev = r.value(QStringLiteral("dev")).toObject();
    if (dev.isEmpty()) continue;
    EpochScores e;
    e.epoch = r.value(QStringLiteral("epoch")).toInt();
    e.accuracy = dev.value(QStringLiteral("accuracy")).toDouble();
    e.macroF1 = dev.value(QStringLiteral("macro_f1")).toDouble();
    // "alive": per layer a count or a list of counts (one per direction).
    if (r.contains(QStringLiteral("alive"))) {
      e.alive = 0;
      for (const auto& layer : r.value(QStringLiteral("alive")).toArray()) {
        if (layer.isArray())
          for (const auto& c : layer.toArray()) e.alive += c.toDouble();
        else
          e.alive += layer.toDouble();
      }
    }
    out << e;
  }
  return out;
}

QString distillKeptReason(int kept, const QJsonObject& config, const QVector<EpochScores>& epochs) {
  // The same policy as the run's (engine/student/distill_loop.cpp), from its saved options.
  const kdw::DistillBestEpoch rule(config.value(QStringLiteral("sparse_tolerance")).toDouble(),
                                   config.value(QStringLiteral("group_lasso")).toDouble() > 0);
  return QString::fromStdString(rule.describe(kept, numbered(epochs)));
}

QString teacherKeptReason(int kept, const QVector<EpochScores>& epochs) {
  return QString::fromStdString(kdw::FinetuneBestEpoch::describe(kept, numbered(epochs)));
}

void showKeptEpoch(LiveChart* chart, int kept, const QString& reason) {
  if (kept <= 0) {
    chart->setMarker(std::numeric_limits<double>::quiet_NaN(), QString());
    chart->setNote(QString());
    return;
  }
  chart->setMarker(kept, QObject::tr("kept epoch %1").arg(kept));
  chart->setNote(reason);
}
