// The environment of a distributed job (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK)
// and how a global batch is shared out between the ranks.
#include <QtTest>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include <ATen/ATen.h>

#include "core/device.h"
#include "core/error.h"
#include "dist/dist_context.h"
#include "dist/dist_env.h"
#include "free_port.h"

namespace {

using Env = std::map<std::string, std::string>;

std::optional<kdw::dist::DistEnv> read(const Env& env) {
  return kdw::dist::read_dist_env([&env](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

QString error_of(const Env& env) {
  try {
    read(env);
  } catch (const kdw::Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestDistEnv : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void singleProcessWithoutVariables() { QVERIFY(!read({}).has_value()); }

  void readsAJob() {
    const auto e = read({{"RANK", "1"},
                         {"WORLD_SIZE", "3"},
                         {"LOCAL_RANK", "0"},
                         {"MASTER_ADDR", "10.0.0.2"},
                         {"MASTER_PORT", "29400"}});
    QVERIFY(e.has_value());
    QCOMPARE(e->rank, 1);
    QCOMPARE(e->world, 3);
    QCOMPARE(e->local_rank, 0);
    QCOMPARE(QString::fromStdString(e->master_addr), QString("10.0.0.2"));
    QCOMPARE(int(e->master_port), 29400);
  }

  void badInputNamesTheVariable() {
    const Env job = {{"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", "29400"}};
    auto with = [&job](Env more) {
      more.insert(job.begin(), job.end());
      return more;
    };
    QVERIFY(error_of(with({{"WORLD_SIZE", "2"}})).contains("WORLD_SIZE is set but RANK is not"));
    QVERIFY(error_of(with({{"RANK", "0"}})).contains("RANK is set but WORLD_SIZE is not"));
    QVERIFY(
        error_of(with({{"RANK", "2"}, {"WORLD_SIZE", "2"}})).contains("RANK=2 is out of range"));
    QVERIFY(error_of(with({{"RANK", "-1"}, {"WORLD_SIZE", "2"}})).contains("RANK='-1'"));
    QVERIFY(error_of(with({{"RANK", "one"}, {"WORLD_SIZE", "2"}})).contains("RANK='one'"));
    QVERIFY(error_of(with({{"RANK", "0"}, {"WORLD_SIZE", "2x"}})).contains("WORLD_SIZE='2x'"));
    QVERIFY(error_of(with({{"RANK", "0"}, {"WORLD_SIZE", "0"}})).contains("WORLD_SIZE='0'"));
    QVERIFY(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "1"}})
                .contains("MASTER_ADDR is not set"));
    QVERIFY(error_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}})
                .contains("MASTER_PORT is not set"));
    QVERIFY(error_of(with({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}))
                .contains("MASTER_PORT='70000'"));
  }

  // --dist_backend: auto is NCCL only on CUDA in a build with it; NCCL on the CPU and a backend
  // the build lacks are one line each.
  void chooseBackend() {
    using kdw::dist::Backend;
    using kdw::dist::choose_backend;
    const bool nccl = kdw::dist::backend_built(Backend::kNccl);
    const bool gloo = kdw::dist::backend_built(Backend::kGloo);
    QVERIFY(choose_backend("auto", "cpu") == Backend::kGloo);
    QVERIFY(choose_backend("auto", "cuda") == (nccl ? Backend::kNccl : Backend::kGloo));
    const auto error = [](const std::string& name, const std::string& device) -> QString {
      try {
        choose_backend(name, device);
      } catch (const kdw::UsageError& e) {
        return "usage: " + QString::fromStdString(e.what());
      } catch (const kdw::Error& e) {
        return QString::fromStdString(e.what());
      }
      return {};
    };
    QCOMPARE(error("nccl", "cpu"),
             QString("usage: dist_backend nccl runs on GPUs only: use device cuda, or "
                     "dist_backend gloo"));
    if (nccl) {
      QVERIFY(choose_backend("nccl", "cuda") == Backend::kNccl);
    } else {
      QVERIFY(error("nccl", "cuda").startsWith("this kdw was built without LibTorch's NCCL"));
    }
    if (gloo) {
      QVERIFY(choose_backend("gloo", "cuda") == Backend::kGloo);
    } else {
      QVERIFY(error("gloo", "cpu").startsWith("this kdw was built without LibTorch's Gloo"));
    }
    QVERIFY(error("mpi", "cpu").startsWith("usage: unknown dist_backend 'mpi'"));
    for (const QString& e : {error("nccl", "cpu"), error("nccl", "cuda"), error("mpi", "cpu")})
      QVERIFY(!e.contains('\n'));
  }

  // A job of one rank over NCCL (as torchrun --nproc_per_node 1 with --dist_backend nccl): a
  // build without NCCL or a machine without a GPU refuses it in one line; with a GPU its
  // collectives run there. This is the NCCL path a CPU-only CI can reach
  // (scripts/check-nccl-build.sh runs it against a CUDA LibTorch without a GPU).
  void ncclJobOfOneRank() {
    using kdw::dist::Backend;
    kdw::dist::DistEnv env;
    env.master_port = static_cast<uint16_t>(kdw::test::free_port());
    std::unique_ptr<kdw::dist::DistContext> ctx;
    QString error;
    try {
      ctx = kdw::dist::DistContext::connect(env, std::chrono::seconds(20), Backend::kNccl);
    } catch (const kdw::Error& e) {
      error = QString::fromStdString(e.what());
    }
    QVERIFY(!error.contains('\n'));
    if (!kdw::dist::backend_built(Backend::kNccl)) {
      // Without any backend a job of one is a single process; with Gloo only, NCCL is refused.
      if (kdw::dist::available())
        QVERIFY2(error.startsWith("this kdw was built without LibTorch's NCCL backend"),
                 qPrintable(error));
      else
        QVERIFY(ctx && !ctx->distributed());
      return;
    }
    if (!kdw::cuda_available()) {
      QCOMPARE(error, QString("rank 0 has LOCAL_RANK 0 but this machine has 0 CUDA GPU(s): NCCL "
                              "needs one GPU per rank on a machine"));
      return;
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(ctx->distributed());
    QVERIFY(ctx->comm_device() == c10::Device(c10::kCUDA, 0));
    std::vector<at::Tensor> mean{at::full({3}, 2.5f)};
    ctx->all_reduce_mean(mean);
    QVERIFY(mean[0].is_cpu());
    QCOMPARE(mean[0].sum().item<float>(), 7.5f);
    at::Tensor flag = at::ones({1}, at::kInt);
    ctx->broadcast(flag, 0);
    QCOMPARE(flag.item<int>(), 1);
    const at::Tensor rows = at::arange(6, at::kFloat).view({3, 2});
    QVERIFY(at::equal(ctx->gather_rows(rows), rows));
    ctx->barrier();
  }

  // A single process takes the whole batch with weight 1 and its collectives do nothing.
  void singleProcessShard() {
    kdw::dist::DistContext one;
    const auto s = one.shard({4, 7, 1});
    QCOMPARE(s.index, (std::vector<int64_t>{4, 7, 1}));
    QCOMPARE(s.weight, 1.0);
    QVERIFY(!one.average_gradients({}, false));
    QVERIFY(one.average_gradients({}, true));
  }
};

QTEST_GUILESS_MAIN(TestDistEnv)
#include "test_dist_env.moc"
