// kdw distill's resume in one process: a run cancelled after its first epoch and resumed with
// more epochs ends with the weights, metrics and result of a run that was never stopped, and a
// resume with other settings is refused in one line naming the field, leaving the run as it was.
#include <QTemporaryDir>
#include <QtTest>

#include <optional>
#include <sstream>

#include "core/atomic_output.h"
#include "core/error.h"
#include "student/distill.h"
#include "student/run_folder.h"
#include "synthetic_data.h"

using namespace kdw;
namespace fs = std::filesystem;

namespace {

// Dropout, group lasso with a warm-up and a ramp, and an ISS threshold: everything the
// checkpoint must carry across (weights, Adam, kept epoch, schedule, dropout's generator).
DistillOptions options(const fs::path& data, const fs::path& out, int epochs) {
  DistillOptions o;
  o.data_path = data;
  o.output_dir = out;
  o.model_type = StudentType::kStackBiLSTM;
  o.hidden_size = 6;
  o.emb_dim = 5;
  o.dropout = 0.3;
  o.epochs = epochs;
  o.batch_size = 8;
  o.lr = 1e-2;
  o.log_every = 2;
  o.group_lasso = 1e-3;
  o.lasso_warmup = 1;
  o.lasso_ramp = 1;
  o.iss_threshold = 1e-4;
  return o;
}

// Cancelled at the first step after epoch 1's record: the run folder keeps epoch 1's checkpoint.
fs::path cancelled_run(const DistillOptions& o) {
  JobContext job;
  job.set_metric_sink([&](const nlohmann::json& r) {
    if (r["kind"] == "epoch") job.request_cancel();
  });
  try {
    run_distill(o, job);
  } catch (const CancelledWithResult& c) {
    return c.partial<DistillResult>().run_dir;
  }
  return {};
}

// metrics.jsonl without the timings.
std::vector<nlohmann::json> metrics(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::istringstream in(read_file(RunFolder(run).metrics_file()));
  for (std::string line; std::getline(in, line);) {
    nlohmann::json r = nlohmann::json::parse(line);
    r.erase("samples_per_s");
    out.push_back(r);
  }
  return out;
}

}  // namespace

class TestDistillResume : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void resumedRunEqualsUninterrupted() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    testing::write_synthetic_data(root / "data");
    JobContext job;
    const DistillResult whole = run_distill(options(root / "data", root / "whole", 3), job);
    QVERIFY(!fs::exists(RunFolder(whole.run_dir).checkpoint_dir()));  // a finished run has none

    // Started for 2 epochs, stopped after 1, resumed for 3: epochs may grow.
    const fs::path run = cancelled_run(options(root / "data", root / "parts", 2));
    QVERIFY(!run.empty());
    QVERIFY(fs::exists(RunFolder(run).checkpoint_dir() / "state.json"));
    DistillOptions more = options(root / "data", root / "parts", 3);
    more.resume = run;
    const DistillResult resumed = run_distill(more, job);
    QCOMPARE(resumed.run_dir, run);
    QVERIFY(!fs::exists(RunFolder(run).checkpoint_dir()));

    QCOMPARE(read_file(resumed.model_file), read_file(whole.model_file));
    QVERIFY(metrics(run) == metrics(whole.run_dir));
    nlohmann::json a = nlohmann::json::parse(read_file(RunFolder(run).result_file()));
    nlohmann::json b = nlohmann::json::parse(read_file(RunFolder(whole.run_dir).result_file()));
    for (const char* key : {"epochs_done", "steps", "best_epoch", "dev", "test", "stopped"})
      QVERIFY2(a[key] == b[key], key);
    QCOMPARE(nlohmann::json::parse(read_file(RunFolder(run).config_file()))["epochs"].get<int>(),
             3);
  }

  void otherSettingsAreRefusedInOneLine() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    testing::write_synthetic_data(root / "data");
    const fs::path run = cancelled_run(options(root / "data", root / "runs", 3));
    QVERIFY(!run.empty());
    const std::string metrics_before = read_file(RunFolder(run).metrics_file());
    const std::string state_before = read_file(RunFolder(run).checkpoint_dir() / "state.json");
    DistillOptions other = options(root / "data", root / "runs", 3);
    other.resume = run;
    other.lr = 2e-2;
    std::string message;
    JobContext job;
    try {
      run_distill(other, job);
    } catch (const Error& e) {
      message = e.what();
    }
    QVERIFY2(message.find("config.json") != std::string::npos, message.c_str());
    QVERIFY2(message.find("field lr ") != std::string::npos, message.c_str());
    QVERIFY(message.find('\n') == std::string::npos);
    QCOMPARE(read_file(RunFolder(run).metrics_file()), metrics_before);
    QCOMPARE(read_file(RunFolder(run).checkpoint_dir() / "state.json"), state_before);
  }
};

QTEST_GUILESS_MAIN(TestDistillResume)
#include "test_distill_resume.moc"
