// Teacher fine-tuning and logit extraction on a tiny workspace: a config-only BERT (hidden 16)
// trained from scratch on synthetic samples whose label is given by the token range they use.
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/jit/runtime/print_handler.h>
#include <torch/script.h>
#include <nlohmann/json.hpp>

#include "bert/bert_io.h"
#include "bert/finetune.h"
#include "bert/logits.h"
#include "bert/teacher_data.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/workspace.h"
#include "formats/npy.h"
#include "formats/ragged.h"
#include "formats/safetensors.h"
#include "tiny_bert_folder.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const fs::path kVocab = fs::path(KDW_FIXTURES_DIR) / "bert" / "vocab.txt";
constexpr int kClasses = 3;

// Sample: [CLS] + 3..14 ids from its class's own id range + [SEP].
kdw::RaggedSplit make_split(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  kdw::RaggedSplit split;
  for (int i = 0; i < n; ++i) {
    const int label = i % kClasses;
    const int len = 3 + int(rng() % 12);
    std::vector<int32_t> ids{101};
    for (int k = 0; k < len; ++k) ids.push_back(1000 + label * 40 + int32_t(rng() % 40));
    ids.push_back(102);
    split.add(ids, label, 1000 + i);
  }
  return split;
}

// A workspace with bert_data, labels.json, prepare.json and a config-only tiny BERT.
fs::path make_workspace(const fs::path& root, int labels = kClasses) {
  kdw::Workspace ws{root};
  const kdw::RaggedSplit splits[] = {make_split(48, 1), make_split(24, 2), make_split(13, 3)};
  for (int s = 0; s < 3; ++s)
    kdw::write_ragged_split(ws.bert_data_dir(), kdw::kSplitNames[s], splits[s]);
  json names = json::array();
  for (int i = 0; i < labels; ++i) names.push_back("class_" + std::to_string(i));
  kdw::write_file_atomic(ws.labels_file(), names.dump());
  kdw::write_file_atomic(
      ws.prepare_file(),
      json{{"bert", {{"vocab", kVocab.string()}, {"vocab_hash", kdw::file_hash(kVocab)}}}}.dump());
  return kdw::test::write_tiny_bert_folder(ws.bert_dir() / "tiny", kVocab);
}

kdw::FinetuneOptions tiny_options(const fs::path& root, const fs::path& bert) {
  kdw::FinetuneOptions o;
  o.workspace = root;
  o.bert_path = bert;
  o.epochs = 6;  // from scratch, a tiny BERT needs a few epochs to leave its plateau
  o.lr = 2e-2;
  o.batch_size = 8;
  o.max_seq_len = 12;  // some samples are longer: truncation is exercised
  o.warmup = 0.1;
  o.log_every = 1;
  return o;
}

std::vector<json> read_jsonl(const fs::path& file) {
  std::vector<json> records;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) records.push_back(json::parse(line));
  return records;
}

