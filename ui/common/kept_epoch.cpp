#include "ui/common/kept_epoch.h"

#include <QJsonArray>
#include <QObject>

#include <limits>

#include "ui/common/live_chart.h"

namespace {
QString score(double v) {
  return QString::number(v, 'f', 3);
}
const EpochScores* find(const QVector<EpochScores>& epochs, int epoch) {
  for (const EpochScores& e : epochs)
    if (e.epoch == epoch) return &e;
  return nullptr;
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
  if (kept <= 0) return QString();
  const EpochScores* k = find(epochs, kept);
  const EpochScores* top = nullptr;
  for (const EpochScores& e : epochs)
    if (!top || e.accuracy > top->accuracy) top = &e;
  const double tolerance = config.value(QStringLiteral("sparse_tolerance")).toDouble();
  const QString head =
      k ? QObject::tr("kept epoch %1 (dev accuracy %2)").arg(kept).arg(score(k->accuracy))
        : QObject::tr("kept epoch %1").arg(kept);
  if (tolerance > 0) {
    QString text = QObject::tr("%1: the sparsest epoch within %2 of the best dev accuracy")
                       .arg(head, QString::number(tolerance, 'g', 3));
    if (top) text += QObject::tr(" %1 (epoch %2)").arg(score(top->accuracy)).arg(top->epoch);
    if (k && k->alive >= 0) text += QObject::tr("; %1 ISS components alive").arg(qint64(k->alive));
    return text;
  }
  QString text = QObject::tr("%1: the best dev accuracy").arg(head);
  if (config.value(QStringLiteral("group_lasso")).toDouble() > 0)
    text += QObject::tr(" (of equal epochs the later, sparser one)");
  return text;
}

QString teacherKeptReason(int kept, const QVector<EpochScores>& epochs) {
  if (kept <= 0) return QString();
  const EpochScores* k = find(epochs, kept);
  if (!k) return QObject::tr("kept epoch %1: the best dev macro-F1").arg(kept);
  return QObject::tr("kept epoch %1: the best dev macro-F1 %2 (accuracy %3 breaks ties)")
      .arg(kept)
      .arg(score(k->macroF1), score(k->accuracy));
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
