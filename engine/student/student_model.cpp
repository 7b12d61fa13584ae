#include "student/student_model.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/init.h>
#include <torch/utils.h>

#include "core/dropout.h"
#include "core/error.h"
#include "student/lstm_sequence.h"

namespace kdw {
namespace {

const char* const kDirNames[2] = {"fwd", "bwd"};

// Holds one layer/direction's four LSTM tensors, so that named_parameters() yields the
// documented "layers.<l>.<dir>.weight_ih" names.
class LstmDirection : public torch::nn::Module {
 public:
  LstmDirection(int64_t in, int64_t hidden) {
    const double bound = hidden > 0 ? 1.0 / std::sqrt(double(hidden)) : 0.0;
    auto init = [&](at::Tensor t) { return t.uniform_(-bound, bound); };
    weight_ih = register_parameter("weight_ih", init(at::empty({4 * hidden, in})));
    weight_hh = register_parameter("weight_hh", init(at::empty({4 * hidden, hidden})));
    bias_ih = register_parameter("bias_ih", init(at::empty({4 * hidden})));
    bias_hh = register_parameter("bias_hh", init(at::empty({4 * hidden})));
  }
  at::Tensor weight_ih, weight_hh, bias_ih, bias_hh;
};

// Per-sample index that reverses positions [0, len) and leaves the padding in place: [B, T].
at::Tensor reverse_within_length(const at::Tensor& lengths, int64_t T) {
  auto pos = at::arange(T, lengths.options()).unsqueeze(0);  // [1, T]
  auto len = lengths.unsqueeze(1);                           // [B, 1]
  return at::where(pos < len, len - 1 - pos, pos);
}

at::Tensor gather_time(const at::Tensor& x, const at::Tensor& index) {
  return x.gather(1, index.unsqueeze(-1).expand({x.size(0), x.size(1), x.size(2)}));
}

// One direction over a right-padded batch. Outputs at padding positions are meaningless but never
// reach a real position (the recurrence only looks backwards in time).
at::Tensor run_direction(const at::Tensor& x, const LstmDirection& p) {
  const int64_t H = p.weight_hh.size(1);
  if (H == 0) return at::zeros({x.size(0), x.size(1), 0}, x.options());
  return lstm_sequence(x, p.weight_ih, p.weight_hh, p.bias_ih, p.bias_hh);
}

}  // namespace

std::string student_type_name(StudentType type) {
  return type == StudentType::kStackLSTM ? "stack_LSTM" : "stack_biLSTM";
}

StudentType parse_student_type(const std::string& name) {
  if (name == "stack_LSTM") return StudentType::kStackLSTM;
  if (name == "stack_biLSTM") return StudentType::kStackBiLSTM;
  throw UsageError("unknown model type '" + name + "' (valid: stack_LSTM, stack_biLSTM)");
}

int64_t StudentArch::input_size(std::size_t layer) const {
  if (layer == 0) return emb_dim;
  return hidden.at(layer - 1)[0] + hidden.at(layer - 1)[1];
}

StudentArch StudentArch::make(StudentType type, int64_t vocab_size, int64_t emb_dim,
                              int64_t hidden_size, int num_layers, std::vector<std::string> labels,
                              double dropout) {
  StudentArch a;
  a.type = type;
  a.vocab_size = vocab_size;
  a.emb_dim = emb_dim;
  const int64_t bwd = type == StudentType::kStackBiLSTM ? hidden_size : 0;
  a.hidden.assign(static_cast<std::size_t>(std::max(num_layers, 0)), {hidden_size, bwd});
  a.labels = std::move(labels);
  a.dropout = dropout;
  return a;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> StudentArch::parameter_shapes() const {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  out.push_back({"embedding.weight", {vocab_size, emb_dim}});
  for (std::size_t l = 0; l < hidden.size(); ++l)
    for (int d = 0; d < num_directions(); ++d) {
      const std::string p = "layers." + std::to_string(l) + "." + kDirNames[d] + ".";
      const int64_t h = hidden[l][static_cast<std::size_t>(d)];
      out.push_back({p + "weight_ih", {4 * h, input_size(l)}});
      out.push_back({p + "weight_hh", {4 * h, h}});
      out.push_back({p + "bias_ih", {4 * h}});
      out.push_back({p + "bias_hh", {4 * h}});
    }
  out.push_back({"classifier.weight", {num_labels(), input_size(hidden.size())}});
  out.push_back({"classifier.bias", {num_labels()}});
  return out;
}

nlohmann::json StudentArch::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& l : hidden) h.push_back({l[0], l[1]});
  return {{"model_type", student_type_name(type)},
          {"vocab_size", vocab_size},
          {"emb_dim", emb_dim},
          {"hidden", h},
          {"labels", labels},
          {"dropout", dropout}};
}

