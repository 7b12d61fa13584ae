// `kdw compress` / `kdw export` from the outside: exit codes, one-line errors, no half-written
// outputs on bad input.
#include <QtTest>

#include <unistd.h>

#include <filesystem>

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include "../student/synthetic_data.h"
#include "core/atomic_output.h"
#include "student/student_model.h"

namespace fs = std::filesystem;

namespace {

struct Run {
  int code;
  QString err;
};

Run run_kdw(const QStringList& args) {
  QProcess p;
  p.start(KDW_BINARY_DIR "/app/kdw/kdw", args);
  if (!p.waitForFinished(120000)) return {-1, "timeout"};
  return {p.exitCode(), QString::fromLocal8Bit(p.readAllStandardError())};
}

// The error line kdw prints (warnings about the machine may come before it).
QString error_line(const QString& err) {
  for (const QString& line : err.split('\n'))
    if (line.startsWith("kdw: ")) return line;
  return {};
}

}  // namespace

class TestCompressCli : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;
  QString q(const fs::path& p) { return QString::fromStdString(p.string()); }

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_compress_cli_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void badInputsAndACut() {
    const fs::path run = tmp_ / "2026-01-01___00-00-00";
    fs::create_directories(run);
    Run r = run_kdw({"compress", "--restore_path", q(run), "--cut_model", "--keep", "2"});
    QCOMPARE(r.code, 1);
    QVERIFY2(error_line(r.err).contains("no model_distill_*.pt"), qPrintable(r.err));

    at::manual_seed(3);
    kdw::StudentModel m(
        kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 20, 4, 5, 2, {"a", "b"}, 0.0));
    kdw::save_student(m, run / "model_distill_stack_LSTM.pt");
    r = run_kdw({"compress", "--restore_path", q(run), "--model_type", "stack_GRU"});
    QCOMPARE(r.code, 2);
    QVERIFY2(error_line(r.err).contains("stack_GRU"), qPrintable(r.err));

    r = run_kdw({"compress", "--restore_path", q(run), "--cut_model", "--threshold", "1e9"});
    QCOMPARE(r.code, 1);
    QVERIFY2(error_line(r.err).contains("at least one unit"), qPrintable(r.err));
    QVERIFY(!fs::exists(run / "cut_model_distill_stack_LSTM.pt"));

    kdw::write_file_atomic(tmp_ / "c.json", R"({"remove": [{"layer": 1, "units": [9]}]})");
    r = run_kdw(
        {"compress", "--restore_path", q(run), "--cut_model", "--components", q(tmp_ / "c.json")});
    QCOMPARE(r.code, 1);
    QVERIFY2(error_line(r.err).contains("unit 9 of layer 1 fwd does not exist"), qPrintable(r.err));

    r = run_kdw({"compress", "--restore_path", q(run), "--cut_model", "--keep", "2"});
    QCOMPARE(r.code, 0);
    QVERIFY(fs::is_regular_file(run / "cut_model_distill_stack_LSTM.pt"));
    QVERIFY(fs::is_regular_file(run / "cut_report.json"));

    kdw::write_file_atomic(tmp_ / "blocker", "x");
    r = run_kdw({"export", "--model", q(run / "cut_model_distill_stack_LSTM.pt"), "--output",
                 q(tmp_ / "blocker" / "out")});
    QCOMPARE(r.code, 1);
    QVERIFY2(!error_line(r.err).isEmpty(), qPrintable(r.err));
    r = run_kdw({"export", "--model", q(run / "cut_model_distill_stack_LSTM.pt"), "--output",
                 q(tmp_ / "out")});
    QCOMPARE(r.code, 0);
    QVERIFY(fs::is_regular_file(tmp_ / "out" / "model.safetensors"));
  }

  // --data_path evaluates before and after the cut; the cut model then evaluates through
  // `kdw distill --restore_model_path` as in the original workflow, and a wrong --model_type
  // names what the file holds.
  void cutWithEvaluationThenRestore() {
    const fs::path data = tmp_ / "data";
    kdw::testing::write_synthetic_data(data);
    const fs::path run = tmp_ / "2026-01-01___00-00-00";
    fs::create_directories(run);
    at::manual_seed(4);
    kdw::StudentModel m(
        kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 4, 6, 2, {"neg", "pos"}, 0.0));
    kdw::save_student(m, run / "model_distill_stack_biLSTM.pt");
    Run r = run_kdw({"compress", "--restore_path", q(run), "--cut_model", "--keep", "3",
                     "--data_path", q(data), "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const auto report = nlohmann::json::parse(kdw::read_file(run / "cut_report.json"));
    for (const char* when : {"before", "after"})
      for (const char* split : {"dev", "test"}) {
        const auto& e = report["evaluation"][when][split];
        QCOMPARE(e["samples"].get<int64_t>(), int64_t(16));
        QVERIFY(e["accuracy"].get<double>() >= 0 && e["accuracy"].get<double>() <= 1);
      }
    QVERIFY(report["evaluation"]["after"]["parameters"].get<int64_t>() <
            report["evaluation"]["before"]["parameters"].get<int64_t>());

    const fs::path cut = run / "cut_model_distill_stack_biLSTM.pt";
    r = run_kdw({"distill", "--data_path", q(data), "--model_type", "stack_biLSTM",
                 "--restore_model_path", q(cut), "--threads", "1"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    r = run_kdw({"distill", "--data_path", q(data), "--model_type", "stack_LSTM",
                 "--restore_model_path", q(cut), "--threads", "1"});
    QCOMPARE(r.code, 1);
    QVERIFY2(error_line(r.err).contains("stack_biLSTM"), qPrintable(r.err));
  }
};

QTEST_GUILESS_MAIN(TestCompressCli)
#include "test_compress_cli.moc"
