// The student's forward pass against a hand-written LSTM cell loop run on each sample alone, and
// the model file (round trip, corrupt file, type mismatch).
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/error.h"
#include "formats/safetensors.h"
#include "student/lstm_sequence.h"
#include "student/student_model.h"

using namespace kdw;

namespace {

// One LSTM direction over x [L, in] by the textbook cell equations (gate order i, f, g, o).
at::Tensor cell_loop(const at::Tensor& x, const StudentModelImpl& m, const std::string& p,
                     bool reverse) {
  const auto w_ih = m.param(p + "weight_ih"), w_hh = m.param(p + "weight_hh");
  const auto b = m.param(p + "bias_ih") + m.param(p + "bias_hh");
  const int64_t H = w_hh.size(1), L = x.size(0);
  auto h = at::zeros({H}), c = at::zeros({H});
  auto out = at::zeros({L, H});
  for (int64_t k = 0; k < L; ++k) {
    const int64_t t = reverse ? L - 1 - k : k;
    const auto gates = at::mv(w_ih, x[t]) + at::mv(w_hh, h) + b;
    const auto parts = gates.chunk(4);
    c = at::sigmoid(parts[1]) * c + at::sigmoid(parts[0]) * at::tanh(parts[2]);
    h = at::sigmoid(parts[3]) * at::tanh(c);
    out[t] = h;
  }
  return out;
}

at::Tensor reference_logits(const StudentModelImpl& m, const at::Tensor& ids) {
  const auto& a = m.arch();
  at::Tensor x = m.param("embedding.weight").index_select(0, ids);
  at::Tensor last_f, first_b;
  for (std::size_t l = 0; l < a.hidden.size(); ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    const auto f = cell_loop(x, m, p + "fwd.", false);
    if (a.num_directions() == 2) {
      const auto b = cell_loop(x, m, p + "bwd.", true);
      x = at::cat({f, b}, 1);
      first_b = b[0];
    } else {
      x = f;
    }
    last_f = f[f.size(0) - 1];
  }
  const auto features = a.num_directions() == 2 ? at::cat({last_f, first_b}) : last_f;
  return at::mv(m.param("classifier.weight"), features) + m.param("classifier.bias");
}

StudentArch uneven_arch(StudentType type, int layers) {
  StudentArch a = StudentArch::make(type, 23, 5, 4, layers, {"a", "b", "c"}, 0.3);
  const int64_t sizes[3][2] = {{3, 5}, {4, 2}, {6, 1}};
  for (int l = 0; l < layers; ++l)
    a.hidden[l] = {sizes[l][0], type == StudentType::kStackBiLSTM ? sizes[l][1] : 0};
  return a;
}

}  // namespace

