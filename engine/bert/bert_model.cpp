#include "bert/bert_model.h"

#include <cmath>

#include "core/dropout.h"
#include "core/error.h"
#include "core/torch_compat.h"

namespace kdw {

// Leaf modules hold their tensors directly and the forward pass calls ATen on them: no per-op
// module dispatch, and no default initialisation that init_weights() would redo anyway.
class BertLinearImpl : public torch::nn::Module {
 public:
  BertLinearImpl(int64_t in, int64_t out)
      : weight(register_parameter("weight", at::empty({out, in}))),
        bias(register_parameter("bias", at::zeros({out}))) {}
  at::Tensor weight, bias;
};

namespace {

struct LayerNormImpl : torch::nn::Module {
  explicit LayerNormImpl(int64_t n)
      : weight(register_parameter("weight", at::ones({n}))),
        bias(register_parameter("bias", at::zeros({n}))) {}
  at::Tensor weight, bias;
};

struct EmbeddingImpl : torch::nn::Module {
  EmbeddingImpl(int64_t rows, int64_t dim)
      : weight(register_parameter("weight", at::empty({rows, dim}))) {}
  at::Tensor weight;
};

using Linear = std::shared_ptr<BertLinearImpl>;
using LayerNorm = std::shared_ptr<LayerNormImpl>;
using Embedding = std::shared_ptr<EmbeddingImpl>;

// A plain named container, so that parameter names follow HF's nesting.
struct Group : torch::nn::Module {};

template <typename T, typename... Args>
std::shared_ptr<T> add(torch::nn::Module& parent, const std::string& name, Args&&... args) {
  return parent.register_module(name, std::make_shared<T>(std::forward<Args>(args)...));
}

// The matrix product in `dtype` (float32 or bf16, whatever the weights hold; casts are tracked
// by autograd, so float32 weights get float32 gradients); the result is float32.
at::Tensor linear(const BertLinearImpl& l, const at::Tensor& x, at::ScalarType dtype) {
  if (dtype == at::kFloat && l.weight.scalar_type() == at::kFloat)
    return at::linear(x, l.weight, l.bias);
  return at::linear(x.to(dtype), l.weight.to(dtype), l.bias.to(dtype)).to(at::kFloat);
}

at::Tensor layer_norm(const LayerNormImpl& ln, const at::Tensor& x, double eps) {
  return at::layer_norm(x, {x.size(-1)}, ln.weight.to(at::kFloat), ln.bias.to(at::kFloat), eps);
}

// What a layer needs of the attention mask: the additive form for the explicit path, the boolean
// one (true: attend; undefined: no padding) for the fused kernel.
struct KeyMask {
  at::Tensor additive;  // [B, 1, 1, T] float32, -10000 on padded keys
  at::Tensor attend;    // [B, 1, 1, T] bool
  bool fused = false;
};

// softmax(q k^T / sqrt(d) + mask) v with dropout on the weights; q, k, v: [B, heads, T, d] in
// `dtype`; the result in `dtype`.
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                     const KeyMask& mask, double dropout, bool training, at::ScalarType dtype) {
#if KDW_TORCH_AT_LEAST(2, 1)
  if (mask.fused) {
    const c10::optional<at::Tensor> attend =
        mask.attend.defined() ? c10::optional<at::Tensor>(mask.attend) : c10::nullopt;
    return at::scaled_dot_product_attention(q, k, v, attend, training ? dropout : 0.0);
  }
#endif
  const int64_t head_dim = q.size(-1);
  at::Tensor scores = at::matmul(q, k.transpose(-1, -2)).to(at::kFloat);
  scores = scores.mul_(1.0 / std::sqrt(static_cast<double>(head_dim))).add_(mask.additive);
  at::Tensor probs = at::softmax(scores, -1);
  probs = kdw::dropout(probs, dropout, training);
  return at::matmul(probs.to(dtype), v);
}

struct LayerImpl : torch::nn::Module {
  LayerImpl(const BertConfig& c) {
    auto attention = add<Group>(*this, "attention");
    auto self = add<Group>(*attention, "self");
    query = add<BertLinearImpl>(*self, "query", c.hidden_size, c.hidden_size);
    key = add<BertLinearImpl>(*self, "key", c.hidden_size, c.hidden_size);
    value = add<BertLinearImpl>(*self, "value", c.hidden_size, c.hidden_size);
    auto attention_output = add<Group>(*attention, "output");
    attention_dense = add<BertLinearImpl>(*attention_output, "dense", c.hidden_size, c.hidden_size);
    attention_norm = add<LayerNormImpl>(*attention_output, "LayerNorm", c.hidden_size);
    auto intermediate = add<Group>(*this, "intermediate");
    intermediate_dense =
        add<BertLinearImpl>(*intermediate, "dense", c.hidden_size, c.intermediate_size);
    auto output = add<Group>(*this, "output");
    output_dense = add<BertLinearImpl>(*output, "dense", c.intermediate_size, c.hidden_size);
    output_norm = add<LayerNormImpl>(*output, "LayerNorm", c.hidden_size);
  }

