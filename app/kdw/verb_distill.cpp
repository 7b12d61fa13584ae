// kdw distill: trains a student on the teacher's logits (engine/student/distill.h), or with
// --restore_model_path evaluates a saved (full or cut) student on dev and test; with --epochs it
// trains that student on instead, keeping its architecture.
#include <iostream>

#include "common_options.h"
#include "core/error.h"
#include "dist/dist_context.h"
#include "dist_cli.h"
#include "student/distill.h"
#include "student/reports.h"
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
  CommonOptions common;
  ArgParser parser("distill",
                   "Distil the teacher's logits into a stack_LSTM / stack_biLSTM student (or, with "
                   "--restore_model_path alone, evaluate a saved student on dev and test; with "
                   "--epochs too, train it on)");
  // The options come from the engine's table (student/distill_options.cpp).
  parser.add_table(distill_option_table(), o);
  add_common_options(parser, common);
  DistOptions dist;
  add_dist_options(parser, dist);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  if (const auto launched = start_dist(dist, argc, argv, o.device)) return *launched;
  ConsoleJob console;

  // --restore_model_path alone evaluates (the original scripts' use); with --epochs it trains on.
  if (!o.restore_model_path.empty() && !parser.was_set("epochs")) {
    const std::string restore = o.restore_model_path.string();
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
  const bool writer = dist::context().is_writer();  // the other ranks of a job write nothing
  try {
    const DistillResult r = run_distill(o, console.context());
    if (writer && json_events())
      write_event(result_event(r));
    else if (writer)
      print_run(r);
  } catch (const CancelledWithResult& c) {
    // Say where the best model so far is before exiting as cancelled.
    if (writer && json_events())
      write_event(cancelled_event(c.partial<DistillResult>()));
    else if (writer)
      print_run(c.partial<DistillResult>());
    throw;
  }
  finish_dist();
  return 0;
}

}  // namespace kdw::cli
