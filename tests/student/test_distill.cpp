// run_distill / evaluate_student on a tiny synthetic data folder: run folder contents,
// determinism, cancellation and the input checks.
#include <QTemporaryDir>
#include <QtTest>

#include <optional>

#include "core/atomic_output.h"
#include "core/error.h"
#include "formats/npy.h"
#include "student/distill.h"
#include "student/iss.h"
#include "synthetic_data.h"

using namespace kdw;
namespace fs = std::filesystem;

namespace {

DistillOptions tiny_options(const fs::path& data, const fs::path& out) {
  DistillOptions o;
  o.data_path = data;
  o.output_dir = out;
  o.model_type = StudentType::kStackBiLSTM;
  o.hidden_size = 6;
  o.emb_dim = 5;
  o.epochs = 2;
  o.batch_size = 8;
  o.lr = 1e-2;
  o.log_every = 2;
  return o;
}

std::string error_of(const DistillOptions& o) {
  JobContext job;
  try {
    run_distill(o, job);
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

}  // namespace

class TestDistill : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void runFolderAndDeterminism() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    testing::write_synthetic_data(data);
    JobContext job;
    int records = 0;
    job.set_metric_sink([&](const nlohmann::json&) { ++records; });
    DistillOptions o = tiny_options(data, fs::path(dir.path().toStdString()) / "runs");
    o.group_lasso = 1e-3;
    o.iss_threshold = 1e-4;
    const DistillResult a = run_distill(o, job);
    for (const char* f :
         {"config.json", "metrics.jsonl", "result.json", "model_distill_stack_biLSTM.pt"})
      QVERIFY2(fs::exists(a.run_dir / f), f);
    QVERIFY(records >= 2 + 2);
    const auto result = nlohmann::json::parse(read_file(a.run_dir / "result.json"));
    QCOMPARE(result, nlohmann::json(a.report));
    QCOMPARE(result["stopped"].get<bool>(), false);
    QVERIFY(result["test"]["accuracy"].get<double>() >= 0);
    QCOMPARE(result["arch"]["hidden"], nlohmann::json::parse("[[6,6],[6,6]]"));

    const DistillResult b = run_distill(o, job);  // same second is fine: a fresh folder each time
    QVERIFY(a.run_dir != b.run_dir);
    QCOMPARE(nlohmann::json(b.report)["dev"], result["dev"]);
    QCOMPARE(nlohmann::json(b.report)["test"], result["test"]);
    QCOMPARE(read_file(b.model_file), read_file(a.model_file));

    EvaluateOptions e;
    e.data_path = data;
    e.model_file = a.model_file;
    const nlohmann::json report = evaluate_student(e, job).report;
    QCOMPARE(report["dev"]["accuracy"], result["dev"]["accuracy"]);
    QCOMPARE(report["test"]["macro_f1"], result["test"]["macro_f1"]);
    QVERIFY(report["latency_ms_per_sample"].get<double>() > 0);
  }

