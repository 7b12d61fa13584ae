// kdw distill: trains a student on the teacher's logits (engine/student/distill.h), or with
// --restore_model_path evaluates a saved (full or cut) student on dev and test.
#include <iostream>

#include "common_options.h"
#include "core/error.h"
#include "student/distill.h"
#include "verbs.h"

namespace kdw::cli {

namespace {

void print_split(const char* name, const SplitScores& m) {
  std::cout << name << ": accuracy " << m.accuracy << ", macro-F1 " << m.macro_f1 << " ("
            << m.samples << " samples)\n";
}

void print_run(const DistillResult& r) {
  std::cout << "run folder: " << r.run_dir.string() << "\n"
            << "model: " << r.model_file.string() << "\n";
  if (r.report.dev) print_split("best dev", *r.report.dev);
  if (r.report.test) print_split("test", *r.report.test);
  std::cout << "parameters: " << r.report.parameters << "\n";
}

}  // namespace

int run_distill(int argc, char** argv) {
  DistillOptions o;
  std::string data_path, model_type, output_dir, restore;
  long long hidden_size = o.hidden_size, emb_dim = o.emb_dim, batch_size = o.batch_size;
  long long seed = static_cast<long long>(o.seed);
  CommonOptions common;
  ArgParser parser("distill",
                   "Distil the teacher's logits into a stack_LSTM / stack_biLSTM student (or, with "
                   "--restore_model_path, evaluate a saved student on dev and test)");
  parser.add_path("data_path", &data_path,
                  "workspace root, its files/data folder, or a flat ./data", true);
  parser.add_choice("model_type", &model_type, {"stack_biLSTM", "stack_LSTM"},
                    "student architecture (required)");
  parser.add_int64("hidden_size", &hidden_size, "hidden units per layer and direction");
  parser.add_int("num_layers", &o.num_layers, "LSTM layers");
  parser.add_int64("emb_dim", &emb_dim, "word embedding size");
  parser.add_double("dropout", &o.dropout, "dropout between layers and before the classifier");
  parser.add_int64("batch_size", &batch_size, "samples per batch");
  parser.add_int("epochs", &o.epochs, "passes over the train split");
  parser.add_double("lr", &o.lr, "Adam learning rate");
  parser.add_double("alpha", &o.alpha,
                    "weight of the gold-label cross-entropy (1 - alpha: teacher term)");
  parser.add_double("temperature", &o.temperature, "softmax temperature of the kl teacher term");
  parser.add_choice("distill_loss", &o.distill_loss, {"mse", "kl"},
                    "teacher term: MSE on logits or Hinton's KL");
  parser.add_double("group_lasso", &o.group_lasso,
                    "weight of the ISS group lasso penalty (0: off)");
  parser.add_double("iss_threshold", &o.iss_threshold,
                    "after each epoch zero ISS components whose norm is below this (0: off)");
  parser.add_double("sparse_tolerance", &o.sparse_tolerance,
                    "keep the sparsest epoch whose dev accuracy is within this of the best "
                    "(0: the best epoch)");
  parser.add_double("max_grad_norm", &o.max_grad_norm, "gradient clipping norm (0: off)");
  parser.add_int64("seed", &seed, "random seed (runs on the CPU are deterministic)");
  parser.add_choice("device", &o.device, {"cpu", "cuda"}, "where to train");
  parser.add_path("output_dir", &output_dir,
                  "parent of the run folder (default: the workspace root)");
  parser.add_path("restore_model_path", &restore,
                  "evaluate this saved student instead of training");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  if (model_type.empty()) throw UsageError("--model_type is required (stack_biLSTM or stack_LSTM)");
  if (seed < 0) throw UsageError("--seed must be >= 0");
  o.data_path = data_path;
  o.model_type = parse_student_type(model_type);
  o.hidden_size = hidden_size;
  o.emb_dim = emb_dim;
  o.batch_size = batch_size;
  o.seed = static_cast<uint64_t>(seed);
  o.output_dir = output_dir;
  apply_common_options(common);
  ConsoleJob console;

  if (!restore.empty()) {
    EvaluateOptions e;
    e.data_path = o.data_path;
    e.model_file = restore;
    e.model_type = o.model_type;
    e.batch_size = o.batch_size;
    e.device = o.device;
    const EvaluateReport r = evaluate_student(e, console.context()).report;
    std::cout << "model: " << restore << " (" << r.model_type << ")\n";
    print_split("dev", r.dev);
    print_split("test", r.test);
    std::cout << "parameters: " << r.parameters << "\n"
              << "bytes: " << r.bytes << "\n"
              << "latency_ms_per_sample: " << r.latency_ms_per_sample << "\n"
              << "json: " << nlohmann::json(r).dump() << "\n";
    return 0;
  }
  try {
    print_run(run_distill(o, console.context()));
  } catch (const CancelledWithResult& c) {
    // Say where the best model so far is before exiting as cancelled.
    print_run(c.partial().get<DistillResult>());
    throw;
  }
  return 0;
}

}  // namespace kdw::cli
