// Cutting ISS components: the physically smaller model computes what the original computes with
// those components zeroed; selections (threshold, keep, components file) and the run-folder
// pipeline behind `kdw compress`, including its bad inputs.
#include <QtTest>

#include <unistd.h>

#include <filesystem>
#include <random>

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "compress/components.h"
#include "compress/compress_run.h"
#include "compress/cut.h"
#include "compress/selection.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "student/iss.h"
#include "student/run_folder.h"
#include "student/student_model.h"

namespace fs = std::filesystem;
using kdw::Selection;
using kdw::StudentArch;
using kdw::StudentModel;
using kdw::StudentType;

namespace {

StudentModel random_model(StudentType type, int layers, int64_t hidden, uint64_t seed) {
  at::manual_seed(seed);
  StudentModel m(StudentArch::make(type, 40, 6, hidden, layers, {"neg", "neu", "pos"}, 0.0));
  at::NoGradGuard no_grad;
  // Large weights so that every unit matters visibly in the logits.
  for (auto& p : m->parameters()) p.uniform_(-0.6, 0.6);
  m->eval();
  return m;
}

struct Batch {
  at::Tensor ids, lengths;
};

Batch batch() {
  at::manual_seed(11);
  const std::vector<int64_t> lens = {7, 3, 1, 5, 2};
  at::Tensor ids = at::randint(2, 40, {5, 7}, at::kLong);
  for (int64_t b = 0; b < 5; ++b) ids[b].slice(0, lens[b]).fill_(0);  // right padding
  return {ids, at::tensor(lens, at::kLong)};
}

at::Tensor logits(StudentModel m) {
  at::NoGradGuard no_grad;
  const Batch b = batch();
  return m->forward(b.ids, b.lengths);
}

// Uneven: each layer/direction loses a different number of units, scattered.
Selection uneven(const StudentArch& arch, int salt) {
  Selection s = Selection::none(arch);
  std::mt19937 rng(42 + salt);
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      const int64_t h = arch.hidden[l][d];
      const int64_t n = std::min<int64_t>(h - 1, 1 + (int64_t(l) * 2 + d + salt) % (h - 1));
      std::vector<int64_t> units(h);
      std::iota(units.begin(), units.end(), 0);
      std::shuffle(units.begin(), units.end(), rng);
      units.resize(n);
      std::sort(units.begin(), units.end());
      s.removed[l][d] = units;
    }
  return s;
}

void zero(StudentModel& m, const Selection& s) {
  std::vector<at::Tensor> masks;
  for (const auto& n : kdw::iss_group_norms(*m)) {
    at::Tensor mask = at::zeros({n.norms.numel()}, at::kBool);
    for (int64_t u : s.removed[n.layer][n.direction]) mask[u] = true;
    masks.push_back(mask);
  }
  kdw::zero_iss_components(*m, masks);
}