  // A threshold above every norm zeroes all but the strongest unit of each layer/direction:
  // a layer keeps one unit, as in the cut, so nothing downstream goes silent.
  void issThresholdKeepsOneUnitPerLayer() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    testing::write_synthetic_data(data);
    JobContext job;
    std::vector<nlohmann::json> alive;
    job.set_metric_sink([&](const nlohmann::json& r) {
      if (r.contains("alive")) alive.push_back(r["alive"]);
    });
    DistillOptions o = tiny_options(data, fs::path(dir.path().toStdString()) / "runs");
    o.epochs = 1;
    o.iss_threshold = 1e6;
    const DistillResult r = run_distill(o, job);
    QVERIFY(!alive.empty());
    QCOMPARE(alive.back(), nlohmann::json::parse("[[1,1],[1,1]]"));
    const StudentModel model = load_student(r.model_file);
    for (const auto& layer : alive_components(*model, 0.0))
      for (const int64_t n : layer) QCOMPARE(n, int64_t(1));
  }

  // --sparse_tolerance: with a tolerance every epoch meets, the kept model is the sparsest epoch.
  void sparseToleranceKeepsSparsestEpoch() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    testing::write_synthetic_data(data);
    JobContext job;
    std::vector<int64_t> alive_per_epoch;
    job.set_metric_sink([&](const nlohmann::json& r) {
      if (!r.contains("alive")) return;
      int64_t total = 0;
      for (const auto& layer : r["alive"])
        for (const auto& n : layer) total += n.get<int64_t>();
      alive_per_epoch.push_back(total);
    });
    DistillOptions o = tiny_options(data, fs::path(dir.path().toStdString()) / "runs");
    o.hidden_size = 12;
    o.epochs = 5;
    o.group_lasso = 0.05;
    o.iss_threshold = 0.3;
    o.sparse_tolerance = 0.99;
    const DistillResult r = run_distill(o, job);
    QCOMPARE(int(alive_per_epoch.size()), o.epochs);
    const auto sparsest = std::min_element(alive_per_epoch.begin(), alive_per_epoch.end());
    QVERIFY2(*sparsest < alive_per_epoch.front(), "the lasso removed nothing: test too weak");
    int64_t kept_alive = 0;
    for (const auto& layer : alive_components(*load_student(r.model_file), 0.0))
      for (const int64_t n : layer) kept_alive += n;
    QCOMPARE(kept_alive, *sparsest);
    QCOMPARE(alive_per_epoch[r.report.best_epoch - 1], *sparsest);
  }

  void cancelKeepsBestModel() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    testing::write_synthetic_data(data);
    JobContext job;
    // Cancel at the first step of epoch 2: epoch 1's model must remain.
    job.set_metric_sink([&](const nlohmann::json& r) {
      if (r["kind"] == "epoch") job.request_cancel();
    });
    DistillOptions o = tiny_options(data, fs::path(dir.path().toStdString()) / "runs");
    o.epochs = 3;
    // The cancel hands back what was finished: the run folder and its best epoch.
    std::optional<DistillResult> partial;
    try {
      run_distill(o, job);
    } catch (const CancelledWithResult& c) {
      partial = c.partial<DistillResult>();
    }
    QVERIFY(partial);
    const auto runs = list_run_folders_for_test(fs::path(dir.path().toStdString()) / "runs");
    QCOMPARE(runs.size(), std::size_t(1));
    QCOMPARE(partial->run_dir, runs[0]);
    QCOMPARE(partial->model_file, runs[0] / "model_distill_stack_biLSTM.pt");
    QCOMPARE(partial->report.best_epoch, 1);
    QVERIFY(partial->report.stopped);
    const auto result = nlohmann::json::parse(read_file(runs[0] / "result.json"));
    QCOMPARE(result["stopped"].get<bool>(), true);
    QCOMPARE(result["best_epoch"].get<int>(), 1);
    QVERIFY(fs::exists(runs[0] / "model_distill_stack_biLSTM.pt"));
  }

  void inputChecksNameTheFile() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    const fs::path out = fs::path(dir.path().toStdString()) / "runs";
    testing::write_synthetic_data(data);
    // Logits with a row too few.
    write_npy(data / "logits" / "dev.npy", std::vector<float>(30, 0.f), {15, 2});
    std::string e = error_of(tiny_options(data, out));
    QVERIFY2(e.find("dev.npy") != std::string::npos && e.find("15") != std::string::npos &&
                 e.find("16") != std::string::npos,
             e.c_str());
    // Logits with three columns for two labels.
    write_npy(data / "logits" / "dev.npy", std::vector<float>(48, 0.f), {16, 3});
    e = error_of(tiny_options(data, out));
    QVERIFY2(e.find("dev.npy") != std::string::npos && e.find("labels.json") != std::string::npos,
             e.c_str());
    testing::write_synthetic_data(data);
    // An id beyond the vocabulary.
    {
      std::ofstream vocab(data / "tokens" / "vocab.txt");
      vocab << "<pad>\n<unk>\nw2\n";
    }
    e = error_of(tiny_options(data, out));
    QVERIFY2(
        e.find("train_ids.npy") != std::string::npos && e.find("vocab.txt") != std::string::npos,
        e.c_str());
    testing::write_synthetic_data(data);
    fs::remove(data / "logits" / "test.npy");
    e = error_of(tiny_options(data, out));
    QVERIFY2(e.find("test.npy") != std::string::npos, e.c_str());
    QVERIFY(!fs::exists(out));  // nothing written for bad inputs
    DistillOptions bad = tiny_options(data, out);
    bad.alpha = 2;
    JobContext job;
    QVERIFY_THROWS_EXCEPTION(UsageError, run_distill(bad, job));
  }

 private:
  static std::vector<fs::path> list_run_folders_for_test(const fs::path& parent) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(parent))
      if (e.is_directory()) out.push_back(e.path());
    return out;
  }
};

QTEST_APPLESS_MAIN(TestDistill)
#include "test_distill.moc"
