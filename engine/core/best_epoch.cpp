#include "core/best_epoch.h"

#include <algorithm>
#include <cstdio>

namespace kdw {

bool FinetuneBestEpoch::offer(const EpochScores& s) {
  const double candidate = score(s);
  if (!(candidate > best_score_)) return false;
  best_score_ = candidate;
  return true;
}

namespace {

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}
std::string decimals3(double v) {
  return format("%.3f", v);
}
const NumberedEpoch* find(const std::vector<NumberedEpoch>& epochs, int epoch) {
  for (const NumberedEpoch& e : epochs)
    if (e.epoch == epoch) return &e;
  return nullptr;
}

}  // namespace

std::string FinetuneBestEpoch::describe(int kept, const std::vector<NumberedEpoch>& epochs) {
  if (kept <= 0) return {};
  const std::string head = "kept epoch " + std::to_string(kept) + ": the best dev macro-F1";
  const NumberedEpoch* k = find(epochs, kept);
  if (!k) return head;
  return head + " " + decimals3(k->dev.macro_f1) + " (accuracy " + decimals3(k->dev.accuracy) +
         " breaks ties)";
}

std::string DistillBestEpoch::describe(int kept, const std::vector<NumberedEpoch>& epochs) const {
  if (kept <= 0) return {};
  const NumberedEpoch* k = find(epochs, kept);
  std::string text = "kept epoch " + std::to_string(kept);
  if (k) text += " (dev accuracy " + decimals3(k->dev.accuracy) + ")";
  if (tolerance_ > 0) {
    const NumberedEpoch* top = nullptr;
    for (const NumberedEpoch& e : epochs)
      if (!top || e.dev.accuracy > top->dev.accuracy) top = &e;
    text +=
        ": the sparsest epoch within " + format("%.3g", tolerance_) + " of the best dev accuracy";
    if (top)
      text += " " + decimals3(top->dev.accuracy) + " (epoch " + std::to_string(top->epoch) + ")";
    if (k && k->alive_known) text += "; " + std::to_string(k->dev.alive) + " ISS components alive";
    return text;
  }
  text += ": the best dev accuracy";
  if (prefer_later_ties_) text += " (of equal epochs the later, sparser one)";
  return text;
}

bool DistillBestEpoch::offer(const EpochScores& s) {
  top_accuracy_ = std::max(top_accuracy_, s.accuracy);
  bool better;
  if (tolerance_ > 0) {
    const double floor = top_accuracy_ - tolerance_;
    const bool kept_ok = best_ && best_->accuracy >= floor;
    better = s.accuracy >= floor && (!kept_ok || s.alive < best_->alive ||
                                     (s.alive == best_->alive && s.accuracy >= best_->accuracy));
  } else {
    better =
        !best_ || s.accuracy > best_->accuracy ||
        (s.accuracy == best_->accuracy &&
         (s.macro_f1 > best_->macro_f1 || (prefer_later_ties_ && s.macro_f1 == best_->macro_f1)));
  }
  if (better) best_ = s;
  return better;
}

}  // namespace kdw
