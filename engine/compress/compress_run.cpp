#include "compress/compress_run.h"

#include <algorithm>
#include <optional>

#include "compress/components.h"
#include "compress/compress_options.h"
#include "compress/cut.h"
#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/device.h"
#include "core/error.h"
#include "core/option_checks.h"
#include "core/workspace_lock.h"
#include "student/distill.h"
#include "student/run_folder.h"

namespace kdw {
namespace fs = std::filesystem;
namespace {

nlohmann::json norm_summary(const std::vector<ComponentNorms>& norms) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& n : norms) {
    std::vector<float> s = n.norms;
    std::sort(s.begin(), s.end());
    nlohmann::json e = {
        {"layer", n.layer}, {"direction", direction_name(n.direction)}, {"units", s.size()}};
    if (!s.empty()) {
      e["min"] = s.front();
      e["median"] = s[s.size() / 2];
      e["max"] = s.back();
    }
    out.push_back(e);
  }
  return out;
}

}  // namespace

Selection choose_components(const StudentModelImpl& model, const std::vector<ComponentNorms>& norms,
                            const ComponentChoice& choice) {
  const int given = int(choice.threshold.has_value()) + int(choice.keep.has_value()) +
                    int(!choice.components_file.empty()) + int(choice.picked.has_value());
  if (given > 1) throw UsageError("give only one of threshold, keep and components");
  if (choice.threshold) return select_by_threshold(model.arch(), norms, *choice.threshold);
  if (choice.keep) return select_by_keep(model.arch(), norms, *choice.keep);
  if (!choice.components_file.empty())
    return read_components_file(choice.components_file, model.arch());
  if (choice.picked) {
    validate_selection(*choice.picked, model.arch(), "the picked components");
    return *choice.picked;
  }
  return Selection::none(model.arch());
}

std::vector<NormPanel> norm_panels(const std::vector<ComponentNorms>& norms,
                                   const std::optional<Selection>& selection,
                                   std::optional<double> threshold) {
  std::vector<NormPanel> panels;
  for (const auto& n : norms) {
    NormPanel p;
    p.title = "LAYER " + std::to_string(n.layer) + " " + direction_name(n.direction);
    p.norms = n.norms;
    p.threshold = threshold;
    if (selection && size_t(n.layer) < selection->removed.size())
      p.kept = int64_t(n.norms.size()) - int64_t(selection->removed[n.layer][n.direction].size());
    panels.push_back(std::move(p));
  }
  return panels;
}

std::vector<fs::path> write_weight_pictures(const StudentModelImpl& model,
                                            const std::vector<NormPanel>& panels,
                                            const fs::path& dir, JobContext& job) {
  const std::vector<WeightView> views = weight_views(model);
  std::vector<fs::path> written;
  Commit pictures(dir);  // all pictures of one selection replace the previous set together
  const int64_t total = int64_t(views.size()) + 1;
  for (size_t i = 0; i < views.size(); ++i) {
    job.throw_if_cancelled();
    const WeightView& v = views[i];
    job.progress("pictures", int64_t(i), total, v.file_stem);
    HeatmapSpec spec;
    spec.title = v.title;
    spec.row_label = v.row_label;
    spec.col_label = v.col_label;
    spec.gate_block = v.gate_block;
    const fs::path path = dir / (v.file_stem + ".png");
    write_png(pictures.stage_file(path.filename().string()),
              render_heatmap(v.matrix.data_ptr<float>(), v.matrix.size(0), v.matrix.size(1), spec));
    written.push_back(path);
  }
  const fs::path bars = dir / RunFolder::kNormsPicture;
  write_png(pictures.stage_file(bars.filename().string()), render_norm_bars(panels));
  written.push_back(bars);
  pictures.commit();
  job.progress("pictures", total, total);
  return written;
}

// The run's own iss_threshold (config.json), 0 when it had none or has no config.
double run_iss_threshold(const RunFolder& run) {
  const nlohmann::json config = run.read_config();
  const auto it = config.find("iss_threshold");
  if (it == config.end()) return 0.0;
  if (!it->is_number() || !(it->get<double>() >= 0))
    throw file_error(run.config_file(), "iss_threshold is not a number >= 0");
  return it->get<double>();
}

