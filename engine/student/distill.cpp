#include "student/distill.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include <torch/optim/adam.h>

#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/device.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "dist/dist_context.h"
#include "student/comparison.h"
#include "student/distill_checkpoint.h"
#include "student/distill_data.h"
#include "student/distill_fingerprint.h"
#include "student/distill_loop.h"
#include "student/distill_report.h"
#include "student/predict.h"
#include "student/run_folder.h"
#include "student/teacher_embedding.h"

namespace fs = std::filesystem;

namespace kdw {

namespace {

// Every option's range and choices come from its table; NaN and infinity are refused there.
void check_options(const DistillOptions& o) {
  distill_option_table().check(o);
}

// Parameters of a fresh model of `arch`, counted from its shapes before anything is allocated.
int64_t parameter_count(const StudentArch& arch) {
  int64_t n = arch.vocab_size * arch.emb_dim;
  for (std::size_t l = 0; l < arch.hidden.size(); ++l)
    for (const int64_t h : arch.hidden[l])
      if (h > 0) n += 4 * h * (arch.input_size(l) + h + 2);
  const int64_t last = arch.input_size(arch.hidden.size());
  return n + arch.num_labels() * (last + 1);
}

// Training holds each parameter four times in float32 (weight, gradient, Adam's two moments),
// plus activations: refuse a model whose state alone exceeds the machine's memory instead of
// dying in the allocator.
void check_student_fits(const DistillOptions& o, const StudentArch& arch) {
  const int64_t params = parameter_count(arch);
  const double need = 16.0 * double(params);
  const double have = double(physical_memory_bytes());
  if (have > 0 && need > have) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "%.3g parameters, about %.1f GB to train, more than this "
                  "machine's %.1f GB of memory",
                  double(params), need / 1e9, have / 1e9);
    throw UsageError("a student with hidden_size " + std::to_string(o.hidden_size) + ", emb_dim " +
                     std::to_string(o.emb_dim) + ", num_layers " + std::to_string(o.num_layers) +
                     " and " + std::to_string(arch.vocab_size) + " vocabulary rows has " + text);
  }
}

// A fresh student, or with restore_model_path the saved one (its architecture kept: a cut model
// trains on at its smaller shape).
StudentModel make_student(const DistillOptions& o, int64_t vocab_rows,
                          const std::vector<std::string>& labels) {
  if (o.emb_from_teacher && !o.restore_model_path.empty())
    throw UsageError(
        "emb_from_teacher would overwrite the restored model's trained embeddings; leave one out");
  if (o.restore_model_path.empty()) {
    const StudentArch arch = StudentArch::make(o.model_type, vocab_rows, o.emb_dim, o.hidden_size,
                                               o.num_layers, labels, o.dropout);
    check_student_fits(o, arch);
    return StudentModel(arch);
  }
  StudentModel model = load_student(o.restore_model_path, o.model_type);
  if (model->arch().vocab_size != vocab_rows)
    throw file_error(o.restore_model_path, "has " + std::to_string(model->arch().vocab_size) +
                                               " embedding rows but the data's vocabulary has " +
                                               std::to_string(vocab_rows));
  if (model->arch().labels != labels)
    throw file_error(o.restore_model_path, "was trained for other labels than labels.json");
  kdw::log::info("training on {} ({} parameters; its architecture is kept)",
                 o.restore_model_path.string(), model->parameter_count());
  return model;
}

// A restored model trains at its own shape, whatever the shape options say: config.json's shape
// fields take the model's values, so that the file read alone does not tell another shape. A
// hidden_size no one number can say (a cut model's layers differ) is left out; "arch" has it per
// layer.
void record_restored_shape(nlohmann::json& config, const StudentArch& arch) {
  config["num_layers"] = arch.hidden.size();
  config["emb_dim"] = arch.emb_dim;
  config["dropout"] = arch.dropout;
  if (const std::optional<int64_t> h = arch.uniform_hidden())
    config["hidden_size"] = *h;
  else
    config.erase("hidden_size");
}

void init_embedding_from_teacher(StudentModelImpl& model, const fs::path& data_dir) {
  const at::Tensor emb = teacher_embeddings_for(data_dir, model.arch().emb_dim);
  torch::NoGradGuard no_grad;
  model.param("embedding.weight").copy_(emb);
  kdw::log::info("word embeddings initialised from the teacher's WordPiece embeddings");
}

// The workspace root for <root>/files/data, the parent folder for a flat ./data.
fs::path default_output_dir(const fs::path& data_dir) {
  const fs::path abs = fs::absolute(data_dir).lexically_normal();
  const fs::path parent = (abs.filename().empty() ? abs.parent_path() : abs).parent_path();
  if (parent.filename() == "files") return parent.parent_path();
  return parent;
}

// The folder a distillation locks (shared): the workspace root whose stages it reads.
fs::path lock_root(const fs::path& data_path) {
  std::error_code ec;
  if (fs::is_directory(data_path / "files" / "data", ec) ||
      fs::is_directory(data_path / "data", ec))
    return data_path;
  return default_output_dir(data_path);
}

}  // namespace

