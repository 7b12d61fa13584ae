#include "bert/finetune_loop.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "bert/teacher_data.h"
#include "core/adamw_step.h"
#include "core/batching.h"
#include "core/best_epoch.h"
#include "core/dropout.h"
#include "core/error.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/pending_losses.h"
#include "dist/dist_context.h"
#include "dist/grad_reducer.h"

namespace kdw {
using Clock = std::chrono::steady_clock;

namespace {

// Linear warm-up to `lr` over `warmup` steps, then linear decay to 0 at `total`.
double lr_at(int64_t step, int64_t warmup, int64_t total, double lr) {
  if (step < warmup) return lr * double(step + 1) / double(warmup);
  if (total <= warmup) return lr;
  return lr * std::max(0.0, double(total - step) / double(total - warmup));
}

// The global batch's padded length: a rank's shard is padded to it, so that its rows are those
// they are in the whole batch (the same dropout masks, see DropoutRowOffset).
int64_t longest(const std::vector<int64_t>& lengths, const std::vector<int64_t>& batch) {
  int64_t most = 1;
  for (const int64_t i : batch) most = std::max(most, lengths[static_cast<std::size_t>(i)]);
  return most;
}

void pad_to(BertBatch& b, int64_t length) {
  const int64_t more = length - b.input_ids.size(1);
  if (more <= 0) return;
  b.input_ids = at::constant_pad_nd(b.input_ids, {0, more}, 0);
  b.attention_mask = at::constant_pad_nd(b.attention_mask, {0, more}, 0);
}

// The dev logits of every sample, on rank 0 (the others get an undefined tensor): each rank
// predicts a contiguous range of the samples, as `kdw logits` does.
at::Tensor predict_dev(dist::DistContext& dist, BertForSequenceClassification& model,
                       const RaggedSplit& dev, const FinetuneOptions& o, const at::Device& device,
                       JobContext& job, const std::string& stage) {
  if (!dist.distributed())
    return predict_split(model, dev, o.max_seq_len, o.batch_size * 2, device, job, stage);
  // A cancel is acted on at the next step, on every rank at once: a rank that stopped here
  // alone would leave the others waiting for its logits. The progress goes on to the job.
  JobContext uncancelled;
  uncancelled.set_progress_sink(
      [&job](const ProgressEvent& e) { job.progress(e.stage, e.done, e.total, e.message); });
  const auto [begin, end] = dist.range(dev.size());
  return dist.gather_rows(predict_split(model, slice_split(dev, begin, end), o.max_seq_len,
                                        o.batch_size * 2, device, uncancelled, stage));
}

}  // namespace

FinetuneEpochs finetune_epochs(const FinetuneLoop& run, RunState& state,
                               const std::function<void()>& save_best,
                               const std::function<void()>& save_notes, JobContext& job) {
  const FinetuneOptions& o = run.o;
  BertForSequenceClassification& model = run.model;
  torch::optim::AdamW& optimizer = run.optimizer;
  const RaggedSplit& train = run.train;
  const RaggedSplit& dev = run.dev;
  const int64_t num_labels = run.num_labels;
  const std::vector<int64_t>& train_lengths = run.train_lengths;
  const int64_t warmup_steps = run.warmup_steps, total_steps = run.total_steps;
  const std::filesystem::path& checkpoint_dir = run.checkpoint_dir;
  const nlohmann::json& identity = run.identity;
  const at::Device& device = run.device;
  const std::vector<at::Tensor> params = model->parameters();
  // A single process unless the CLI joined a job: then each rank trains its shard of every
  // batch and the gradients are averaged before each step (docs/distributed.md), bucket by
  // bucket while the backward pass of the step's last micro-batch runs (DDP's overlap).
  dist::DistContext& dist = dist::context();
  dist::GradReducer reducer(dist, params);
  auto record = [&](nlohmann::json r) {
    job.metric(r);
    state.history.push_back(std::move(r));
  };
  FinetuneEpochs done;
  bool& early_stop = done.early_stopped;
  for (; state.epoch < o.epochs && !early_stop; ++state.epoch, state.next_batch = 0) {
    const int epoch = state.epoch + 1;
    const std::string stage = "epoch " + std::to_string(epoch) + "/" + std::to_string(o.epochs);
    // Same seed + epoch => same batches, so a resumed run skips exactly the applied ones.
    const auto batches =
        bucketed_batches(train_lengths, o.batch_size, true, o.seed + uint64_t(state.epoch));
    const auto nb = static_cast<int64_t>(batches.size());
    nlohmann::json epoch_record = {{"kind", "epoch"}, {"epoch", epoch}};
    bool improved = false;
    // Losses stay on the device until a log line needs them (see PendingLosses).
    PendingLosses pending(!device.is_cpu());
    double epoch_loss = 0, window_loss = 0, last_loss = 0;
    int64_t epoch_batches = 0, window_steps = 0, window_samples = 0;
    const auto settle_losses = [&] {
      for (const PendingLosses::Loss& l : pending.take()) {
        if (!std::isfinite(l.value))
          throw Error("fine-tuning diverged (loss " + std::to_string(l.value) + " at step " +
                      std::to_string(l.step) + "); lower lr");
        epoch_loss += l.value * l.weight;
        epoch_batches += static_cast<int64_t>(l.weight);
        window_loss += l.value;
        last_loss = l.value;
      }
    };
    try {
      model->train();
      auto window_start = Clock::now();
      while (state.next_batch < nb) {
        const int64_t group_end = std::min(nb, state.next_batch + o.grad_accum);
        const double group_size = double(group_end - state.next_batch);
        at::Tensor group_loss, loss_sum;
        std::function<void()> loss_summed;
        for (int64_t b = state.next_batch; b < group_end; ++b) {
          // Weights are those of the last optimizer step: on resume the group starts again.
          if (!dist.distributed()) job.throw_if_cancelled();  // else all ranks stop together
          // The earlier micro-batches only accumulate, as under DDP's no_sync: the last one's
          // hooks all-reduce the sum.
          reducer.set_sync(b + 1 == group_end);
          // This rank's shard (the whole batch in a single process), its loss weighted so that
          // the ranks' mean gradient is the global batch's.
          const dist::Shard shard = dist.shard(batches[b]);
          BertBatch input = make_bert_batch(train, shard.index, o.max_seq_len, device);
          if (dist.distributed()) pad_to(input, longest(train_lengths, batches[b]));
          const DropoutRowOffset dropout_rows(shard.first_row);
          const at::Tensor logits =
              model->forward(input.input_ids, input.attention_mask, {}).logits;
          at::Tensor loss = at::cross_entropy_loss(logits, input.labels);
          if (shard.weight != 1) loss = loss * shard.weight;
          const at::Tensor part = loss.detach() / group_size;
          group_loss = group_loss.defined() ? group_loss + part : part;
          if (dist.distributed() && b + 1 == group_end) {
            // The global batch's loss on every rank (the metrics are the single process's, and a
            // non-finite loss stops every rank alike), summed while the last backward runs.
            loss_sum = group_loss.reshape({1}).to(dist.comm_device(), at::kFloat).contiguous();
            loss_summed = dist.start_sum(loss_sum);
          }
          (loss / group_size).backward();
          window_samples += static_cast<int64_t>(batches[b].size());
        }
        // Waits for the buckets (averaged over the ranks; nothing to do in a single process); a
        // cancel on any rank stops every rank before this step, which the checkpoint's position
        // then names.
        const bool cancelled = reducer.finish(job.cancel_requested());
        if (loss_summed) {
          loss_summed();
          group_loss = loss_sum.div(dist.world()).reshape({}).to(group_loss.device());
        }
        pending.add(state.step + 1, group_loss, group_size);
        // On the CPU a non-finite loss stops the run before it reaches the weights.
        if (!pending.deferring()) settle_losses();
        if (cancelled) throw Cancelled();
        const double lr = lr_at(state.step, warmup_steps, total_steps, o.lr);
        for (auto& group : optimizer.param_groups())
          static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
        clip_step_and_clear(optimizer, params, o.max_grad_norm);
        ++state.step;
        state.next_batch = group_end;
        ++window_steps;
        job.progress(stage, state.next_batch, nb, "loss " + std::to_string(last_loss));
        if (window_steps == o.log_every || state.next_batch == nb) {
          settle_losses();
          const double seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
          record({{"kind", "step"},
                  {"step", state.step},
                  {"epoch", epoch},
                  {"loss", window_loss / double(window_steps)},
                  {"lr", lr},
                  {"samples_per_s", seconds > 0 ? double(window_samples) / seconds : 0.0}});
          window_loss = 0;
          window_steps = window_samples = 0;
          window_start = Clock::now();
        }
      }

      if (epoch_batches > 0) epoch_record["train_loss"] = epoch_loss / double(epoch_batches);
      if (dev.size() > 0) {
        const at::Tensor dev_logits = predict_dev(dist, model, dev, o, device, job, stage + " dev");
        if (!dist.distributed()) job.throw_if_cancelled();
        // Rank 0 judges the epoch; the others follow its verdict (early stopping included).
        if (dist.is_writer()) {
          const ClassificationMetrics m =
              classification_metrics(dev.labels, argmax_rows(dev_logits), num_labels);
          epoch_record["dev"] = m.to_json();
          FinetuneBestEpoch policy(state.best_score);
          improved = policy.offer({m.accuracy, m.macro_f1});
          state.best_score = policy.best_score();
          log::info("epoch {}: dev accuracy {:.4f}, macro-F1 {:.4f}{}", epoch, m.accuracy,
                    m.macro_f1, improved ? " (best so far)" : "");
        }
        improved = dist.share_decision(improved);
      } else {
        log::warn("the dev split is empty: the last epoch is kept");
        improved = true;
      }
    } catch (const Cancelled&) {
      settle_losses();  // a step that diverged must not be saved as a checkpoint
      // The state always names the first batch whose update is not in the weights.
      if (!dist.is_writer()) throw;
      save_checkpoint(checkpoint_dir, model, optimizer, state, identity);
      log::info("cancelled; checkpoint saved in {} (continue with --resume)",
                checkpoint_dir.string());
      throw;
    }
    epoch_record["best"] = improved;
    record(epoch_record);
    if (improved) {
      state.best_epoch = epoch;
      state.best = {{"epoch", epoch}, {"dev", epoch_record.value("dev", nlohmann::json())}};
      state.stale_epochs = 0;
      save_best();
    } else {
      ++state.stale_epochs;
      early_stop = o.early_stopping_patience > 0 && state.stale_epochs >= o.early_stopping_patience;
      if (early_stop) log::info("early stopping: no dev gain for {} epochs", state.stale_epochs);
      save_notes();
    }
    ++done.epochs_run;
    if (state.epoch + 1 < o.epochs && !early_stop && dist.is_writer()) {
      RunState next = state;
      ++next.epoch;
      next.next_batch = 0;
      save_checkpoint(checkpoint_dir, model, optimizer, next, identity);
    }
  }
  return done;
}

}  // namespace kdw
