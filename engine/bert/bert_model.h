// BERT encoder + pooler + classification head in LibTorch, with parameter names as in Hugging Face
// (bert.embeddings..., bert.encoder.layer.N..., bert.pooler.dense, classifier), so that checkpoints
// map onto named_parameters() one to one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "bert/bert_config.h"

namespace kdw {

class BertModelImpl;  // encoder internals live in bert_model.cpp
class BertLinearImpl;

/// Every parameter of the model this project builds, in named_parameters() order, with its shape;
/// num_labels 0: without classifier. Lets a checkpoint be checked without building the model.
std::vector<std::pair<std::string, std::vector<int64_t>>> bert_parameter_shapes(
    const BertConfig& config, int64_t num_labels);

/// A --precision value: "float32" or "bfloat16" (matrix products in bf16, see set_matmul_dtype)
/// to the dtype of the matrix products. Throws kdw::UsageError naming the valid values.
at::ScalarType parse_precision(const std::string& name);

class BertForSequenceClassificationImpl : public torch::nn::Module {
 public:
  /// Parameters are initialised as HF does (init_weights()). num_labels >= 1.
  BertForSequenceClassificationImpl(const BertConfig& config, int64_t num_labels);

  struct Output {
    at::Tensor sequence_output;  ///< [batch, seq, hidden]
    at::Tensor pooled_output;    ///< [batch, hidden]
    at::Tensor logits;           ///< [batch, num_labels], float32 even when the model runs in bf16
  };
  /// input_ids, attention_mask (1 real / 0 padding), token_type_ids: [batch, seq] int64.
  /// attention_mask or token_type_ids may be undefined (all ones / all zeros).
  /// After to(at::kBFloat16) the matrix products run in bf16; the residual stream, softmax,
  /// LayerNorm and all outputs stay float32.
  /// Throws kdw::Error when seq exceeds max_position_embeddings or shapes disagree.
  Output forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                 const at::Tensor& token_type_ids);

  /// Runs the matrix products in bfloat16 (at::kBFloat16) or float32 while the weights stay as
  /// they are: with float32 weights this is mixed-precision training (weights, gradients and
  /// optimizer in float32). Weights converted with to(at::kBFloat16) always use bf16.
  void set_matmul_dtype(at::ScalarType dtype);

  /// Self-attention as one fused kernel (at::scaled_dot_product_attention, LibTorch >= 2.1) or as
  /// explicit products and softmax. kAuto: fused on a GPU, explicit on the CPU (the CPU path is
  /// the one the reference outputs and benchmarks were checked with). Both compute the same
  /// function; padded keys get no weight in either.
  enum class Attention { kAuto, kFused, kExplicit };
  /// Throws kdw::Error for kFused where this LibTorch has no fused kernel.
  void set_attention(Attention attention);
  /// Whether this LibTorch build has the fused kernel.
  static bool has_fused_attention();

  const BertConfig& config() const { return config_; }
  int64_t num_labels() const { return num_labels_; }
  /// HF initialisation: normal(0, initializer_range) for Linear/Embedding, zero biases,
  /// LayerNorm weight 1 / bias 0.
  void init_weights();

 private:
  BertConfig config_;
  int64_t num_labels_;
  at::ScalarType matmul_dtype_ = at::kFloat;
  Attention attention_ = Attention::kAuto;
  std::shared_ptr<BertModelImpl> bert_;
  std::shared_ptr<BertLinearImpl> classifier_;
};
TORCH_MODULE(BertForSequenceClassification);

}  // namespace kdw