class TestStudentModel : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void initTestCase() { torch::manual_seed(7); }

  void paddingMatchesPerSampleLoop_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("layers");
    for (int t = 0; t < 2; ++t)
      for (int l = 1; l <= 3; ++l)
        QTest::newRow((std::string(t ? "biLSTM-" : "LSTM-") + std::to_string(l)).c_str()) << t << l;
  }
  void paddingMatchesPerSampleLoop() {
    QFETCH(int, type);
    QFETCH(int, layers);
    StudentModel m(uneven_arch(type ? StudentType::kStackBiLSTM : StudentType::kStackLSTM, layers));
    m->eval();
    torch::NoGradGuard no_grad;
    const std::vector<int64_t> lengths = {7, 1, 4, 7, 2};
    const int64_t B = 5, T = 9;  // longer than any sample: every row has padding
    // Padding holds random ids on purpose: whatever sits there must not matter.
    at::Tensor ids = at::randint(1, 23, {B, T}, at::kLong);
    at::Tensor batched = m->forward(ids, at::tensor(lengths, at::kLong));
    QCOMPARE(batched.size(0), B);
    QCOMPARE(batched.size(1), int64_t(3));
    for (int64_t i = 0; i < B; ++i) {
      const auto sample = ids[i].narrow(0, 0, lengths[i]);
      const auto alone = m->forward(sample.unsqueeze(0), at::tensor({lengths[i]}, at::kLong))[0];
      const auto ref = reference_logits(*m, sample);
      QVERIFY2(at::allclose(batched[i], alone, 0, 1e-5), "batched differs from the sample alone");
      QVERIFY2(at::allclose(batched[i], ref, 0, 1e-5), "batched differs from the cell loop");
    }
  }

  // The hand-written CPU kernel against PyTorch's own LSTM: outputs and every gradient.
  void lstmSequenceMatchesAtenLstm_data() {
    QTest::addColumn<bool>("dbl");
    QTest::newRow("float") << false;
    QTest::newRow("double") << true;
  }
  void lstmSequenceMatchesAtenLstm() {
    QFETCH(bool, dbl);
    const auto opt = at::TensorOptions().dtype(dbl ? at::kDouble : at::kFloat);
    const double tol = dbl ? 1e-12 : 2e-5;
    const int64_t B = 3, T = 7, in = 5, H = 4;
    std::vector<at::Tensor> mine = {at::randn({B, T, in}, opt), at::randn({4 * H, in}, opt),
                                    at::randn({4 * H, H}, opt), at::randn({4 * H}, opt),
                                    at::randn({4 * H}, opt)};
    std::vector<at::Tensor> theirs;
    for (auto& t : mine) {
      theirs.push_back(t.clone().requires_grad_(true));
      t.requires_grad_(true);
    }
    const auto weight = at::randn({B, T, H}, opt);
    const auto out = lstm_sequence(mine[0], mine[1], mine[2], mine[3], mine[4]);
    (out * weight).sum().backward();
    const auto h0 = at::zeros({1, B, H}, opt);
    const auto ref =
        std::get<0>(at::lstm(theirs[0], {h0, h0}, {theirs[1], theirs[2], theirs[3], theirs[4]},
                             true, 1, 0.0, true, false, true));
    (ref * weight).sum().backward();
    QVERIFY2(at::allclose(out, ref, 0, tol), "outputs differ");
    const char* names[] = {"x", "w_ih", "w_hh", "b_ih", "b_hh"};
    for (std::size_t k = 0; k < mine.size(); ++k)
      QVERIFY2(at::allclose(mine[k].grad(), theirs[k].grad(), tol, tol), names[k]);
    // Without gradients the same forward runs without keeping its intermediates.
    torch::NoGradGuard no_grad;
    QVERIFY(at::allclose(lstm_sequence(mine[0], mine[1], mine[2], mine[3], mine[4]), ref, 0, tol));
  }

  // Training sees the same gradients whether samples come alone or in one padded batch.
  void paddedBatchGradientsEqualPerSampleSum() {
    StudentModel m(uneven_arch(StudentType::kStackBiLSTM, 2));
    m->eval();  // no dropout: the two passes must see the same function
    const std::vector<int64_t> lengths = {6, 2, 5};
    const at::Tensor ids = at::randint(1, 23, {3, 8}, at::kLong);
    m->forward(ids, at::tensor(lengths, at::kLong)).pow(2).sum().backward();
    std::vector<at::Tensor> batched;
    for (const auto& p : m->parameters()) {
      batched.push_back(p.grad().clone());
      p.mutable_grad().zero_();
    }
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      const auto sample = ids[int64_t(i)].narrow(0, 0, lengths[i]).unsqueeze(0);
      m->forward(sample, at::tensor({lengths[i]}, at::kLong)).pow(2).sum().backward();
    }
    const auto params = m->named_parameters();
    for (std::size_t k = 0; k < params.size(); ++k)
      QVERIFY2(at::allclose(batched[k], params[k].value().grad(), 1e-4, 1e-5),
               params[k].key().c_str());
  }

  void dropoutOnlyInTraining() {
    StudentModel m(uneven_arch(StudentType::kStackBiLSTM, 2));
    torch::NoGradGuard no_grad;
    const auto ids = at::randint(1, 23, {3, 6}, at::kLong);
    const auto len = at::tensor({6, 3, 5}, at::kLong);
    m->eval();
    QVERIFY(at::equal(m->forward(ids, len), m->forward(ids, len)));
    m->train();
    QVERIFY(!at::allclose(m->forward(ids, len), m->forward(ids, len)));
  }

  void namesAndShapes() {
    StudentModel m(uneven_arch(StudentType::kStackBiLSTM, 2));
    QCOMPARE(m->param("embedding.weight").sizes().vec(), (std::vector<int64_t>{23, 5}));
    QCOMPARE(m->param("layers.1.fwd.weight_ih").sizes().vec(), (std::vector<int64_t>{16, 8}));
    QCOMPARE(m->param("layers.1.bwd.weight_hh").sizes().vec(), (std::vector<int64_t>{8, 2}));
    QCOMPARE(m->param("classifier.weight").sizes().vec(), (std::vector<int64_t>{3, 6}));
    QVERIFY(at::equal(m->param("embedding.weight")[0], at::zeros({5})));
    QVERIFY_THROWS_EXCEPTION(Error, m->param("layers.2.fwd.weight_ih"));
    int64_t expected = 23 * 5;
    for (auto [h, in] : {std::pair<int64_t, int64_t>{3, 5}, {5, 5}, {4, 8}, {2, 8}})
      expected += 4 * h * (in + h) + 8 * h;
    expected += 3 * 6 + 3;
    QCOMPARE(m->parameter_count(), expected);
  }

  void saveLoadRoundTrip() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("model_distill_stack_biLSTM.pt").toStdString();
    StudentModel m(uneven_arch(StudentType::kStackBiLSTM, 3));
    save_student(m, file);
    StudentModel back = load_student(file, StudentType::kStackBiLSTM);
    QCOMPARE(back->arch().to_json(), m->arch().to_json());
    for (const auto& p : m->named_parameters()) QVERIFY(at::equal(p.value(), back->param(p.key())));
  }

  void corruptFileNamesTheFile() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("m.pt").toStdString();
    save_student(StudentModel(uneven_arch(StudentType::kStackLSTM, 2)), file);
    const auto size = std::filesystem::file_size(file);
    std::filesystem::resize_file(file, size / 2);
    try {
      load_student(file);
      QFAIL("a truncated file loaded");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find(file.string()) != std::string::npos, e.what());
    }
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not a model at all, just text";
    QVERIFY_THROWS_EXCEPTION(Error, load_student(file));
    QVERIFY_THROWS_EXCEPTION(Error, load_student(dir.filePath("missing.pt").toStdString()));
  }

  void typeMismatchSaysWhatTheFileHolds() {
    QTemporaryDir dir;
    const std::filesystem::path file = dir.filePath("m.pt").toStdString();
    save_student(StudentModel(uneven_arch(StudentType::kStackLSTM, 1)), file);
    try {
      load_student(file, StudentType::kStackBiLSTM);
      QFAIL("type mismatch not detected");
    } catch (const Error& e) {
      QVERIFY2(std::string(e.what()).find("holds a stack_LSTM model") != std::string::npos,
               e.what());
    }
  }

  // A few-KB file whose metadata claims a vocabulary of 10^12 rows ("tried to allocate 32 TB")
  // or 2^31 is refused from its tensors' real shapes before any model is built.
  void metadataSizesAreCheckedBeforeBuilding() {
    QTemporaryDir dir;
    const std::filesystem::path good = dir.filePath("good.pt").toStdString();
    const std::filesystem::path bad = dir.filePath("bad.pt").toStdString();
    StudentModel m(uneven_arch(StudentType::kStackBiLSTM, 2));
    save_student(m, good);
    const SafetensorsFile file = read_safetensors(good);
    for (const auto& [field, value] : std::vector<std::pair<std::string, nlohmann::json>>{
             {"vocab_size", int64_t{1000000000000}},
             {"vocab_size", int64_t{1} << 31},
             {"emb_dim", int64_t{1} << 40},
             {"hidden", nlohmann::json::array({{1 << 20, 1 << 20}, {2, 2}})}}) {
      auto arch = m->arch().to_json();
      arch[field] = value;
      auto metadata = file.metadata;
      metadata["arch"] = arch.dump();
      write_safetensors(bad, file.tensors, metadata);
      try {
        load_student(bad);
        QFAIL("a model file with impossible sizes loaded");
      } catch (const Error& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(bad.string()) != std::string::npos &&
                     what.find("the architecture needs") != std::string::npos,
                 e.what());
      }
    }
    // Shapes computed without a model are those of the model.
    const auto shapes = m->arch().parameter_shapes();
    const auto params = m->named_parameters();
    QCOMPARE(shapes.size(), params.size());
    for (std::size_t k = 0; k < shapes.size(); ++k) {
      QCOMPARE(shapes[k].first, params[k].key());
      QCOMPARE(shapes[k].second, params[k].value().sizes().vec());
    }
  }

  void archJsonChecks() {
    auto j = uneven_arch(StudentType::kStackBiLSTM, 2).to_json();
    QCOMPARE(StudentArch::from_json(j).to_json(), j);
    j["hidden"] = nlohmann::json::array({{3}});
    QVERIFY_THROWS_EXCEPTION(Error, StudentArch::from_json(j));
    QVERIFY_THROWS_EXCEPTION(UsageError, parse_student_type("gru"));
  }
};

QTEST_APPLESS_MAIN(TestStudentModel)
#include "test_student_model.moc"
