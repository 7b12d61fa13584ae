#include "compress/cut.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "core/error.h"

namespace kdw {
namespace {

at::Tensor kept_units(int64_t h, const std::vector<int64_t>& removed) {
  std::vector<int64_t> kept;
  size_t r = 0;
  for (int64_t u = 0; u < h; ++u) {
    if (r < removed.size() && removed[r] == u) {
      ++r;
      continue;
    }
    kept.push_back(u);
  }
  return at::tensor(kept, at::kLong);
}

// Rows of all four gate blocks (i, f, g, o) for the kept units.
at::Tensor gate_rows(const at::Tensor& kept, int64_t h) {
  return at::cat({kept, kept + h, kept + 2 * h, kept + 3 * h});
}

// Columns a reader of layer l's output keeps: forward units first, then backward ones.
at::Tensor output_columns(const StudentArch& arch, size_t l,
                          const std::vector<std::array<at::Tensor, 2>>& kept) {
  if (arch.num_directions() == 1) return kept[l][0];
  return at::cat({kept[l][0], kept[l][1] + arch.hidden[l][0]});
}

}  // namespace

StudentModel cut_student(const StudentModelImpl& model, const Selection& selection) {
  const StudentArch& arch = model.arch();
  validate_selection(selection, arch, "cut");
  StudentArch small = arch;
  std::vector<std::array<at::Tensor, 2>> kept(arch.hidden.size());
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      kept[l][d] = kept_units(arch.hidden[l][d], selection.removed[l][d]);
      small.hidden[l][d] = kept[l][d].numel();
    }

  StudentModel out(small);
  at::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, const at::Tensor& value) {
    at::Tensor target = out->param(name);
    if (target.sizes() != value.sizes())
      throw Error("cut: shape mismatch for " + name);  // would be a bug in this file
    target.copy_(value);
  };
  copy("embedding.weight", model.param("embedding.weight"));
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d) {
      const std::string p = "layers." + std::to_string(l) + "." + direction_name(d) + ".";
      const at::Tensor rows = gate_rows(kept[l][d], arch.hidden[l][d]);
      at::Tensor w_ih = model.param(p + "weight_ih").index_select(0, rows);
      if (l > 0) w_ih = w_ih.index_select(1, output_columns(arch, l - 1, kept));
      copy(p + "weight_ih", w_ih);
      copy(p + "weight_hh",
           model.param(p + "weight_hh").index_select(0, rows).index_select(1, kept[l][d]));
      copy(p + "bias_ih", model.param(p + "bias_ih").index_select(0, rows));
      copy(p + "bias_hh", model.param(p + "bias_hh").index_select(0, rows));
    }
  copy("classifier.weight",
       model.param("classifier.weight")
           .index_select(1, output_columns(arch, arch.hidden.size() - 1, kept)));
  copy("classifier.bias", model.param("classifier.bias"));
  out->train(model.is_training());
  return out;
}

int64_t parameter_bytes(const StudentModelImpl& model) {
  int64_t bytes = 0;
  for (const auto& p : model.parameters())
    bytes += p.numel() * static_cast<int64_t>(p.element_size());
  return bytes;
}

CutReport cut_report(const StudentModelImpl& before, const StudentModelImpl& after,
                     const Selection& selection) {
  const StudentArch& a = before.arch();
  const StudentArch& b = after.arch();
  CutReport r;
  for (size_t l = 0; l < a.hidden.size(); ++l)
    for (int d = 0; d < a.num_directions(); ++d)
      r.layers.push_back({int(l), direction_name(d), a.hidden[l][d], b.hidden[l][d],
                          int64_t(selection.removed[l][d].size())});
  r.model_type = student_type_name(a.type);
  r.parameters_before = before.parameter_count();
  r.parameters_after = after.parameter_count();
  r.bytes_before = parameter_bytes(before);
  r.bytes_after = parameter_bytes(after);
  r.size_ratio =
      r.parameters_before > 0 ? double(r.parameters_after) / double(r.parameters_before) : 1.0;
  r.hidden_before = a.layer_sizes_text();
  r.hidden_after = b.layer_sizes_text();
  r.removed_total = selection.count();
  r.removed = selection.to_json()["remove"];
  return r;
}

}  // namespace kdw