template <typename F>
QString error_of(F&& f) {
  try {
    f();
  } catch (const kdw::Cancelled&) {
    return "cancelled";
  } catch (const kdw::Error& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace

class TestBertTrain : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void finetuneLearnsAndSavesBestEpoch();
  void logitsInSampleOrderAndSkipWhenUnchanged();
  void cancelKeepsModelAndResumeMatchesFullRun();
  void resumeReadsPlainDataAndRefusesDamage();
  void badInputsGiveOneClearError();
  void bfloat16TrainsAndItsLogitsStayClose();
};

void TestBertTrain::finetuneLearnsAndSavesBestEpoch() {
  QTemporaryDir tmp;
  const fs::path root = tmp.path().toStdString();
  const fs::path bert = make_workspace(root);
  kdw::JobContext job;
  std::vector<json> live;
  job.set_metric_sink([&](const json& r) { live.push_back(r); });
  const kdw::FinetuneResult result = kdw::run_finetune(tiny_options(root, bert), job);

  const fs::path model_dir = kdw::Workspace{root}.finetune_dir();
  QCOMPARE(result.model_dir, model_dir);
  QVERIFY(fs::exists(model_dir / "model.safetensors"));
  QVERIFY(!fs::exists(kdw::finetune_checkpoint_dir(model_dir)));  // finished run: none left
  const std::vector<json> records = read_jsonl(model_dir / "metrics.jsonl");
  QCOMPARE(records.size(), live.size());
  std::vector<double> losses;
  std::vector<json> epochs;
  for (const json& r : records) {
    if (r["kind"] == "step") {
      QVERIFY(r.contains("lr") && r.contains("samples_per_s") && r.contains("epoch"));
      losses.push_back(r["loss"].get<double>());
    } else if (r["kind"] == "epoch") {
      epochs.push_back(r);
    }
  }
  QCOMPARE(epochs.size(), size_t(6));
  QCOMPARE(losses.size(), size_t(6 * 6));  // 48 samples / batch 8 = 6 steps an epoch
  const double first = (losses[0] + losses[1]) / 2, last = (losses[34] + losses[35]) / 2;
  QVERIFY2(last < 0.85 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));

  // The kept epoch is the best on dev, and the saved folder reproduces its dev accuracy.
  double best_f1 = -1;
  int best_epoch = 0;
  for (const json& e : epochs) {
    const double f1 = e["dev"]["macro_f1"].get<double>();
    QVERIFY(e["dev"].contains("confusion") && e["dev"].contains("precision"));
    if (f1 > best_f1 + 1e-9) best_f1 = f1, best_epoch = e["epoch"].get<int>();
  }
  QCOMPARE(result.best["epoch"].get<int>(), best_epoch);
  QVERIFY(best_f1 > 0.5);  // always one class: 1/6

  kdw::LoadedBert loaded = kdw::load_bert(model_dir, {"class_0", "class_1", "class_2"});
  QVERIFY(!loaded.new_head);
  loaded.model->eval();
  const kdw::RaggedSplit dev = kdw::read_ragged_split(kdw::Workspace{root}.bert_data_dir(), "dev");
  c10::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t i = 0; i < dev.size(); ++i) {
    std::vector<int64_t> ids(dev.ids.begin() + dev.offsets[i],
                             dev.ids.begin() + dev.offsets[i + 1]);
    if (ids.size() > 12) ids.erase(ids.begin() + 11, ids.end() - 1);  // as fine-tuning truncates
    const at::Tensor input = at::tensor(ids, at::kLong).unsqueeze(0);
    const int64_t predicted = loaded.model->forward(input, {}, {}).logits.argmax(1).item<int64_t>();
    correct += predicted == dev.labels[i];
  }
  QCOMPARE(double(correct) / double(dev.size()), result.best["dev"]["accuracy"].get<double>());
}

