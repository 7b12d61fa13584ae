// ISS group norms against masks built by hand, zeroed components, the group lasso effect, and
// the distillation loss on fixed numbers.
#include <QtTest>

#include <cmath>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "core/error.h"
#include "student/iss.h"
#include "student/loss.h"
#include "student/student_model.h"

using namespace kdw;

namespace {

StudentArch small_arch(StudentType type) {
  StudentArch a = StudentArch::make(type, 17, 4, 3, 2, {"x", "y"}, 0.0);
  if (type == StudentType::kStackBiLSTM) a.hidden = {{3, 2}, {2, 4}};
  return a;
}

// Mask of everything unit j of (layer, dir) owns, built slice by slice from the definition.
std::map<std::string, at::Tensor> unit_masks(const StudentModelImpl& m, int layer, int dir,
                                             int64_t j) {
  std::map<std::string, at::Tensor> masks;
  for (const auto& p : m.named_parameters()) masks[p.key()] = at::zeros_like(p.value(), at::kBool);
  const auto& a = m.arch();
  const int64_t H = a.hidden[layer][dir];
  const std::string p = "layers." + std::to_string(layer) + (dir ? ".bwd." : ".fwd.");
  for (int g = 0; g < 4; ++g)
    for (const char* n : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
      masks[p + n][g * H + j] = true;
  masks[p + "weight_hh"].select(1, j).fill_(true);
  const int64_t col = dir ? a.hidden[layer][0] + j : j;
  if (layer + 1 == static_cast<int>(a.hidden.size())) {
    masks["classifier.weight"].select(1, col).fill_(true);
  } else {
    const std::string next = "layers." + std::to_string(layer + 1);
    for (int d = 0; d < a.num_directions(); ++d)
      masks[next + (d ? ".bwd" : ".fwd") + ".weight_ih"].select(1, col).fill_(true);
  }
  return masks;
}

double masked_norm(const StudentModelImpl& m, const std::map<std::string, at::Tensor>& masks) {
  double sq = 0;
  for (const auto& p : m.named_parameters())
    sq += (p.value().pow(2) * masks.at(p.key())).sum().item<double>();
  return std::sqrt(sq);
}

}  // namespace

class TestStudentIss : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(3); }

  void normsEqualHandComputed_data() {
    QTest::addColumn<int>("type");
    QTest::newRow("LSTM") << 0;
    QTest::newRow("biLSTM") << 1;
  }
  void normsEqualHandComputed() {
    QFETCH(int, type);
    StudentModel m(small_arch(type ? StudentType::kStackBiLSTM : StudentType::kStackLSTM));
    const auto groups = iss_group_norms(*m);
    QCOMPARE(groups.size(), m->arch().hidden.size() * std::size_t(m->arch().num_directions()));
    double total = 0;
    for (const auto& g : groups) {
      QCOMPARE(g.norms.numel(), m->arch().hidden[g.layer][g.direction]);
      for (int64_t j = 0; j < g.norms.numel(); ++j) {
        const double expected = masked_norm(*m, unit_masks(*m, g.layer, g.direction, j));
        QVERIFY(std::abs(g.norms[j].item<double>() - expected) < 1e-5);
        total += expected;
      }
    }
    QVERIFY(std::abs(group_lasso_penalty(*m).item<double>() - total) < 1e-4);
  }

  void zeroedUnitContributesNothing() {
    StudentModel m(small_arch(StudentType::kStackBiLSTM));
    m->eval();
    // Remove layer 0 fwd unit 1 and layer 1 bwd unit 2.
    std::vector<torch::Tensor> remove;
    for (const auto& g : iss_group_norms(*m))
      remove.push_back(at::zeros({g.norms.numel()}, at::kBool));
    remove[0][1] = true;
    remove[3][2] = true;
    zero_iss_components(*m, remove);
    const auto norms = iss_group_norms(*m);
    QVERIFY(norms[0].norms[1].item<double>() < 1e-6);
    QVERIFY(norms[3].norms[2].item<double>() < 1e-6);
    QVERIFY(norms[0].norms[0].item<double>() > 1e-3);
    QCOMPARE(alive_components(*m, 0.0), (std::vector<std::vector<int64_t>>{{2, 2}, {2, 3}}));

    torch::NoGradGuard no_grad;
    const auto ids = at::randint(1, 17, {6, 8}, at::kLong);
    const auto len = at::tensor({8, 1, 5, 3, 8, 2}, at::kLong);
    const auto before = m->forward(ids, len);
    // A zeroed unit's state stays 0 for every input: then whatever reads it cannot matter.
    m->param("layers.1.fwd.weight_ih").select(1, 1).normal_();
    m->param("layers.1.bwd.weight_ih").select(1, 1).normal_();
    m->param("layers.0.fwd.weight_hh").select(1, 1).normal_();
    m->param("classifier.weight").select(1, 2 + 2).normal_();
    m->param("layers.1.bwd.weight_hh").select(1, 2).normal_();
    QVERIFY(at::allclose(m->forward(ids, len), before, 0, 1e-6));
    // ...whereas a live unit's reader does matter.
    m->param("classifier.weight").select(1, 0).add_(1.0);
    QVERIFY(!at::allclose(m->forward(ids, len), before, 0, 1e-6));
  }

  void groupLassoShrinksNorms() {
    auto train = [](double lambda) {
      torch::manual_seed(11);
      StudentModel m(small_arch(StudentType::kStackBiLSTM));
      const auto ids = at::randint(1, 17, {16, 6}, at::kLong);
      const auto len = at::randint(1, 7, {16}, at::kLong);
      const auto gold = at::randint(0, 2, {16}, at::kLong);
      torch::optim::Adam opt(m->parameters(), torch::optim::AdamOptions(1e-2));
      for (int step = 0; step < 40; ++step) {
        auto loss =
            distill_loss(m->forward(ids, len), at::zeros({16, 2}), gold, 1.0, 1.0, "mse").total;
        if (lambda > 0) loss = loss + lambda * group_lasso_penalty(*m);
        opt.zero_grad();
        loss.backward();
        opt.step();
      }
      torch::NoGradGuard no_grad;
      return group_lasso_penalty(*m).item<double>();
    };
    const double plain = train(0.0), lasso = train(0.05);
    QVERIFY2(lasso < 0.8 * plain, (std::to_string(lasso) + " vs " + std::to_string(plain)).c_str());
  }

  void lossValuesByHand() {
    const double s[2][3] = {{1, 2, 0}, {0, 1, 3}}, t[2][3] = {{0.5, 1, 1}, {2, 0, 1}};
    const int64_t gold[2] = {1, 2};
    const auto student = at::tensor({1.f, 2.f, 0.f, 0.f, 1.f, 3.f}).view({2, 3});
    const auto teacher = at::tensor({0.5f, 1.f, 1.f, 2.f, 0.f, 1.f}).view({2, 3});
    const auto labels = at::tensor({gold[0], gold[1]}, at::kLong);
    auto log_softmax = [](const double* x, double T, int k) {
      double z = 0;
      for (int i = 0; i < 3; ++i) z += std::exp(x[i] / T);
      return x[k] / T - std::log(z);
    };
    double ce = 0, mse = 0, kl = 0;
    const double T = 2.0;
    for (int r = 0; r < 2; ++r) {
      ce -= log_softmax(s[r], 1, int(gold[r])) / 2;
      for (int k = 0; k < 3; ++k) {
        mse += (s[r][k] - t[r][k]) * (s[r][k] - t[r][k]) / 6;
        const double lp = log_softmax(t[r], T, k);
        kl += std::exp(lp) * (lp - log_softmax(s[r], T, k)) / 2;
      }
    }
    kl *= T * T;
    const auto m = distill_loss(student, teacher, labels, 0.3, T, "mse");
    QVERIFY(std::abs(m.ce.item<double>() - ce) < 1e-5);
    QVERIFY(std::abs(m.distill.item<double>() - mse) < 1e-5);
    QVERIFY(std::abs(m.total.item<double>() - (0.3 * ce + 0.7 * mse)) < 1e-5);
    const auto k = distill_loss(student, teacher, labels, 0.3, T, "kl");
    QVERIFY(std::abs(k.distill.item<double>() - kl) < 1e-5);
    QVERIFY(std::abs(k.total.item<double>() - (0.3 * ce + 0.7 * kl)) < 1e-5);
    QVERIFY_THROWS_EXCEPTION(Error, distill_loss(student, teacher, labels, 0.3, T, "l1"));
  }
};

QTEST_APPLESS_MAIN(TestStudentIss)
#include "test_student_iss.moc"
