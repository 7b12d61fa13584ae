// What the compression views of a student look at: the ISS component norms per layer/direction
// (detached copies) and the weight matrices worth drawing, with how to label them.
#pragma once

#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "compress/selection.h"
#include "student/student_model.h"

namespace kdw {

/// One entry per (layer, direction), layer-major, forward first (from iss_group_norms).
std::vector<ComponentNorms> component_norms(const StudentModelImpl& model);

struct WeightView {
  std::string param;      ///< documented parameter name, e.g. "layers.0.fwd.weight_ih"
  std::string file_stem;  ///< picture name, e.g. "weight_layer0_fwd_ih"
  std::string title;      ///< e.g. "LAYER 0 FWD WEIGHT_IH  [4000 X 300]"
  std::string row_label, col_label;
  int64_t gate_block = 0;  ///< H for LSTM matrices (rows in gate blocks i f g o), else 0
  at::Tensor matrix;       ///< detached, float32, CPU, contiguous 2-D
};

/// Embedding, weight_ih and weight_hh of every layer/direction, and the classifier.
std::vector<WeightView> weight_views(const StudentModelImpl& model);

}  // namespace kdw