CompressResult compress_run(const CompressOptions& options, JobContext& job) {
  CompressResult result;
  const bool choosing = options.choice.any();
  if (choosing && !options.cut_model && !options.show_weight)
    throw UsageError("threshold, keep and components need cut_model or show_weight");
  if (!options.data_path.empty() && !options.cut_model)
    throw UsageError("data_path evaluates a cut: it needs cut_model");
  // Every option is checked before anything is written: a bad one must not leave a cut model
  // without its report.
  compress_option_table().check(options);
  // Before anything is written: the evaluation's device must exist.
  if (!options.data_path.empty()) parse_device_name(options.device);

  const RunFolder run(options.run_dir);
  // A run folder is written by one compress at a time (pictures, cut model, report).
  std::optional<WorkspaceLock> lock;
  if (options.show_weight || options.cut_model) lock.emplace(options.run_dir, "compress");
  result.model_file = run.find_model(options.model_type);
  job.progress("load", 0, 1, result.model_file.string());
  StudentModel model = load_student(result.model_file, options.model_type);
  model->eval();
  const StudentArch& arch = model->arch();
  const std::vector<ComponentNorms> norms = component_norms(*model);
  std::optional<Selection> selection;
  if (choosing) selection = choose_components(*model, norms, options.choice);
  result.norms = norm_summary(norms);

  if (options.show_weight)
    result.pictures = write_weight_pictures(
        *model, norm_panels(norms, selection, options.choice.threshold), options.run_dir, job);
  if (!options.cut_model) return result;

  CutReport report;
  if (choosing) {
    report.chosen_by = options.choice.threshold ? "threshold"
                       : options.choice.keep    ? "keep"
                                                : "components";
    report.threshold = options.choice.threshold;
    report.keep = options.choice.keep;
  } else {
    // The original `compress.py --cut_model`: cut what the run's ISS training drove to zero.
    const double iss = run_iss_threshold(run);
    selection = select_trained_zeros(arch, norms, iss);
    report.chosen_by = "iss_training";
    if (iss > 0) report.threshold = iss;
  }

  // The data is read (and checked against the model) by evaluating the uncut model before
  // the cut is saved, so that a bad data_path leaves nothing behind either.
  const auto evaluate = [&](const fs::path& file) {
    job.throw_if_cancelled();
    EvaluateOptions eo;
    eo.data_path = options.data_path;
    eo.model_file = file;
    eo.model_type = arch.type;
    eo.batch_size = options.batch_size;
    eo.device = options.device;
    return evaluate_student(eo, job).report;
  };
  CutEvaluation evaluation;
  if (!options.data_path.empty()) evaluation.before = evaluate(result.model_file);

  job.throw_if_cancelled();
  job.progress("cut", 0, 1);
  const StudentModel cut = cut_student(*model, *selection);
  {
    CutReport made = cut_report(*model, *cut, *selection);
    made.chosen_by = report.chosen_by;
    made.threshold = report.threshold;
    made.keep = report.keep;
    report = std::move(made);
  }
  report.model_file = result.model_file.string();
  report.norms = result.norms;
  result.cut_model_file = run.cut_model_file(arch.type);
  report.cut_model_file = result.cut_model_file.string();
  // The cut model and its report replace the previous pair in one commit: a kill never pairs
  // a new model with an old report.
  Commit outputs(result.cut_model_file.parent_path());
  const fs::path staged_model = outputs.stage_file(result.cut_model_file.filename().string());
  save_student(cut, staged_model);
  job.progress("cut", 1, 1, result.cut_model_file.string());

  if (!options.data_path.empty()) {
    // The staged file is evaluated; the report names the file it becomes.
    evaluation.after = evaluate(staged_model);
    evaluation.after.model_file = result.cut_model_file.string();
    report.evaluation = evaluation;
  }
  result.report_file = run.cut_report_file();
  write_file_atomic(outputs.stage_file(result.report_file.filename().string()),
                    nlohmann::json(report).dump(2) + "\n");
  outputs.commit();
  result.report = std::move(report);
  return result;
}

}  // namespace kdw
