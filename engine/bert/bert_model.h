// BERT encoder + pooler + classification head in LibTorch, with parameter names as in Hugging Face
// (bert.embeddings..., bert.encoder.layer.N..., bert.pooler.dense, classifier), so that checkpoints
// map onto named_parameters() one to one.
#pragma once

#include <cstdint>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include "bert/bert_config.h"

namespace kdw {

class BertModelImpl;  // encoder internals live in bert_model.cpp

class BertForSequenceClassificationImpl : public torch::nn::Module {
 public:
  BertForSequenceClassificationImpl(const BertConfig& config, int64_t num_labels);

  struct Output {
    at::Tensor sequence_output;  ///< [batch, seq, hidden]
    at::Tensor pooled_output;    ///< [batch, hidden]
    at::Tensor logits;           ///< [batch, num_labels], float32 even when the model runs in bf16
  };
  /// input_ids, attention_mask (1 real / 0 padding), token_type_ids: [batch, seq] int64.
  /// attention_mask or token_type_ids may be undefined (all ones / all zeros).
  /// Throws kdw::Error when seq exceeds max_position_embeddings or shapes disagree.
  Output forward(const at::Tensor& input_ids, const at::Tensor& attention_mask,
                 const at::Tensor& token_type_ids);

  const BertConfig& config() const { return config_; }
  int64_t num_labels() const { return num_labels_; }
  /// HF initialisation: normal(0, initializer_range) for Linear/Embedding, zero biases,
  /// LayerNorm weight 1 / bias 0.
  void init_weights();

 private:
  BertConfig config_;
  int64_t num_labels_;
  std::shared_ptr<BertModelImpl> bert_;
  std::shared_ptr<torch::nn::Module> classifier_;
};
TORCH_MODULE(BertForSequenceClassification);

}  // namespace kdw