  // x: [B, T, H] float32. dtype: that of the matrix products (float32 or bf16).
  at::Tensor forward(const at::Tensor& x, const KeyMask& mask, const BertConfig& c,
                     at::ScalarType dtype) {
    const int64_t batch = x.size(0), len = x.size(1), heads = c.num_attention_heads;
    const int64_t head_dim = c.hidden_size / heads;
    // One fused QKV product: a single large GEMM beats three smaller ones.
    const at::Tensor w = at::cat({query->weight, key->weight, value->weight}).to(dtype);
    const at::Tensor b = at::cat({query->bias, key->bias, value->bias}).to(dtype);
    const at::Tensor qkv = at::linear(x.to(dtype), w, b)
                               .view({batch, len, 3, heads, head_dim})
                               .permute({2, 0, 3, 1, 4});
    const at::Tensor q = qkv[0], k = qkv[1], v = qkv[2];  // [B, heads, T, head_dim]
    const at::Tensor context =
        attention(q, k, v, mask, c.attention_probs_dropout_prob, is_training(), dtype)
            .permute({0, 2, 1, 3})
            .reshape({batch, len, c.hidden_size});  // stays in `dtype`
    at::Tensor attended = kdw::dropout(linear(*attention_dense, context, dtype),
                                       c.hidden_dropout_prob, is_training());
    const at::Tensor h = layer_norm(*attention_norm, attended.add_(x), c.layer_norm_eps);
    // GELU (erf form) on the product's own dtype: in bf16 mode a float copy of the widest
    // activation would add two conversions without adding precision.
    const at::Tensor inner = at::gelu(at::linear(h.to(dtype), intermediate_dense->weight.to(dtype),
                                                 intermediate_dense->bias.to(dtype)));
    at::Tensor out =
        kdw::dropout(linear(*output_dense, inner, dtype), c.hidden_dropout_prob, is_training());
    return layer_norm(*output_norm, out.add_(h), c.layer_norm_eps);
  }

  Linear query, key, value, attention_dense, intermediate_dense, output_dense;
  LayerNorm attention_norm, output_norm;
};

}  // namespace

class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(const BertConfig& c) {
    auto embeddings = add<Group>(*this, "embeddings");
    word = add<EmbeddingImpl>(*embeddings, "word_embeddings", c.vocab_size, c.hidden_size);
    position = add<EmbeddingImpl>(*embeddings, "position_embeddings", c.max_position_embeddings,
                                  c.hidden_size);
    token_type =
        add<EmbeddingImpl>(*embeddings, "token_type_embeddings", c.type_vocab_size, c.hidden_size);
    embedding_norm = add<LayerNormImpl>(*embeddings, "LayerNorm", c.hidden_size);
    auto encoder = add<Group>(*this, "encoder");
    auto layer_list = add<Group>(*encoder, "layer");
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers.push_back(add<LayerImpl>(*layer_list, std::to_string(i), c));
    auto pooler = add<Group>(*this, "pooler");
    pooler_dense = add<BertLinearImpl>(*pooler, "dense", c.hidden_size, c.hidden_size);
  }

  Embedding word, position, token_type;
  LayerNorm embedding_norm;
  std::vector<std::shared_ptr<LayerImpl>> layers;
  Linear pooler_dense;
};

