#include "student/distill_loop.h"

#include <chrono>
#include <cmath>

#include <torch/utils.h>

#include "core/adamw_step.h"
#include "core/batching.h"
#include "core/best_epoch.h"
#include "core/device.h"
#include "core/dropout.h"
#include "core/error.h"
#include "core/log.h"
#include "core/option_checks.h"
#include "core/pending_losses.h"
#include "dist/dist_context.h"
#include "dist/grad_reducer.h"
#include "student/iss.h"
#include "student/lasso_schedule.h"
#include "student/loss.h"
#include "student/predict.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace kdw {

namespace {

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

}  // namespace

MetricsLog::MetricsLog(fs::path file, JobContext& job, int64_t keep_bytes)
    : file_(std::move(file)), job_(job) {
  if (file_.empty()) return;
  if (keep_bytes >= 0) {
    // The records after the checkpoint's epoch are those of the part being redone.
    std::error_code ec;
    if (!fs::exists(file_) || fs::file_size(file_) < uintmax_t(keep_bytes))
      throw file_error(file_, "is shorter than the checkpoint's records; start a new run");
    fs::resize_file(file_, uintmax_t(keep_bytes), ec);
    if (ec) throw file_error(file_, "cannot cut to the checkpoint's records: " + ec.message());
    out_.open(file_, std::ios::app);
  } else {
    out_.open(file_);
  }
  if (!out_) throw file_error(file_, "cannot create");
}

int64_t MetricsLog::bytes() {
  return file_.empty() ? 0 : int64_t(fs::file_size(file_));  // write() flushes
}

void MetricsLog::write(const nlohmann::json& record) {
  if (file_.empty()) return;
  out_ << record.dump() << '\n';
  out_.flush();
  if (!out_) throw file_error(file_, "cannot write");
  job_.metric(record);
}

DistillTraining train_student(const DistillOptions& o, const DistillData& data, StudentModel& model,
                              torch::optim::Adam& optimizer, const at::Device& device,
                              const fs::path& model_file, MetricsLog& log, JobContext& job,
                              const DistillResumePoint* resume,
                              const std::function<void(DistillResumePoint&)>& checkpoint) {
  const RaggedSplit& train = data.splits[0];
  const std::vector<int64_t> train_lengths = train.lengths();
  const at::Tensor teacher_train = data.logits[0].to(device);
  // With group lasso a later epoch that ties on dev is preferred: it is the sparser model.
  DistillBestEpoch policy(o.sparse_tolerance, o.group_lasso > 0);
  DistillTraining t;
  int64_t& step = t.steps;
  dist::DistContext& dist = dist::context();  // a single process unless the CLI joined a job
  // In a job the gradients are averaged bucket by bucket while backward runs (DDP's overlap);
  // the embedding table's, three quarters of a typical student's, only in the rows some rank's
  // batch touched.
  dist::GradReducer reducer(dist, model->parameters(), dist::kDefaultBucketBytes,
                            {model->param("embedding.weight")});
  if (resume) {
    step = resume->steps;
    t.epochs_done = resume->epochs_done;
    t.best_epoch = resume->best_epoch;
    t.best_dev = resume->best_dev;
    policy.restore(resume->best, resume->top_accuracy);
  }
  try {
    for (int epoch = t.epochs_done + 1; epoch <= o.epochs; ++epoch) {
      model->train();
      const double lasso_w = lasso_weight(o.group_lasso, o.lasso_warmup, o.lasso_ramp, epoch);
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
        // This rank's shard of the global batch (all of it in a single process), padded to the
        // global batch's length and masked as its rows: the dropout of a shard's sample is the
        // one it has in a single process.
        const dist::Shard shard = dist.shard(batches[bi]);
        Batch b = make_batch(train, shard.index);
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
        if (lasso_w > 0) {
          lasso = group_lasso_penalty(*model);
          total = total + lasso_w * lasso;
        }
        // On the CPU checked before the step: a NaN gradient would make every weight NaN. On a
        // GPU at each log line, and the weights are checked at the end of every epoch.
        pending.add(step + 1, total);
        if (!pending.deferring()) check_losses();
        optimizer.zero_grad();
        total.backward();
        if (reducer.finish(job.cancel_requested())) throw Cancelled();
        if (o.max_grad_norm > 0) clip_grad_norm(model->parameters(), o.max_grad_norm);
        optimizer.step();
        ++step;
        epoch_samples += int64_t(batches[bi].size());  // the global batch's samples
        window_samples += int64_t(batches[bi].size());
        if (step % o.log_every == 0 || bi + 1 == batches.size()) {
          check_losses();
          const double secs = std::chrono::duration<double>(Clock::now() - window_start).count();
          log.write({{"kind", "step"},
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
      // The warm-up trains dense: no component is cut before the lasso starts.
      if (o.iss_threshold > 0 && epoch > o.lasso_warmup)
        apply_iss_threshold(*model, o.iss_threshold);
      if (!dist.is_writer()) {  // rank 0 evaluates and keeps the best epoch
        t.epochs_done = epoch;
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
      log.write({{"kind", "epoch"},
                 {"epoch", epoch},
                 {"dev", dev_scores},
                 {"alive", alive},
                 {"lasso_weight", lasso_w},
                 {"samples_per_s", epoch_secs > 0 ? double(epoch_samples) / epoch_secs : 0.0}});
      kdw::log::info("epoch {}: dev accuracy {:.4f}, macro-F1 {:.4f}", epoch, dev.accuracy,
                     dev.macro_f1);
      if (policy.offer({dev.accuracy, dev.macro_f1, alive_total})) {
        t.best_dev = dev_scores;
        t.best_epoch = epoch;
        save_student(model, model_file);
      }
      t.epochs_done = epoch;
      if (checkpoint) {
        DistillResumePoint point{epoch,      step,           t.best_epoch,
                                 t.best_dev, policy.best(),  policy.top_accuracy(),
                                 0,          cpu_rng_state()};
        checkpoint(point);
      }
    }
  } catch (const Cancelled&) {
    t.stopped = true;
  } catch (const Diverged& d) {
    t.failure = "distillation diverged (" + d.what + "); lower lr";
    log::error("{}", t.failure);
  }
  return t;
}

}  // namespace kdw
