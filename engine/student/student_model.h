// The student: word embedding -> a stack of LSTM layers -> linear classifier.
// stack_LSTM runs each layer forward only; stack_biLSTM runs a forward and a backward direction
// per layer. Every layer and direction is its own set of parameters with its own hidden size,
// so that a cut model (fewer units in some layers) is the same kind of model.
//
// Parameter names (also the names in exported safetensors, see docs/export.md):
//   embedding.weight                           [vocab_size, emb_dim]   row 0 = padding
//   layers.<l>.<dir>.weight_ih                 [4*H, in]   gate blocks i, f, g, o (PyTorch order)
//   layers.<l>.<dir>.weight_hh                 [4*H, H]
//   layers.<l>.<dir>.bias_ih, bias_hh          [4*H]
//   classifier.weight                          [num_labels, H_fwd + H_bwd of the last layer]
//   classifier.bias                            [num_labels]
// with <dir> = fwd | bwd. Layer l > 0 reads concat(fwd output, bwd output) of layer l-1
// (forward units first). The classifier reads concat(forward state after the sample's last real
// token, backward state after the sample's first token): padding never changes a result.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <nlohmann/json.hpp>

namespace kdw {

enum class StudentType { kStackLSTM, kStackBiLSTM };

/// "stack_LSTM" / "stack_biLSTM".
std::string student_type_name(StudentType type);
/// Parses a --model_type value; throws kdw::UsageError listing the valid names.
StudentType parse_student_type(const std::string& name);

struct StudentArch {
  StudentType type = StudentType::kStackBiLSTM;
  int64_t vocab_size = 0;  ///< embedding rows, including padding (index 0) and OOV
  int64_t emb_dim = 300;
  /// Hidden units per layer: {forward, backward}; backward is 0 for stack_LSTM.
  std::vector<std::array<int64_t, 2>> hidden;
  std::vector<std::string> labels;
  double dropout = 0.0;

  int num_directions() const { return type == StudentType::kStackBiLSTM ? 2 : 1; }
  int64_t num_labels() const { return static_cast<int64_t>(labels.size()); }
  /// Input width of layer l (emb_dim for l = 0) and of the classifier (l = hidden.size()).
  int64_t input_size(std::size_t layer) const;

  /// A fresh architecture: `num_layers` layers of `hidden_size` units in each direction.
  static StudentArch make(StudentType type, int64_t vocab_size, int64_t emb_dim,
                          int64_t hidden_size, int num_layers, std::vector<std::string> labels,
                          double dropout);
  /// Every parameter's documented name and shape, in named_parameters() order, computed
  /// without allocating (a model file's tensors are checked against them first).
  std::vector<std::pair<std::string, std::vector<int64_t>>> parameter_shapes() const;
  /// The one definition of a model's shape (model files, config.json and result.json "arch").
  nlohmann::json to_json() const;
  /// Throws kdw::Error on missing or inconsistent fields.
  static StudentArch from_json(const nlohmann::json& j);

  /// The size every layer and direction has; nullopt when they differ (a cut model).
  std::optional<int64_t> uniform_hidden() const;
  /// Hidden sizes per layer, forward/backward for stack_biLSTM: "412/388, 290/301".
  std::string layer_sizes_text() const;
  /// The hidden sizes as people read them: the plain number when uniform ("16"), else
  /// layer_sizes_text().
  std::string hidden_text() const;
  /// The shape in one phrase, as the Runs browser and the Distill panel show it:
  /// "2 x biLSTM 16", "2 x biLSTM 412/388, 290/301", "1 x LSTM 64".
  std::string shape_text() const;
};

class StudentModelImpl : public torch::nn::Module {
 public:
  explicit StudentModelImpl(StudentArch arch);

  /// ids: [B, T] int64, right-padded with 0; lengths: [B] int64 (>= 1 each).
  /// Returns logits [B, num_labels]. Dropout applies in training mode only.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& lengths);

  /// As Module::to; on CUDA with cuDNN it then packs each layer/direction's four LSTM tensors
  /// into one buffer laid out as cuDNN wants (nn.LSTM's flatten_parameters), so that cuDNN does
  /// not copy them on every call ("weights are not part of single contiguous chunk").
  using torch::nn::Module::to;
  void to(torch::Device device, bool non_blocking = false) override;

  const StudentArch& arch() const { return arch_; }
  /// Parameter by its documented name (e.g. "layers.1.bwd.weight_hh").
  torch::Tensor param(const std::string& name) const;
  int64_t parameter_count() const;

 private:
  StudentArch arch_;
};
TORCH_MODULE(StudentModel);

/// Saves architecture + parameters into one file (written atomically).
void save_student(const StudentModel& model, const std::filesystem::path& path);
/// Loads a model saved by save_student. With `expected`, a file holding another type is an error
/// naming both ("... holds a stack_LSTM model, --model_type says stack_biLSTM").
/// A missing, truncated or corrupt file is a kdw::Error naming the file.
StudentModel load_student(const std::filesystem::path& path,
                          std::optional<StudentType> expected = std::nullopt);
/// The architecture a model file holds, from its header alone (no tensor is read); errors as
/// load_student's.
StudentArch read_student_arch(const std::filesystem::path& path);

}  // namespace kdw
