#include "student/distill.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <optional>

#include <torch/optim/adam.h>
#include <torch/utils.h>

#include "core/adamw_step.h"
#include "core/atomic_output.h"
#include "core/batching.h"
#include "core/device.h"
#include "core/dropout.h"
#include "core/error.h"
#include "core/log.h"
#include "core/memory.h"
#include "core/option_checks.h"
#include "core/pending_losses.h"
#include "core/workspace.h"
#include "core/workspace_lock.h"
#include "dist/dist_context.h"
#include "student/distill_data.h"
#include "student/distill_fingerprint.h"
#include "student/iss.h"
#include "student/loss.h"
#include "student/predict.h"
#include "student/run_folder.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

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

SplitScores short_metrics(const ClassificationMetrics& m) {
  return {m.accuracy, m.macro_f1, m.samples};
}

// Zeroes every ISS component whose group norm fell below the threshold, except the strongest
// of each layer/direction: as in the cut, a layer keeps at least one unit (a fully zeroed
// direction would silence everything downstream of it).
void apply_iss_threshold(StudentModelImpl& model, double threshold) {
  std::vector<torch::Tensor> remove;
  {
    torch::NoGradGuard no_grad;
    for (const auto& g : iss_group_norms(model)) {
      torch::Tensor below = g.norms < threshold;
      below.index_put_({g.norms.argmax().item<int64_t>()}, false);
      remove.push_back(below);
    }
  }
  zero_iss_components(model, remove);
}

// Training that produced a non-finite loss or weights: stops the run like a cancel (the best
// model saved so far stays), then becomes an Error.
struct Diverged {
  std::string what;
};

int64_t longest(const std::vector<int64_t>& lengths, const std::vector<int64_t>& index) {
  int64_t most = 1;
  for (const int64_t i : index) most = std::max(most, lengths[static_cast<std::size_t>(i)]);
  return most;
}

// ids [B, T] right-padded with 0 to [B, length].
at::Tensor pad_to(const at::Tensor& ids, int64_t length) {
  return length > ids.size(1) ? at::constant_pad_nd(ids, {0, length - ids.size(1)}, 0) : ids;
}

bool all_finite(const StudentModelImpl& model) {
  torch::NoGradGuard no_grad;
  for (const auto& p : model.parameters())
    if (!at::isfinite(p).all().item<bool>()) return false;
  return true;
}

class MetricsLog {
 public:
  MetricsLog(fs::path file, JobContext& job) : file_(std::move(file)), out_(file_), job_(job) {
    if (!out_) throw file_error(file_, "cannot create");
  }
  void write(const nlohmann::json& record) {
    out_ << record.dump() << '\n';
    out_.flush();
    if (!out_) throw file_error(file_, "cannot write");
    job_.metric(record);
  }

 private:
  fs::path file_;
  std::ofstream out_;
  JobContext& job_;
};

}  // namespace