std::vector<std::pair<std::string, std::vector<int64_t>>> bert_parameter_shapes(
    const BertConfig& c, int64_t num_labels) {
  const int64_t h = c.hidden_size, inter = c.intermediate_size;
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  const auto linear = [&](const std::string& name, int64_t in, int64_t n) {
    out.push_back({name + ".weight", {n, in}});
    out.push_back({name + ".bias", {n}});
  };
  const auto norm = [&](const std::string& name) {
    out.push_back({name + ".weight", {h}});
    out.push_back({name + ".bias", {h}});
  };
  out.push_back({"bert.embeddings.word_embeddings.weight", {c.vocab_size, h}});
  out.push_back({"bert.embeddings.position_embeddings.weight", {c.max_position_embeddings, h}});
  out.push_back({"bert.embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}});
  norm("bert.embeddings.LayerNorm");
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    const std::string p = "bert.encoder.layer." + std::to_string(i) + ".";
    linear(p + "attention.self.query", h, h);
    linear(p + "attention.self.key", h, h);
    linear(p + "attention.self.value", h, h);
    linear(p + "attention.output.dense", h, h);
    norm(p + "attention.output.LayerNorm");
    linear(p + "intermediate.dense", h, inter);
    linear(p + "output.dense", inter, h);
    norm(p + "output.LayerNorm");
  }
  linear("bert.pooler.dense", h, h);
  if (num_labels > 0) linear("classifier", h, num_labels);
  return out;
}

BertForSequenceClassificationImpl::BertForSequenceClassificationImpl(const BertConfig& config,
                                                                     int64_t num_labels)
    : config_(config), num_labels_(num_labels) {
  config_.validate("BERT config");
  if (num_labels < 1) throw Error("a BERT classifier needs at least one label");
  bert_ = register_module("bert", std::make_shared<BertModelImpl>(config_));
  classifier_ = register_module("classifier",
                                std::make_shared<BertLinearImpl>(config_.hidden_size, num_labels));
  init_weights();
}

at::ScalarType parse_precision(const std::string& name) {
  if (name == "float32") return at::kFloat;
  if (name == "bfloat16") return at::kBFloat16;
  throw UsageError("unknown precision '" + name + "' (valid: float32, bfloat16)");
}

void BertForSequenceClassificationImpl::set_matmul_dtype(at::ScalarType dtype) {
  if (dtype != at::kFloat && dtype != at::kBFloat16)
    throw Error("BERT matrix products run in float32 or bfloat16 only");
  matmul_dtype_ = dtype;
}

bool BertForSequenceClassificationImpl::has_fused_attention() {
  return KDW_TORCH_AT_LEAST(2, 1);
}

void BertForSequenceClassificationImpl::set_attention(Attention attention) {
  if (attention == Attention::kFused && !has_fused_attention())
    throw Error("fused attention needs LibTorch 2.1 or newer");
  attention_ = attention;
}

void BertForSequenceClassificationImpl::init_weights() {
  at::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    const std::string& name = item.key();
    at::Tensor& p = item.value();
    const bool is_norm = name.find("LayerNorm.") != std::string::npos;
    if (is_norm)
      p.fill_(name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0 : 0.0);
    else if (p.dim() == 1)
      p.zero_();  // biases
    else
      p.normal_(0.0, config_.initializer_range);
  }
}