StudentArch StudentArch::from_json(const nlohmann::json& j) {
  StudentArch a;
  try {
    const std::string type = j.at("model_type").get<std::string>();
    if (type != "stack_LSTM" && type != "stack_biLSTM")
      throw Error("student architecture: unknown model_type '" + type + "'");
    a.type = parse_student_type(type);
    a.vocab_size = j.at("vocab_size").get<int64_t>();
    a.emb_dim = j.at("emb_dim").get<int64_t>();
    for (const auto& l : j.at("hidden")) {
      const auto v = l.get<std::vector<int64_t>>();
      if (v.size() != 2) throw Error("student architecture: hidden entries must be [fwd, bwd]");
      a.hidden.push_back({v[0], v[1]});
    }
    a.labels = j.at("labels").get<std::vector<std::string>>();
    a.dropout = j.value("dropout", 0.0);
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("student architecture: ") + e.what());
  }
  if (a.vocab_size < 2 || a.emb_dim < 1 || a.hidden.empty() || a.labels.empty())
    throw Error("student architecture: vocab_size, emb_dim, hidden and labels must be non-empty");
  for (const auto& l : a.hidden) {
    if (l[0] < 0 || l[1] < 0 || l[0] > (1 << 20) || l[1] > (1 << 20))
      throw Error("student architecture: hidden sizes out of range");
    if (a.type == StudentType::kStackLSTM && l[1] != 0)
      throw Error("student architecture: stack_LSTM has no backward units");
  }
  if (a.dropout < 0 || a.dropout >= 1) throw Error("student architecture: dropout not in [0, 1)");
  return a;
}

std::optional<int64_t> StudentArch::uniform_hidden() const {
  if (hidden.empty()) return std::nullopt;
  const int64_t h = hidden[0][0];
  for (const auto& l : hidden)
    for (int d = 0; d < num_directions(); ++d)
      if (l[static_cast<std::size_t>(d)] != h) return std::nullopt;
  return h;
}

std::string StudentArch::layer_sizes_text() const {
  // A hostile file may claim thousands of layers: the text stays one readable line.
  constexpr std::size_t kShown = 16;
  std::string s;
  for (std::size_t l = 0; l < hidden.size() && l < kShown; ++l) {
    if (l) s += ", ";
    s += std::to_string(hidden[l][0]);
    if (num_directions() == 2) s += "/" + std::to_string(hidden[l][1]);
  }
  if (hidden.size() > kShown) s += ", …";
  return s;
}

std::string StudentArch::hidden_text() const {
  const std::optional<int64_t> h = uniform_hidden();
  return h ? std::to_string(*h) : layer_sizes_text();
}

std::string StudentArch::shape_text() const {
  return std::to_string(hidden.size()) + " x " + (num_directions() == 2 ? "biLSTM " : "LSTM ") +
         hidden_text();
}

StudentModelImpl::StudentModelImpl(StudentArch arch) : arch_(std::move(arch)) {
  if (arch_.hidden.empty() || arch_.labels.empty() || arch_.vocab_size < 1)
    throw Error("student architecture: needs at least one layer, one label and a vocabulary");
  torch::NoGradGuard no_grad;
  auto emb = register_module("embedding", std::make_shared<torch::nn::Module>());
  emb->register_parameter("weight", at::randn({arch_.vocab_size, arch_.emb_dim}));
  emb->named_parameters()["weight"][0].zero_();  // the padding row

  auto layers = register_module("layers", std::make_shared<torch::nn::Module>());
  for (std::size_t l = 0; l < arch_.hidden.size(); ++l) {
    auto layer = layers->register_module(std::to_string(l), std::make_shared<torch::nn::Module>());
    for (int d = 0; d < arch_.num_directions(); ++d)
      layer->register_module(
          kDirNames[d], std::make_shared<LstmDirection>(arch_.input_size(l), arch_.hidden[l][d]));
  }
  auto cls = register_module("classifier", std::make_shared<torch::nn::Module>());
  const int64_t in = arch_.input_size(arch_.hidden.size());
  const double bound = in > 0 ? 1.0 / std::sqrt(double(in)) : 0.0;
  cls->register_parameter("weight", at::empty({arch_.num_labels(), in}).uniform_(-bound, bound));
  cls->register_parameter("bias", at::empty({arch_.num_labels()}).uniform_(-bound, bound));
}