void TestBertTrain::logitsInSampleOrderAndSkipWhenUnchanged() {
  QTemporaryDir tmp;
  const fs::path root = tmp.path().toStdString();
  const fs::path bert = make_workspace(root);
  kdw::JobContext job;
  kdw::FinetuneOptions o = tiny_options(root, bert);
  o.epochs = 1;
  kdw::run_finetune(o, job);

  kdw::LogitsOptions lo;
  lo.workspace = root;
  lo.batch_size = 5;
  const kdw::LogitsResult first = kdw::run_logits(lo, job);
  QVERIFY(!first.skipped);
  const kdw::Workspace ws{root};
  const json summary = json::parse(kdw::read_file(ws.logits_dir() / "logits.json"));
  QCOMPARE(summary, first.summary);
  QCOMPARE(summary["max_seq_len"].get<int>(), 12);

  kdw::LoadedBert teacher = kdw::load_bert(ws.finetune_dir(), {});
  teacher.model->eval();
  c10::NoGradGuard no_grad;
  for (const char* name : kdw::kSplitNames) {
    const kdw::RaggedSplit split = kdw::read_ragged_split(ws.bert_data_dir(), name);
    const at::Tensor logits = kdw::read_npy_tensor(ws.logits_dir() / (std::string(name) + ".npy"));
    QCOMPARE(logits.scalar_type(), at::kFloat);
    QCOMPARE(logits.dim(), int64_t(2));
    QCOMPARE(logits.size(0), split.size());
    QCOMPARE(logits.size(1), int64_t(kClasses));
    int64_t correct = 0;
    for (int64_t i = 0; i < split.size(); ++i) {
      std::vector<int64_t> ids(split.ids.begin() + split.offsets[i],
                               split.ids.begin() + split.offsets[i + 1]);
      if (ids.size() > 12) ids.erase(ids.begin() + 11, ids.end() - 1);
      const at::Tensor one =
          teacher.model->forward(at::tensor(ids, at::kLong).unsqueeze(0), {}, {}).logits[0];
      QVERIFY2(at::allclose(logits[i], one, 1e-4, 1e-4),
               qPrintable(QString("%1 row %2").arg(name).arg(i)));
      correct += one.argmax().item<int64_t>() == split.labels[i];
    }
    QCOMPARE(summary["splits"][name]["samples"].get<int64_t>(), split.size());
    QCOMPARE(summary["splits"][name]["accuracy"].get<double>(),
             double(correct) / double(split.size()));
  }

  const auto stamp = fs::last_write_time(ws.logits_dir() / "train.npy");
  QVERIFY(kdw::run_logits(lo, job).skipped);
  QCOMPARE(fs::last_write_time(ws.logits_dir() / "train.npy"), stamp);
  // Damaged stored logits are computed again, never reported as up to date.
  const at::Tensor train_logits = kdw::read_npy_tensor(ws.logits_dir() / "train.npy");
  const std::string train_bytes = kdw::read_file(ws.logits_dir() / "train.npy");
  kdw::write_file_atomic(ws.logits_dir() / "train.npy",
                         train_bytes.substr(0, train_bytes.size() - 8));
  QVERIFY(!kdw::run_logits(lo, job).skipped);
  QVERIFY(at::allclose(kdw::read_npy_tensor(ws.logits_dir() / "train.npy"), train_logits));
  kdw::write_npy(ws.logits_dir() / "dev.npy", std::vector<float>(6, 0.0f), {2, 3});
  QVERIFY(!kdw::run_logits(lo, job).skipped);
  kdw::write_npy(ws.logits_dir() / "test.npy", std::vector<float>(13 * 3, NAN), {13, 3});
  QVERIFY(!kdw::run_logits(lo, job).skipped);
  QVERIFY(kdw::run_logits(lo, job).skipped);
  lo.force = true;
  QVERIFY(!kdw::run_logits(lo, job).skipped);
  lo.force = false;
  // A changed input (here the labels' names) makes the stored logits stale.
  kdw::write_file_atomic(ws.labels_file(), json{"class_0", "class_1", "class_2"}.dump(1));
  QVERIFY(!kdw::run_logits(lo, job).skipped);
}

