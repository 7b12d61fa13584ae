// The Teacher panel with Preferences' Workers at 2 (issue 15): one job that runs `kdw finetune
// --nproc 2` (Gloo, real processes) and ends with the teacher a 1-worker (in-process) run gives
// (same weights within float rounding, same dev figures), its curves and progress fed by rank
// 0's events; Stop ends the launcher and both workers, keeps the checkpoint for Resume and
// leaves the earlier teacher as it was; a missing kdw program is one line. The tiny BERT of
// tests/bert (hidden 16, one layer) on a few made-up samples.
#include <signal.h>

#include <QAbstractButton>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "../../bert/class_ids_split.h"
#include "../../bert/tiny_bert_folder.h"
#include "../child_processes.h"
#include "../next_dialog.h"
#include "bert/finetune.h"
#include "core/atomic_output.h"
#include "core/hash.h"
#include "core/workspace.h"
#include "formats/ragged.h"
#include "formats/safetensors.h"
#include "ui/common/device_setting.h"
#include "ui/common/live_chart.h"
#include "ui/common/replace_question.h"
#include "ui/jobs/job_runner.h"
#include "ui/teacher/teacher_panel.h"

namespace fs = std::filesystem;

namespace {

using kdw::test::alive;
using kdw::test::childrenOf;

const QByteArray kKdw = KDW_BINARY_DIR "/app/kdw/kdw";

// A workspace with bert_data (`train` training samples) and the tiny BERT in files/bert/tiny,
// with dropout so that the workers' masks must be the single process's.
void writeWorkspace(const fs::path& root, int train) {
  const fs::path vocab = fs::path(KDW_FIXTURES_DIR) / "bert" / "vocab.txt";
  const kdw::Workspace ws{root};
  const kdw::RaggedSplit splits[] = {kdw::test::class_ids_split(train, 1),
                                     kdw::test::class_ids_split(11, 2),
                                     kdw::test::class_ids_split(7, 3)};
  for (int s = 0; s < 3; ++s)
    kdw::write_ragged_split(ws.bert_data_dir(), kdw::kSplitNames[s], splits[s]);
  kdw::write_file_atomic(ws.labels_file(), R"(["a", "b", "c"])");
  kdw::write_file_atomic(
      ws.prepare_file(),
      nlohmann::json{{"bert", {{"vocab", vocab.string()}, {"vocab_hash", kdw::file_hash(vocab)}}}}
          .dump());
  const fs::path bert = kdw::test::write_tiny_bert_folder(ws.bert_dir() / "tiny", vocab);
  nlohmann::json config = nlohmann::json::parse(std::ifstream(bert / "config.json"));
  config["hidden_dropout_prob"] = 0.2;
  config["attention_probs_dropout_prob"] = 0.2;
  kdw::write_file_atomic(bert / "config.json", config.dump());
}

template <typename T>
T* field(TeacherPanel& panel, const char* name) {
  T* w = panel.findChild<T*>(QLatin1String(name));
  if (!w) qFatal("no form field %s", name);
  return w;
}

// Uneven shards (batch 5 over 2 workers) and gradient accumulation.
void smallRun(TeacherPanel& panel, int epochs, int batch) {
  field<QSpinBox>(panel, "epochs")->setValue(epochs);
  field<QSpinBox>(panel, "batch_size")->setValue(batch);
  field<QSpinBox>(panel, "grad_accum")->setValue(2);
  field<QSpinBox>(panel, "max_seq_len")->setValue(12);
  field<QDoubleSpinBox>(panel, "lr")->setValue(0.002);
}

std::map<std::string, at::Tensor> weights(const fs::path& model_dir) {
  std::map<std::string, at::Tensor> out;
  for (auto& [name, t] : kdw::read_safetensors(model_dir / "model.safetensors").tensors)
    out[name] = t;
  return out;
}

double maxDifference(const std::map<std::string, at::Tensor>& a,
                     const std::map<std::string, at::Tensor>& b) {
  if (a.size() != b.size() || a.empty()) return 1e9;
  double most = 0;
  for (const auto& [name, t] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.sizes() != t.sizes()) return 1e9;
    most = std::max(most, (t - it->second).abs().max().item<double>());
  }
  return most;
}

