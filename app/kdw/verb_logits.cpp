// kdw logits: runs the fine-tuned teacher over every sample and stores its logits
// (engine/bert/logits.h).
#include <iostream>

#include "bert/logits.h"
#include "common_options.h"
#include "verbs.h"

namespace kdw::cli {

int run_logits(int argc, char** argv) {
  LogitsOptions o;
  std::string workspace, model;
  long long batch_size = o.batch_size;
  CommonOptions common;
  ArgParser parser("logits",
                   "Run the fine-tuned teacher over train/dev/test and write "
                   "files/data/logits/{train,dev,test}.npy and logits.json");
  parser.add_path("workspace", &workspace, "workspace folder", true);
  parser.add_path("model", &model,
                  "teacher folder (default: <workspace>/files/bert/rubert_finetune)");
  parser.add_int64("batch_size", &batch_size, "samples per batch");
  parser.add_choice("device", &o.device, {"cpu", "cuda"}, "where to run the teacher");
  parser.add_choice("precision", &o.precision, {"float32", "bfloat16"},
                    "bfloat16: teacher weights and products in bf16 (faster, logits within ~0.01)");
  parser.add_flag("force", &o.force, "recompute even when model and data are unchanged");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  o.workspace = workspace;
  o.model = model;
  o.batch_size = batch_size;
  apply_common_options(common);

  ConsoleJob console;
  const LogitsResult result = run_logits(o, console.context());
  std::cout << (result.skipped ? "unchanged: " : "written: ") << o.workspace.string()
            << "/files/data/logits\n";
  for (const auto& [split, entry] : result.summary.at("splits").items())
    std::cout << split << ": " << entry.dump() << "\n";
  return 0;
}

}  // namespace kdw::cli
