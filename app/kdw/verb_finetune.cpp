// kdw finetune: fine-tunes the BERT teacher on the workspace's bert_data (engine/bert/finetune.h).
#include <iostream>

#include "bert/finetune.h"
#include "bert/teacher_options.h"
#include "common_options.h"
#include "core/error.h"
#include "dist/dist_context.h"
#include "dist_cli.h"
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
  DistOptions dist;
  add_dist_options(parser, dist);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  if (const auto launched = start_dist(dist, argc, argv, o.device)) return *launched;

  ConsoleJob console;
  const FinetuneResult result = run_finetune(o, console.context());
  if (dist::context().is_writer()) {  // the other ranks of a job write nothing
    if (json_events())
      write_event(result_event(result));
    else
      std::cout << "model: " << result.model_dir.string() << "\n"
                << "best: " << result.best.dump() << "\n";
  }
  finish_dist();
  return 0;
}

}  // namespace kdw::cli