void StudentModelImpl::to(torch::Device device, bool non_blocking) {
  torch::nn::Module::to(device, non_blocking);
  if (!at::cudnn_is_acceptable(param("embedding.weight"))) return;  // CUDA + cuDNN only
  torch::NoGradGuard no_grad;
  const auto layers = named_children()["layers"]->children();
  for (std::size_t l = 0; l < arch_.hidden.size(); ++l) {
    const auto dirs = layers[l]->children();
    for (int d = 0; d < arch_.num_directions(); ++d) {
      auto& p = static_cast<LstmDirection&>(*dirs[static_cast<std::size_t>(d)]);
      const int64_t H = arch_.hidden[l][static_cast<std::size_t>(d)];
      if (H == 0) continue;
      // Rebinds the four tensors (same TensorImpls, so parameters() and optimizers follow) to
      // views of one flat buffer. 2 = CUDNN_LSTM; one layer, one direction, no projection.
      at::_cudnn_rnn_flatten_weight({p.weight_ih, p.weight_hh, p.bias_ih, p.bias_hh},
                                    /*weight_stride0=*/4, arch_.input_size(l), /*mode=*/2, H,
                                    /*proj_size=*/0, /*num_layers=*/1, /*batch_first=*/true,
                                    /*bidirectional=*/false);
    }
  }
}

torch::Tensor StudentModelImpl::param(const std::string& name) const {
  const auto params = named_parameters();
  const auto* found = params.find(name);
  if (!found) throw Error("student model has no parameter " + name);
  return *found;
}

int64_t StudentModelImpl::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

torch::Tensor StudentModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths) {
  const bool train = is_training();
  const double p = arch_.dropout;
  const auto children = named_children();
  const auto& layers = children["layers"];
  const auto lens = lengths.to(ids.device(), at::kLong);
  const int64_t T = ids.size(1);

  at::Tensor x = at::embedding(param("embedding.weight"), ids, /*padding_idx=*/0);
  const at::Tensor rev =
      arch_.num_directions() == 2 ? reverse_within_length(lens, T) : at::Tensor();
  at::Tensor last_fwd, first_bwd;
  const auto layer_modules = layers->children();
  for (std::size_t l = 0; l < arch_.hidden.size(); ++l) {
    if (l > 0 && train && p > 0) x = kdw::dropout(x, p, train);
    const auto dirs = layer_modules[l]->children();
    at::Tensor out_f = run_direction(x, static_cast<const LstmDirection&>(*dirs[0]));
    if (arch_.num_directions() == 1) {
      x = out_f;
      continue;
    }
    // Backward direction: reverse each sample inside its length, run forward, reverse back.
    at::Tensor out_b = gather_time(
        run_direction(gather_time(x, rev), static_cast<const LstmDirection&>(*dirs[1])), rev);
    x = at::cat({out_f, out_b}, 2);
  }
  const int64_t hf = arch_.hidden.back()[0];
  const auto last_index =
      (lens - 1).clamp_min(0).view({-1, 1, 1}).expand({x.size(0), 1, x.size(2)});
  at::Tensor features;
  if (arch_.num_directions() == 1) {
    features = x.gather(1, last_index).squeeze(1);
  } else {
    last_fwd = x.narrow(2, 0, hf).gather(1, last_index.narrow(2, 0, hf)).squeeze(1);
    first_bwd = x.select(1, 0).narrow(1, hf, x.size(2) - hf);
    features = at::cat({last_fwd, first_bwd}, 1);
  }
  if (train && p > 0) features = kdw::dropout(features, p, train);
  return at::linear(features, param("classifier.weight"), param("classifier.bias"));
}

}  // namespace kdw
