// Issue 14's distillation options: augmented rows used and mapped back (--augmented), the lasso
// schedule, training on a restored (cut) model that keeps its shape, the teacher's and the
// label-only baseline's scores in result.json, and student embeddings from the teacher.
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <nlohmann/json.hpp>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/json_read.h"
#include "core/threads.h"
#include "data/augment.h"
#include "formats/npy.h"
#include "student/distill.h"
#include "student/distill_checkpoint.h"
#include "student/distill_data.h"
#include "student/lasso_schedule.h"
#include "student/run_folder.h"
#include "student/teacher_embedding.h"
#include "synthetic_data.h"
#include "tokenize/wordpiece.h"

namespace fs = std::filesystem;

namespace {

kdw::DistillOptions tiny(const fs::path& data, const fs::path& out) {
  kdw::DistillOptions o;
  o.data_path = data;
  o.output_dir = out;
  o.hidden_size = 6;
  o.emb_dim = 5;
  o.epochs = 1;
  o.batch_size = 8;
  o.lr = 0.01;
  return o;
}

// A saved cut model of uneven shape (3/2, 2/1 units) over the synthetic data's 20 words, as
// Compress writes one: the model to train further.
kdw::StudentArch save_cut_model(const fs::path& file, int64_t emb_dim, double dropout) {
  kdw::StudentArch arch = kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, emb_dim, 3, 2,
                                                 {"neg", "pos"}, dropout);
  arch.hidden = {{3, 2}, {2, 1}};
  kdw::save_student(kdw::StudentModel(arch), file);
  return arch;
}

// Two augmented copies of every train sample (no n-gram cut, so lengths stay) with the source
// sample's logits, written as `kdw logits --augment 2` writes them.
void write_augmented(const fs::path& data) {
  const kdw::RaggedSplit train = kdw::read_ragged_split(data / "tokens", "train");
  kdw::AugmentOptions a;
  a.copies = 2;
  a.p_mask = 0.3;
  a.p_ngram = 0;
  const kdw::AugmentedSplit aug =
      kdw::augment_split(train, kdw::read_vocab_lines(data / "tokens" / "vocab.txt"), a);
  const kdw::NpyArray logits = kdw::read_npy(data / "logits" / "train.npy");
  const float* v = logits.data<float>();
  std::vector<float> out;
  for (const int64_t i : aug.source) out.insert(out.end(), v + 2 * i, v + 2 * i + 2);
  kdw::write_ragged_split(data / "logits", "train_aug", aug.words);
  kdw::write_npy(data / "logits" / "train_aug_source.npy", aug.source);
  kdw::write_npy(data / "logits" / "train_aug.npy", out, {aug.words.size(), 2});
}

nlohmann::json run_config(const kdw::DistillResult& r) {
  return kdw::read_json_file(r.run_dir / "config.json");
}

std::vector<nlohmann::json> epoch_records(const kdw::DistillResult& r) {
  std::ifstream in(r.run_dir / "metrics.jsonl");
  std::vector<nlohmann::json> out;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j["kind"] == "epoch") out.push_back(j);
  }
  return out;
}

}  // namespace