DistillResult run_distill(const DistillOptions& o, JobContext& job) {
  check_options(o);
  const at::Device device = parse_student_device(o.device);
  const auto start_time = std::chrono::system_clock::now();
  // Shared: other distillations may run beside this one, but no stage changes under it.
  // In a distributed job rank 0 holds it for the job.
  std::optional<WorkspaceLock> lock;
  if (dist::context().is_writer())
    lock.emplace(lock_root(o.data_path), "distill", WorkspaceLock::Mode::kShared);
  job.progress("read", 0, 0, "reading tokens and logits");
  const DistillData data = read_distill_data(o.data_path, true);
  job.throw_if_cancelled();

  const StudentArch arch = StudentArch::make(o.model_type, data.vocab_rows, o.emb_dim,
                                             o.hidden_size, o.num_layers, data.labels, o.dropout);
  check_student_fits(o, arch);
  dist::DistContext& dist = dist::context();  // a single process unless the CLI joined a job
  dist.agree("options and data", distill_fingerprint(o, data));
  torch::manual_seed(o.seed);
  StudentModel model(arch);
  model->to(device);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(o.lr));

  DistillResult r;
  std::optional<MetricsLog> log;  // only rank 0 of a distributed job writes a run folder
  if (dist.is_writer()) {
    r.run_dir = create_run_folder(
        o.output_dir.empty() ? default_output_dir(data.data_dir) : o.output_dir, start_time);
  }
  const RunFolder run(r.run_dir);
  r.model_file = run.model_file(o.model_type);
  if (dist.is_writer()) {
    nlohmann::json config = o.to_json();
    config["data_dir"] = data.data_dir.string();
    config["arch"] = model->arch().to_json();
    write_file_atomic(run.config_file(), config.dump(2));
    log.emplace(run.metrics_file(), job);
  }
  kdw::log::info("distilling into {} ({} parameters), run folder {}",
                 student_type_name(o.model_type), model->parameter_count(), r.run_dir.string());

  const RaggedSplit& train = data.splits[0];
  const std::vector<int64_t> train_lengths = train.lengths();
  const at::Tensor teacher_train = data.logits[0].to(device);
  std::optional<SplitScores> best_dev;
  int best_epoch = 0;
  int64_t best_alive = 0;    // non-zero ISS components of the kept epoch
  double top_accuracy = -1;  // best dev accuracy of any epoch (sparse_tolerance)
  bool stopped = false;
  std::string failure;  // set when training diverged
  int64_t step = 0;
  int epochs_done = 0;
  try {
    for (int epoch = 1; epoch <= o.epochs; ++epoch) {
      model->train();
      const auto batches =
          bucketed_batches(train_lengths, o.batch_size, true, o.seed + uint64_t(epoch));
      const std::string stage = "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs);
      auto epoch_start = Clock::now(), window_start = epoch_start;
      int64_t epoch_samples = 0, window_samples = 0;
      // Losses stay on the device until a log line needs them (see PendingLosses).
      PendingLosses pending(!device.is_cpu());
      const auto check_losses = [&] {
        for (const PendingLosses::Loss& l : pending.take())
          if (!std::isfinite(l.value))
            throw Diverged{"loss " + number_text(l.value) + " at step " + std::to_string(l.step) +
                           " (epoch " + std::to_string(epoch) + ")"};
      };
      for (std::size_t bi = 0; bi < batches.size(); ++bi) {
        if (!dist.distributed()) job.throw_if_cancelled();  // else all ranks stop together
        // This rank's shard of the global batch (all of it in a single process).
        const dist::Shard shard = dist.shard(batches[bi]);
        Batch b = make_batch(train, shard.index);
        // Padded to the global batch's length and masked as its rows: the dropout of a shard's
        // sample is the one it has in a single process.
        if (dist.distributed()) b.ids = pad_to(b.ids, longest(train_lengths, batches[bi]));
        const DropoutRowOffset dropout_rows(shard.first_row);
        const at::Tensor teacher =
            teacher_train.index_select(0, to_device(at::tensor(b.index, at::kLong), device));
        const at::Tensor logits =
            model->forward(to_device(b.ids, device), to_device(b.lengths, device));
        DistillLoss loss = distill_loss(logits, teacher, to_device(b.labels, device), o.alpha,
                                        o.temperature, o.distill_loss);
        // Scaled so that the mean of the ranks' gradients is the global batch's gradient.
        at::Tensor total = shard.weight == 1 ? loss.total : loss.total * shard.weight;
        at::Tensor lasso;
        if (o.group_lasso > 0) {
          lasso = group_lasso_penalty(*model);
          total = total + o.group_lasso * lasso;
        }
        // On the CPU checked before the step: a NaN gradient would make every weight NaN. On a
        // GPU at each log line, and the weights are checked at the end of every epoch.
        pending.add(step + 1, total);
        if (!pending.deferring()) check_losses();
        optimizer.zero_grad();
        total.backward();
        if (dist.average_gradients(model->parameters(), job.cancel_requested())) throw Cancelled();
        if (o.max_grad_norm > 0) clip_grad_norm(model->parameters(), o.max_grad_norm);
        optimizer.step();
        ++step;
        epoch_samples += int64_t(batches[bi].size());  // the global batch's samples
        window_samples += int64_t(batches[bi].size());
        if (step % o.log_every == 0 || bi + 1 == batches.size()) {
          check_losses();
          const double secs = std::chrono::duration<double>(Clock::now() - window_start).count();
          if (log)
            log->write({{"kind", "step"},
                        {"step", step},
                        {"epoch", epoch},
                        {"loss", total.item<double>()},
                        {"ce", loss.ce.item<double>()},
                        {"distill", loss.distill.item<double>()},
                        {"lasso", lasso.defined() ? lasso.item<double>() : 0.0},
                        {"samples_per_s", secs > 0 ? double(window_samples) / secs : 0.0}});
          window_start = Clock::now();
          window_samples = 0;
        }
        job.progress(stage, int64_t(bi + 1), int64_t(batches.size()));
      }
      const double epoch_secs = std::chrono::duration<double>(Clock::now() - epoch_start).count();
      // The last step's update can overflow even when its loss was finite.
      if (!all_finite(*model))
        throw Diverged{"weights not finite after epoch " + std::to_string(epoch)};
      if (o.iss_threshold > 0) apply_iss_threshold(*model, o.iss_threshold);
      if (!dist.is_writer()) {  // rank 0 evaluates and keeps the best epoch
        epochs_done = epoch;
        continue;
      }
      job.progress(stage, int64_t(batches.size()), int64_t(batches.size()), "dev evaluation");
      const ClassificationMetrics dev =
          evaluate_split(*model, data.splits[1], o.batch_size, device);
      const SplitScores dev_scores = short_metrics(dev);
      const auto alive = alive_components(*model, 0.0);
      int64_t alive_total = 0;
      for (const auto& layer : alive)
        for (const int64_t n : layer) alive_total += n;
      log->write({{"kind", "epoch"},
                  {"epoch", epoch},
                  {"dev", dev_scores},
                  {"alive", alive},
                  {"samples_per_s", epoch_secs > 0 ? double(epoch_samples) / epoch_secs : 0.0}});
      kdw::log::info("epoch {}: dev accuracy {:.4f}, macro-F1 {:.4f}", epoch, dev.accuracy,
                     dev.macro_f1);
      top_accuracy = std::max(top_accuracy, dev.accuracy);
      bool better;
      if (o.sparse_tolerance > 0) {
        // The sparsest epoch within the tolerance of the best accuracy seen; the kept one is
        // replaced when a better epoch pushes it out of the tolerance.
        const double floor = top_accuracy - o.sparse_tolerance;
        const bool kept_ok = best_dev && best_dev->accuracy >= floor;
        better = dev.accuracy >= floor &&
                 (!kept_ok || alive_total < best_alive ||
                  (alive_total == best_alive && dev.accuracy >= best_dev->accuracy));
      } else {
        // With group lasso a later epoch that ties on dev is preferred: it is the sparser model.
        better = !best_dev || dev.accuracy > best_dev->accuracy ||
                 (dev.accuracy == best_dev->accuracy &&
                  (dev.macro_f1 > best_dev->macro_f1 ||
                   (o.group_lasso > 0 && dev.macro_f1 == best_dev->macro_f1)));
      }
      if (better) {
        best_dev = dev_scores;
        best_epoch = epoch;
        best_alive = alive_total;
        save_student(model, r.model_file);
      }
      epochs_done = epoch;
    }
  } catch (const Cancelled&) {
    stopped = true;
  } catch (const Diverged& d) {
    failure = "distillation diverged (" + d.what + "); lower lr";
    log::error("{}", failure);
  }

  DistillReport& rep = r.report;
  rep.model_type = student_type_name(o.model_type);
  rep.arch = model->arch().to_json();
  rep.parameters = model->parameter_count();
  rep.epochs_done = epochs_done;
  rep.steps = step;
  rep.stopped = stopped;
  rep.failed = failure;
  if (best_epoch > 0) {
    StudentModel best = load_student(r.model_file, o.model_type);
    best->to(device);
    rep.best_epoch = best_epoch;
    rep.dev = best_dev;
    rep.model_file = r.model_file.filename().string();
    rep.bytes = static_cast<int64_t>(fs::file_size(r.model_file));
    if (!stopped && failure.empty()) {
      job.progress("test", 0, 1, "test evaluation");
      const ClassificationMetrics test =
          evaluate_split(*best, data.splits[2], o.batch_size, device);
      rep.test = short_metrics(test);
      rep.test_detail = test.to_json();
      kdw::log::info("best epoch {}: dev accuracy {:.4f}; test accuracy {:.4f}, macro-F1 {:.4f}",
                     best_epoch, best_dev->accuracy, test.accuracy, test.macro_f1);
    }
  }
  if (dist.is_writer()) write_file_atomic(run.result_file(), nlohmann::json(rep).dump(2));
  // A cancelled run hands back what it finished: its folder and the best epoch so far.
  if (stopped) throw CancelledWithResult(nlohmann::json(r));
  if (!failure.empty())
    throw Error(failure + "; " +
                (best_epoch > 0 ? "the run folder keeps the model of epoch " +
                                      std::to_string(best_epoch) + ": " + r.model_file.string()
                                : "no model was saved in " + r.run_dir.string()));
  return r;
}

}  // namespace kdw