double max_diff(const at::Tensor& a, const at::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace

class TestCompressCut : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_cut_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void cutEqualsZeroed_data() {
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("layers");
    for (int t = 0; t < 2; ++t)
      for (int l = 1; l <= 3; ++l)
        QTest::newRow((std::string(t ? "biLSTM" : "LSTM") + " x" + std::to_string(l)).c_str())
            << t << l;
  }
  void cutEqualsZeroed() {
    QFETCH(int, type);
    QFETCH(int, layers);
    const StudentType st = type ? StudentType::kStackBiLSTM : StudentType::kStackLSTM;
    StudentModel m = random_model(st, layers, 7, 100 + type * 10 + layers);
    const Selection s = uneven(m->arch(), layers);
    StudentModel cut = kdw::cut_student(*m, s);
    for (size_t l = 0; l < m->arch().hidden.size(); ++l)
      for (int d = 0; d < m->arch().num_directions(); ++d)
        QCOMPARE(cut->arch().hidden[l][d],
                 m->arch().hidden[l][d] - int64_t(s.removed[l][d].size()));
    const at::Tensor full = logits(m);
    const at::Tensor small = logits(cut);
    zero(m, s);
    const at::Tensor zeroed = logits(m);
    QVERIFY(max_diff(full, zeroed) > 1e-3);  // the cut did change the model
    QVERIFY2(max_diff(small, zeroed) < 1e-5, std::to_string(max_diff(small, zeroed)).c_str());
    QVERIFY(cut->parameter_count() < m->parameter_count());
  }

  void cutOfNothingIsExact() {
    for (StudentType st : {StudentType::kStackLSTM, StudentType::kStackBiLSTM}) {
      StudentModel m = random_model(st, 2, 5, 3);
      StudentModel cut = kdw::cut_student(*m, Selection::none(m->arch()));
      QVERIFY(at::equal(logits(m), logits(cut)));
      QCOMPARE(cut->parameter_count(), m->parameter_count());
      QVERIFY(at::equal(cut->param("layers.1.fwd.weight_ih"), m->param("layers.1.fwd.weight_ih")));
    }
  }

  void cutOfCutWorks() {
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 8, 5);
    const Selection first = uneven(m->arch(), 1);
    StudentModel once = kdw::cut_student(*m, first);
    const Selection second = uneven(once->arch(), 2);
    StudentModel twice = kdw::cut_student(*once, second);
    // Map the second cut's units back to the original's indices and zero the union.
    Selection both = first;
    for (size_t l = 0; l < 2; ++l)
      for (int d = 0; d < 2; ++d) {
        std::vector<int64_t> kept;
        for (int64_t u = 0; u < 8; ++u)
          if (!std::binary_search(first.removed[l][d].begin(), first.removed[l][d].end(), u))
            kept.push_back(u);
        for (int64_t u : second.removed[l][d]) both.removed[l][d].push_back(kept[u]);
        std::sort(both.removed[l][d].begin(), both.removed[l][d].end());
      }
    const at::Tensor small = logits(twice);
    zero(m, both);
    QVERIFY(max_diff(small, logits(m)) < 1e-5);
    // A cut model saved and loaded is the same model, with its own architecture.
    kdw::save_student(twice, tmp_ / "twice.pt");
    StudentModel loaded = kdw::load_student(tmp_ / "twice.pt");
    loaded->eval();
    QVERIFY(max_diff(logits(loaded), small) < 1e-6);
    QCOMPARE(loaded->arch().hidden[1][1], twice->arch().hidden[1][1]);
  }

  void reportCountsSizes() {
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 6, 9);
    const Selection s = uneven(m->arch(), 0);
    StudentModel cut = kdw::cut_student(*m, s);
    const nlohmann::json r = kdw::cut_report(*m, *cut, s);
    QCOMPARE(r["parameters_before"].get<int64_t>(), m->parameter_count());
    QCOMPARE(r["parameters_after"].get<int64_t>(), cut->parameter_count());
    QCOMPARE(r["bytes_after"].get<int64_t>(), 4 * cut->parameter_count());
    QCOMPARE(r["removed_total"].get<int64_t>(), s.count());
    QCOMPARE(r["layers"].size(), size_t(4));
    QCOMPARE(r["layers"][3]["hidden_after"].get<int64_t>(), 6 - int64_t(s.removed[1][1].size()));
  }

  void selectionByThresholdAndKeep() {
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 6, 21);
    const auto norms = kdw::component_norms(*m);
    QCOMPARE(norms.size(), size_t(4));
    // Threshold: the smallest per-layer maximum removes units everywhere but never all.
    double t = 1e30;
    for (const auto& n : norms)
      t = std::min<double>(t, *std::max_element(n.norms.begin(), n.norms.end()));
    const Selection s = kdw::select_by_threshold(m->arch(), norms, t);
    for (const auto& n : norms)
      for (size_t u = 0; u < n.norms.size(); ++u) {
        const auto& r = s.removed[n.layer][n.direction];
        QCOMPARE(std::binary_search(r.begin(), r.end(), int64_t(u)), n.norms[u] < t);
      }
    QVERIFY(s.count() > 0);
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::select_by_threshold(m->arch(), norms, 1e9));
    // Keep: exactly k per layer/direction, the strongest.
    const Selection k = kdw::select_by_keep(m->arch(), norms, 2);
    for (const auto& n : norms) {
      const auto& r = k.removed[n.layer][n.direction];
      QCOMPARE(r.size(), size_t(4));
      float weakest_kept = 1e30f, strongest_removed = -1;
      for (size_t u = 0; u < n.norms.size(); ++u) {
        if (std::binary_search(r.begin(), r.end(), int64_t(u)))
          strongest_removed = std::max(strongest_removed, n.norms[u]);
        else
          weakest_kept = std::min(weakest_kept, n.norms[u]);
      }
      QVERIFY(weakest_kept >= strongest_removed);
    }
    QCOMPARE(kdw::select_by_keep(m->arch(), norms, 100).count(), int64_t(0));
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::select_by_keep(m->arch(), norms, 0));
  }

  void componentsFile() {
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 6, 4);
    const fs::path f = tmp_ / "components.json";
    kdw::write_file_atomic(f, R"({"remove": [{"layer": 0, "direction": "fwd", "units": [3, 1]},
                          {"layer": 1, "direction": "bwd", "units": [5]}]})");
    const Selection s = kdw::read_components_file(f, m->arch());
    QVERIFY((s.removed[0][0] == std::vector<int64_t>{1, 3}));
    QVERIFY((s.removed[1][1] == std::vector<int64_t>{5}));
    QCOMPARE(s.count(), int64_t(3));
    // Round trip through the file form.
    QVERIFY(kdw::parse_components(s.to_json(), m->arch(), "x").removed == s.removed);

    auto error_of = [&](const std::string& text, const StudentArch& arch) -> std::string {
      kdw::write_file_atomic(f, text);
      try {
        kdw::read_components_file(f, arch);
      } catch (const kdw::Error& e) {
        return e.what();
      }
      return "";
    };
    auto has = [](const std::string& s, const char* part) {
      return s.find(part) != std::string::npos && s.find('\n') == std::string::npos;
    };
    const std::string f_name = f.string();
    std::string e =
        error_of(R"({"remove": [{"layer": 0, "direction": "fwd", "units": [6]}]})", m->arch());
    QVERIFY2(has(e, "unit 6 of layer 0 fwd does not exist") && has(e, f_name.c_str()), e.c_str());
    e = error_of(R"({"remove": [{"layer": 2, "units": [0]}]})", m->arch());
    QVERIFY2(has(e, "layer 2 does not exist"), e.c_str());
    e = error_of(R"({"remove": [{"layer": 0, "direction": "up", "units": [0]}]})", m->arch());
    QVERIFY2(has(e, "\"up\""), e.c_str());
    e = error_of(R"({"remove": [{"layer": 1, "direction": "bwd", "units": [0,1,2,3,4,5]}]})",
                 m->arch());
    QVERIFY2(has(e, "removes all 6 units of layer 1 bwd"), e.c_str());
    e = error_of("{not json", m->arch());
    QVERIFY2(has(e, "not valid JSON"), e.c_str());
    e = error_of(R"({"remove": [{"layer": 0, "units": [-1]}]})", m->arch());
    QVERIFY2(has(e, "unit -1"), e.c_str());
    StudentModel uni = random_model(StudentType::kStackLSTM, 1, 4, 1);
    e = error_of(R"({"remove": [{"layer": 0, "direction": "bwd", "units": [0]}]})", uni->arch());
    QVERIFY2(has(e, "does not exist in this stack_LSTM model"), e.c_str());
    QVERIFY(!error_of(R"({"remove": []})", uni->arch()).size());
  }

  void runFolderPipeline() {
    const fs::path run = tmp_ / "2026-01-01___00-00-00";
    fs::create_directories(run);
    kdw::JobContext job;
    kdw::CompressOptions o;
    o.run_dir = run;
    // No model in the run folder.
    try {
      kdw::compress_run(o, job);
      QFAIL("expected an error");
    } catch (const kdw::Error& e) {
      QVERIFY(std::string(e.what()).find("no model_distill_*.pt") != std::string::npos);
    }
    StudentModel m = random_model(StudentType::kStackBiLSTM, 2, 6, 8);
    kdw::save_student(m, run / "model_distill_stack_biLSTM.pt");
    StudentModel u = random_model(StudentType::kStackLSTM, 1, 5, 8);
    kdw::save_student(u, run / "model_distill_stack_LSTM.pt");
    QVERIFY_THROWS_EXCEPTION(kdw::Error,
                             kdw::RunFolder(run).find_model(std::nullopt));  // two models
    QVERIFY_THROWS_EXCEPTION(kdw::UsageError, kdw::parse_student_type("stack_GRU"));
    o.model_type = StudentType::kStackBiLSTM;
    o.cut_model = true;
    o.choice.keep = 2;
    o.show_weight = true;
    const kdw::CompressResult r = kdw::compress_run(o, job);
    for (const char* name : {"weight_layer0_fwd_ih.png", "weight_layer1_bwd_hh.png",
                             "weight_classifier.png", "weight_embedding.png", "component_norms.png",
                             "cut_model_distill_stack_biLSTM.pt", "cut_report.json"})
      QVERIFY2(fs::is_regular_file(run / name), name);
    StudentModel cut = kdw::load_student(run / "cut_model_distill_stack_biLSTM.pt");
    QCOMPARE(cut->arch().hidden[1][1], int64_t(2));
    QCOMPARE(r.report->parameters_after, cut->parameter_count());
    // The pipeline's cut is the in-memory cut.
    cut->eval();
    QVERIFY(max_diff(logits(cut),
                     logits(kdw::cut_student(
                         *m, kdw::select_by_keep(m->arch(), kdw::component_norms(*m), 2)))) < 1e-6);

    // A cut that would remove every unit: an error, and the earlier results stay as they were.
    const std::string old_report = kdw::read_file(run / "cut_report.json");
    o.choice.keep.reset();
    o.choice.threshold = 1e9;
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::compress_run(o, job));
    QCOMPARE(kdw::read_file(run / "cut_report.json"), old_report);

    // Unwritable target (a folder where the model file goes): one error, no temp files left.
    o.choice.threshold.reset();
    o.choice.keep = 3;
    o.show_weight = false;
    fs::remove(run / "cut_model_distill_stack_biLSTM.pt");
    fs::create_directories(run / "cut_model_distill_stack_biLSTM.pt");
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::compress_run(o, job));
    for (const auto& e : fs::directory_iterator(run))
      QVERIFY2(e.path().filename().string().find(".tmp") == std::string::npos,
               e.path().string().c_str());
    QCOMPARE(kdw::read_file(run / "cut_report.json"), old_report);
  }
};

QTEST_GUILESS_MAIN(TestCompressCut)
#include "test_compress_cut.moc"
