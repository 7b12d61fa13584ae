#include "core/metrics.h"

#include <stdexcept>

namespace kdw {

nlohmann::json ClassificationMetrics::to_json() const {
  return {{"samples", samples}, {"accuracy", accuracy}, {"macro_f1", macro_f1},
          {"precision", precision}, {"recall", recall}, {"f1", f1}, {"confusion", confusion}};
}

ClassificationMetrics classification_metrics(const std::vector<int64_t>& gold,
                                             const std::vector<int64_t>& predicted,
                                             int64_t num_classes) {
  if (gold.size() != predicted.size())
    throw std::invalid_argument("classification_metrics: gold and predicted sizes differ");
  ClassificationMetrics m;
  const auto c = static_cast<std::size_t>(num_classes);
  m.samples = static_cast<int64_t>(gold.size());
  m.confusion.assign(c, std::vector<int64_t>(c, 0));
  int64_t correct = 0;
  for (std::size_t i = 0; i < gold.size(); ++i) {
    if (gold[i] < 0 || gold[i] >= num_classes || predicted[i] < 0 || predicted[i] >= num_classes)
      throw std::invalid_argument("classification_metrics: class index out of range");
    ++m.confusion[gold[i]][predicted[i]];
    correct += gold[i] == predicted[i];
  }
  m.accuracy = gold.empty() ? 0.0 : double(correct) / double(gold.size());
  m.precision.assign(c, 0.0);
  m.recall.assign(c, 0.0);
  m.f1.assign(c, 0.0);
  double f1_sum = 0;
  int present = 0;
  for (std::size_t k = 0; k < c; ++k) {
    int64_t tp = m.confusion[k][k], gold_k = 0, pred_k = 0;
    for (std::size_t j = 0; j < c; ++j) {
      gold_k += m.confusion[k][j];
      pred_k += m.confusion[j][k];
    }
    if (gold_k == 0 && pred_k == 0) continue;
    ++present;
    m.precision[k] = pred_k ? double(tp) / double(pred_k) : 0.0;
    m.recall[k] = gold_k ? double(tp) / double(gold_k) : 0.0;
    const double pr = m.precision[k] + m.recall[k];
    m.f1[k] = pr > 0 ? 2 * m.precision[k] * m.recall[k] / pr : 0.0;
    f1_sum += m.f1[k];
  }
  m.macro_f1 = present ? f1_sum / present : 0.0;
  return m;
}

}  // namespace kdw
