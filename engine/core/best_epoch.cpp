#include "core/best_epoch.h"

#include <algorithm>

namespace kdw {

bool FinetuneBestEpoch::offer(const EpochScores& s) {
  const double candidate = score(s);
  if (!(candidate > best_score_)) return false;
  best_score_ = candidate;
  return true;
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