nlohmann::json bestDev(const fs::path& model_dir) {
  return nlohmann::json::parse(std::ifstream(model_dir / "finetune.json")).at("best").at("dev");
}

// Every file of a folder with its content's hash.
std::map<std::string, std::string> folderHashes(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) out[e.path().filename().string()] = kdw::file_hash(e.path());
  return out;
}

// The signals of `spy` about job `id` (the panel also runs light jobs: its folder inspections).
QList<QList<QVariant>> about(const QSignalSpy& spy, int id) {
  QList<QList<QVariant>> out;
  for (const QList<QVariant>& args : spy)
    if (args.value(0).toInt() == id) out << args;
  return out;
}

}  // namespace

class TestUiTeacherWorkers : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(dir_.isValid());
    qputenv("KDW_CLI", kKdw);
    QSettings().setValue(QStringLiteral("threads"), 2);  // one thread per worker
  }
  void cleanupTestCase() {
    QSettings().remove(QStringLiteral("workers"));
    QSettings().remove(QStringLiteral("threads"));
  }

  void twoWorkersEqualOneWorker() {
    fs::path models[2];
    for (int i = 0; i < 2; ++i) {
      const QString ws = dir_.filePath(QStringLiteral("ws%1").arg(i + 1));
      writeWorkspace(ws.toStdString(), 21);
      saveJobWorkers(i + 1);
      JobRunner runner;
      runner.setDeliveryInterval(20);
      TeacherPanel panel(&runner);
      panel.setWorkspace(ws);
      QCOMPARE(panel.currentBertFolder(), QStringLiteral("tiny"));
      smallRun(panel, 2, 5);
      QSignalSpy started(&runner, &JobRunner::started);
      QSignalSpy finished(&runner, &JobRunner::finished);
      QSignalSpy failed(&runner, &JobRunner::failed);
      QSignalSpy progress(&runner, &JobRunner::progress);
      const int job = panel.start();
      QVERIFY(job != 0);
      QTRY_VERIFY_WITH_TIMEOUT(about(finished, job).size() + about(failed, job).size() > 0, 60000);
      QVERIFY2(about(failed, job).isEmpty(), qPrintable(failed.value(0).value(1).toString()));
      QCOMPARE(about(started, job).size(), 1);  // one job, whatever the workers
      if (i == 1)
        QVERIFY(about(started, job)[0][1].toString().contains(QStringLiteral("2 workers")));
      const auto* r = about(finished, job)[0][1].value<JobResult>().get<kdw::FinetuneResult>();
      QVERIFY(r);
      QCOMPARE(r->epochs_run, 2);
      models[i] = r->model_dir;
      QCOMPARE(models[i], kdw::Workspace{ws.toStdString()}.finetune_dir());
      // Rank 0's progress and metric records reached the job as an in-process job's do.
      QVERIFY(!about(progress, job).isEmpty());
      QVERIFY(panel.lossChart()->pointCount(0) > 0);
      QCOMPARE(panel.devChart()->pointCount(0), 2);
      // The saved teacher's line, as after an in-process run.
      QVERIFY2(panel.statusText().contains(QStringLiteral("best epoch")) &&
                   panel.statusText().contains(QStringLiteral(" of 2")),
               qPrintable(panel.statusText()));
    }
    const double diff = maxDifference(weights(models[0]), weights(models[1]));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QCOMPARE(bestDev(models[1]), bestDev(models[0]));
  }

  // Stop in the first epoch of a fresh run over an earlier teacher: the launcher and both
  // workers end, the checkpoint is there for Resume, and the earlier teacher is as it was (a new
  // teacher replaces it only at the end of an epoch).
  void stopEndsEveryWorkerAndKeepsTheTeacher() {
    const QString ws = dir_.filePath(QStringLiteral("stopped"));
    writeWorkspace(ws.toStdString(), 4000);  // an epoch of 2000 steps: Stop lands in it
    const kdw::Workspace w{ws.toStdString()};
    {  // The earlier teacher: one epoch on a small copy of the data, in this process.
      const fs::path earlier = dir_.filePath(QStringLiteral("earlier")).toStdString();
      writeWorkspace(earlier, 21);
      kdw::FinetuneOptions o;
      o.workspace = earlier;
      o.bert_path = kdw::Workspace{earlier}.bert_dir() / "tiny";
      o.epochs = 1;
      o.max_seq_len = 12;
      kdw::JobContext job;
      kdw::run_finetune(o, job);
      fs::copy(kdw::Workspace{earlier}.finetune_dir(), w.finetune_dir(),
               fs::copy_options::recursive);
    }
    const auto before = folderHashes(w.finetune_dir());
    QVERIFY(before.count("model.safetensors"));

    saveJobWorkers(2);
    JobRunner runner;
    runner.setDeliveryInterval(20);
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    smallRun(panel, 2, 2);
    QSignalSpy cancelled(&runner, &JobRunner::cancelled);
    QSignalSpy failed(&runner, &JobRunner::failed);
    QSignalSpy finished(&runner, &JobRunner::finished);
    QSignalSpy progress(&runner, &JobRunner::progress);
    kdw::test::clickInNextDialog(&panel, kReplaceButton);  // "replace the fine-tuned teacher?"
    const int job = panel.start();
    QVERIFY(job != 0);
    QTRY_VERIFY_WITH_TIMEOUT(panel.lossChart()->pointCount(0) > 0 || !failed.isEmpty(), 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QVERIFY(!about(progress, job).isEmpty());
    const QList<int> launcher = childrenOf(int(getpid()));
    QCOMPARE(launcher.size(), 1);
    const QList<int> workers = childrenOf(launcher[0]);
    QCOMPARE(workers.size(), 2);
    QVERIFY(panel.stopButton()->isEnabled());
    panel.stopButton()->click();
    QTRY_VERIFY_WITH_TIMEOUT(
        cancelled.size() + about(failed, job).size() + about(finished, job).size() > 0, 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QCOMPARE(about(cancelled, job).size(), 1);
    QVERIFY(!alive(launcher[0]));
    for (const int pid : workers) QVERIFY(!alive(pid));
    // Stopped in the first epoch, at a step rank 0's checkpoint names.
    const fs::path state = kdw::finetune_checkpoint_dir(w.finetune_dir()) / "state.json";
    QVERIFY(fs::exists(state));
    const nlohmann::json saved = nlohmann::json::parse(std::ifstream(state));
    QCOMPARE(saved.at("epoch").get<int>(), 0);
    QVERIFY(saved.at("step").get<int64_t>() > 0);
    QCOMPARE(folderHashes(w.finetune_dir()), before);
    QVERIFY2(panel.statusText().startsWith(QStringLiteral("Stopped; Resume continues")),
             qPrintable(panel.statusText()));
    QVERIFY(panel.canResume());
    QVERIFY(panel.startButton()->isEnabled());
    // The checkpoint is no BERT folder to fine-tune, also when the workspace is read again.
    panel.refresh();
    const auto* folders = panel.findChild<QComboBox*>(QStringLiteral("bertFolder"));
    QVERIFY(folders);
    QCOMPARE(folders->count(), 1);
    QCOMPARE(panel.currentBertFolder(), QStringLiteral("tiny"));
  }

  void missingKdwIsOneClearLine() {
    const QString ws = dir_.filePath(QStringLiteral("nokdw"));
    writeWorkspace(ws.toStdString(), 21);
    saveJobWorkers(2);
    qputenv("KDW_CLI", "/nonexistent/kdw");
    JobRunner runner;
    TeacherPanel panel(&runner);
    panel.setWorkspace(ws);
    smallRun(panel, 1, 5);
    QSignalSpy failed(&runner, &JobRunner::failed);
    const int job = panel.start();
    QVERIFY(job != 0);
    QTRY_VERIFY_WITH_TIMEOUT(!about(failed, job).isEmpty(), 10000);
    qputenv("KDW_CLI", kKdw);
    const QString message = about(failed, job)[0][1].toString();
    QVERIFY2(message.startsWith(QStringLiteral("the kdw program is missing: /nonexistent/kdw")),
             qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    QVERIFY2(panel.statusText().contains(message), qPrintable(panel.statusText()));
    QVERIFY(!fs::exists(kdw::Workspace{ws.toStdString()}.finetune_dir()));
  }

 private:
  QTemporaryDir dir_;
};

QTEST_MAIN(TestUiTeacherWorkers)
#include "test_ui_teacher_workers.moc"