void TestBertTrain::cancelKeepsModelAndResumeMatchesFullRun() {
  QTemporaryDir tmp_full, tmp;
  const fs::path full_root = tmp_full.path().toStdString();
  const fs::path root = tmp.path().toStdString();
  kdw::FinetuneOptions full = tiny_options(full_root, make_workspace(full_root));
  full.grad_accum = 2;
  full.epochs = 3;
  kdw::JobContext plain;
  kdw::run_finetune(full, plain);

  kdw::FinetuneOptions o = tiny_options(root, make_workspace(root));
  o.grad_accum = 2;
  const kdw::Workspace ws{root};
  // A previous model that a cancelled run must leave alone.
  o.epochs = 1;
  kdw::run_finetune(o, plain);
  const std::string before = kdw::file_hash(ws.finetune_dir() / "model.safetensors");

  o.epochs = 3;
  kdw::JobContext job;
  job.set_progress_sink([&](const kdw::ProgressEvent& e) {
    if (e.stage == "epoch 1/3" && e.done == 2) job.request_cancel();  // in the middle of an epoch
  });
  QCOMPARE(error_of([&] { kdw::run_finetune(o, job); }), QString("cancelled"));
  QCOMPARE(kdw::file_hash(ws.finetune_dir() / "model.safetensors"), before);
  QVERIFY(fs::exists(kdw::finetune_checkpoint_dir(ws.finetune_dir()) / "state.json"));

  kdw::FinetuneOptions other = o;
  other.resume = true;
  other.batch_size = 4;  // other batches: the checkpoint's position would be meaningless
  QVERIFY(error_of([&] { kdw::run_finetune(other, plain); }).contains("checkpoint"));

  o.resume = true;
  kdw::run_finetune(o, plain);
  QVERIFY(!fs::exists(kdw::finetune_checkpoint_dir(ws.finetune_dir())));
  // No dropout and the same batches: the resumed run ends exactly where the uninterrupted did.
  const auto a =
      kdw::read_safetensors(kdw::Workspace{full_root}.finetune_dir() / "model.safetensors");
  const auto b = kdw::read_safetensors(ws.finetune_dir() / "model.safetensors");
  QCOMPARE(a.tensors.size(), b.tensors.size());
  for (const auto& [name, t] : a.tensors)
    QVERIFY2(at::allclose(t, b.find(name), 1e-5, 1e-6), name.c_str());
  std::vector<int64_t> steps;
  for (const json& r : read_jsonl(ws.finetune_dir() / "metrics.jsonl"))
    if (r["kind"] == "step") steps.push_back(r["step"].get<int64_t>());
  QCOMPARE(steps.size(), size_t(9));  // 3 epochs x 3 steps, none repeated
  for (size_t i = 0; i < steps.size(); ++i) QCOMPARE(steps[i], int64_t(i + 1));
}

namespace {
int g_script_prints = 0;  // TorchScript print() calls seen by count_prints
void count_prints(const std::string&) {
  ++g_script_prints;
}
}  // namespace

// The resume checkpoint is plain tensors + JSON: an earlier version's TorchScript optimizer.pt is
// refused without being opened (a scripted __setstate__ in it ran), and a flipped byte in any
// tensor file is one line naming that file (it escaped as "internal error: invalid indent level",
// or resumed silently from damaged weights).
void TestBertTrain::resumeReadsPlainDataAndRefusesDamage() {
  QTemporaryDir tmp;
  const fs::path root = tmp.path().toStdString();
  kdw::FinetuneOptions o = tiny_options(root, make_workspace(root));
  o.epochs = 2;
  kdw::JobContext job;
  job.set_progress_sink([&](const kdw::ProgressEvent& e) {
    if (e.stage == "epoch 1/2" && e.done == 2) job.request_cancel();
  });
  QCOMPARE(error_of([&] { kdw::run_finetune(o, job); }), QString("cancelled"));
  const fs::path checkpoint = kdw::finetune_checkpoint_dir(kdw::Workspace{root}.finetune_dir());
  QVERIFY(fs::exists(checkpoint / "optimizer.safetensors"));
  QVERIFY(!fs::exists(checkpoint / "optimizer.pt"));
  const fs::path saved = root / "checkpoint_copy";
  fs::copy(checkpoint, saved, fs::copy_options::recursive);
  const auto restore = [&] {
    fs::remove_all(checkpoint);
    fs::copy(saved, checkpoint, fs::copy_options::recursive);
  };
  o.resume = true;
  kdw::JobContext plain;

  for (const char* name : {"model.safetensors", "optimizer.safetensors"}) {
    const std::string bytes = kdw::read_file(saved / name);
    for (const std::size_t pos :
         {std::size_t{3}, std::size_t{20}, bytes.size() / 2, bytes.size() - 1}) {
      restore();
      std::string damaged = bytes;
      damaged[pos] = static_cast<char>(damaged[pos] ^ 0x5a);
      kdw::write_file_atomic(checkpoint / name, damaged);
      const QString error = error_of([&] { kdw::run_finetune(o, plain); });
      QVERIFY2(error.startsWith(QString::fromStdString((checkpoint / name).string() + ": ")) &&
                   !error.contains('\n'),
               qPrintable(QString("%1 byte %2: %3").arg(name).arg(pos).arg(error)));
    }
  }

  // An old-format checkpoint whose optimizer.pt is a scripted module with a __setstate__.
  restore();
  fs::remove(checkpoint / "optimizer.safetensors");
  torch::jit::Module evil("Evil");
  evil.register_attribute("x", c10::IntType::get(), int64_t{1});
  evil.define(R"(
def __getstate__(self) -> int:
    return self.x
def __setstate__(self, state: int) -> None:
    self.x = state
    print("code from the checkpoint ran")
)");
  evil.save((checkpoint / "optimizer.pt").string());
  const auto previous_handler = torch::jit::getPrintHandler();
  torch::jit::setPrintHandler(count_prints);
  g_script_prints = 0;
  const QString error = error_of([&] { kdw::run_finetune(o, plain); });
  const int prints_by_resume = g_script_prints;
  torch::jit::load((checkpoint / "optimizer.pt").string());  // the file does run code when loaded
  const int prints_by_load = g_script_prints - prints_by_resume;
  torch::jit::setPrintHandler(previous_handler);
  QVERIFY2(error.startsWith(QString::fromStdString((checkpoint / "optimizer.pt").string() + ": ")),
           qPrintable(error));
  QCOMPARE(prints_by_resume, 0);
  QCOMPARE(prints_by_load, 1);
}

