// kdw logits: runs the fine-tuned teacher over every sample and stores its logits
// (engine/bert/logits.h).
#include <iostream>

#include "bert/logits.h"
#include "bert/teacher_options.h"
#include "common_options.h"
#include "dist/dist_context.h"
#include "dist_cli.h"
#include "verbs.h"

namespace kdw::cli {

int run_logits(int argc, char** argv) {
  LogitsOptions o;
  CommonOptions common;
  ArgParser parser("logits",
                   "Run the fine-tuned teacher over train/dev/test and write "
                   "files/data/logits/{train,dev,test}.npy and logits.json");
  // The options come from the engine's table (bert/teacher_options.cpp).
  parser.add_table(logits_option_table(), o);
  add_common_options(parser, common);
  DistOptions dist;
  add_dist_options(parser, dist);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  if (const auto launched = start_dist(dist, argc, argv, o.device)) return *launched;

  ConsoleJob console;
  const LogitsResult result = run_logits(o, console.context());
  finish_dist();
  if (!dist::context().is_writer()) return 0;  // rank 0 reports for the job
  std::cout << (result.skipped ? "unchanged: " : "written: ") << o.workspace.string()
            << "/files/data/logits\n";
  for (const auto& [split, entry] : result.summary.at("splits").items())
    std::cout << split << ": " << entry.dump() << "\n";
  return 0;
}

}  // namespace kdw::cli
