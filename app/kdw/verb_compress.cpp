// kdw compress: weight pictures and ISS cuts of a distillation run (compress.py's flags).
#include <cstdio>
#include <iostream>
#include <tuple>

#include "cli_args.h"
#include "common_options.h"
#include "compress/compress_options.h"
#include "compress/compress_run.h"
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {
namespace {

// How the components were chosen, in words (the original `--cut_model` alone cuts what the
// run's ISS training zeroed: say so).
void print_choice(const CutReport& r) {
  if (r.chosen_by != "iss_training") return;
  if (r.threshold)
    std::printf(
        "no --threshold, --keep or --components: removing the components the run's ISS "
        "training zeroed (norm below its iss_threshold %g from config.json)\n",
        *r.threshold);
  else
    std::printf(
        "no --threshold, --keep or --components, and the run has no iss_threshold: "
        "removing the components whose norm is exactly zero\n");
}

void print_summary(const CutReport& r) {
  print_choice(r);
  std::printf("%-22s %24s %24s\n", "", "before", "after");
  std::printf("%-22s %24s %24s\n", "hidden (fwd/bwd)", r.hidden_before.c_str(),
              r.hidden_after.c_str());
  std::printf("%-22s %24lld %24lld\n", "parameters", (long long)r.parameters_before,
              (long long)r.parameters_after);
  std::printf("%-22s %24lld %24lld\n", "bytes", (long long)r.bytes_before,
              (long long)r.bytes_after);
  if (r.evaluation) {
    const EvaluateReport& b = r.evaluation->before;
    const EvaluateReport& a = r.evaluation->after;
    for (const auto& [name, before, after] :
         {std::tuple{"dev", b.dev, a.dev}, std::tuple{"test", b.test, a.test}}) {
      std::printf("%-22s %24.4f %24.4f\n", (std::string(name) + " accuracy").c_str(),
                  before.accuracy, after.accuracy);
      std::printf("%-22s %24.4f %24.4f\n", (std::string(name) + " macro_f1").c_str(),
                  before.macro_f1, after.macro_f1);
    }
    std::printf("%-22s %24.3f %24.3f\n", "latency ms/sample", b.latency_ms_per_sample,
                a.latency_ms_per_sample);
  }
  std::printf("removed %lld components; model: %s\n", (long long)r.removed_total,
              r.cut_model_file.c_str());
}

}  // namespace

int run_compress(int argc, char** argv) {
  CompressOptions options;
  CommonOptions common;
  ArgParser parser("compress",
                   "Draw a run's weights and ISS component norms (--show_weight) and cut weak "
                   "components out into a smaller model (--cut_model).");
  // The options come from the engine's table (compress/compress_options.cpp).
  parser.add_table(compress_option_table(), options);
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);

  ConsoleJob job;
  const CompressResult result = compress_run(options, job.context());
  for (const auto& p : result.pictures) std::printf("wrote %s\n", p.string().c_str());
  if (result.report) {
    print_summary(*result.report);
    std::printf("report: %s\n", result.report_file.string().c_str());
  } else if (!options.show_weight) {
    // Nothing asked: show the norms so that a threshold can be chosen.
    std::printf("%s\ncomponent norms (choose --threshold or --keep from these):\n",
                result.model_file.string().c_str());
    for (const auto& n : result.norms)
      std::printf("  layer %d %s: %d units, norm min %.4g median %.4g max %.4g\n",
                  n["layer"].get<int>(), n["direction"].get<std::string>().c_str(),
                  n["units"].get<int>(), n.value("min", 0.0), n.value("median", 0.0),
                  n.value("max", 0.0));
  }
  return 0;
}

}  // namespace kdw::cli
