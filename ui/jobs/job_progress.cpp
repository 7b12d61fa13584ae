#include "ui/jobs/job_progress.h"

#include <QRegularExpression>

#include <algorithm>

double jobFraction(const QString& stage, qint64 done, qint64 total) {
  if (total <= 0) return -1;
  const double inStage = std::clamp(double(done) / double(total), 0.0, 1.0);
  static const QRegularExpression epochStage(QStringLiteral("^epoch (\\d+)/(\\d+)$"));
  const QRegularExpressionMatch m = epochStage.match(stage);
  if (!m.hasMatch()) return inStage;
  const int epochs = std::max(1, m.captured(2).toInt());
  const int epoch = std::clamp(m.captured(1).toInt(), 1, epochs);
  return std::clamp((epoch - 1 + inStage) / epochs, 0.0, 1.0);
}
