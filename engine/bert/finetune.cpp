#include "bert/finetune.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

#include <ATen/ATen.h>
#include <torch/optim/adamw.h>

#include "bert/bert_io.h"
#include "bert/finetune_checkpoint.h"
#include "bert/finetune_dist.h"
#include "bert/finetune_loop.h"
#include "bert/finetune_report.h"
#include "bert/teacher_data.h"
#include "bert/teacher_options.h"
#include "core/atomic_output.h"
#include "core/batching.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/log.h"
#include "core/option_checks.h"
#include "core/workspace_lock.h"
#include "dist/dist_context.h"

namespace kdw {
namespace fs = std::filesystem;

namespace {

// Ranges and NaN come from the option table; the precision name from the model.
void check_options(const FinetuneOptions& o) {
  finetune_option_table().check(o);
  parse_precision(o.precision);
}

}  // namespace

fs::path finetune_checkpoint_dir(const fs::path& model_dir) {
  return fs::path(model_dir.string() + ".checkpoint");
}

std::unique_ptr<torch::optim::AdamW> make_bert_optimizer(BertForSequenceClassification& model,
                                                         double lr, double weight_decay) {
  std::vector<at::Tensor> decay, no_decay;
  for (const auto& p : model->named_parameters()) {
    const std::string& name = p.key();
    const bool plain = name.find("LayerNorm") != std::string::npos ||
                       (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0);
    (plain ? no_decay : decay).push_back(p.value());
  }
  using torch::optim::AdamWOptions;
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(
      decay, std::make_unique<AdamWOptions>(AdamWOptions(lr).weight_decay(weight_decay).eps(1e-8)));
  groups.emplace_back(no_decay,
                      std::make_unique<AdamWOptions>(AdamWOptions(lr).weight_decay(0).eps(1e-8)));
  return std::make_unique<torch::optim::AdamW>(std::move(groups), AdamWOptions(lr));
}

FinetuneResult run_finetune(const FinetuneOptions& o, JobContext& job) {
  check_options(o);
  const Workspace ws{o.workspace};
  // A single process unless the CLI joined a job; then only rank 0 locks and writes the
  // workspace, and every rank trains its shard of each batch (docs/distributed.md).
  dist::DistContext& dist = dist::context();
  std::optional<WorkspaceLock> lock;
  if (dist.is_writer()) lock.emplace(ws.root, "finetune");
  const at::Device device = parse_device(o.device);
  const BertFolderInfo info = inspect_bert_folder(o.bert_path);
  TeacherData data = read_teacher_data(ws, info.config.vocab_size);
  check_bert_data_vocab(ws, data.prepare, info.vocab_file);
  if (o.max_seq_len > info.config.max_position_embeddings)
    throw UsageError("max_seq_len " + std::to_string(o.max_seq_len) + " exceeds the model's " +
                     std::to_string(info.config.max_position_embeddings) +
                     " positions (max_position_embeddings)");
  const RaggedSplit& train = data.splits[0];
  const RaggedSplit& dev = data.splits[1];
  // Hashing the weights takes a while for a large model: only a job needs it.
  if (dist.distributed()) dist.agree("options and data", finetune_fingerprint(o, ws, info));

  at::manual_seed(o.seed);
  LoadedBert loaded = load_bert(o.bert_path, data.labels);
  if (!dist.is_writer()) {
    // Rank 0 says it for the job.
  } else if (info.layout == "config-only")
    log::warn(
        "{}: config only, no weights: the teacher is trained FROM SCRATCH (random "
        "init), not from a pretrained RuBERT; expect a much weaker teacher",
        o.bert_path.string());
  else if (loaded.new_head)
    log::info("new classification head for {} labels", data.labels.size());
  BertForSequenceClassification model = loaded.model;
  model->to(device);
  model->set_matmul_dtype(parse_precision(o.precision));

  // Decoupled weight decay, none on biases and LayerNorm parameters (as BERT was trained).
  const auto optimizer_owner = make_bert_optimizer(model, o.lr, o.weight_decay);
  torch::optim::AdamW& optimizer = *optimizer_owner;

  const std::vector<int64_t> train_lengths = truncated_lengths(train, o.max_seq_len);
  const auto batches_per_epoch =
      static_cast<int64_t>(bucketed_batches(train_lengths, o.batch_size, true, o.seed).size());
  const int64_t steps_per_epoch = (batches_per_epoch + o.grad_accum - 1) / o.grad_accum;
  const int64_t total_steps = steps_per_epoch * o.epochs;
  const auto warmup_steps = static_cast<int64_t>(std::llround(o.warmup * double(total_steps)));

  const fs::path model_dir = ws.finetune_dir();
  const fs::path checkpoint_dir = finetune_checkpoint_dir(model_dir);
  const nlohmann::json identity = run_identity(o, data.labels, train.size());
  RunState state;
  if (o.resume) {
    // Only rank 0's workspace holds the checkpoint: it reads it, the others take its weights,
    // optimizer state and position. A checkpoint rank 0 refuses stops every rank with its line
    // (agree() passes on rank 0's abort).
    if (dist.is_writer())
      state = load_checkpoint(checkpoint_dir, model, optimizer, identity, device);
    dist.agree("resume point", "read");
    share_resume_point(dist, model, optimizer, state);
    log::info("resuming at epoch {}, batch {} (step {})", state.epoch + 1, state.next_batch,
              state.step);
  }
  log::info(
      "fine-tuning: {} train / {} dev samples, {} labels, {} epochs x {} steps, warm-up "
      "{} steps, device {}",
      train.size(), dev.size(), data.labels.size(), o.epochs, steps_per_epoch, warmup_steps,
      o.device);

  // metrics.jsonl and finetune.json: saved with each new best model, in the same commit.
  auto model_notes = [&] {
    return finetune_notes(o, info.layout == "config-only", data.labels, state);
  };
  auto write_model_notes = [&]() {
    if (state.best_epoch == 0 || !dist.is_writer()) return;
    for (const auto& [name, content] : model_notes()) write_file_atomic(model_dir / name, content);
  };

  FinetuneResult result;
  result.model_dir = model_dir;
  const FinetuneLoop run{o,
                         model,
                         optimizer,
                         train,
                         dev,
                         int64_t(data.labels.size()),
                         train_lengths,
                         warmup_steps,
                         total_steps,
                         checkpoint_dir,
                         identity,
                         device};
  const FinetuneEpochs done = finetune_epochs(
      run, state,
      [&] {
        if (dist.is_writer())
          save_bert_hf(model, loaded.config, info.vocab_file, model_dir, model_notes());
      },
      write_model_notes, job);
  result.epochs_run = done.epochs_run;
  const bool early_stop = done.early_stopped;
  // The run is complete: its checkpoint is no longer needed.
  try {
    // A kill here must not leave half a checkpoint.
    if (dist.is_writer()) remove_dir_atomic(checkpoint_dir);
  } catch (const Error& e) {
    log::warn("{}", e.what());
  }
  result.best = state.best;
  result.early_stopped = early_stop;
  log::info("best epoch {} saved in {}", state.best_epoch, model_dir.string());
  return result;
}

}  // namespace kdw
