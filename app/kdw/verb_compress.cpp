// kdw compress: weight pictures and ISS cuts of a distillation run (compress.py's flags).
#include <cstdio>
#include <iostream>

#include "cli_args.h"
#include "common_options.h"
#include "compress/compress_options.h"
#include "compress/compress_run.h"
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {
namespace {

void print_summary(const nlohmann::json& r) {
  std::printf("%-22s %24s %24s\n", "", "before", "after");
  std::printf("%-22s %24s %24s\n", "hidden (fwd/bwd)",
              r["hidden_before"].get<std::string>().c_str(),
              r["hidden_after"].get<std::string>().c_str());
  std::printf("%-22s %24lld %24lld\n", "parameters", r["parameters_before"].get<long long>(),
              r["parameters_after"].get<long long>());
  std::printf("%-22s %24lld %24lld\n", "bytes", r["bytes_before"].get<long long>(),
              r["bytes_after"].get<long long>());
  if (r.contains("evaluation")) {
    const auto& b = r["evaluation"]["before"];
    const auto& a = r["evaluation"]["after"];
    for (const char* split : {"dev", "test"})
      for (const char* key : {"accuracy", "macro_f1"})
        if (b.contains(split) && b[split].contains(key) && a.contains(split) &&
            a[split].contains(key))
          std::printf("%-22s %24.4f %24.4f\n", (std::string(split) + " " + key).c_str(),
                      b[split][key].get<double>(), a[split][key].get<double>());
    if (b.contains("latency_ms_per_sample") && a.contains("latency_ms_per_sample"))
      std::printf("%-22s %24.3f %24.3f\n", "latency ms/sample",
                  b["latency_ms_per_sample"].get<double>(),
                  a["latency_ms_per_sample"].get<double>());
  }
  std::printf("removed %lld components; model: %s\n", r["removed_total"].get<long long>(),
              r["cut_model_file"].get<std::string>().c_str());
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
  if (!result.cut_model_file.empty()) {
    print_summary(result.report);
    std::printf("report: %s\n", result.report_file.string().c_str());
  } else if (!options.show_weight) {
    // Nothing asked: show the norms so that a threshold can be chosen.
    std::printf("%s\ncomponent norms (choose --threshold or --keep from these):\n",
                result.model_file.string().c_str());
    for (const auto& n : result.report["norms"])
      std::printf("  layer %d %s: %d units, norm min %.4g median %.4g max %.4g\n",
                  n["layer"].get<int>(), n["direction"].get<std::string>().c_str(),
                  n["units"].get<int>(), n.value("min", 0.0), n.value("median", 0.0),
                  n.value("max", 0.0));
  }
  return 0;
}

}  // namespace kdw::cli
