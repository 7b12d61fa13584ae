// The fraction of a whole job from its latest progress event: training jobs report per epoch
// ("epoch 3/12", batches done of the epoch), while people want the whole run's percentage/ETA.
#pragma once

#include <QString>

/// "epoch k/N" with done/total batches: (k - 1 + done/total) / N; any other stage: done/total.
/// -1 when unknown (total 0).
double jobFraction(const QString& stage, qint64 done, qint64 total);