void TestBertTrain::badInputsGiveOneClearError() {
  QTemporaryDir tmp;
  const fs::path root = tmp.path().toStdString();
  const fs::path bert = make_workspace(root);
  const kdw::Workspace ws{root};
  kdw::JobContext job;
  const kdw::FinetuneOptions o = tiny_options(root, bert);

  kdw::LogitsOptions lo;
  lo.workspace = root;
  QVERIFY(error_of([&] { kdw::run_logits(lo, job); }).contains("rubert_finetune"));

  // bert_data made with another vocabulary.
  const std::string prepare = kdw::read_file(ws.prepare_file());
  kdw::write_file_atomic(ws.prepare_file(),
                         json{{"bert", {{"vocab", "other.txt"}, {"vocab_hash", "0123"}}}}.dump());
  QString error = error_of([&] { kdw::run_finetune(o, job); });
  QVERIFY2(error.contains("prepare.json") && error.contains("other.txt") &&
               error.contains(QString::fromStdString((bert / "vocab.txt").string())) &&
               error.contains("prepare the data again with this folder's vocab.txt"),
           qPrintable(error));
  // The same line, without throwing, for the Teacher panel to show when a folder is picked.
  QCOMPARE(QString::fromStdString(kdw::bert_vocab_problem(ws, bert / "vocab.txt")), error);
  kdw::write_file_atomic(ws.prepare_file(), prepare);
  QCOMPARE(kdw::bert_vocab_problem(ws, bert / "vocab.txt"), std::string());
  // Nothing prepared with a BERT vocabulary yet: nothing to warn about.
  QCOMPARE(kdw::bert_vocab_problem(kdw::Workspace{root / "empty"}, bert / "vocab.txt"),
           std::string());

  // The fixture's head has HF's placeholder labels LABEL_0..2: fine-tuning would start a new
  // head, but logits from it would be random.
  const fs::path placeholder_head = fs::path(KDW_FIXTURES_DIR) / "bert" / "hf_style";
  kdw::LogitsOptions from_placeholder = lo;
  from_placeholder.model = placeholder_head;
  error = error_of([&] { kdw::run_logits(from_placeholder, job); });
  QVERIFY2(error.contains("hf_style") && error.contains("finetune"), qPrintable(error));
  QVERIFY(!fs::exists(ws.logits_dir()));

  // A head trained for other, named labels: 3 named classes vs 4 labels here.
  kdw::write_file_atomic(ws.labels_file(), json{"a", "b", "c", "d"}.dump());
  kdw::FinetuneOptions headed = o;
  headed.bert_path = root / "named_head";
  fs::copy(placeholder_head, headed.bert_path);
  json config = kdw::read_json_file(headed.bert_path / "config.json");
  config["id2label"] = {{"0", "neg"}, {"1", "neu"}, {"2", "pos"}};
  config["label2id"] = {{"neg", 0}, {"neu", 1}, {"pos", 2}};
  kdw::write_file_atomic(headed.bert_path / "config.json", config.dump());
  error = error_of([&] { kdw::run_finetune(headed, job); });
  QVERIFY2(error.contains("neg, neu, pos") && error.contains("a, b, c, d") &&
               error.contains("without the classifier"),
           qPrintable(error));
  // Label indices beyond labels.json.
  kdw::write_file_atomic(ws.labels_file(), json{"a", "b"}.dump());
  error = error_of([&] { kdw::run_finetune(o, job); });
  QVERIFY2(error.contains("train_labels.npy"), qPrintable(error));

  fs::remove_all(ws.bert_data_dir());
  error = error_of([&] { kdw::run_finetune(o, job); });
  QVERIFY2(error.contains("bert_data"), qPrintable(error));
  QVERIFY(!fs::exists(ws.finetune_dir()));
}

