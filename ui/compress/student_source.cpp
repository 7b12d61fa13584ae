#include "compress/student_source.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include <chrono>

#include "common/device_setting.h"
#include "compress/components.h"
#include "compress/cut.h"
#include "compress/export.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/job.h"
#include "student/distill.h"
#include "student/student_model.h"

namespace fs = std::filesystem;

namespace {

ArchSizes sizesOf(const kdw::StudentArch& arch) {
  ArchSizes s;
  s.bidirectional = arch.type == kdw::StudentType::kStackBiLSTM;
  s.vocab_size = arch.vocab_size;
  s.emb_dim = arch.emb_dim;
  s.num_labels = arch.num_labels();
  s.hidden = arch.hidden;
  return s;
}

MatrixInfo::Kind kindOf(const std::string& param) {
  if (param.rfind("embedding", 0) == 0) return MatrixInfo::Kind::Embedding;
  if (param.rfind("classifier", 0) == 0) return MatrixInfo::Kind::Classifier;
  if (param.find("weight_hh") != std::string::npos) return MatrixInfo::Kind::HiddenHidden;
  return MatrixInfo::Kind::InputHidden;
}

// Per-sample latency of a forward pass on a fixed synthetic batch (T tokens each): the same
// input for the model before and after the cut, so the two figures compare.
double latencyMsPerSample(kdw::StudentModel& model) {
  torch::NoGradGuard no_grad;
  model->eval();
  const int64_t batch = 32, T = 32;
  const auto vocab = model->arch().vocab_size;
  at::Tensor ids = at::randint(1, std::max<int64_t>(2, vocab), {batch, T}, at::kLong);
  at::Tensor lengths = at::full({batch}, T, at::kLong);
  model->forward(ids, lengths);  // warm-up
  const int reps = 3;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) model->forward(ids, lengths);
  const std::chrono::duration<double, std::milli> dt = std::chrono::steady_clock::now() - t0;
  return dt.count() / double(reps * batch);
}

}  // namespace

std::shared_ptr<LoadedStudent> loadStudentForView(const fs::path& model_file) {
  kdw::StudentModel model = kdw::load_student(model_file);
  auto out = std::make_shared<LoadedStudent>();
  out->model_file = model_file;
  out->model_type = kdw::student_type_name(model->arch().type);
  out->sizes = sizesOf(model->arch());
  for (const kdw::ComponentNorms& n : kdw::component_norms(*model))
    out->groups.push_back(UnitGroup{n.layer, n.direction, n.norms});
  for (const kdw::WeightView& w : kdw::weight_views(*model)) {
    auto m = std::make_shared<HeatmapMatrix>();
    m->name = QString::fromStdString(w.param);
    m->rows = w.matrix.size(0);
    m->cols = w.matrix.size(1);
    m->gate_rows = w.gate_block;
    const float* p = w.matrix.data_ptr<float>();
    m->values.assign(p, p + w.matrix.numel());
    MatrixInfo info;
    info.kind = kindOf(w.param);
    // "layers.<l>.<dir>.weight_xx"
    if (info.kind == MatrixInfo::Kind::InputHidden || info.kind == MatrixInfo::Kind::HiddenHidden) {
      const auto dot1 = w.param.find('.'), dot2 = w.param.find('.', dot1 + 1);
      info.layer = std::stoi(w.param.substr(dot1 + 1, dot2 - dot1 - 1));
      info.direction = w.param.compare(dot2 + 1, 3, "bwd") == 0 ? 1 : 0;
    }
    info.matrix = std::move(m);
    out->matrices.push_back(std::move(info));
  }
  return out;
}

void highlightFor(const MatrixInfo& info, const ArchSizes& sizes, const UnitSelection& selection,
                  std::vector<char>& rows, std::vector<char>& cols) {
  rows.clear();
  cols.clear();
  if (!info.matrix) return;
  rows.assign(static_cast<size_t>(info.matrix->rows), 0);
  cols.assign(static_cast<size_t>(info.matrix->cols), 0);
  auto mark = [](std::vector<char>& flags, int64_t i) {
    if (i >= 0 && i < static_cast<int64_t>(flags.size())) flags[static_cast<size_t>(i)] = 1;
  };
  // Columns that read layer `l`'s output: forward units first, then backward ones.
  auto mark_outputs_of = [&](int l) {
    if (l < 0 || l >= static_cast<int>(sizes.hidden.size())) return;
    for (int d = 0; d < (sizes.bidirectional ? 2 : 1); ++d) {
      const int g = selection.findGroup(l, d);
      const int64_t offset = d == 0 ? 0 : sizes.hidden[static_cast<size_t>(l)][0];
      for (int u : selection.pickedUnits(g)) mark(cols, offset + u);
    }
  };
  switch (info.kind) {
    case MatrixInfo::Kind::Embedding:
      break;
    case MatrixInfo::Kind::Classifier:
      mark_outputs_of(static_cast<int>(sizes.hidden.size()) - 1);
      break;
    case MatrixInfo::Kind::InputHidden:
    case MatrixInfo::Kind::HiddenHidden: {
      const int g = selection.findGroup(info.layer, info.direction);
      const int64_t H = info.matrix->gate_rows > 0 ? info.matrix->gate_rows : info.matrix->rows / 4;
      for (int u : selection.pickedUnits(g))
        for (int gate = 0; gate < 4; ++gate) mark(rows, gate * H + u);
      if (info.kind == MatrixInfo::Kind::HiddenHidden)
        for (int u : selection.pickedUnits(g)) mark(cols, u);
      else
        mark_outputs_of(info.layer - 1);
      break;
    }
  }
}