DistillResult run_distill(const DistillOptions& o, JobContext& job) {
  check_options(o);
  const at::Device device = parse_student_device(o.device);
  const auto start_time = std::chrono::system_clock::now();
  // Shared: other distillations may run beside this one, but no stage changes under it.
  // In a distributed job rank 0 holds it for the job.
  dist::DistContext& dist = dist::context();  // a single process unless the CLI joined a job
  std::optional<WorkspaceLock> lock;
  if (dist.is_writer())
    lock.emplace(lock_root(o.data_path), "distill", WorkspaceLock::Mode::kShared);
  job.progress("read", 0, 0, "reading tokens and logits");
  DistillData data = read_distill_data(o.data_path, true);
  job.throw_if_cancelled();
  const int64_t original_rows = data.splits[0].size();
  const int64_t augmented_rows = o.augmented ? append_augmented(data) : 0;

  dist.agree("options and data", distill_fingerprint(o, data));
  torch::manual_seed(o.seed);
  StudentModel model = make_student(o, data.vocab_rows, data.labels);
  if (o.emb_from_teacher) init_embedding_from_teacher(*model, data.data_dir);
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(o.lr));

  DistillResult r;
  // Only rank 0 of a distributed job writes a run folder; the others log to no file.
  const bool resuming = !o.resume.empty();
  if (dist.is_writer()) {
    r.run_dir = resuming
                    ? o.resume
                    : create_run_folder(
                          o.output_dir.empty() ? default_output_dir(data.data_dir) : o.output_dir,
                          start_time);
  }
  const RunFolder run(r.run_dir);
  r.model_file = run.model_file(o.model_type);
  std::optional<DistillResumePoint> resume_point;
  if (dist.is_writer()) {
    nlohmann::json config = o.to_json();
    // Where a resumed run is is its own folder; configs of runs stay comparable without it.
    config.erase("resume");
    config["data_dir"] = data.data_dir.string();
    config["arch"] = model->arch().to_json();  // the run's shape (RunFolder::read_arch)
    if (!o.restore_model_path.empty()) record_restored_shape(config, model->arch());
    config["train_samples"] = original_rows;
    config["augmented_samples"] = augmented_rows;
    // Which logits the student learnt from: the GUI marks the run stale once they are recomputed.
    if (fs::exists(data.data_dir / "logits" / "logits.json"))
      config["logits_hash"] = file_hash(data.data_dir / "logits" / "logits.json");
    if (resuming) {
      // Refused before anything in the folder changes.
      if (!fs::is_directory(r.run_dir)) throw file_error(r.run_dir, "no such run folder");
      check_resume_config(run.config_file(), run.read_config(), config);
      resume_point = load_distill_checkpoint(run.checkpoint_dir(), model, optimizer, device);
      if (resume_point->epochs_done >= o.epochs)
        throw UsageError("epochs " + std::to_string(o.epochs) + ": the run in " +
                         r.run_dir.string() + " has done " +
                         std::to_string(resume_point->epochs_done) + "; give more to resume it");
    }
    write_file_atomic(run.config_file(), config.dump(2));
  }
  if (resuming) {
    // A checkpoint rank 0 refused stops every rank with its line (agree() passes on its abort).
    dist.agree("resume point", "read");
    if (!resume_point) resume_point.emplace();
    share_distill_resume_point(dist, model, optimizer, *resume_point);
    kdw::log::info("resuming after epoch {} (step {})", resume_point->epochs_done,
                   resume_point->steps);
  }
  MetricsLog log(dist.is_writer() ? run.metrics_file() : fs::path(), job,
                 resume_point ? resume_point->metrics_bytes : -1);
  kdw::log::info("distilling into {} ({} parameters), run folder {}",
                 student_type_name(o.model_type), model->parameter_count(), r.run_dir.string());

  // After each epoch rank 0 keeps where the run stands, for --resume after a cancel or a kill.
  const auto checkpoint = [&](DistillResumePoint& point) {
    point.metrics_bytes = log.bytes();
    save_distill_checkpoint(run.checkpoint_dir(), model, optimizer, point);
  };
  const DistillTraining t =
      train_student(o, data, model, optimizer, device, r.model_file, log, job,
                    resume_point ? &*resume_point : nullptr,
                    dist.is_writer() ? std::function<void(DistillResumePoint&)>(checkpoint)
                                     : std::function<void(DistillResumePoint&)>());
  // The run is complete: its checkpoint is no longer needed (a cancel keeps it for --resume).
  if (dist.is_writer() && !t.stopped && t.failure.empty()) {
    try {
      remove_dir_atomic(run.checkpoint_dir());
    } catch (const Error& e) {
      kdw::log::warn("{}", e.what());
    }
  }
  if (t.stopped && t.epochs_done > 0 && dist.is_writer())
    kdw::log::info("stopped; continue after epoch {} with resume {}", t.epochs_done,
                   r.run_dir.string());
  r.report = distill_report(o, data, model, t, r.model_file, device, job);
  if (dist.is_writer()) {
    add_comparison(r.report, data.data_dir, r.run_dir, o);
    write_file_atomic(run.result_file(), nlohmann::json(r.report).dump(2));
  }
  // A cancelled run hands back what it finished: its folder and the best epoch so far.
  if (t.stopped) throw CancelledWithResult(r);
  if (!t.failure.empty())
    throw Error(t.failure + "; " +
                (t.best_epoch > 0 ? "the run folder keeps the model of epoch " +
                                        std::to_string(t.best_epoch) + ": " + r.model_file.string()
                                  : "no model was saved in " + r.run_dir.string()));
  return r;
}

}  // namespace kdw
