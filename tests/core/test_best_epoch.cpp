// The best-epoch rules of fine-tuning and distillation (core/best_epoch.h): which epoch of a
// sequence of dev scores a run keeps.
#include <QtTest>

#include <limits>
#include <vector>

#include "core/best_epoch.h"

using namespace kdw;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();

// The 1-based epochs at which `policy` saves a model, offering `scores` in order.
template <typename Policy>
std::vector<int> saved_epochs(Policy policy, const std::vector<EpochScores>& scores) {
  std::vector<int> saved;
  for (std::size_t e = 0; e < scores.size(); ++e)
    if (policy.offer(scores[e])) saved.push_back(int(e + 1));
  return saved;
}

using Epochs = std::vector<int>;

}  // namespace

class TestBestEpoch : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void finetuneKeepsTheBestMacroF1() {
    const FinetuneBestEpoch policy;
    // Macro-F1 decides, not accuracy.
    QCOMPARE(saved_epochs(policy, {{0.9, 0.5}, {0.6, 0.7}, {0.95, 0.6}}), (Epochs{1, 2}));
    // Accuracy breaks an F1 tie.
    QCOMPARE(saved_epochs(policy, {{0.5, 0.5}, {0.6, 0.5}, {0.55, 0.5}}), (Epochs{1, 2}));
  }

  void finetuneKeepsTheEarliestOfTiedEpochs() {
    QCOMPARE(saved_epochs(FinetuneBestEpoch(), {{0.7, 0.6}, {0.7, 0.6}, {0.7, 0.6}}), Epochs{1});
  }

  void finetuneFirstEpochIsKeptEvenAtZero() {
    QCOMPARE(saved_epochs(FinetuneBestEpoch(), {{0, 0}, {0, 0}}), Epochs{1});
  }

  void finetuneNeverKeepsNan() {
    QCOMPARE(saved_epochs(FinetuneBestEpoch(), {{kNan, kNan}, {0.5, 0.4}, {kNan, 0.9}}), Epochs{2});
    QCOMPARE(saved_epochs(FinetuneBestEpoch(), {{0.5, 0.4}, {0.9, kNan}}), Epochs{1});
  }

  void finetuneResumesFromItsSavedScore() {
    FinetuneBestEpoch first;
    QVERIFY(first.offer({0.8, 0.6}));
    QCOMPARE(first.best_score(), 0.6 + 1e-6 * 0.8);
    // A resumed run starts from the checkpoint's best score, not from scratch.
    FinetuneBestEpoch resumed(first.best_score());
    QVERIFY(!resumed.offer({0.8, 0.6}));
    QVERIFY(!resumed.offer({0.7, 0.6}));
    QVERIFY(resumed.offer({0.9, 0.6}));
  }

  void distillKeepsTheBestAccuracy() {
    const DistillBestEpoch policy(0, false);
    // Accuracy decides, not macro-F1.
    QCOMPARE(saved_epochs(policy, {{0.6, 0.9}, {0.7, 0.5}, {0.65, 0.95}}), (Epochs{1, 2}));
    // Macro-F1 breaks an accuracy tie.
    QCOMPARE(saved_epochs(policy, {{0.7, 0.5}, {0.7, 0.6}, {0.7, 0.55}}), (Epochs{1, 2}));
  }

  void distillTiesGoToTheLaterEpochOnlyWithGroupLasso() {
    const std::vector<EpochScores> tied = {{0.7, 0.6}, {0.7, 0.6}, {0.7, 0.6}};
    QCOMPARE(saved_epochs(DistillBestEpoch(0, false), tied), Epochs{1});
    QCOMPARE(saved_epochs(DistillBestEpoch(0, true), tied), (Epochs{1, 2, 3}));
    // Still only on a full tie: a lower F1 does not win.
    QCOMPARE(saved_epochs(DistillBestEpoch(0, true), {{0.7, 0.6}, {0.7, 0.5}}), Epochs{1});
  }

  void distillNanNeverReplacesTheKeptEpoch() {
    QCOMPARE(saved_epochs(DistillBestEpoch(0, false), {{0.5, 0.5}, {kNan, kNan}}), Epochs{1});
    QCOMPARE(saved_epochs(DistillBestEpoch(0, true), {{0.5, 0.5}, {0.5, kNan}}), Epochs{1});
    QCOMPARE(saved_epochs(DistillBestEpoch(0.05, false), {{0.5, 0.5, 9}, {kNan, 0.5, 1}}),
             Epochs{1});
    // Without a tolerance a run always keeps its first epoch; with one a NaN is within none.
    QCOMPARE(saved_epochs(DistillBestEpoch(0, false), {{kNan, kNan}}), Epochs{1});
    QCOMPARE(saved_epochs(DistillBestEpoch(0.05, false), {{kNan, kNan, 1}, {0.5, 0.5, 9}}),
             Epochs{2});
  }

  void distillSparseToleranceKeepsTheSparsestCloseEpoch() {
    const DistillBestEpoch policy(0.02, false);
    // Epoch 2 is 0.01 below epoch 1 but sparser: kept. Epoch 3 is sparser still but 0.03 below
    // the best accuracy: not kept.
    QCOMPARE(saved_epochs(policy, {{0.80, 0.8, 100}, {0.79, 0.8, 50}, {0.77, 0.8, 10}}),
             (Epochs{1, 2}));
    // Equal sparsity: the higher (or equal, later) accuracy wins; a lower one does not.
    QCOMPARE(
        saved_epochs(policy, {{0.80, 0.8, 50}, {0.81, 0.1, 50}, {0.81, 0.1, 50}, {0.80, 0.9, 50}}),
        (Epochs{1, 2, 3}));
    // A denser epoch within the tolerance does not replace a sparser one.
    QCOMPARE(saved_epochs(policy, {{0.80, 0.8, 50}, {0.81, 0.8, 60}}), Epochs{1});
  }

  void distillSparseToleranceMovesWithTheBestAccuracy() {
    const DistillBestEpoch policy(0.02, false);
    // Epoch 2 (0.85) pushes the sparse epoch 1 (0.80) out of the tolerance: epoch 2 is kept
    // though denser. Epoch 3 is within 0.02 of 0.85 and sparser: kept. Epoch 4 is as sparse
    // as anything but below the moved floor.
    QCOMPARE(
        saved_epochs(policy, {{0.80, 0.8, 10}, {0.85, 0.8, 90}, {0.84, 0.8, 40}, {0.82, 0.8, 5}}),
        (Epochs{1, 2, 3}));
    // The floor is inclusive: exactly the tolerance below the best still counts.
    QCOMPARE(saved_epochs(DistillBestEpoch(0.25, false), {{0.75, 0.8, 90}, {0.5, 0.8, 10}}),
             (Epochs{1, 2}));
  }

  void distillRemembersTheKeptScores() {
    DistillBestEpoch policy(0, false);
    QVERIFY(!policy.best());
    policy.offer({0.6, 0.5, 7});
    policy.offer({0.5, 0.9, 3});
    QVERIFY(policy.best());
    QCOMPARE(policy.best()->accuracy, 0.6);
    QCOMPARE(policy.best()->alive, int64_t(7));
  }

  // Each rule words itself for the GUI ("say why"): the rule that chose the epoch and the
  // scores that made it, checked against the epoch the rule itself keeps.
  void rulesDescribeTheirChoice() {
    // Epoch 2 peaks; epoch 3 is within 0.03 of it with fewer alive components.
    const std::vector<EpochScores> dev = {{0.30, 0.28, 200}, {0.425, 0.40, 180}, {0.396, 0.37, 90}};
    std::vector<NumberedEpoch> epochs;
    for (std::size_t e = 0; e < dev.size(); ++e) epochs.push_back({int(e + 1), dev[e], true});

    const DistillBestEpoch sparse(0.03, true);
    QCOMPARE(saved_epochs(sparse, dev).back(), 3);
    QCOMPARE(sparse.describe(3, epochs),
             std::string("kept epoch 3 (dev accuracy 0.396): the sparsest epoch within 0.03 of the "
                         "best dev accuracy 0.425 (epoch 2); 90 ISS components alive"));
    const DistillBestEpoch best(0, false);
    QCOMPARE(saved_epochs(best, dev).back(), 2);
    QCOMPARE(best.describe(2, epochs),
             std::string("kept epoch 2 (dev accuracy 0.425): the best dev accuracy"));
    QCOMPARE(
        DistillBestEpoch(0, true).describe(2, epochs),
        std::string("kept epoch 2 (dev accuracy 0.425): the best dev accuracy (of equal epochs "
                    "the later, sparser one)"));
    // Without alive counts the sentence does not invent them; no kept epoch, no sentence.
    epochs[2].alive_known = false;
    QVERIFY(sparse.describe(3, epochs).find("alive") == std::string::npos);
    QVERIFY(sparse.describe(0, epochs).empty());

    QCOMPARE(FinetuneBestEpoch::describe(2, epochs),
             std::string("kept epoch 2: the best dev macro-F1 0.400 (accuracy 0.425 breaks ties)"));
    QCOMPARE(FinetuneBestEpoch::describe(7, epochs),
             std::string("kept epoch 7: the best dev macro-F1"));
    QVERIFY(FinetuneBestEpoch::describe(0, epochs).empty());
  }
};

QTEST_APPLESS_MAIN(TestBestEpoch)
#include "test_best_epoch.moc"
