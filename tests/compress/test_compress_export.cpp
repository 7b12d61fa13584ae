// kdw export: the folder's files, their names and shapes, and a numpy-only forward pass of the
// exported model (tests/compress/export_forward.py, the snippet of docs/export.md) that must
// give our logits.
#include <QtTest>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "compress/cut.h"
#include "compress/export.h"
#include "compress/selection.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "formats/npy.h"
#include "formats/safetensors.h"
#include "student/student_model.h"

namespace fs = std::filesystem;
using kdw::StudentArch;
using kdw::StudentModel;
using kdw::StudentType;

namespace {

StudentModel random_model(StudentType type, int layers, int64_t hidden) {
  at::manual_seed(17);
  StudentModel m(StudentArch::make(type, 30, 5, hidden, layers, {"a", "b", "c", "d"}, 0.0));
  at::NoGradGuard no_grad;
  for (auto& p : m->parameters()) p.uniform_(-0.5, 0.5);
  m->eval();
  return m;
}

std::string vocab_lines(int64_t n) {
  std::string s = "<pad>\n<unk>\n";
  for (int64_t i = 2; i < n; ++i) s += "word" + std::to_string(i) + "\n";
  return s;
}

}  // namespace

class TestCompressExport : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

  // Exports `m` from a workspace run folder and checks the numpy forward pass against ours.
  void check_numpy_forward(StudentModel m, const std::string& tag) {
    const fs::path ws = tmp_ / tag;
    const fs::path run = ws / "2026-01-01___00-00-00";
    const fs::path model_file =
        run / ("model_distill_" + kdw::student_type_name(m->arch().type) + ".pt");
    kdw::save_student(m, model_file);
    kdw::write_file_atomic(ws / "files" / "data" / "tokens" / "vocab.txt",
                           vocab_lines(m->arch().vocab_size));
    const fs::path out = tmp_ / (tag + "_export");
    const nlohmann::json config = kdw::export_student({model_file, out, {}});
    QVERIFY(!config["vocab_source"].is_null());
    for (const char* f : {"config.json", "model.safetensors", "vocab.txt"})
      QVERIFY2(fs::is_regular_file(out / f), f);
    QVERIFY(fs::is_regular_file(out / model_file.filename()));

    // Names and values in the safetensors file are the model's.
    const kdw::SafetensorsFile st = kdw::read_safetensors(out / "model.safetensors");
    QCOMPARE(st.tensors.size(), config["tensors"].size());
    for (const auto& [name, t] : st.tensors) QVERIFY2(at::equal(t, m->param(name)), name.c_str());

    at::manual_seed(5);
    const std::vector<int64_t> lens = {6, 1, 4, 2};
    at::Tensor ids = at::randint(1, m->arch().vocab_size, {4, 6}, at::kLong);
    for (int64_t b = 0; b < 4; ++b) ids[b].slice(0, lens[b]).fill_(0);
    const at::Tensor lengths = at::tensor(lens, at::kLong);
    at::Tensor ours;
    {
      at::NoGradGuard no_grad;
      ours = m->forward(ids, lengths).to(at::kFloat);
    }
    kdw::write_npy_tensor(tmp_ / "ids.npy", ids);
    kdw::write_npy_tensor(tmp_ / "lengths.npy", lengths);
    QProcess py;
    py.start("/usr/bin/python3", {KDW_SOURCE_DIR "/tests/compress/export_forward.py",
                                  QString::fromStdString(out.string()),
                                  QString::fromStdString((tmp_ / "ids.npy").string()),
                                  QString::fromStdString((tmp_ / "lengths.npy").string()),
                                  QString::fromStdString((tmp_ / "logits.npy").string())});
    QVERIFY(py.waitForFinished(60000));
    QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
    const at::Tensor theirs = kdw::read_npy_tensor(tmp_ / "logits.npy");
    QCOMPARE(theirs.sizes().vec(), ours.sizes().vec());
    const double diff = (theirs - ours).abs().max().item<double>();
    QVERIFY2(diff < 1e-4, std::to_string(diff).c_str());
    QVERIFY(ours.abs().max().item<double>() > 0.1);  // not a trivially zero model
  }

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_export_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void numpyForwardMatchesBiLstmCut() {
    // A cut model: uneven layer sizes must come through config.json.
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 6);
    kdw::Selection s = kdw::Selection::none(m->arch());
    s.removed[0][1] = {0, 4};
    s.removed[1][0] = {2};
    StudentModel cut = kdw::cut_student(*m, s);
    cut->eval();
    check_numpy_forward(cut, "bi");
  }

  void numpyForwardMatchesLstm() {
    check_numpy_forward(random_model(StudentType::kStackLSTM, 2, 5), "uni");
  }

  void configDescribesModel() {
    StudentModel m = random_model(StudentType::kStackBiLSTM, 1, 4);
    const fs::path model_file = tmp_ / "model_distill_stack_biLSTM.pt";
    kdw::save_student(m, model_file);
    const fs::path out = tmp_ / "out";
    kdw::export_student({model_file, out, {}});
    const auto config = nlohmann::json::parse(kdw::read_file(out / "config.json"));
    QCOMPARE(config["model_type"].get<std::string>(), std::string("stack_biLSTM"));
    QCOMPARE(config["vocab_size"].get<int64_t>(), int64_t(30));
    QCOMPARE(config["hidden"][0]["bwd"].get<int64_t>(), int64_t(4));
    QCOMPARE(config["labels"].size(), size_t(4));
    QVERIFY(config["vocab_file"].is_null());  // none found: exported without one
    QVERIFY(!fs::exists(out / "vocab.txt"));
    QCOMPARE(config["tensors"][1]["name"].get<std::string>(),
             std::string("layers.0.fwd.weight_ih"));
    QCOMPARE(config["tensors"][1]["shape"][0].get<int64_t>(), int64_t(16));
    QVERIFY(StudentArch::from_json(config["arch"]).hidden == m->arch().hidden);
  }

  void badInputs() {
    StudentModel m = random_model(StudentType::kStackLSTM, 1, 4);
    const fs::path model_file = tmp_ / "m.pt";
    kdw::save_student(m, model_file);
    // Missing model.
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::export_student({tmp_ / "none.pt", tmp_ / "o1", {}}));
    QVERIFY(!fs::exists(tmp_ / "o1"));
    // A vocabulary of the wrong size, given explicitly.
    kdw::write_file_atomic(tmp_ / "vocab.txt", vocab_lines(7));
    try {
      kdw::export_student({model_file, tmp_ / "o2", tmp_ / "vocab.txt"});
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY2(std::string(e.what()).find("7 lines") != std::string::npos, e.what());
    }
    QVERIFY(!fs::exists(tmp_ / "o2"));
    // Unwritable output (under a file): error, nothing half-written next to it.
    kdw::write_file_atomic(tmp_ / "blocker", "x");
    QVERIFY_THROWS_EXCEPTION(kdw::Error,
                             kdw::export_student({model_file, tmp_ / "blocker" / "out", {}}));
    // A previous export survives a failed one.
    kdw::write_file_atomic(tmp_ / "vocab.txt", vocab_lines(30));
    kdw::export_student({model_file, tmp_ / "o3", tmp_ / "vocab.txt"});
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::export_student({tmp_ / "none.pt", tmp_ / "o3", {}}));
    QVERIFY(fs::is_regular_file(tmp_ / "o3" / "model.safetensors"));
    QVERIFY(fs::is_regular_file(tmp_ / "o3" / "vocab.txt"));
  }
};

QTEST_GUILESS_MAIN(TestCompressExport)
#include "test_compress_export.moc"
