#include "compress/components.h"

#include "student/iss.h"
#include "student/run_folder.h"

namespace kdw {
namespace {

at::Tensor as_matrix(const at::Tensor& t) {
  return t.detach().to(at::kCPU, at::kFloat).contiguous();
}

std::string dims(const at::Tensor& t) {
  return "[" + std::to_string(t.size(0)) + " X " + std::to_string(t.size(1)) + "]";
}

}  // namespace

std::vector<ComponentNorms> component_norms(const StudentModelImpl& model) {
  std::vector<ComponentNorms> out;
  for (const IssLayerNorms& n : iss_group_norms(model)) {
    const at::Tensor t = as_matrix(n.norms).reshape({-1});
    ComponentNorms c;
    c.layer = n.layer;
    c.direction = n.direction;
    c.norms.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<WeightView> weight_views(const StudentModelImpl& model) {
  const StudentArch& arch = model.arch();
  std::vector<WeightView> views;
  {
    WeightView v;
    v.param = "embedding.weight";
    v.file_stem = std::string(RunFolder::kWeightPicturePrefix) + "embedding";
    v.matrix = as_matrix(model.param(v.param));
    v.title = "EMBEDDING " + dims(v.matrix);
    v.row_label = "WORD INDEX";
    v.col_label = "EMBEDDING DIMENSION";
    views.push_back(std::move(v));
  }
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d)
      for (const char* kind : {"ih", "hh"}) {
        const char* previous_layer_label = arch.num_directions() == 2
                                               ? "INPUTS: PREVIOUS LAYER FWD THEN BWD"
                                               : "INPUTS: PREVIOUS LAYER UNITS";
        const std::string dir = direction_name(d);
        WeightView v;
        v.param = "layers." + std::to_string(l) + "." + dir + ".weight_" + kind;
        v.file_stem = RunFolder::kWeightPicturePrefix + ("layer" + std::to_string(l)) + "_" + dir +
                      "_" + kind;
        v.matrix = as_matrix(model.param(v.param));
        v.title =
            "LAYER " + std::to_string(l) + " " + dir + " WEIGHT_" + kind + " " + dims(v.matrix);
        v.gate_block = arch.hidden[l][d];
        v.row_label = "GATE ROWS I F G O, " + std::to_string(v.gate_block) + " UNITS EACH";
        v.col_label = std::string(kind) == "hh"
                          ? "HIDDEN UNITS (PREVIOUS STEP)"
                          : (l == 0 ? "EMBEDDING DIMENSION" : previous_layer_label);
        views.push_back(std::move(v));
      }
  WeightView v;
  v.param = "classifier.weight";
  v.file_stem = std::string(RunFolder::kWeightPicturePrefix) + "classifier";
  v.matrix = as_matrix(model.param(v.param));
  v.title = "CLASSIFIER " + dims(v.matrix);
  v.row_label = "LABELS";
  v.col_label = arch.num_directions() == 2 ? "LAST LAYER UNITS: FWD THEN BWD" : "LAST LAYER UNITS";
  views.push_back(std::move(v));
  return views;
}

}  // namespace kdw