class TestDistillTransfer : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { kdw::apply_thread_count(1); }

  void augmentedRowsAreUsedAndMapBack() {
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    kdw::testing::write_synthetic_data(data);
    write_augmented(data);
    kdw::JobContext job;
    kdw::DistillOptions o = tiny(data, dir.path().toStdString());
    const kdw::DistillResult on = kdw::run_distill(o, job);
    QCOMPARE(run_config(on)["train_samples"].get<int64_t>(), 48);
    QCOMPARE(run_config(on)["augmented_samples"].get<int64_t>(), 96);
    o.augmented = false;
    const kdw::DistillResult off = kdw::run_distill(o, job);
    QCOMPARE(run_config(off)["augmented_samples"].get<int64_t>(), 0);
    QVERIFY(on.report.steps > off.report.steps);
    // The merged train split: originals first, then each copy with its source's label.
    kdw::DistillData d = kdw::read_distill_data(data, true);
    QCOMPARE(d.augmented.size(), 96);
    const auto source = d.augmented_source;
    QCOMPARE(kdw::append_augmented(d), 96);
    QCOMPARE(d.splits[0].size(), 144);
    QCOMPARE(d.logits[0].size(0), 144);
    for (int64_t j = 0; j < 96; ++j) {
      QCOMPARE(d.splits[0].labels[std::size_t(48 + j)], d.splits[0].labels[source[j]]);
      QVERIFY(at::equal(d.logits[0][48 + j], d.logits[0][source[j]]));
    }
    // A copy that no longer maps back to its sample (another label) is refused, naming the file.
    std::vector<int64_t> bad = source;
    const auto labels = d.splits[0].labels;
    for (int64_t i = 0; i < 48; ++i)
      if (labels[std::size_t(i)] != labels[std::size_t(bad[0])]) {
        bad[0] = i;
        break;
      }
    kdw::write_npy(data / "logits" / "train_aug_source.npy", bad);
    try {
      kdw::run_distill(o, job);
      QFAIL("a copy with another label was accepted");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).contains("train_aug_source.npy"), e.what());
    }
  }

  void lassoWarmupThenRamp() {
    QCOMPARE(kdw::lasso_weight(0.01, 1, 2, 1), 0.0);
    QCOMPARE(kdw::lasso_weight(0.01, 1, 2, 2), 0.005);
    QCOMPARE(kdw::lasso_weight(0.01, 1, 2, 3), 0.01);
    QCOMPARE(kdw::lasso_weight(0.01, 0, 0, 1), 0.01);  // no schedule: full weight at once
    QTemporaryDir dir;
    const fs::path data = fs::path(dir.path().toStdString()) / "data";
    kdw::testing::write_synthetic_data(data);
    kdw::DistillOptions o = tiny(data, dir.path().toStdString());
    o.epochs = 4;
    o.group_lasso = 0.01;
    o.lasso_warmup = 1;
    o.lasso_ramp = 2;
    kdw::JobContext job;
    const auto epochs = epoch_records(kdw::run_distill(o, job));
    QCOMPARE(epochs.size(), std::size_t(4));
    const double expected[] = {0, 0.005, 0.01, 0.01};
    for (int e = 0; e < 4; ++e) QCOMPARE(epochs[e]["lasso_weight"].get<double>(), expected[e]);
  }

  void restoredCutModelKeepsItsShapeAndTrains() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const fs::path data = root / "data";
    kdw::testing::write_synthetic_data(data);
    const fs::path cut_file = root / "cut_model_distill_stack_biLSTM.pt";
    torch::manual_seed(3);
    kdw::StudentArch arch = save_cut_model(cut_file, 5, 0.1);
    const kdw::StudentModel cut = kdw::load_student(cut_file);
    kdw::DistillOptions o = tiny(data, root);
    o.restore_model_path = cut_file;
    o.epochs = 2;
    kdw::JobContext job;
    const kdw::DistillResult r = kdw::run_distill(o, job);
    QCOMPARE(r.report.epochs_done, 2);
    QCOMPARE(r.report.arch, arch.to_json());
    const kdw::StudentModel trained = kdw::load_student(r.model_file);
    QCOMPARE(trained->arch().to_json(), arch.to_json());
    QCOMPARE(trained->parameter_count(), cut->parameter_count());
    QVERIFY(
        !at::equal(trained->param("layers.0.fwd.weight_ih"), cut->param("layers.0.fwd.weight_ih")));
    // Fresh teacher embeddings would undo the restored model's training: refused.
    o.emb_from_teacher = true;
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::run_distill(o, job));
    o.emb_from_teacher = false;
    // A model for another vocabulary is refused, naming its file.
    arch.vocab_size = 30;
    kdw::save_student(kdw::StudentModel(arch), cut_file);
    try {
      kdw::run_distill(o, job);
      QFAIL("a model of another vocabulary was accepted");
    } catch (const kdw::Error& e) {
      QVERIFY2(QString(e.what()).contains("cut_model_distill"), e.what());
    }
  }

  // A run that trains a saved model on records that model's shape, not the shape options it was
  // given (unused): config.json's shape fields are the model's, hidden_size only where one number
  // says it, and RunFolder::read_arch hands back the model's architecture.
  void restoredRunRecordsTheModelsShape() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const fs::path data = root / "data";
    kdw::testing::write_synthetic_data(data);
    const fs::path cut_file = root / "cut_model_distill_stack_biLSTM.pt";
    kdw::StudentArch arch = save_cut_model(cut_file, 4, 0.2);
    kdw::DistillOptions o = tiny(data, root / "uneven");  // hidden 6, emb 5, 2 layers, dropout 0.1
    o.restore_model_path = cut_file;
    kdw::JobContext job;
    const kdw::RunFolder run(kdw::run_distill(o, job).run_dir);
    const nlohmann::json config = run.read_config();
    QCOMPARE(config.at("arch"), arch.to_json());
    QVERIFY(!config.contains("hidden_size"));  // 3/2, 2/1: no one number
    QCOMPARE(config.at("num_layers").get<int>(), 2);
    QCOMPARE(config.at("emb_dim").get<int64_t>(), int64_t(4));
    QCOMPARE(config.at("dropout").get<double>(), 0.2);
    QCOMPARE(run.read_arch()->to_json(), arch.to_json());
    QCOMPARE(run.read_arch()->shape_text(), std::string("2 x biLSTM 3/2, 2/1"));
    // Read through the option table, the shape fields are the model's where they can be.
    const kdw::DistillOptions read = kdw::distill_options_from_json(config);
    QCOMPARE(read.emb_dim, int64_t(4));
    QVERIFY(read.restore_model_path == cut_file);

    // One size everywhere: hidden_size says it.
    arch = kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 20, 4, 3, 1, {"neg", "pos"}, 0.0);
    const fs::path lstm_file = root / "cut_model_distill_stack_LSTM.pt";
    kdw::save_student(kdw::StudentModel(arch), lstm_file);
    o.model_type = kdw::StudentType::kStackLSTM;
    o.restore_model_path = lstm_file;
    o.output_dir = root / "uniform";
    const kdw::RunFolder lstm_run(kdw::run_distill(o, job).run_dir);
    const nlohmann::json lstm_config = lstm_run.read_config();
    QCOMPARE(lstm_config.at("hidden_size").get<int64_t>(), int64_t(3));
    QCOMPARE(lstm_config.at("num_layers").get<int>(), 1);
    QCOMPARE(lstm_run.read_arch()->shape_text(), std::string("1 x LSTM 3"));

    // A run recorded before (shape options as given) still resumes: "arch" is its shape.
    nlohmann::json old_config = config;
    old_config["hidden_size"] = 6;
    old_config["emb_dim"] = 5;
    old_config["dropout"] = 0.1;
    kdw::check_resume_config(run.config_file(), old_config, config);
    old_config["arch"]["emb_dim"] = 5;  // but another model is refused, naming the field
    QVERIFY_THROWS_EXCEPTION(kdw::Error,
                             kdw::check_resume_config(run.config_file(), old_config, config));
  }

  // Where config.json records no shape (a hand-made or older run), the model file's header says
  // it; a recorded shape that does not read is one line naming config.json.
  void runShapeFallsBackAndRefusesBadRecords() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    kdw::StudentArch arch =
        kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 4, 8, 2, {"neg", "pos"}, 0.1);
    kdw::save_student(kdw::StudentModel(arch), root / "model_distill_stack_biLSTM.pt");
    const kdw::RunFolder run(root);
    QCOMPARE(run.read_arch()->shape_text(), std::string("2 x biLSTM 8"));
    kdw::write_file_atomic(run.config_file(), R"({"hidden_size": 8})");
    QCOMPARE(run.read_arch()->to_json(), arch.to_json());
    for (const char* bad : {R"({"arch": 5})", R"({"arch": {"model_type": "stack_biLSTM"}})",
                            R"({"arch": {"model_type": "stack_LSTM", "vocab_size": 20,
                                "emb_dim": 4, "hidden": [[-3, 0]], "labels": ["a"]}})"}) {
      kdw::write_file_atomic(run.config_file(), bad);
      try {
        run.read_arch();
        QFAIL(bad);
      } catch (const kdw::Error& e) {
        QVERIFY2(QString(e.what()).contains("config.json: field arch"), e.what());
        QVERIFY(!QString(e.what()).contains('\n'));
      }
    }
    QVERIFY(!kdw::RunFolder(root / "none").read_arch());
  }

  void resultShowsTeacherAndLabelOnlyBaseline() {
    QTemporaryDir dir;
    const fs::path root = dir.path().toStdString();
    const fs::path data = root / "data";
    kdw::testing::write_synthetic_data(data);
    kdw::write_file_atomic(data / "logits" / "logits.json",
                           R"({"labels": ["neg", "pos"], "splits": {"dev": {"accuracy": 0.75},
                               "test": {"accuracy": 0.625}}})");
    kdw::DistillOptions o = tiny(data, root);
    o.alpha = 1;
    kdw::JobContext job;
    const kdw::DistillResult base = kdw::run_distill(o, job);
    const auto base_json = kdw::read_json_file(base.run_dir / "result.json");
    QCOMPARE(base_json["teacher_dev_accuracy"].get<double>(), 0.75);
    QCOMPARE(base_json["teacher_test_accuracy"].get<double>(), 0.625);
    QVERIFY(!base_json.contains("baseline"));
    o.alpha = 0.5;
    const kdw::DistillResult r = kdw::run_distill(o, job);
    const auto j = kdw::read_json_file(r.run_dir / "result.json");
    QCOMPARE(j["baseline"]["run"].get<std::string>(), base.run_dir.filename().string());
    QCOMPARE(j["baseline"]["dev_accuracy"].get<double>(), base.report.dev->accuracy);
    QCOMPARE(r.report.teacher_dev_accuracy.value_or(0), 0.75);
  }

  void embeddingsFromTeacherKeepTheGeometry() {
    QTemporaryDir dir;
    const fs::path vocab = fs::path(dir.path().toStdString()) / "vocab.txt";
    std::ofstream(vocab) << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nab\n##c\nd\ne\nf\n";
    const kdw::WordPieceTokenizer wp(vocab, false);
    const std::vector<std::string> words = {"<pad>", "<unk>", "abc", "ab", "d", "e", "f"};
    torch::manual_seed(1);
    const at::Tensor teacher = at::randn({10, 4});
    const at::Tensor out = kdw::project_teacher_embeddings(words, wp, teacher, 4);
    QCOMPARE(out.sizes(), at::IntArrayRef({7, 4}));
    QVERIFY(at::equal(out[0], at::zeros({4})));
    // With emb_dim = hidden, PCA is a rotation and a scale: every distance between two words'
    // mean piece vectors is kept up to one common factor.
    auto mean_of = [&](std::vector<int64_t> ids) {
      return teacher.index_select(0, at::tensor(ids)).mean(0);
    };
    // Rows 1..6: [UNK], ab + ##c, ab, d, e, f.
    const std::vector<at::Tensor> means = {mean_of({1}), mean_of({5, 6}), mean_of({5}),
                                           mean_of({7}), mean_of({8}),    mean_of({9})};
    std::vector<double> ratios;
    for (int i = 1; i < 7; ++i)
      for (int j = i + 1; j < 7; ++j) {
        const double teacher_d =
            (means[std::size_t(i - 1)] - means[std::size_t(j - 1)]).norm().item<double>();
        const double student_d = (out[i] - out[j]).norm().item<double>();
        ratios.push_back(student_d / teacher_d);
      }
    for (const double r : ratios)
      QVERIFY2(std::abs(r / ratios[0] - 1) < 1e-4, qPrintable(QString::number(r)));
    // emb_dim above the teacher's width: the extra components are 0.
    const at::Tensor wide = kdw::project_teacher_embeddings(words, wp, teacher, 6);
    QVERIFY(at::equal(wide.narrow(1, 4, 2), at::zeros({7, 2})));
  }
};

QTEST_GUILESS_MAIN(TestDistillTransfer)
#include "test_distill_transfer.moc"
