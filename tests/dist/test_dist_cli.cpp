// Data-parallel kdw over two processes on localhost (Gloo, one thread each) against one process:
// a 2-rank fine-tuning (with dropout) ends with the weights and dev figures of one process, and a
// killed 2-rank fine-tuning resumes (by hand and with --nproc) to the uninterrupted result;
// a 2-rank distillation ends with the weights of a 1-process run with the same global batch and
// seed, 2-rank logits equal 1-rank logits, --nproc does the same and names a rank that dies, and
// bad input (environment, options that differ between ranks, a peer that never joins) ends every
// rank with one line and a non-zero exit.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include "../bert/class_ids_split.h"
#include "../bert/tiny_bert_folder.h"
#include "bert/finetune.h"
#include "core/atomic_output.h"
#include "core/hash.h"
#include "core/workspace.h"
#include "dist/dist_context.h"
#include "formats/npy.h"
#include "formats/ragged.h"
#include "formats/safetensors.h"
#include "free_port.h"
#include "student/student_model.h"
#include "synthetic_data.h"

namespace fs = std::filesystem;

namespace {

using kdw::test::free_port;

const QString kKdw = QStringLiteral(KDW_BINARY_DIR "/app/kdw/kdw");
// The commit step of rank 0 at which finetuneResumesAcrossRanks kills it: in the second epoch,
// after the first epoch's checkpoint (the test checks that one is there).
const QString kKillAfterFirstCheckpoint = QStringLiteral("28");
// The commit step of rank 0 at which distillResumesAcrossRanks kills it: in the second epoch,
// after the first epoch's checkpoint (the test checks that it is epoch 1's).
const QString kDistillKillInSecondEpoch = QStringLiteral("22");

struct Run {
  int code;
  QString out, err;
};

QProcessEnvironment base_env() {
  QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
  for (const char* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"})
    env.remove(name);
  return env;
}

Run finish(QProcess& p) {
  if (!p.waitForFinished(120000)) {
    p.kill();
    p.waitForFinished();
    return {-1, {}, "timeout"};
  }
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
          QString::fromUtf8(p.readAllStandardOutput()),
          QString::fromUtf8(p.readAllStandardError())};
}

Run run_kdw(const QStringList& args, const QProcessEnvironment& env = base_env()) {
  QProcess p;
  p.setProcessEnvironment(env);
  p.start(kKdw, args);
  return finish(p);
}

// Starts one kdw per entry of `args` as the ranks of a job on localhost, as on several machines
// (the variables set by hand); `world` may exceed the ranks started (a peer that never joins).
std::vector<Run> run_ranks(const std::vector<QStringList>& args, int world = 0,
                           const std::vector<int>& ranks = {},
                           const QProcessEnvironment& start = base_env()) {
  const QString port = QString::number(free_port());
  std::vector<std::unique_ptr<QProcess>> procs;
  for (std::size_t i = 0; i < args.size(); ++i) {
    QProcessEnvironment env = start;
    const int rank = ranks.empty() ? int(i) : ranks[i];
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world > 0 ? world : int(args.size())));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", port);
    procs.push_back(std::make_unique<QProcess>());
    procs.back()->setProcessEnvironment(env);
    procs.back()->start(kKdw, args[i]);
  }
  std::vector<Run> runs;
  for (auto& p : procs) runs.push_back(finish(*p));
  return runs;
}

// The error lines of a process's stderr (rank 0 also shows progress there).
QStringList lines(const QString& text) {
  return text.split('\n', Qt::SkipEmptyParts).filter(QRegularExpression("^kdw: "));
}

// Two layers with dropout: between the layers on [B, T, H] and before the classifier.
QStringList distill_args(const QString& data, const QString& out) {
  return QStringList{"distill", "--data_path", data, "--model_type", "stack_biLSTM"}
         << "--hidden_size"
         << "6"
         << "--emb_dim"
         << "5"
         << "--num_layers"
         << "2"
         << "--epochs"
         << "2"
         << "--batch_size"
         << "7"
         << "--lr"
         << "0.01"
         << "--dropout"
         << "0.3"
         << "--threads"
         << "1"
         << "--output_dir" << out;
}

