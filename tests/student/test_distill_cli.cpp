// `kdw distill` end to end on a tiny synthetic data folder: training writes a complete run folder,
// --restore_model_path reproduces result.json's metrics, bad inputs exit non-zero naming the file.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <sstream>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "formats/npy.h"
#include "synthetic_data.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  QString out, err;
};

Run run_kdw(const QStringList& args) {
  QProcess p;
  p.start(QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw"), args);
  if (!p.waitForFinished(100000)) return {-1, {}, "timeout"};
  return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

QStringList tiny(const QString& data, const QString& out) {
  return {"distill",
          "--data_path",
          data,
          "--model_type",
          "stack_biLSTM",
          "--hidden_size",
          "6",
          "--emb_dim",
          "5",
          "--epochs",
          "2",
          "--batch_size",
          "8",
          "--lr",
          "0.01",
          "--threads",
          "1",
          "--output_dir",
          out};
}

}  // namespace

class TestDistillCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void trainThenRestore() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data"), out = dir.filePath("runs");
    kdw::testing::write_synthetic_data(data.toStdString());
    const Run train = run_kdw(tiny(data, out));
    QVERIFY2(train.code == 0, qPrintable(train.err));
    std::vector<fs::path> runs;
    for (const auto& e : fs::directory_iterator(out.toStdString())) runs.push_back(e.path());
    QCOMPARE(runs.size(), std::size_t(1));
    for (const char* f :
         {"config.json", "metrics.jsonl", "result.json", "model_distill_stack_biLSTM.pt"})
      QVERIFY2(fs::exists(runs[0] / f), f);
    const auto config = nlohmann::json::parse(kdw::read_file(runs[0] / "config.json"));
    QCOMPARE(config["hidden_size"].get<int64_t>(), int64_t(6));
    QCOMPARE(config["epochs"].get<int64_t>(), int64_t(2));
    int steps = 0, epochs = 0;
    std::istringstream lines(kdw::read_file(runs[0] / "metrics.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      const auto r = nlohmann::json::parse(line);
      if (r["kind"] == "step") {
        ++steps;
        QVERIFY(r.contains("samples_per_s") && r.contains("ce"));
      }
      if (r["kind"] == "epoch") {
        ++epochs;
        QVERIFY(r["dev"].contains("macro_f1") && r.contains("alive"));
      }
    }
    QVERIFY(steps >= 2);
    QCOMPARE(epochs, 2);
    const auto result = nlohmann::json::parse(kdw::read_file(runs[0] / "result.json"));

    const QString model =
        QString::fromStdString((runs[0] / "model_distill_stack_biLSTM.pt").string());
    const Run restore = run_kdw({"distill", "--data_path", data, "--model_type", "stack_biLSTM",
                                 "--restore_model_path", model, "--threads", "1"});
    QVERIFY2(restore.code == 0, qPrintable(restore.err));
    const int at = restore.out.indexOf("json: ");
    QVERIFY(at >= 0);
    const auto report = nlohmann::json::parse(restore.out.mid(at + 6).trimmed().toStdString());
    QCOMPARE(report["dev"]["accuracy"], result["dev"]["accuracy"]);
    QCOMPARE(report["dev"]["macro_f1"], result["dev"]["macro_f1"]);
    QCOMPARE(report["test"]["accuracy"], result["test"]["accuracy"]);
    QCOMPARE(report["test"]["macro_f1"], result["test"]["macro_f1"]);
    QCOMPARE(report["parameters"], result["parameters"]);
    QVERIFY(restore.out.contains("latency_ms_per_sample"));

    const Run mismatch = run_kdw({"distill", "--data_path", data, "--model_type", "stack_LSTM",
                                  "--restore_model_path", model});
    QCOMPARE(mismatch.code, 1);
    QVERIFY2(mismatch.err.contains(model) && mismatch.err.contains("holds a stack_biLSTM"),
             qPrintable(mismatch.err));
  }

  void badInputsExitNonZero() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data"), out = dir.filePath("runs");
    kdw::testing::write_synthetic_data(data.toStdString());
    const fs::path logits = fs::path(data.toStdString()) / "logits" / "train.npy";
    kdw::write_npy(logits, std::vector<float>(10, 0.f), {5, 2});
    Run r = run_kdw(tiny(data, out));
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("logits/train.npy") && r.err.contains("train_labels.npy"),
             qPrintable(r.err));
    r = run_kdw({"distill", "--data_path", data});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("--model_type"), qPrintable(r.err));
    r = run_kdw({"distill", "--data_path", dir.filePath("nowhere"), "--model_type", "stack_LSTM"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("nowhere"), qPrintable(r.err));
    QVERIFY(!fs::exists(out.toStdString()));
  }
};

QTEST_APPLESS_MAIN(TestDistillCli)
#include "test_distill_cli.moc"