BertForSequenceClassificationImpl::Output BertForSequenceClassificationImpl::forward(
    const at::Tensor& input_ids, const at::Tensor& attention_mask,
    const at::Tensor& token_type_ids) {
  const BertConfig& c = config_;
  if (!input_ids.defined() || input_ids.dim() != 2 ||
      !at::isIntegralType(input_ids.scalar_type(), false))
    throw Error("BERT input_ids must be a 2-D integer tensor [batch, seq]");
  const int64_t batch = input_ids.size(0), len = input_ids.size(1);
  if (len > c.max_position_embeddings)
    throw Error("sequence of " + std::to_string(len) + " tokens exceeds max_position_embeddings " +
                std::to_string(c.max_position_embeddings));
  if (batch == 0 || len == 0) throw Error("BERT input is empty");
  const auto check_same = [&](const at::Tensor& t, const char* what) {
    if (t.defined() &&
        (t.sizes() != input_ids.sizes() || !at::isIntegralType(t.scalar_type(), true)))
      throw Error(std::string("BERT ") + what + " must be an integer tensor shaped like input_ids");
  };
  check_same(attention_mask, "attention_mask");
  check_same(token_type_ids, "token_type_ids");
  const at::Tensor ids = input_ids.to(at::kLong);
  const at::Tensor types =
      token_type_ids.defined() ? token_type_ids.to(at::kLong) : at::zeros_like(ids);
  // An index out of range is an error here, not an out-of-bounds read. Only on the CPU: on a GPU
  // reading the bounds back would stall every step, so the engine's callers check ids where they
  // are read (read_teacher_data); meta tensors (as the device tests use) carry no values.
  if (ids.is_cpu()) {
    const at::Tensor bounds = at::stack({ids.min(), ids.max(), types.min(), types.max()}).cpu();
    const int64_t* b = bounds.data_ptr<int64_t>();
    if (b[0] < 0 || b[1] >= c.vocab_size)
      throw Error("BERT input_ids must lie in [0, " + std::to_string(c.vocab_size) + ")");
    if (b[2] < 0 || b[3] >= c.type_vocab_size)
      throw Error("BERT token_type_ids must lie in [0, " + std::to_string(c.type_vocab_size) + ")");
  }

  // Every tensor made here takes the device of the inputs (the model's, checked by the
  // embedding): tests/core/test_device runs this on the meta device to catch any made on the CPU.
  BertModelImpl& m = *bert_;
  const at::Tensor positions = at::arange(len, ids.options()).unsqueeze(0).expand({batch, len});
  at::Tensor x = at::embedding(m.word->weight, ids).to(at::kFloat) +
                 at::embedding(m.position->weight, positions).to(at::kFloat) +
                 at::embedding(m.token_type->weight, types).to(at::kFloat);
  x = kdw::dropout(layer_norm(*m.embedding_norm, x, c.layer_norm_eps), c.hidden_dropout_prob,
                   is_training());

  // Padded keys get -10000 added before the softmax, as in the reference implementation; the
  // fused kernel gives them no weight at all (the same once exp(-10000) underflows).
  KeyMask mask;
  mask.fused = attention_ == Attention::kFused ||
               (attention_ == Attention::kAuto && has_fused_attention() && !ids.is_cpu());
  if (mask.fused) {
    if (attention_mask.defined()) mask.attend = attention_mask.ne(0).view({batch, 1, 1, len});
  } else {
    const at::Tensor keep = attention_mask.defined()
                                ? attention_mask.to(at::kFloat)
                                : at::ones({batch, len}, ids.options().dtype(at::kFloat));
    mask.additive = ((1.0 - keep) * -10000.0).view({batch, 1, 1, len});
  }
  const at::ScalarType dtype =
      m.pooler_dense->weight.scalar_type() == at::kBFloat16 ? at::kBFloat16 : matmul_dtype_;
  for (auto& layer : m.layers) x = layer->forward(x, mask, c, dtype);

  Output out;
  out.sequence_output = x;
  out.pooled_output = at::tanh(linear(*m.pooler_dense, x.select(1, 0), dtype));
  out.logits = linear(*classifier_,
                      kdw::dropout(out.pooled_output, c.hidden_dropout_prob, is_training()), dtype);
  return out;
}

}  // namespace kdw
