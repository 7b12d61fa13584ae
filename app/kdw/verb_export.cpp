// kdw export: a student model folder for deployment (see docs/export.md).
#include <cstdio>

#include "cli_args.h"
#include "common_options.h"
#include "compress/export.h"
#include "verbs.h"

namespace kdw::cli {

int run_export(int argc, char** argv) {
  std::string model, output, vocab;
  CommonOptions common;
  ArgParser parser("export",
                   "Write a student model for deployment: the .pt, config.json, model.safetensors "
                   "and vocab.txt.");
  parser.add_path("model", &model, "student model file (model_distill_*.pt or cut_model_*.pt)",
                  true);
  parser.add_path(
      "output", &output,
      "folder to write: new, empty, or an earlier export's (its files are replaced once complete)",
      true);
  parser.add_path("vocab", &vocab,
                  "student vocabulary (tokens/vocab.txt); default: looked for next to the model");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);

  ExportOptions options;
  options.model_file = model;
  options.output_dir = output;
  options.vocab_file = vocab;
  const nlohmann::json config = export_student(options);
  std::printf("exported %s (%s) to %s\n", model.c_str(),
              config["model_type"].get<std::string>().c_str(), output.c_str());
  std::printf("vocabulary: %s\n", config["vocab_source"].is_null()
                                      ? "not found (give --vocab)"
                                      : config["vocab_source"].get<std::string>().c_str());
  return 0;
}

}  // namespace kdw::cli