// --precision bfloat16: mixed-precision fine-tuning still learns (float32 weights and gradients),
// and bf16 logits stay close to float32 ones and are recomputed when the precision changes.
void TestBertTrain::bfloat16TrainsAndItsLogitsStayClose() {
  QTemporaryDir tmp;
  const fs::path root = tmp.path().toStdString();
  const fs::path bert = make_workspace(root);
  kdw::JobContext job;
  kdw::FinetuneOptions o = tiny_options(root, bert);
  o.precision = "bfloat16";
  const kdw::FinetuneResult result = kdw::run_finetune(o, job);
  std::vector<double> losses;
  for (const json& r : read_jsonl(result.model_dir / "metrics.jsonl"))
    if (r["kind"] == "step") losses.push_back(r["loss"].get<double>());
  QCOMPARE(losses.size(), size_t(36));
  const double first = (losses[0] + losses[1]) / 2, last = (losses[34] + losses[35]) / 2;
  QVERIFY2(last < 0.85 * first, qPrintable(QString("loss %1 -> %2").arg(first).arg(last)));
  QVERIFY(result.best["dev"]["macro_f1"].get<double>() > 0.5);
  const json notes = json::parse(kdw::read_file(result.model_dir / "finetune.json"));
  QCOMPARE(notes["options"]["precision"].get<std::string>(), std::string("bfloat16"));
  // Saved weights are float32 (master weights), not bf16.
  kdw::LoadedBert saved = kdw::load_bert(result.model_dir, {});
  for (const auto& p : saved.model->parameters()) QCOMPARE(p.scalar_type(), at::kFloat);

  const kdw::Workspace ws{root};
  kdw::LogitsOptions lo;
  lo.workspace = root;
  QVERIFY(!kdw::run_logits(lo, job).skipped);
  const at::Tensor full = kdw::read_npy_tensor(ws.logits_dir() / "dev.npy");
  lo.precision = "bfloat16";
  const kdw::LogitsResult bf16 = kdw::run_logits(lo, job);
  QVERIFY(!bf16.skipped);  // another precision is another result
  QCOMPARE(bf16.summary["precision"].get<std::string>(), std::string("bfloat16"));
  const at::Tensor reduced = kdw::read_npy_tensor(ws.logits_dir() / "dev.npy");
  QCOMPARE(reduced.scalar_type(), at::kFloat);
  const double diff = (reduced - full).abs().max().item<double>();
  const double scale = full.abs().max().item<double>();
  QVERIFY2(diff > 0 && diff < 0.02 * scale + 0.02,
           qPrintable(QString("max diff %1, logits up to %2").arg(diff).arg(scale)));
  QVERIFY(kdw::run_logits(lo, job).skipped);

  lo.precision = "float16";
  QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::run_logits(lo, job));
  o.precision = "half";
  QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::run_finetune(o, job));
}

QTEST_GUILESS_MAIN(TestBertTrain)
#include "test_bert_train.moc"
