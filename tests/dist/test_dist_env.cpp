// The environment of a distributed job (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK)
// and how a global batch is shared out between the ranks.
#include <QtTest>

#include <map>
#include <string>

#include "core/error.h"
#include "dist/dist_context.h"
#include "dist/dist_env.h"

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
