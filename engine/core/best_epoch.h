// Which epoch a training run keeps: the rules that compare an epoch's dev scores with the kept
// one. Fine-tuning and distillation rank epochs differently (macro-F1 first vs accuracy first,
// and distillation may trade accuracy for sparsity), so each has its own small policy here;
// the training loops only report scores and save when told.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdw {

/// What one epoch scored on the dev split.
struct EpochScores {
  double accuracy = 0;
  double macro_f1 = 0;
  int64_t alive = 0;  ///< non-zero ISS components (distillation's sparsity); 0 when unused
};

/// A finished epoch's number and dev scores, as a run's metrics.jsonl records them; for saying
/// afterwards why an epoch was kept.
struct NumberedEpoch {
  int epoch = 0;
  EpochScores dev;
  bool alive_known = false;  ///< the record had alive counts (`dev.alive` is meaningful)
};

/// Fine-tuning keeps the epoch with the best score() = macro-F1 + 1e-6 x accuracy (accuracy
/// breaks F1 ties). Only a strictly higher score replaces the kept epoch, so of tied epochs the
/// earliest stays; a NaN score never does. The best score is part of a resumable checkpoint, so
/// the policy is a plain number that can be restored.
class FinetuneBestEpoch {
 public:
  static constexpr double kNone = -1;  ///< best score before any epoch (scores are >= 0)

  explicit FinetuneBestEpoch(double best_score = kNone) : best_score_(best_score) {}

  static double score(const EpochScores& s) { return s.macro_f1 + 1e-6 * s.accuracy; }

  /// True when `s` beats the kept epoch; it then becomes the kept one.
  bool offer(const EpochScores& s);

  double best_score() const { return best_score_; }

  /// This rule in one sentence for a finished run that kept epoch `kept` ("kept epoch 2: the
  /// best dev macro-F1 0.400 (accuracy 0.425 breaks ties)"); empty when `kept` <= 0.
  static std::string describe(int kept, const std::vector<NumberedEpoch>& epochs);

 private:
  double best_score_;
};

/// Distillation's rule.
/// - sparse_tolerance == 0: the highest dev accuracy; macro-F1 breaks a tie; with
///   `prefer_later_ties` (group lasso on) a later epoch that ties on both replaces the kept one,
///   being the sparser model, otherwise the earlier stays.
/// - sparse_tolerance > 0: the epoch with the fewest alive components among those whose
///   accuracy is within the tolerance of the best accuracy seen so far (the higher accuracy,
///   then the later epoch, breaks a tie in sparsity). The kept epoch is replaced as soon as a
///   better epoch pushes it out of the tolerance, even by a less sparse one.
/// A NaN accuracy never replaces a kept epoch; without a tolerance the first epoch is kept even
/// then (a run always saves a model), with one it is not (it is within no tolerance).
class DistillBestEpoch {
 public:
  DistillBestEpoch(double sparse_tolerance, bool prefer_later_ties)
      : tolerance_(sparse_tolerance), prefer_later_ties_(prefer_later_ties) {}

  /// True when `s` is now the kept epoch.
  bool offer(const EpochScores& s);

  const std::optional<EpochScores>& best() const { return best_; }
  double top_accuracy() const { return top_accuracy_; }

  /// Puts back the state best() and top_accuracy() gave (a resumed run's checkpoint).
  void restore(std::optional<EpochScores> best, double top_accuracy) {
    best_ = best;
    top_accuracy_ = top_accuracy;
  }

  /// This rule, as configured, in one sentence for a finished run that kept epoch `kept`:
  /// which rule chose it and the scores that made it ("kept epoch 3 (dev accuracy 0.396): the
  /// sparsest epoch within 0.03 of the best dev accuracy 0.425 (epoch 2); 90 ISS components
  /// alive"); empty when `kept` <= 0. The GUI shows it with the curves.
  std::string describe(int kept, const std::vector<NumberedEpoch>& epochs) const;

 private:
  double tolerance_;
  bool prefer_later_ties_;
  std::optional<EpochScores> best_;
  double top_accuracy_ = -1;  // best dev accuracy of any epoch
};

}  // namespace kdw
