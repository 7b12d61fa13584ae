// kdw distill: trains a student on the teacher's logits (engine/student/distill.h), or with
// --restore_model_path evaluates a saved (full or cut) student on dev and test.
#include <iostream>

#include "common_options.h"
#include "core/error.h"
#include "student/distill.h"
#include "verbs.h"

namespace kdw::cli {

namespace {

void print_split(const char* name, const nlohmann::json& m) {
  std::cout << name << ": accuracy " << m.at("accuracy").get<double>() << ", macro-F1 "
            << m.at("macro_f1").get<double>() << " (" << m.at("samples").get<int64_t>()
            << " samples)\n";
}

}  // namespace

int run_distill(int argc, char** argv) {
  DistillOptions o;
  std::string restore;
  CommonOptions common;
  ArgParser parser("distill",
                   "Distil the teacher's logits into a stack_LSTM / stack_biLSTM student (or, with "
                   "--restore_model_path, evaluate a saved student on dev and test)");
  // The options come from the engine's table (student/distill_options.cpp).
  parser.add_table(distill_option_table(), o);
  parser.add_path("restore_model_path", &restore,
                  "evaluate this saved student instead of training");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  ConsoleJob console;

  if (!restore.empty()) {
    EvaluateOptions e;
    e.data_path = o.data_path;
    e.model_file = restore;
    e.model_type = o.model_type;
    e.batch_size = o.batch_size;
    e.device = o.device;
    const auto r = evaluate_student(e, console.context()).report;
    std::cout << "model: " << restore << " (" << r.at("model_type").get<std::string>() << ")\n";
    print_split("dev", r.at("dev"));
    print_split("test", r.at("test"));
    std::cout << "parameters: " << r.at("parameters").get<int64_t>() << "\n"
              << "bytes: " << r.at("bytes").get<int64_t>() << "\n"
              << "latency_ms_per_sample: " << r.at("latency_ms_per_sample").get<double>() << "\n"
              << "json: " << r.dump() << "\n";
    return 0;
  }
  const DistillResult r = run_distill(o, console.context());
  std::cout << "run folder: " << r.run_dir.string() << "\n"
            << "model: " << r.model_file.string() << "\n";
  if (r.result.contains("dev")) print_split("best dev", r.result.at("dev"));
  if (r.result.contains("test")) print_split("test", r.result.at("test"));
  std::cout << "parameters: " << r.result.at("parameters").get<int64_t>() << "\n";
  return 0;
}

}  // namespace kdw::cli