std::vector<std::array<std::vector<int64_t>, 2>> removedUnits(const UnitSelection& selection,
                                                              const ArchSizes& sizes) {
  std::vector<std::array<std::vector<int64_t>, 2>> removed(sizes.hidden.size());
  for (int g = 0; g < selection.groupCount(); ++g) {
    const UnitGroup& group = selection.group(g);
    if (group.layer < 0 || group.layer >= static_cast<int>(removed.size())) continue;
    if (group.direction < 0 || group.direction > 1) continue;
    // keptUnits() keeps the strongest unit when all are picked: remove the complement.
    const std::vector<int> kept = selection.keptUnits(g);
    auto& out = removed[static_cast<size_t>(group.layer)][static_cast<size_t>(group.direction)];
    size_t k = 0;
    for (int u = 0; u < selection.unitCount(g); ++u) {
      if (k < kept.size() && kept[k] == u) {
        ++k;
        continue;
      }
      out.push_back(u);
    }
  }
  return removed;
}

nlohmann::json cutAndEvaluate(const CutRequest& request, kdw::JobContext& job) {
  job.progress("load", 0, 3, request.model_file.filename().string());
  kdw::StudentModel model = kdw::load_student(request.model_file);
  kdw::Selection selection = kdw::Selection::none(model->arch());
  for (size_t l = 0; l < selection.removed.size() && l < request.removed.size(); ++l)
    selection.removed[l] = request.removed[l];
  job.throw_if_cancelled();
  job.progress("cut", 1, 3);
  kdw::StudentModel cut = kdw::cut_student(*model, selection);
  const std::string type = kdw::student_type_name(model->arch().type);
  const fs::path dir = request.model_file.parent_path();
  const fs::path cut_file = dir / ("cut_model_distill_" + type + ".pt");
  nlohmann::json report = kdw::cut_report(*model, *cut, selection);
  job.throw_if_cancelled();
  kdw::save_student(cut, cut_file);
  kdw::write_file_atomic(dir / "cut_report.json", report.dump(2) + "\n");

  job.progress("evaluate", 2, 3);
  nlohmann::json before = {{"latency_ms_per_sample", latencyMsPerSample(model)}};
  nlohmann::json after = {{"latency_ms_per_sample", latencyMsPerSample(cut)}};
  if (!request.data_path.empty()) {
    kdw::EvaluateOptions eb;
    eb.device = jobDevice();
    eb.data_path = request.data_path;
    eb.model_file = request.model_file;
    eb.model_type = model->arch().type;
    before["report"] = kdw::evaluate_student(eb, job).report;
    kdw::EvaluateOptions ea = eb;
    ea.model_file = cut_file;
    after["report"] = kdw::evaluate_student(ea, job).report;
    // The engine's own figure (batch 1, real samples) replaces the synthetic one.
    for (auto* side : {&before, &after})
      if ((*side)["report"].contains("latency_ms_per_sample"))
        (*side)["latency_ms_per_sample"] = (*side)["report"]["latency_ms_per_sample"];
  }
  job.progress("done", 3, 3);
  return {{"report", report},
          {"cut_model", cut_file.string()},
          {"evaluation", {{"before", before}, {"after", after}}}};
}

nlohmann::json exportModel(const fs::path& model_file, const fs::path& output_dir) {
  kdw::ExportOptions options;
  options.model_file = model_file;
  options.output_dir = output_dir;
  return kdw::export_student(options);
}

nlohmann::json evaluateModel(const fs::path& model_file, const fs::path& data_path,
                             kdw::JobContext& job) {
  kdw::EvaluateOptions options;
  options.device = jobDevice();
  options.model_file = model_file;
  options.data_path = data_path;
  return kdw::evaluate_student(options, job).report;
}
