// kdw finetune: fine-tunes the BERT teacher on the workspace's bert_data (engine/bert/finetune.h).
#include <iostream>

#include "bert/finetune.h"
#include "common_options.h"
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {

int run_finetune(int argc, char** argv) {
  FinetuneOptions o;
  std::string workspace, bert_path;
  long long batch_size = o.batch_size, seed = static_cast<long long>(o.seed);
  CommonOptions common;
  ArgParser parser("finetune",
                   "Fine-tune the BERT teacher on files/data/bert_data; the best dev epoch is "
                   "kept in <workspace>/files/bert/rubert_finetune");
  parser.add_path("workspace", &workspace, "workspace folder (prepared with `kdw prepare`)", true);
  parser.add_path("bert_path", &bert_path,
                  "BERT folder to start from (DeepPavlov or HF; config only = from scratch)", true);
  parser.add_int("epochs", &o.epochs, "training epochs");
  parser.add_double("lr", &o.lr, "peak learning rate (AdamW)");
  parser.add_int64("batch_size", &batch_size, "samples per batch");
  parser.add_int("max_seq_len", &o.max_seq_len, "longer samples are truncated to this many tokens");
  parser.add_double("warmup", &o.warmup,
                    "fraction of the steps with a linear learning-rate warm-up");
  parser.add_double("weight_decay", &o.weight_decay,
                    "decoupled weight decay (not on biases/LayerNorm)");
  parser.add_int("grad_accum", &o.grad_accum, "batches accumulated per optimizer step");
  parser.add_double("max_grad_norm", &o.max_grad_norm, "gradient clipping norm (0: none)");
  parser.add_int64("seed", &seed, "random seed (initialisation, batch order, dropout)");
  parser.add_choice("device", &o.device, {"cpu", "cuda"}, "where to train");
  parser.add_choice("precision", &o.precision, {"float32", "bfloat16"},
                    "bfloat16: matrix products in bf16, weights and optimizer in float32");
  parser.add_int("early_stopping", &o.early_stopping_patience,
                 "stop after N epochs without dev improvement (0: never)");
  parser.add_flag("resume", &o.resume, "continue the stopped run from its checkpoint");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  if (seed < 0) throw UsageError("--seed must not be negative");
  o.workspace = workspace;
  o.bert_path = bert_path;
  o.batch_size = batch_size;
  o.seed = static_cast<uint64_t>(seed);
  apply_common_options(common);

  ConsoleJob console;
  const FinetuneResult result = run_finetune(o, console.context());
  std::cout << "model: " << result.model_dir.string() << "\n"
            << "best: " << result.best.dump() << "\n";
  return 0;
}

}  // namespace kdw::cli