// distill_args with another epoch count.
QStringList with_epochs(QStringList args, int epochs) {
  args[args.indexOf("--epochs") + 1] = QString::number(epochs);
  return args;
}

fs::path only_run_folder(const QString& out) {
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(out.toStdString())) runs.push_back(e.path());
  return runs.size() == 1 ? runs[0] : fs::path();
}

double max_weight_difference(const fs::path& a, const fs::path& b) {
  const kdw::StudentModel ma = kdw::load_student(a, kdw::StudentType::kStackBiLSTM);
  const kdw::StudentModel mb = kdw::load_student(b, kdw::StudentType::kStackBiLSTM);
  const auto pa = ma->named_parameters(), pb = mb->named_parameters();
  double most = 0;
  for (const auto& item : pa)
    most = std::max(most, (item.value() - pb[item.key()]).abs().max().item<double>());
  return most;
}

// A workspace with bert_data and a config-only tiny BERT (hidden 16) to fine-tune.
fs::path bert_workspace(const fs::path& root) {
  const fs::path vocab = fs::path(KDW_FIXTURES_DIR) / "bert" / "vocab.txt";
  const kdw::Workspace ws{root};
  const kdw::RaggedSplit splits[] = {kdw::test::class_ids_split(21, 1),
                                     kdw::test::class_ids_split(11, 2),
                                     kdw::test::class_ids_split(7, 3)};
  for (int s = 0; s < 3; ++s)
    kdw::write_ragged_split(ws.bert_data_dir(), kdw::kSplitNames[s], splits[s]);
  kdw::write_file_atomic(ws.labels_file(), R"(["a", "b", "c"])");
  kdw::write_file_atomic(
      ws.prepare_file(),
      nlohmann::json{{"bert", {{"vocab", vocab.string()}, {"vocab_hash", kdw::file_hash(vocab)}}}}
          .dump());
  return kdw::test::write_tiny_bert_folder(ws.bert_dir() / "tiny", vocab);
}

// A fine-tuning of the tiny BERT `bert` (by default the workspace's own) on `ws`: uneven shards
// (batch 5 over 2 ranks, a last batch of one sample), gradient accumulation and truncation.
QStringList finetune_args(const fs::path& ws, int epochs, fs::path bert = {}) {
  const QString root = QString::fromStdString(ws.string());
  if (bert.empty()) bert = ws / "files" / "bert" / "tiny";
  return {"finetune",
          "--workspace",
          root,
          "--bert_path",
          QString::fromStdString(bert.string()),
          "--epochs",
          QString::number(epochs),
          "--batch_size",
          "5",
          "--grad_accum",
          "2",
          "--lr",
          "0.002",
          "--max_seq_len",
          "12",
          "--threads",
          "1"};
}

// The fine-tuned weights, by name.
std::map<std::string, at::Tensor> finetuned_weights(const fs::path& ws) {
  std::map<std::string, at::Tensor> out;
  for (auto& [name, t] :
       kdw::read_safetensors(kdw::Workspace{ws}.finetune_dir() / "model.safetensors").tensors)
    out[name] = t;
  return out;
}

double max_difference(const std::map<std::string, at::Tensor>& a,
                      const std::map<std::string, at::Tensor>& b) {
  if (a.size() != b.size() || a.empty()) return 1e9;
  double most = 0;
  for (const auto& [name, t] : a) {
    const auto it = b.find(name);
    if (it == b.end() || it->second.sizes() != t.sizes()) return 1e9;
    most =
        std::max(most, (t.to(at::kFloat) - it->second.to(at::kFloat)).abs().max().item<double>());
  }
  return most;
}

// The dev figures of each epoch in the kept model's metrics.jsonl.
std::vector<nlohmann::json> dev_records(const fs::path& ws) {
  std::ifstream in(kdw::Workspace{ws}.finetune_dir() / "metrics.jsonl");
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    const auto r = nlohmann::json::parse(line);
    if (r.value("kind", "") == "epoch") out.push_back(r.value("dev", nlohmann::json()));
  }
  return out;
}

