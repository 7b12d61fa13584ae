// kdw finetune: fine-tunes the BERT teacher on the workspace's bert_data (engine/bert/finetune.h).
#include <iostream>

#include "bert/finetune.h"
#include "bert/teacher_options.h"
#include "common_options.h"
#include "core/error.h"
#include "dist/dist_env.h"
#include "verbs.h"

namespace kdw::cli {

int run_finetune(int argc, char** argv) {
  FinetuneOptions o;
  CommonOptions common;
  ArgParser parser("finetune",
                   "Fine-tune the BERT teacher on files/data/bert_data; the best dev epoch is "
                   "kept in <workspace>/files/bert/rubert_finetune");
  // The options come from the engine's table (bert/teacher_options.cpp).
  parser.add_table(finetune_option_table(), o);
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  // Not data parallel yet (docs/distributed.md): every rank would train and write on its own.
  if (const auto env = dist::read_dist_env(); env && env->world > 1)
    throw Error("finetune does not run distributed yet: start it as one process (WORLD_SIZE is " +
                std::to_string(env->world) + ")");

  ConsoleJob console;
  const FinetuneResult result = run_finetune(o, console.context());
  if (json_events()) {
    write_event(result_event(result));
    return 0;
  }
  std::cout << "model: " << result.model_dir.string() << "\n"
            << "best: " << result.best.dump() << "\n";
  return 0;
}

}  // namespace kdw::cli
