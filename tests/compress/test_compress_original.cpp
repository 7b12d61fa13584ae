// The original workflow as its README gives it, with `kdw` in place of `python main.py` /
// `python compress.py`: `compress --restore_path RUN --show_weight --cut_model` without a
// threshold cuts what the run's ISS training zeroed (the run's own iss_threshold, or exactly-zero
// groups when it had none) and says so; the README's three commands run unchanged on a ./data
// folder holding tokens/ and logits/.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

#include <ATen/ATen.h>

#include "../student/synthetic_data.h"
#include "compress/components.h"
#include "compress/compress_run.h"
#include "core/atomic_output.h"
#include "core/workspace.h"
#include "student/iss.h"
#include "student/run_folder.h"
#include "student/student_model.h"

namespace fs = std::filesystem;
using namespace kdw;

namespace {

struct Run {
  int code;
  QString out, err;
};

// kdw with `args`, run in `cwd` (the original commands use relative paths).
Run run_kdw(const fs::path& cwd, const QStringList& args) {
  QProcess p;
  p.setWorkingDirectory(QString::fromStdString(cwd.string()));
  p.start(KDW_BINARY_DIR "/app/kdw/kdw", args);
  if (!p.waitForFinished(300000)) return {-1, {}, "timeout"};
  return {p.exitCode(), QString::fromLocal8Bit(p.readAllStandardOutput()),
          QString::fromLocal8Bit(p.readAllStandardError())};
}

// What training's iss_threshold leaves behind: these units' groups exactly zero.
Selection zeroed_units(StudentModel& m) {
  Selection s = Selection::none(m->arch());
  s.removed[0][0] = {1, 4};
  s.removed[1][1] = {0, 2, 5};
  std::vector<at::Tensor> masks;
  for (const auto& n : iss_group_norms(*m)) {
    at::Tensor mask = at::zeros({n.norms.numel()}, at::kBool);
    for (int64_t u : s.removed[n.layer][n.direction]) mask[u] = true;
    masks.push_back(mask);
  }
  zero_iss_components(*m, masks);
  return s;
}

std::string read_file_if_exists(const fs::path& file) {
  std::error_code ec;
  return fs::exists(file, ec) ? read_file(file) : std::string();
}

}  // namespace

class TestCompressOriginal : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void cutWithoutChoiceRemovesWhatTrainingZeroed() {
    QTemporaryDir dir;
    const fs::path run = fs::path(dir.path().toStdString()) / "2026-01-01___00-00-00";
    fs::create_directories(run);
    at::manual_seed(7);
    StudentModel m(StudentArch::make(StudentType::kStackBiLSTM, 20, 4, 6, 2, {"a", "b"}, 0.0));
    const Selection zeroed = zeroed_units(m);
    save_student(m, RunFolder(run).model_file(StudentType::kStackBiLSTM));

    CompressOptions o;
    o.run_dir = run;
    o.cut_model = true;
    JobContext job;
    // No config.json (a hand-made run): the groups that are exactly zero.
    CompressResult r = compress_run(o, job);
    QVERIFY(r.report);
    QCOMPARE(r.report->chosen_by, std::string("iss_training"));
    QVERIFY(!r.report->threshold);
    QCOMPARE(r.report->removed, zeroed.to_json()["remove"]);
    QCOMPARE(load_student(r.cut_model_file)->arch().hidden[1][1], int64_t(3));

    // The run's own iss_threshold, from its config.json, is what the cut uses and reports.
    write_file_atomic(RunFolder(run).config_file(), R"({"iss_threshold": 0.05})");
    r = compress_run(o, job);
    QCOMPARE(r.report->chosen_by, std::string("iss_training"));
    QCOMPARE(r.report->threshold.value_or(-1), 0.05);
    QCOMPARE(r.report->removed, zeroed.to_json()["remove"]);
    const CutReport saved = read_cut_report(RunFolder(run).cut_report_file());
    QCOMPARE(nlohmann::json(saved), nlohmann::json(*r.report));

