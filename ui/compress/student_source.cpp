#include "ui/compress/student_source.h"

#include <ATen/ATen.h>

#include "compress/components.h"
#include "compress/compress_run.h"
#include "compress/export.h"
#include "core/error.h"
#include "core/job.h"
#include "student/distill.h"
#include "student/run_folder.h"
#include "student/student_model.h"
#include "ui/common/device_setting.h"

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

void unitAxesFor(const MatrixInfo& info, const ArchSizes& sizes, const UnitSelection& selection,
                 UnitAxis& rows, UnitAxis& cols) {
  rows = UnitAxis();
  cols = UnitAxis();
  if (!info.matrix) return;
  // Columns that read layer `l`'s output: forward units first, then backward ones.
  auto outputs_of = [&](int l) {
    if (l < 0 || l >= static_cast<int>(sizes.hidden.size())) return;
    int64_t offset = 0;
    for (int d = 0; d < (sizes.bidirectional ? 2 : 1); ++d) {
      const int64_t n = sizes.hidden[static_cast<size_t>(l)][static_cast<size_t>(d)];
      cols.segments.push_back({offset, n, selection.findGroup(l, d)});
      offset += n;
    }
  };
  switch (info.kind) {
    case MatrixInfo::Kind::Embedding:
      break;
    case MatrixInfo::Kind::Classifier:
      outputs_of(static_cast<int>(sizes.hidden.size()) - 1);
      break;
    case MatrixInfo::Kind::InputHidden:
    case MatrixInfo::Kind::HiddenHidden: {
      const int g = selection.findGroup(info.layer, info.direction);
      const int64_t H = info.matrix->gate_rows > 0 ? info.matrix->gate_rows : info.matrix->rows / 4;
      rows.period = H;
      rows.segments.push_back({0, H, g});
      if (info.kind == MatrixInfo::Kind::HiddenHidden)
        cols.segments.push_back({0, H, g});
      else
        outputs_of(info.layer - 1);
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

kdw::CutReport cutAndEvaluate(const CutRequest& request, kdw::JobContext& job) {
  // The engine's compress_run with the picked units: the same cut model and cut_report.json as
  // `kdw compress --cut_model --components` with these units, written under the run's lock.
  kdw::CompressOptions options = request.options;
  options.run_dir = request.model_file.parent_path();
  options.model_type = kdw::RunFolder::type_of_model_name(request.model_file.filename().string());
  options.cut_model = true;
  kdw::Selection picked;
  picked.removed = request.removed;
  options.choice.picked = std::move(picked);
  options.data_path = request.data_path;
  options.device = jobDevice();
  const kdw::CompressResult result = kdw::compress_run(options, job);
  return *result.report;
}

nlohmann::json exportModel(const fs::path& model_file, const fs::path& output_dir) {
  kdw::ExportOptions options;
  options.model_file = model_file;
  options.output_dir = output_dir;
  return kdw::export_student(options);
}

kdw::EvaluateReport evaluateModel(const fs::path& model_file, const fs::path& data_path,
                                  kdw::JobContext& job) {
  kdw::EvaluateOptions options;
  options.device = jobDevice();
  options.model_file = model_file;
  options.data_path = data_path;
  return kdw::evaluate_student(options, job).report;
}