// A copy of a fresh BERT workspace (another machine's copy of the same data).
fs::path copy_workspace(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
  return to;
}

}  // namespace

class TestDistCli : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Global batch 7 over 2 ranks (3 + 4 samples, and smaller last batches): the loss weights make
  // the averaged gradient the global batch's, so the weights match within float rounding.
  void distillTwoRanksEqualsOneProcess() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    const Run one = run_kdw(distill_args(data, dir.filePath("one")));
    QVERIFY2(one.code == 0, qPrintable(one.err));
    const auto two = run_ranks(
        {distill_args(data, dir.filePath("two")), distill_args(data, dir.filePath("two1"))});
    QVERIFY2(two[0].code == 0, qPrintable(two[0].err));
    QVERIFY2(two[1].code == 0, qPrintable(two[1].err));
    QVERIFY(!fs::exists(dir.filePath("two1").toStdString()));  // only rank 0 writes
    QVERIFY(two[1].out.isEmpty());
    // Rank 0 logs the bytes a step all-reduced: the dense gradient is 1,710 floats (embedding
    // 20 x 5, two bidirectional layers of 6 units, the classifier) and the cancel flag.
    const auto bytes =
        QRegularExpression(R"(, (\d+) bytes a step \(the dense gradient: (\d+) bytes\))")
            .match(two[0].err);
    QVERIFY2(bytes.hasMatch(), qPrintable(two[0].err));
    QCOMPARE(bytes.captured(2).toLongLong(), 4 * 1710 + 4);
    // The embedding's rows travel sparsely where a step's batches touch at most half of them.
    QVERIFY2(bytes.captured(1).toLongLong() < bytes.captured(2).toLongLong(),
             qPrintable(bytes.captured(0)));
    const fs::path a = only_run_folder(dir.filePath("one")),
                   b = only_run_folder(dir.filePath("two"));
    QVERIFY(!a.empty() && !b.empty());
    const double diff = max_weight_difference(a / "model_distill_stack_biLSTM.pt",
                                              b / "model_distill_stack_biLSTM.pt");
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // --nproc 2 launches the two ranks itself and gives the same weights.
  void nprocLaunchesTheRanks() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    const Run one = run_kdw(distill_args(data, dir.filePath("one")));
    QVERIFY2(one.code == 0, qPrintable(one.err));
    const Run two = run_kdw(distill_args(data, dir.filePath("two")) << "--nproc"
                                                                    << "2");
    QVERIFY2(two.code == 0, qPrintable(two.err));
    const double diff = max_weight_difference(
        only_run_folder(dir.filePath("one")) / "model_distill_stack_biLSTM.pt",
        only_run_folder(dir.filePath("two")) / "model_distill_stack_biLSTM.pt");
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // A worker that dies (killed at its first file commit) ends the job with one line naming it.
  void nprocNamesTheRankThatDied() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    QProcessEnvironment env = base_env();
    env.insert("KDW_FAULT_KILL_AT", "1");
    const Run r = run_kdw(distill_args(data, dir.filePath("out")) << "--nproc"
                                                                  << "2",
                          env);
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("kdw: rank 0 was killed by signal"), qPrintable(r.err));
  }

  void logitsTwoRanksEqualOneRank() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const fs::path bert = bert_workspace(root);
    const QString ws = dir.path();
    const Run ft = run_kdw({"finetune", "--workspace", ws, "--bert_path",
                            QString::fromStdString(bert.string()), "--epochs", "1", "--batch_size",
                            "8", "--max_seq_len", "12", "--threads", "1"});
    QVERIFY2(ft.code == 0, qPrintable(ft.err));
    const QStringList logits = {"logits", "--workspace", ws,  "--batch_size",
                                "4",      "--threads",   "1", "--force"};
    const Run one = run_kdw(logits);
    QVERIFY2(one.code == 0, qPrintable(one.err));
    const kdw::Workspace w{root};
    std::vector<at::Tensor> expected;
    for (const char* split : kdw::kSplitNames)
      expected.push_back(kdw::read_npy_tensor(w.logits_dir() / (std::string(split) + ".npy")));
    const auto two = run_ranks({logits, logits});
    QVERIFY2(two[0].code == 0, qPrintable(two[0].err));
    QVERIFY2(two[1].code == 0, qPrintable(two[1].err));
    for (int s = 0; s < 3; ++s) {
      const at::Tensor got =
          kdw::read_npy_tensor(w.logits_dir() / (std::string(kdw::kSplitNames[s]) + ".npy"));
      QCOMPARE(got.sizes(), expected[s].sizes());
      // The same samples in other batches: equal up to the rounding of other padded lengths.
      QVERIFY2(at::allclose(got, expected[s], 1e-5, 1e-5), kdw::kSplitNames[s]);
    }
  }

  // Fine-tuning with dropout: 2 ranks by hand, rank 1 on its own copy of the workspace (as on
  // another machine), end with the weights and dev figures of one process with the same global
  // batch and seed; rank 1 writes nothing.
  void finetuneTwoRanksEqualsOneProcess() {
    QTemporaryDir dir;
    const fs::path one = dir.filePath("one").toStdString();
    const fs::path bert = bert_workspace(one);
    nlohmann::json config = nlohmann::json::parse(std::ifstream(bert / "config.json"));
    config["hidden_dropout_prob"] = 0.2;
    config["attention_probs_dropout_prob"] = 0.2;
    kdw::write_file_atomic(bert / "config.json", config.dump());
    const fs::path two = copy_workspace(one, dir.filePath("two").toStdString());
    const fs::path two1 = copy_workspace(one, dir.filePath("two1").toStdString());
    const Run single = run_kdw(finetune_args(one, 2));
    QVERIFY2(single.code == 0, qPrintable(single.err));
    const auto ranks = run_ranks({finetune_args(two, 2), finetune_args(two1, 2)});
    QVERIFY2(ranks[0].code == 0, qPrintable(ranks[0].err));
    QVERIFY2(ranks[1].code == 0, qPrintable(ranks[1].err));
    QVERIFY(ranks[1].out.isEmpty());
    QVERIFY(!fs::exists(kdw::Workspace{two1}.finetune_dir()));
    const double diff = max_difference(finetuned_weights(one), finetuned_weights(two));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    const auto dev = dev_records(one);
    QCOMPARE(dev.size(), std::size_t(2));
    QCOMPARE(dev_records(two), dev);
  }

  // A BERT whose word embeddings (2384 x 128 floats) pass DDP's 1 MB first bucket: the later
  // layers' bucket is all-reduced while backward goes on with the embeddings, and with gradient
  // accumulation only the last micro-batch of a step starts it (DDP's no_sync), with the sum of
  // the micro-batches: the weights stay those of one process, and rank 0 says that a bucket a
  // step started during backward.
  void finetuneOverlapsAllReduceWithBackward() {
    QTemporaryDir dir;
    const fs::path one = dir.filePath("one").toStdString();
    const fs::path bert = bert_workspace(one);
    nlohmann::json config = nlohmann::json::parse(std::ifstream(bert / "config.json"));
    config["hidden_size"] = 128;
    kdw::write_file_atomic(bert / "config.json", config.dump());
    const fs::path two = copy_workspace(one, dir.filePath("two").toStdString());
    const Run single = run_kdw(finetune_args(one, 1));
    QVERIFY2(single.code == 0, qPrintable(single.err));
    const auto ranks = run_ranks({finetune_args(two, 1), finetune_args(two, 1)});
    QVERIFY2(ranks[0].code == 0, qPrintable(ranks[0].err));
    QVERIFY2(ranks[1].code == 0, qPrintable(ranks[1].err));
    const double diff = max_difference(finetuned_weights(one), finetuned_weights(two));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
    QVERIFY2(ranks[0].err.contains("1.00 of 2.00 buckets a step started during backward"),
             qPrintable(ranks[0].err));
  }

  // A 2-rank fine-tuning killed mid-run (rank 0 at a commit after the first epoch's checkpoint)
  // resumes, by hand with rank 1 on a workspace without the checkpoint (rank 0 hands it on) and
  // with --nproc 2, and ends with the weights of an uninterrupted run. The survivor names the
  // rank that died.
  void finetuneResumesAcrossRanks() {
    QTemporaryDir dir;
    const fs::path fresh = dir.filePath("fresh").toStdString();
    // One BERT folder for all: a checkpoint names the model it was trained from.
    const fs::path bert = bert_workspace(fresh);
    const fs::path whole = copy_workspace(fresh, dir.filePath("whole").toStdString());
    const Run uninterrupted = run_kdw(finetune_args(whole, 3, bert));
    QVERIFY2(uninterrupted.code == 0, qPrintable(uninterrupted.err));
    const auto expected = finetuned_weights(whole);

    QProcessEnvironment kill = base_env();
    kill.insert("KDW_FAULT_KILL_AT", kKillAfterFirstCheckpoint);
    const fs::path a = copy_workspace(fresh, dir.filePath("a").toStdString());
    const fs::path b = copy_workspace(fresh, dir.filePath("b").toStdString());
    const auto killed =
        run_ranks({finetune_args(a, 3, bert), finetune_args(b, 3, bert)}, 0, {}, kill);
    QCOMPARE(killed[0].code, -2);  // SIGKILL
    QCOMPARE(killed[1].code, 1);
    QCOMPARE(lines(killed[1].err).size(), 1);
    QVERIFY2(killed[1].err.contains("rank 0 ended or lost its connection"),
             qPrintable(killed[1].err));
    const fs::path checkpoint =
        kdw::finetune_checkpoint_dir(kdw::Workspace{a}.finetune_dir()) / "state.json";
    QVERIFY(fs::exists(checkpoint));
    QVERIFY(nlohmann::json::parse(std::ifstream(checkpoint)).at("epoch").get<int>() >= 1);
    const fs::path c = dir.filePath("c").toStdString();
    fs::copy(a, c, fs::copy_options::recursive);  // the same stopped run, for --nproc
    const auto resumed = run_ranks(
        {finetune_args(a, 3, bert) << "--resume", finetune_args(b, 3, bert) << "--resume"});
    QVERIFY2(resumed[0].code == 0, qPrintable(resumed[0].err));
    QVERIFY2(resumed[1].code == 0, qPrintable(resumed[1].err));
    QVERIFY2(resumed[0].err.contains("resuming at epoch"), qPrintable(resumed[0].err));
    double diff = max_difference(expected, finetuned_weights(a));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));

    const Run nproc = run_kdw(finetune_args(c, 3, bert) << "--resume"
                                                        << "--nproc"
                                                        << "2");
    QVERIFY2(nproc.code == 0, qPrintable(nproc.err));
    diff = max_difference(expected, finetuned_weights(c));
    QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));
  }

  // A 2-rank distillation killed in its second epoch (rank 0, at a commit after epoch 1's
  // checkpoint) and resumed with --resume on both ranks (rank 1 has no run folder: rank 0 hands
  // the checkpoint on) ends with the weights and metrics of an uninterrupted 2-rank run.
  void distillResumesAcrossRanks() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    const auto whole = run_ranks({with_epochs(distill_args(data, dir.filePath("whole")), 3),
                                  with_epochs(distill_args(data, dir.filePath("whole1")), 3)});
    QVERIFY2(whole[0].code == 0, qPrintable(whole[0].err));
    QVERIFY2(whole[1].code == 0, qPrintable(whole[1].err));

    QProcessEnvironment kill = base_env();
    kill.insert("KDW_FAULT_KILL_AT", kDistillKillInSecondEpoch);
    QProcess rank0, rank1;
    const QString port = QString::number(free_port());
    const QString out = dir.filePath("parts");
    int rank = 0;
    for (QProcess* p : {&rank0, &rank1}) {
      QProcessEnvironment env = rank == 0 ? kill : base_env();
      env.insert("RANK", QString::number(rank));
      env.insert("LOCAL_RANK", QString::number(rank));
      env.insert("WORLD_SIZE", "2");
      env.insert("MASTER_ADDR", "127.0.0.1");
      env.insert("MASTER_PORT", port);
      p->setProcessEnvironment(env);
      p->start(kKdw, with_epochs(distill_args(data, rank == 0 ? out : dir.filePath("parts1")), 3));
      ++rank;
    }
    QCOMPARE(finish(rank0).code, -2);  // SIGKILL
    QVERIFY(finish(rank1).code != 0);  // its peer died
    const fs::path run = only_run_folder(out);
    QVERIFY(!run.empty());
    const fs::path state = run / "checkpoint" / "state.json";
    QVERIFY(fs::exists(state));
    QCOMPARE(nlohmann::json::parse(std::ifstream(state)).at("epochs_done").get<int>(), 1);

    const QString folder = QString::fromStdString(run.string());
    const auto resumed = run_ranks(
        {with_epochs(distill_args(data, out), 3) << "--resume" << folder,
         with_epochs(distill_args(data, dir.filePath("parts1")), 3) << "--resume" << folder});
    QVERIFY2(resumed[0].code == 0, qPrintable(resumed[0].err));
    QVERIFY2(resumed[1].code == 0, qPrintable(resumed[1].err));
    QVERIFY2(resumed[0].err.contains("resuming after epoch 1"), qPrintable(resumed[0].err));
    QVERIFY(!fs::exists(run / "checkpoint"));
    const fs::path a = only_run_folder(dir.filePath("whole"));
    const double diff = max_weight_difference(a / "model_distill_stack_biLSTM.pt",
                                              run / "model_distill_stack_biLSTM.pt");
    QVERIFY2(diff == 0, qPrintable(QString::number(diff)));
    const auto epochs = [](const fs::path& folder) {
      std::vector<nlohmann::json> records;
      std::ifstream in(folder / "metrics.jsonl");
      for (std::string line; std::getline(in, line);) {
        nlohmann::json r = nlohmann::json::parse(line);
        r.erase("samples_per_s");
        records.push_back(r);
      }
      return records;
    };
    QVERIFY(epochs(run) == epochs(a));
  }

  void badEnvironmentOneLine() {
    QProcessEnvironment env = base_env();
    env.insert("WORLD_SIZE", "2");
    Run r = run_kdw({"logits", "--workspace", "nowhere"}, env);
    QCOMPARE(r.code, 1);
    QCOMPARE(lines(r.err),
             QStringList{"kdw: environment variable WORLD_SIZE is set but RANK is not: "
                         "set both (or neither for a single process)"});
    env.insert("RANK", "2");
    r = run_kdw({"logits", "--workspace", "nowhere"}, env);
    QCOMPARE(r.code, 1);
    QCOMPARE(lines(r.err).size(), 1);
    QVERIFY2(r.err.contains("RANK=2 is out of range for WORLD_SIZE=2"), qPrintable(r.err));
  }

  // RANK=0 WORLD_SIZE=1 is a job of one rank (as torchrun with one process): it goes through the
  // backend's all-reduces and ends with a single process's weights (the GPU check does the same
  // with NCCL).
  void oneRankJobEqualsOneProcess() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    const Run one = run_kdw(distill_args(data, dir.filePath("one")));
    QVERIFY2(one.code == 0, qPrintable(one.err));
    const auto job = run_ranks({distill_args(data, dir.filePath("job")) << "--dist_backend"
                                                                        << "gloo"});
    QVERIFY2(job[0].code == 0, qPrintable(job[0].err));
    QVERIFY2(job[0].err.contains("distributed job: 1 ranks over gloo"), qPrintable(job[0].err));
    QVERIFY2(job[0].err.contains("gradient all-reduce: "), qPrintable(job[0].err));
    const double diff = max_weight_difference(
        only_run_folder(dir.filePath("one")) / "model_distill_stack_biLSTM.pt",
        only_run_folder(dir.filePath("job")) / "model_distill_stack_biLSTM.pt");
    QVERIFY2(diff < 1e-6, qPrintable(QString::number(diff)));
  }

  // --dist_backend: nccl on the CPU is a usage error, nccl in a build without it one line (this
  // CI's LibTorch has no NCCL), any other name the parser's refusal.
  void distBackendRefusals() {
    Run r = run_kdw({"distill", "--data_path", "nowhere", "--model_type", "stack_LSTM",
                     "--dist_backend", "nccl", "--device", "cpu", "--nproc", "2"});
    QCOMPARE(r.code, 2);
    QCOMPARE(lines(r.err), QStringList{"kdw: dist_backend nccl runs on GPUs only: use device "
                                       "cuda, or dist_backend gloo"});
    if (!kdw::dist::backend_built(kdw::dist::Backend::kNccl)) {
      r = run_kdw(
          {"logits", "--workspace", "nowhere", "--dist_backend", "nccl", "--device", "cuda"});
      QCOMPARE(r.code, 1);
      QCOMPARE(lines(r.err).size(), 1);
      QVERIFY2(lines(r.err).value(0).startsWith(
                   "kdw: this kdw was built without LibTorch's NCCL backend"),
               qPrintable(r.err));
    }
    r = run_kdw({"logits", "--workspace", "nowhere", "--dist_backend", "mpi"});
    QCOMPARE(r.code, 2);
    QVERIFY2(r.err.contains("dist_backend"), qPrintable(r.err));
  }

  // Ranks started with other options: every rank stops with the same one line.
  void mismatchedOptionsOneLineOnEveryRank() {
    QTemporaryDir dir;
    const QString data = dir.filePath("data");
    kdw::testing::write_synthetic_data(data.toStdString());
    const auto runs = run_ranks(
        {distill_args(data, dir.filePath("a")), distill_args(data, dir.filePath("b")) << "--lr"
                                                                                      << "0.02"});
    for (const Run& r : runs) {
      QCOMPARE(r.code, 1);
      QCOMPARE(lines(r.err).size(), 1);
      QVERIFY2(r.err.contains("rank 1 started with other options and data than rank 0"),
               qPrintable(r.err));
    }
    QVERIFY(!fs::exists(dir.filePath("a").toStdString()));  // nothing written
  }

  // Fine-tuning ranks with another learning rate stop at the rendezvous, before any output.
  void finetuneMismatchedOptionsOneLine() {
    QTemporaryDir dir;
    const fs::path ws = dir.path().toStdString();
    bert_workspace(ws);
    const auto runs = run_ranks({finetune_args(ws, 1), finetune_args(ws, 1) << "--lr"
                                                                            << "0.003"});
    for (const Run& r : runs) {
      QCOMPARE(r.code, 1);
      QCOMPARE(lines(r.err).size(), 1);
      QVERIFY2(r.err.contains("rank 1 started with other options and data than rank 0"),
               qPrintable(r.err));
    }
    QVERIFY(!fs::exists(kdw::Workspace{ws}.finetune_dir()));
  }

  // A peer that never joins: rank 0 names it within --dist_timeout; a rank whose rank 0 never
  // starts says it cannot reach the rendezvous.
  void peerNeverJoinsOneLine() {
    const QStringList args = {"logits", "--workspace", "nowhere", "--dist_timeout", "1"};
    const auto alone0 = run_ranks({args}, 2, {0});
    QCOMPARE(alone0[0].code, 1);
    QCOMPARE(lines(alone0[0].err).size(), 1);
    QVERIFY2(lines(alone0[0].err).value(0).startsWith("kdw: rank 1 did not join at 127.0.0.1:") &&
                 alone0[0].err.contains(" within 1 s (dist_timeout)"),
             qPrintable(alone0[0].err));
    const auto alone1 = run_ranks({args}, 2, {1});
    QCOMPARE(alone1[0].code, 1);
    QCOMPARE(lines(alone1[0].err).size(), 1);
    QVERIFY2(alone1[0].err.contains("rank 1 cannot reach rank 0's rendezvous"),
             qPrintable(alone1[0].err));
  }
};

QTEST_GUILESS_MAIN(TestDistCli)
#include "test_dist_cli.moc"
