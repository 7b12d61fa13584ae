#include "bert/teacher_options.h"

#include <limits>

namespace kdw {

const OptionTable<FinetuneOptions>& finetune_option_table() {
  using O = FinetuneOptions;
  constexpr unsigned cli = kOnCli, all = kOnCli | kOnForm;
  constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
  // One record per option, in --help and form order.
  static const OptionTable<O> table =
      OptionTable<O>()
          .path("workspace", &O::workspace, "Workspace",
                "workspace folder (prepared with `kdw prepare`)", cli | kRequired)
          .path("bert_path", &O::bert_path, "BERT folder",
                "BERT folder to start from (DeepPavlov or HF; config only = from scratch)",
                cli | kRequired)
          .integer("epochs", &O::epochs, 3, 1, 100000, "Epochs", "training epochs")
          .number("lr", &O::lr, 2e-5, Interval::positive(), 7, "Learning rate",
                  "peak learning rate (AdamW)")
          .integer("batch_size", &O::batch_size, 32, 1, 65536, "Batch size", "samples per batch")
          .integer("max_seq_len", &O::max_seq_len, 128, 2, 8192, "Max sequence length",
                   "longer samples are truncated to this many tokens")
          .number("warmup", &O::warmup, 0.1, Interval::right_open(0, 1), 2, "Warm-up fraction",
                  "fraction of the steps with a linear learning-rate warm-up")
          .number("weight_decay", &O::weight_decay, 0.01, Interval::non_negative(), 4,
                  "Weight decay", "decoupled weight decay (not on biases/LayerNorm)")
          .integer("grad_accum", &O::grad_accum, 1, 1, 4096, "Gradient accumulation",
                   "batches accumulated per optimizer step")
          .number("max_grad_norm", &O::max_grad_norm, 1.0, Interval::non_negative(), 2,
                  "Max gradient norm", "gradient clipping norm (0: none)")
          .integer("seed", &O::seed, 42, 0, kMaxI64, "Seed",
                   "random seed (initialisation, batch order, dropout)")
          .choice("device", &O::device, "cpu", {"cpu", "cuda"}, "Device", "where to train", cli)
          .choice("precision", &O::precision, "float32", {"float32", "bfloat16"}, "Precision",
                  "bfloat16: matrix products in bf16, weights and optimizer in float32", all)
          .integer("early_stopping", &O::early_stopping_patience, 0, 0, 100000,
                   "Early stopping patience",
                   "stop after N epochs without dev improvement (0: never)")
          .flag("resume", &O::resume, false, "Resume",
                "continue the stopped run from its checkpoint", cli)
          .integer("log_every", &O::log_every, 10, 1, kMaxI64, "Log every",
                   "optimizer steps between step records in metrics.jsonl", 0);
  return table;
}

const OptionTable<LogitsOptions>& logits_option_table() {
  using O = LogitsOptions;
  constexpr unsigned cli = kOnCli, all = kOnCli | kOnForm;
  static const OptionTable<O> table =
      OptionTable<O>()
          .path("workspace", &O::workspace, "Workspace", "workspace folder", cli | kRequired)
          .path("model", &O::model, "Teacher folder",
                "teacher folder (default: <workspace>/files/bert/rubert_finetune)")
          .integer("batch_size", &O::batch_size, 64, 1, 65536, "Batch size", "samples per batch")
          .choice("device", &O::device, "cpu", {"cpu", "cuda"}, "Device",
                  "where to run the teacher", cli)
          .choice("precision", &O::precision, "float32", {"float32", "bfloat16"}, "Precision",
                  "bfloat16: teacher weights and products in bf16 (faster, logits within ~0.01)",
                  all)
          .flag("force", &O::force, false, "Recompute",
                "recompute even when model and data are unchanged")
          // Only the copy count on the Logits panel; the paper's probabilities rarely change.
          .integer("augment", &O::augment, 0, 0, 1000, "Augmented copies",
                   "K augmented copies of each train sample, labelled by the teacher (0: none)")
          .number("augment_mask", &O::augment_mask, 0.1, Interval::closed(0, 1), 2,
                  "Mask probability", "augmentation: chance that a word is masked", cli)
          .number("augment_replace", &O::augment_replace, 0.1, Interval::closed(0, 1), 2,
                  "Replace probability",
                  "augmentation: chance that a word becomes a word of the same ending class", cli)
          .number("augment_ngram", &O::augment_ngram, 0.25, Interval::closed(0, 1), 2,
                  "N-gram probability", "augmentation: chance that a copy keeps only an n-gram",
                  cli)
          .integer("augment_seed", &O::augment_seed, 1, 0, std::numeric_limits<int64_t>::max(),
                   "Augmentation seed", "random seed of the augmented copies", cli);
  return table;
}

FinetuneOptions::FinetuneOptions() {
  finetune_option_table().set_defaults(*this);
}

LogitsOptions::LogitsOptions() {
  logits_option_table().set_defaults(*this);
}

}  // namespace kdw
