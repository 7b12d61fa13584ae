#include "student/distill_options.h"

#include <limits>

namespace kdw {

OptionValue to_option_value(const StudentType& type) {
  return student_type_name(type);
}

void from_option_value(const OptionValue& value, StudentType& type) {
  type = parse_student_type(std::get<std::string>(value));
}

const OptionTable<DistillOptions>& distill_option_table() {
  using O = DistillOptions;
  constexpr unsigned cli = kOnCli, all = kOnCli | kOnForm;
  constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
  // One record per option, in --help and form order.
  static const OptionTable<O> table =
      OptionTable<O>()
          .path("data_path", &O::data_path, "Data",
                "workspace root, its files/data folder, or a flat ./data", cli | kRequired)
          .choice("model_type", &O::model_type, "stack_biLSTM", {"stack_biLSTM", "stack_LSTM"},
                  "Model type", "student architecture", all | kRequired)
          .integer("hidden_size", &O::hidden_size, 1000, 1, kMaxStudentWidth, "Hidden size",
                   "hidden units per layer and direction")
          .integer("num_layers", &O::num_layers, 2, 1, 16, "Layers", "LSTM layers")
          .integer("emb_dim", &O::emb_dim, 300, 1, kMaxStudentWidth, "Embedding size",
                   "word embedding size")
          .number("dropout", &O::dropout, 0.1, Interval::right_open(0, 1), 2, "Dropout",
                  "dropout between layers and before the classifier")
          .integer("batch_size", &O::batch_size, 64, 1, kMaxBatchSize, "Batch size",
                   "samples per batch")
          .integer("epochs", &O::epochs, 10, 1, 100000, "Epochs", "passes over the train split")
          .number("lr", &O::lr, 1e-3, Interval::positive(), 6, "Learning rate",
                  "Adam learning rate")
          .number("alpha", &O::alpha, 0.5, Interval::closed(0, 1), 2, "Alpha (CE weight)",
                  "weight of the gold-label cross-entropy (1 - alpha: teacher term)")
          .number("temperature", &O::temperature, 1.0, Interval::positive(), 2, "Temperature",
                  "softmax temperature of the kl teacher term")
          .choice("distill_loss", &O::distill_loss, "mse", {"mse", "kl"}, "Distillation loss",
                  "teacher term: MSE on logits or Hinton's KL")
          .number("group_lasso", &O::group_lasso, 0.0, Interval::non_negative(), 6, "Group lasso",
                  "weight of the ISS group lasso penalty (0: off)")
          .integer("lasso_warmup", &O::lasso_warmup, 0, 0, 100000, "Lasso warm-up epochs",
                   "epochs trained without group lasso or ISS threshold first")
          .integer("lasso_ramp", &O::lasso_ramp, 0, 0, 100000, "Lasso ramp epochs",
                   "epochs over which the lasso weight then rises linearly to group_lasso")
          .number("iss_threshold", &O::iss_threshold, 0.0, Interval::non_negative(), 6,
                  "ISS threshold",
                  "after each epoch zero ISS components whose norm is below this (0: off)")
          .number("sparse_tolerance", &O::sparse_tolerance, 0.0, Interval::right_open(0, 1), 3,
                  "Sparse tolerance",
                  "keep the sparsest epoch whose dev accuracy is within this of the best "
                  "(0: the best epoch)")
          .number("max_grad_norm", &O::max_grad_norm, 5.0, Interval::non_negative(), 2,
                  "Max gradient norm", "gradient clipping norm (0: off)")
          .integer("seed", &O::seed, 42, 0, kMaxI64, "Seed",
                   "random seed (runs on the CPU are deterministic)")
          .choice("device", &O::device, "cpu", {"cpu", "cuda"}, "Device", "where to train", cli)
          .flag("augmented", &O::augmented, true, "Augmented transfer set",
                "train also on the augmented copies the logits stage made (augment > 0); off: "
                "the original samples only")
          .flag("emb_from_teacher", &O::emb_from_teacher, false, "Embeddings from teacher",
                "initialise word embeddings from the teacher's WordPiece embeddings")
          .path("restore_model_path", &O::restore_model_path, "Start from model",
                "with epochs given: train on this saved (e.g. cut) student, keeping its shape; "
                "without: evaluate it on dev and test")
          .path("output_dir", &O::output_dir, "Output folder",
                "parent of the run folder (default: the workspace root)")
          .path("resume", &O::resume, "Resume run",
                "continue this unfinished run folder from its last completed epoch (same "
                "options; epochs may grow)",
                cli)
          .integer("log_every", &O::log_every, 10, 1, kMaxI64, "Log every",
                   "steps between step records in metrics.jsonl", 0);
  return table;
}

DistillOptions::DistillOptions() {
  distill_option_table().set_defaults(*this);
}

nlohmann::json DistillOptions::to_json() const {
  return distill_option_table().to_json(*this);
}

DistillOptions distill_options_from_json(const nlohmann::json& config) {
  DistillOptions o;
  distill_option_table().from_json(o, config);
  return o;
}

}  // namespace kdw
