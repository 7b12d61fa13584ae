// Rank 0's state on every rank (dist::broadcast_from_rank0, dist::broadcast_optimizer_state),
// as a distributed fine-tuning or distillation resumes: two ranks as two threads of this
// process over Gloo on localhost. Tensors and text arrive whole, a strided tensor included;
// Adam's step counts and moments follow rank 0's (a rank's own state where rank 0 has none is
// dropped); tensors whose names or shapes differ between the ranks stop both ranks with the
// same line before any value travels.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QtTest>

#include <functional>
#include <string>
#include <thread>

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/optim/adam.h>

#include "core/torch_compat.h"
#include "dist/broadcast_state.h"
#include "dist/dist_context.h"
#include "free_port.h"

namespace {

using kdw::test::free_port;

using kdw::dist::DistContext;
using kdw::dist::NamedTensors;

// Runs `body(rank, context)` on two ranks (rank 1 on a thread); returns each rank's error.
std::pair<std::string, std::string> on_two_ranks(
    const std::function<void(int, DistContext&)>& body) {
  const int port = free_port();
  std::string errors[2];
  auto run = [&](int rank) {
    try {
      kdw::dist::DistEnv env;
      env.rank = rank;
      env.world = 2;
      env.master_port = static_cast<uint16_t>(port);
      const auto ctx = DistContext::connect(env, std::chrono::seconds(60));
      body(rank, *ctx);
      ctx->barrier();
    } catch (const std::exception& e) {
      errors[rank] = e.what();
    }
  };
  std::thread t1(run, 1);
  run(0);
  t1.join();
  return {errors[0], errors[1]};
}

// Values that differ by rank (no random generator: the threads share it).
at::Tensor values(std::vector<int64_t> shape, int rank, double scale = 1) {
  return at::arange(0, c10::multiply_integers(shape), at::kFloat)
      .mul_(0.3 * scale + rank)
      .sin_()
      .reshape(shape);
}

const torch::optim::AdamParamState* state_of(const torch::optim::Adam& adam, const at::Tensor& p) {
  const auto it = adam.state().find(kdw::compat::optimizer_state_key(p));
  return it == adam.state().end() ? nullptr
                                  : &static_cast<const torch::optim::AdamParamState&>(*it->second);
}

struct RankState {
  std::vector<at::Tensor> params;
  at::Tensor base;  // seen through a transposed (strided) view
  std::string text;
  std::vector<int64_t> steps;
  std::vector<at::Tensor> moments;
};

}  // namespace

class TestBroadcastState : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { at::set_num_threads(1); }

  void rankZerosStateReachesEveryRank() {
    RankState got[2];
    const auto [e0, e1] = on_two_ranks([&](int rank, DistContext& dist) {
      RankState& s = got[rank];
      for (int k = 0; k < 3; ++k)
        s.params.push_back(values({4, 3 + k}, rank, k + 1).set_requires_grad(true));
      torch::optim::Adam adam(s.params, torch::optim::AdamOptions(0.1));
      // Rank 0: two steps of the first two parameters, none of the third; rank 1: one step of
      // the third only (state rank 0 has not, which it must lose).
      for (int step = 0; step < (rank == 0 ? 2 : 1); ++step) {
        for (int k = 0; k < 3; ++k)
          s.params[std::size_t(k)].mutable_grad() =
              (rank == 0) == (k < 2) ? values({4, 3 + k}, 2 + step, k + 1) : at::Tensor();
        adam.step();
      }
      s.base = values({3, 2}, rank);
      NamedTensors tensors;
      for (int k = 0; k < 3; ++k)
        tensors.emplace_back("layer" + std::to_string(k), s.params[std::size_t(k)]);
      tensors.emplace_back("strided", s.base.t());
      s.text = rank == 0 ? "{\"epoch\": 2}\nand a second line" : "rank 1's own";
      kdw::dist::broadcast_from_rank0(dist, tensors, s.text);
      kdw::dist::broadcast_optimizer_state(dist, adam, {tensors.begin(), tensors.begin() + 3});
      for (const at::Tensor& p : s.params) {
        const auto* st = state_of(adam, p);
        s.steps.push_back(st ? st->step() : 0);
        if (st) {
          s.moments.push_back(st->exp_avg().clone());
          s.moments.push_back(st->exp_avg_sq().clone());
        }
      }
    });
    QVERIFY2(e0.empty(), e0.c_str());
    QVERIFY2(e1.empty(), e1.c_str());
    for (std::size_t k = 0; k < 3; ++k) QVERIFY(at::equal(got[1].params[k], got[0].params[k]));
    QVERIFY(at::equal(got[1].base, got[0].base));
    QVERIFY(!at::equal(got[0].base, values({3, 2}, 1)));  // rank 1's own values are gone
    QCOMPARE(got[1].text, std::string("{\"epoch\": 2}\nand a second line"));
    QCOMPARE(got[0].text, got[1].text);
    QCOMPARE(got[0].steps, (std::vector<int64_t>{2, 2, 0}));
    QCOMPARE(got[1].steps, got[0].steps);
    QCOMPARE(got[1].moments.size(), std::size_t(4));
    QCOMPARE(got[0].moments.size(), std::size_t(4));
    for (std::size_t i = 0; i < 4; ++i) QVERIFY(at::equal(got[1].moments[i], got[0].moments[i]));
  }

  // A tensor of another shape, or one rank 0 lacks: both ranks stop with the same line naming
  // the rank and the tensor; no value has travelled.
  void differentTensorsStopEveryRank_data() {
    QTest::addColumn<bool>("extra");
    QTest::addColumn<QString>("expected");
    QTest::newRow("shape") << false
                           << "rank 1 has tensor b as Float [2, 3], rank 0 as Float [3, 2]: ";
    QTest::newRow("extra") << true
                           << "rank 1 has tensor c, which rank 0 has not (3 tensors against 2): ";
  }
  void differentTensorsStopEveryRank() {
    QFETCH(bool, extra);
    QFETCH(QString, expected);
    at::Tensor a1;
    std::string text1 = "kept";
    const auto [e0, e1] = on_two_ranks([&](int rank, DistContext& dist) {
      at::Tensor a = values({5}, rank);
      NamedTensors tensors{
          {"a", a}, {"b", rank == 1 && !extra ? values({2, 3}, rank) : values({3, 2}, rank)}};
      if (rank == 1 && extra) tensors.emplace_back("c", values({1}, rank));
      if (rank == 1) a1 = a;
      std::string text = rank == 0 ? "rank 0's" : "kept";
      kdw::dist::broadcast_from_rank0(dist, tensors, text);
      if (rank == 1) text1 = text;
    });
    QVERIFY2(e0.rfind(expected.toStdString(), 0) == 0, e0.c_str());
    QCOMPARE(e1, e0);
    QVERIFY(at::equal(a1, values({5}, 1)));
    QCOMPARE(text1, std::string("kept"));
  }

  void singleProcessChangesNothing() {
    DistContext single;
    at::Tensor t = values({3}, 0);
    std::string text = "mine";
    kdw::dist::broadcast_from_rank0(single, {{"t", t}}, text);
    QCOMPARE(text, std::string("mine"));
    QVERIFY(at::equal(t, values({3}, 0)));
  }
};

QTEST_GUILESS_MAIN(TestBroadcastState)
#include "test_broadcast_state.moc"
