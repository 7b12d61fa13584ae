// run_distill's option checks (NaN / infinity, student sizes) and its divergence stop: what the
// CLI and the GUI both get, checked at the engine (issue 11, items 4 and 7).
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <limits>

#include "core/atomic_output.h"
#include "core/error.h"
#include "student/distill.h"
#include "synthetic_data.h"

using namespace kdw;
namespace fs = std::filesystem;

namespace {

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

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
  return o;
}

// The UsageError's message, or "" when run_distill did not throw one.
std::string usage_error_of(const DistillOptions& o) {
  JobContext job;
  try {
    run_distill(o, job);
  } catch (const UsageError& e) {
    return e.what();
  }
  return {};
}

// The message of the kdw::Error a distillation must end with (a usage error is reported as one,
// so that the caller's check of the message fails).
std::string failure_of(const DistillOptions& o) {
  JobContext job;
  try {
    run_distill(o, job);
  } catch (const UsageError& e) {
    return std::string("usage error: ") + e.what();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::vector<fs::path> folders_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) out.push_back(entry.path());
  return out;
}

}  // namespace

class TestDistillChecks : public QObject {
  Q_OBJECT

 private:
  QTemporaryDir dir_;
  fs::path data_, out_;

 private Q_SLOTS:
  void initTestCase() {
    data_ = fs::path(dir_.path().toStdString()) / "data";
    out_ = fs::path(dir_.path().toStdString()) / "runs";
    testing::write_synthetic_data(data_);
  }

  void nonFiniteOptionsAreRefused() {
    // --dropout nan trained a whole run into a model no verb could load; --alpha nan and
    // --lr inf finished with all-NaN weights.
    const std::vector<std::pair<std::string, double DistillOptions::*>> fields = {
        {"dropout", &DistillOptions::dropout},
        {"lr", &DistillOptions::lr},
        {"alpha", &DistillOptions::alpha},
        {"temperature", &DistillOptions::temperature},
        {"group_lasso", &DistillOptions::group_lasso},
        {"iss_threshold", &DistillOptions::iss_threshold},
        {"sparse_tolerance", &DistillOptions::sparse_tolerance},
        {"max_grad_norm", &DistillOptions::max_grad_norm}};
    for (const auto& [name, field] : fields)
      for (const double bad : {kNan, kInf, -kInf}) {
        DistillOptions o = tiny_options(data_, out_);
        o.*field = bad;
        const std::string e = usage_error_of(o);
        QVERIFY2(e.rfind(name + " must be a finite number", 0) == 0, (name + ": " + e).c_str());
      }
    DistillOptions o = tiny_options(data_, out_);
    o.dropout = kNan;
    QCOMPARE(usage_error_of(o), std::string("dropout must be a finite number in [0, 1): got nan"));
    QVERIFY(!fs::exists(out_));  // refused before anything was written
  }

  void studentSizesAreBoundedBeforeAllocation() {
    // These ended as "internal error" after trying to allocate tens of gigabytes or more.
    DistillOptions o = tiny_options(data_, out_);
    o.hidden_size = 30000;
    QCOMPARE(usage_error_of(o), std::string("hidden_size must be in 1..16384: got 30000"));
    o = tiny_options(data_, out_);
    o.emb_dim = 1000000000;
    QCOMPARE(usage_error_of(o), std::string("emb_dim must be in 1..16384: got 1000000000"));
    // Within each limit, but about 10^11 parameters together: refused on its memory.
    o = tiny_options(data_, out_);
    o.hidden_size = 16384;
    o.emb_dim = 16384;
    o.num_layers = 16;
    const std::string e = usage_error_of(o);
    QVERIFY2(e.find("hidden_size 16384") != std::string::npos &&
                 e.find("GB of memory") != std::string::npos,
             e.c_str());
    QVERIFY(!fs::exists(out_));
  }