    // A bad config.json is named, and nothing is cut.
    fs::remove(r.cut_model_file);
    write_file_atomic(RunFolder(run).config_file(), R"({"iss_threshold": "high"})");
    try {
      compress_run(o, job);
      QFAIL("expected an error");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("config.json") != std::string::npos, e.what());
    }
    QVERIFY(!fs::exists(r.cut_model_file));
  }

  // The README's three commands in a folder holding ./data/ with tokens/ and logits/. The second
  // and third are verbatim; the first gets a small student (its verbatim form, with the original
  // 2 x 1000-unit default, is the next test) so that the chain takes seconds.
  void originalReadmeCommands() {
    QTemporaryDir dir;
    const fs::path cwd = dir.path().toStdString();
    testing::write_synthetic_data(cwd / "data", 16, 8, 8);
    Run r = run_kdw(cwd, {"distill", "--data_path", "./data/", "--model_type", "stack_biLSTM",
                          "--hidden_size", "8", "--emb_dim", "8", "--epochs", "2"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const std::vector<fs::path> runs = list_run_folders(cwd);
    QCOMPARE(runs.size(), std::size_t(1));
    const QString run = QStringLiteral("./") + QString::fromStdString(runs[0].filename().string());

    r = run_kdw(cwd, {"compress", "--restore_path", run, "--show_weight", "--cut_model"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    // It says what it cut: a run without iss_threshold loses its zero groups.
    QVERIFY2(r.out.contains(QStringLiteral("exactly zero")), qPrintable(r.out));
    QVERIFY(fs::exists(runs[0] / "component_norms.png"));
    QCOMPARE(read_cut_report(runs[0] / "cut_report.json").chosen_by, std::string("iss_training"));

    r = run_kdw(cwd, {"distill", "--data_path", "./data/", "--restore_model_path",
                      run + "/cut_model_distill_stack_biLSTM.pt", "--model_type", "stack_biLSTM"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains(QStringLiteral("dev: accuracy")), qPrintable(r.out));
  }

  // The first command exactly as the README gives it trains the original default student
  // (2 x 1000 units); stopped after its first epoch, it says where that epoch's model is.
  void originalDistillCommandVerbatim() {
    QTemporaryDir dir;
    const fs::path cwd = dir.path().toStdString();
    testing::write_synthetic_data(cwd / "data", 8, 4, 4);
    QProcess p;
    p.setWorkingDirectory(dir.path());
    p.start(KDW_BINARY_DIR "/app/kdw/kdw",
            {"distill", "--data_path", "./data/", "--model_type", "stack_biLSTM"});
    QVERIFY(p.waitForStarted());
    // The first epoch's record is written before its model is saved, and the stop is only
    // seen at the next step: the model of epoch 1 is kept.
    const auto first_epoch_done = [&] {
      const std::vector<fs::path> runs = list_run_folders(cwd);
      return runs.size() == 1 &&
             read_file_if_exists(RunFolder(runs[0]).metrics_file()).find("\"kind\":\"epoch\"") !=
                 std::string::npos;
    };
    QTRY_VERIFY_WITH_TIMEOUT(first_epoch_done(), 240000);
    p.terminate();
    QVERIFY(p.waitForFinished(240000));
    QCOMPARE(p.exitCode(), 130);
    const std::vector<fs::path> runs = list_run_folders(cwd);
    const QString out = QString::fromLocal8Bit(p.readAllStandardOutput());
    QVERIFY2(out.contains(QString::fromStdString(runs[0].filename().string())), qPrintable(out));
    const nlohmann::json config = RunFolder(runs[0]).read_config();
    QCOMPARE(config["hidden_size"].get<int64_t>(), int64_t(1000));
    QCOMPARE(config["emb_dim"].get<int64_t>(), int64_t(300));
    QCOMPARE(config["epochs"].get<int>(), 10);
    const DistillReport result = read_distill_report(RunFolder(runs[0]).result_file());
    QVERIFY(result.stopped);
    QCOMPARE(result.best_epoch, 1);
    QVERIFY(fs::exists(RunFolder(runs[0]).model_file(StudentType::kStackBiLSTM)));
  }
};

QTEST_GUILESS_MAIN(TestCompressOriginal)
#include "test_compress_original.moc"
