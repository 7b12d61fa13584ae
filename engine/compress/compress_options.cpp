#include "compress/compress_options.h"

#include <limits>

namespace kdw {
namespace {

// The fields of the component choice, for the table.
std::optional<double>& threshold_of(CompressOptions& o) {
  return o.choice.threshold;
}
std::optional<int64_t>& keep_of(CompressOptions& o) {
  return o.choice.keep;
}
std::filesystem::path& components_file_of(CompressOptions& o) {
  return o.choice.components_file;
}

}  // namespace

const OptionTable<CompressOptions>& compress_option_table() {
  using O = CompressOptions;
  constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
  // One record per option, in --help order; options without a default are "not used" when
  // absent (--help shows no default for them).
  static const OptionTable<O> table =
      OptionTable<O>()
          .path("restore_path", &O::run_dir, "Run folder", "run folder holding model_distill_*.pt",
                kOnCli | kRequired)
          .choice("model_type", &O::model_type, "", {"stack_biLSTM", "stack_LSTM"}, "Model type",
                  "which model of the run (needed when it holds several)", kOnCli)
          .flag("show_weight", &O::show_weight, false, "Write weight pictures",
                "write weight_*.png and component_norms.png into the run folder")
          .flag(
              "cut_model", &O::cut_model, false, "Cut model",
              "write cut_model_distill_<type>.pt and cut_report.json into the run folder; without "
              "threshold, keep or components: cut what the run's ISS training zeroed",
              kOnCli)
          .number("threshold", threshold_of, std::nullopt, Interval::non_negative(), 4, "Threshold",
                  "remove components whose group norm is below this", kOnCli)
          .optional_integer("keep", keep_of, 1, kMaxI64, "Keep",
                            "keep the N strongest components of each layer/direction", kOnCli)
          .path("components", components_file_of, "Components file",
                "JSON file listing the components to remove (see docs/compression.md)")
          .path("data_path", &O::data_path, "Data",
                "data folder: evaluate before and after the cut")
          .integer("batch_size", &O::batch_size, 64, 1, kMaxBatchSize, "Evaluation batch",
                   "batch size for the evaluation")
          .choice("device", &O::device, "cpu", {"cpu", "cuda"}, "Device",
                  "where the evaluation runs", kOnCli);
  return table;
}

CompressOptions::CompressOptions() {
  compress_option_table().set_defaults(*this);
}

}  // namespace kdw