  void divergingTrainingStopsWithoutABrokenModel() {
    // A finite but absurd learning rate: the first Adam step moves every weight by ~1e30.
    DistillOptions o = tiny_options(data_, out_);
    o.lr = 1e30;
    o.max_grad_norm = 0;
    const std::string error = failure_of(o);
    QVERIFY2(error.rfind("distillation diverged (loss ", 0) == 0, error.c_str());
    QVERIFY2(error.find("no model was saved") != std::string::npos, error.c_str());
    const std::vector<fs::path> runs = folders_in(out_);
    QCOMPARE(runs.size(), std::size_t(1));
    QVERIFY(!fs::exists(runs[0] / "model_distill_stack_biLSTM.pt"));
    const auto result = nlohmann::json::parse(read_file(runs[0] / "result.json"));
    QVERIFY2(result["failed"].get<std::string>().find("diverged") != std::string::npos,
             result.dump().c_str());
    fs::remove_all(out_);
  }

  void divergingAfterAGoodEpochKeepsThatEpochsModel() {
    // One batch per epoch (48 training samples, batch_size 64): epoch 1 is a single step, from
    // small initial weights, so its loss is finite and the epoch completes (finite weights, dev
    // evaluation, model saved). That Adam step moves every weight by ~lr = 1e30, so the next
    // step, the first of epoch 2, has logits of ~1e30 and an infinite MSE loss.
    DistillOptions o = tiny_options(data_, out_);
    o.lr = 1e30;
    o.max_grad_norm = 0;
    o.batch_size = 64;
    o.epochs = 3;
    const std::string error = failure_of(o);
    QVERIFY2(error.rfind("distillation diverged (loss ", 0) == 0, error.c_str());
    QVERIFY2(error.find("at step 2 (epoch 2)") != std::string::npos, error.c_str());
    QVERIFY2(error.find("the run folder keeps the model of epoch 1: ") != std::string::npos,
             error.c_str());
    const std::vector<fs::path> runs = folders_in(out_);
    QCOMPARE(runs.size(), std::size_t(1));
    const fs::path model = runs[0] / "model_distill_stack_biLSTM.pt";
    QVERIFY(fs::exists(model));
    QVERIFY2(error.find(model.string()) != std::string::npos, error.c_str());

    const auto result = nlohmann::json::parse(read_file(runs[0] / "result.json"));
    const std::string text = result.dump();
    QVERIFY2(result["failed"].get<std::string>().rfind("distillation diverged (loss ", 0) == 0,
             text.c_str());
    QCOMPARE(result["epochs_done"].get<int>(), 1);
    QCOMPARE(result["steps"].get<int>(), 1);
    QCOMPARE(result["stopped"].get<bool>(), false);
    QCOMPARE(result["best_epoch"].get<int>(), 1);
    QCOMPARE(result["model_file"].get<std::string>(), model.filename().string());
    QCOMPARE(result["bytes"].get<int64_t>(), int64_t(fs::file_size(model)));
    QVERIFY2(!result.contains("test"), text.c_str());  // a failed run is not tested

    // The dev figures are epoch 1's, as metrics.jsonl recorded them, and the kept model is the
    // one that scored them: evaluated again, it gives the same dev figures.
    std::vector<nlohmann::json> epochs;
    std::ifstream metrics(runs[0] / "metrics.jsonl");
    for (std::string line; std::getline(metrics, line);) {
      const auto record = nlohmann::json::parse(line);
      if (record["kind"] == "epoch") epochs.push_back(record);
    }
    QCOMPARE(epochs.size(), std::size_t(1));
    QCOMPARE(result["dev"].dump(), epochs[0]["dev"].dump());
    EvaluateOptions e;
    e.data_path = data_;
    e.model_file = model;
    JobContext job;
    const EvaluateResult kept = evaluate_student(e, job);
    QCOMPARE(kept.report.dev.accuracy, result["dev"]["accuracy"].get<double>());
    QCOMPARE(kept.report.dev.macro_f1, result["dev"]["macro_f1"].get<double>());
    fs::remove_all(out_);
  }

  void evaluationBatchSizeIsChecked() {
    EvaluateOptions e;
    e.data_path = data_;
    e.model_file = out_ / "none.pt";
    e.batch_size = 0;
    JobContext job;
    try {
      evaluate_student(e, job);
      QFAIL("no error");
    } catch (const UsageError& err) {
      QCOMPARE(std::string(err.what()), std::string("batch_size must be in 1..65536: got 0"));
    }
  }
};

QTEST_GUILESS_MAIN(TestDistillChecks)
#include "test_distill_checks.moc"
