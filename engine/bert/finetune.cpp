#include "bert/finetune.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adamw.h>

#include "bert/bert_io.h"
#include "bert/teacher_data.h"
#include "core/adamw_step.h"
#include "core/atomic_output.h"
#include "core/batching.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/option_checks.h"
#include "core/pending_losses.h"
#include "core/printable.h"
#include "core/torch_compat.h"
#include "core/workspace_lock.h"
#include "formats/safetensors.h"

namespace kdw {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

void check_options(const FinetuneOptions& o) {
  auto bad = [](const std::string& what) { throw UsageError(what); };
  if (o.epochs < 1) bad("--epochs must be at least 1");
  check_number("lr", o.lr, Interval::positive());
  if (o.batch_size < 1) bad("--batch_size must be at least 1");
  if (o.max_seq_len < 2) bad("--max_seq_len must be at least 2");
  check_number("warmup", o.warmup, Interval::right_open(0, 1));
  check_number("weight_decay", o.weight_decay, Interval::non_negative());
  check_number("max_grad_norm", o.max_grad_norm, Interval::non_negative());
  if (o.grad_accum < 1) bad("--grad_accum must be at least 1");
  if (o.early_stopping_patience < 0) bad("--early_stopping must not be negative");
  if (o.log_every < 1) bad("log_every must be at least 1");
  parse_precision(o.precision);
}

// Where a run stands; the checkpoint's state.json.
struct RunState {
  int epoch = 0;           // 0-based epoch in progress
  int64_t next_batch = 0;  // first batch of that epoch not yet applied
  int64_t step = 0;        // optimizer steps done
  int best_epoch = 0;      // 1-based; 0: none yet
  double best_score = -1;
  int stale_epochs = 0;
  nlohmann::json best = nlohmann::json::object();
  std::vector<nlohmann::json> history;  // metrics.jsonl records so far
};

// Dev score that decides the best epoch: macro-F1, accuracy breaking ties.
double dev_score(const ClassificationMetrics& m) {
  return m.macro_f1 + 1e-6 * m.accuracy;
}

std::string to_jsonl(const std::vector<nlohmann::json>& records) {
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  return text;
}

// Linear warm-up to `lr` over `warmup` steps, then linear decay to 0 at `total`.
double lr_at(int64_t step, int64_t warmup, int64_t total, double lr) {
  if (step < warmup) return lr * double(step + 1) / double(warmup);
  if (total <= warmup) return lr;
  return lr * std::max(0.0, double(total - step) / double(total - warmup));
}

std::vector<std::pair<std::string, at::Tensor>> model_tensors(
    const BertForSequenceClassification& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model->named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

nlohmann::json run_identity(const FinetuneOptions& o, const std::vector<std::string>& labels,
                            int64_t train_size) {
  return {{"bert_path", fs::weakly_canonical(o.bert_path).string()},
          {"labels", labels},
          {"train_samples", train_size},
          {"batch_size", o.batch_size},
          {"grad_accum", o.grad_accum},
          {"seed", o.seed},
          {"max_seq_len", o.max_seq_len}};
}

// The checkpoint holds plain data only, never a TorchScript archive (loading one runs code the
// file carries): model.safetensors; optimizer.safetensors with each parameter's AdamW moments
// as "<name>.exp_avg" and "<name>.exp_avg_sq"; state.json with the run's position, the
// optimizer's step counts and group settings, and a hash of each tensor file so that a damaged
// byte is reported instead of resumed from.
constexpr const char* kOptimizerFormat = "kdw-adamw/1";

// torch::optim's own state key (its type differs between LibTorch lines).
compat::OptimizerStateKey optimizer_key(const at::Tensor& param) {
  return compat::optimizer_state_key(param);
}

nlohmann::json save_optimizer_state(const fs::path& file,
                                    const BertForSequenceClassification& model,
                                    const torch::optim::AdamW& optimizer) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  nlohmann::json steps = nlohmann::json::object();
  for (const auto& p : model->named_parameters()) {
    const auto it = optimizer.state().find(optimizer_key(p.value()));
    if (it == optimizer.state().end()) continue;  // no step taken with a gradient yet
    const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
    tensors.emplace_back(p.key() + ".exp_avg", s.exp_avg().detach().cpu());
    tensors.emplace_back(p.key() + ".exp_avg_sq", s.exp_avg_sq().detach().cpu());
    steps[p.key()] = s.step();
  }
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : optimizer.param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamWOptions&>(g.options());
    groups.push_back({{"lr", o.lr()},
                      {"weight_decay", o.weight_decay()},
                      {"eps", o.eps()},
                      {"betas", {std::get<0>(o.betas()), std::get<1>(o.betas())}}});
  }
  write_safetensors(file, tensors);
  return {{"format", kOptimizerFormat}, {"steps", steps}, {"groups", groups}};
}

void save_checkpoint(const fs::path& dir, const BertForSequenceClassification& model,
                     const torch::optim::AdamW& optimizer, const RunState& state,
                     const nlohmann::json& identity) {
  AtomicDirectory out(dir);
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (auto& [name, t] : model_tensors(model)) tensors.emplace_back(name, t.detach().cpu());
  write_safetensors(out.staging() / "model.safetensors", tensors);
  const nlohmann::json optimizer_state =
      save_optimizer_state(out.staging() / "optimizer.safetensors", model, optimizer);
  const nlohmann::json hashes = {
      {"model.safetensors", file_hash(out.staging() / "model.safetensors")},
      {"optimizer.safetensors", file_hash(out.staging() / "optimizer.safetensors")}};
  nlohmann::json json = {{"identity", identity},
                         {"optimizer", optimizer_state},
                         {"hashes", hashes},
                         {"epoch", state.epoch},
                         {"next_batch", state.next_batch},
                         {"step", state.step},
                         {"best_epoch", state.best_epoch},
                         {"best_score", state.best_score},
                         {"stale_epochs", state.stale_epochs},
                         {"best", state.best},
                         {"history", state.history}};
  write_file_atomic(out.staging() / "state.json", json.dump(1));
  out.commit();
}

// Refuses a tensor file whose bytes are not those the checkpoint was saved with.
void check_hash(const fs::path& file, const nlohmann::json& hashes, const fs::path& state_file) {
  if (!fs::exists(file))
    throw file_error(file, "missing from the checkpoint; run without --resume");
  const auto it = hashes.find(file.filename().string());
  if (it == hashes.end() || !it->is_string())
    throw file_error(state_file,
                     "damaged checkpoint state: no hash of " + file.filename().string());
  if (it->get<std::string>() != file_hash(file))
    throw file_error(file,
                     "damaged checkpoint file (its bytes differ from those saved); run "
                     "without --resume to start over");
}

void load_optimizer_state(const fs::path& dir, const nlohmann::json& saved,
                          const BertForSequenceClassification& model,
                          torch::optim::AdamW& optimizer, const at::Device& device) {
  const fs::path file = dir / "optimizer.safetensors";
  const fs::path state_file = dir / "state.json";
  std::map<std::string, int64_t> steps;
  std::vector<nlohmann::json> groups;
  try {
    if (saved.at("format") != kOptimizerFormat)
      throw file_error(state_file, "unknown optimizer state format; run without --resume");
    steps = saved.at("steps").get<std::map<std::string, int64_t>>();
    groups = saved.at("groups").get<std::vector<nlohmann::json>>();
    if (groups.size() != optimizer.param_groups().size())
      throw file_error(state_file, "damaged checkpoint state: " + std::to_string(groups.size()) +
                                       " optimizer groups, expected " +
                                       std::to_string(optimizer.param_groups().size()));
    for (std::size_t g = 0; g < groups.size(); ++g) {
      auto& o = static_cast<torch::optim::AdamWOptions&>(optimizer.param_groups()[g].options());
      const auto betas = groups[g].at("betas").get<std::vector<double>>();
      if (betas.size() != 2) throw file_error(state_file, "damaged checkpoint state: betas");
      o.lr(groups[g].at("lr").get<double>())
          .weight_decay(groups[g].at("weight_decay").get<double>())
          .eps(groups[g].at("eps").get<double>())
          .betas({betas[0], betas[1]});
    }
  } catch (const nlohmann::json::exception& e) {
    throw file_error(state_file, "damaged checkpoint state: " + printable(e.what(), 200));
  }
  const SafetensorsFile moments = read_safetensors(file);
  if (moments.tensors.size() != 2 * steps.size())
    throw file_error(file, "holds " + std::to_string(moments.tensors.size()) +
                               " tensors, state.json describes " +
                               std::to_string(2 * steps.size()));
  c10::NoGradGuard no_grad;
  for (const auto& p : model->named_parameters()) {
    const auto step = steps.find(p.key());
    if (step == steps.end()) continue;
    if (step->second < 1) throw file_error(state_file, "damaged checkpoint state: step count");
    auto state = std::make_unique<torch::optim::AdamWParamState>();
    state->step(step->second);
    for (const char* part : {".exp_avg", ".exp_avg_sq"}) {
      const at::Tensor t = moments.find(p.key() + part);
      if (!t.defined() || t.sizes() != p.value().sizes() ||
          t.scalar_type() != p.value().scalar_type())
        throw file_error(file, "tensor " + printable(p.key() + part) + " missing or misshapen");
      if (std::string(part) == ".exp_avg")
        state->exp_avg(t.to(device));
      else
        state->exp_avg_sq(t.to(device));
    }
    optimizer.state()[optimizer_key(p.value())] = std::move(state);
    steps.erase(step);
  }
  if (!steps.empty())
    throw file_error(state_file, "damaged checkpoint state: optimizer state of unknown parameter " +
                                     printable(steps.begin()->first));
}

RunState load_checkpoint(const fs::path& dir, BertForSequenceClassification& model,
                         torch::optim::AdamW& optimizer, const nlohmann::json& identity,
                         const at::Device& device) {
  const fs::path state_file = dir / "state.json";
  if (!fs::exists(state_file))
    throw file_error(dir, "no checkpoint to resume from; run without --resume");
  // Checkpoints of earlier versions kept the optimizer as a TorchScript archive. It is never
  // opened: loading one runs whatever code the file carries.
  if (fs::exists(dir / "optimizer.pt") && !fs::exists(dir / "optimizer.safetensors"))
    throw file_error(dir / "optimizer.pt",
                     "checkpoint of an earlier kdw, not read (a TorchScript archive can run "
                     "code); run without --resume to start over");
  RunState state;
  nlohmann::json optimizer_state, hashes;
  try {
    const auto json = read_json_file(state_file, "damaged checkpoint state");
    if (json.at("identity") != identity)
      throw file_error(
          state_file,
          "the checkpoint belongs to a run with other data or settings (model, "
          "labels, batch_size, grad_accum, seed or max_seq_len); run without --resume");
    state.epoch = json.at("epoch").get<int>();
    state.next_batch = json.at("next_batch").get<int64_t>();
    state.step = json.at("step").get<int64_t>();
    state.best_epoch = json.at("best_epoch").get<int>();
    state.best_score = json.at("best_score").get<double>();
    state.stale_epochs = json.at("stale_epochs").get<int>();
    state.best = json.at("best");
    state.history = json.at("history").get<std::vector<nlohmann::json>>();
    optimizer_state = json.at("optimizer");
    hashes = json.at("hashes");
  } catch (const nlohmann::json::exception& e) {
    throw file_error(state_file, "damaged checkpoint state: " + printable(e.what(), 200));
  }
  if (state.epoch < 0 || state.next_batch < 0 || state.step < 0)
    throw file_error(state_file, "damaged checkpoint state: negative position");
  check_hash(dir / "model.safetensors", hashes, state_file);
  check_hash(dir / "optimizer.safetensors", hashes, state_file);
  const SafetensorsFile weights = read_safetensors(dir / "model.safetensors");
  {
    c10::NoGradGuard no_grad;
    for (auto& [name, t] : model_tensors(model)) {
      at::Tensor saved = weights.find(name);
      if (!saved.defined() || saved.sizes() != t.sizes())
        throw file_error(dir / "model.safetensors", "tensor " + name + " missing or misshapen");
      t.copy_(saved);
    }
  }
  load_optimizer_state(dir, optimizer_state, model, optimizer, device);
  return state;
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
  const WorkspaceLock lock(ws.root, "finetune");
  const at::Device device = parse_device(o.device);
  const BertFolderInfo info = inspect_bert_folder(o.bert_path);
  TeacherData data = read_teacher_data(ws, info.config.vocab_size);
  check_bert_data_vocab(ws, data.prepare, info.vocab_file);
  if (o.max_seq_len > info.config.max_position_embeddings)
    throw UsageError("--max_seq_len " + std::to_string(o.max_seq_len) + " exceeds the model's " +
                     std::to_string(info.config.max_position_embeddings) +
                     " positions (max_position_embeddings)");
  const RaggedSplit& train = data.splits[0];
  const RaggedSplit& dev = data.splits[1];

  at::manual_seed(o.seed);
  LoadedBert loaded = load_bert(o.bert_path, data.labels);
  if (info.layout == "config-only")
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
  const std::vector<at::Tensor> params = model->parameters();

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
    state = load_checkpoint(checkpoint_dir, model, optimizer, identity, device);
    log::info("resuming at epoch {}, batch {} (step {})", state.epoch + 1, state.next_batch,
              state.step);
  }
  log::info(
      "fine-tuning: {} train / {} dev samples, {} labels, {} epochs x {} steps, warm-up "
      "{} steps, device {}",
      train.size(), dev.size(), data.labels.size(), o.epochs, steps_per_epoch, warmup_steps,
      o.device);

  auto record = [&](nlohmann::json r) {
    job.metric(r);
    state.history.push_back(std::move(r));
  };
  // metrics.jsonl and finetune.json: saved with each new best model, in the same commit.
  auto model_notes = [&]() -> std::vector<std::pair<std::string, std::string>> {
    nlohmann::json notes = {{"bert_path", o.bert_path.string()},
                            {"from_scratch", info.layout == "config-only"},
                            {"labels", data.labels},
                            {"max_seq_len", o.max_seq_len},
                            {"best", state.best},
                            {"options",
                             {{"epochs", o.epochs},
                              {"lr", o.lr},
                              {"batch_size", o.batch_size},
                              {"warmup", o.warmup},
                              {"weight_decay", o.weight_decay},
                              {"grad_accum", o.grad_accum},
                              {"max_grad_norm", o.max_grad_norm},
                              {"seed", o.seed},
                              {"early_stopping", o.early_stopping_patience},
                              {"precision", o.precision}}}};
    return {{"metrics.jsonl", to_jsonl(state.history)}, {"finetune.json", notes.dump(2)}};
  };
  auto write_model_notes = [&]() {
    if (state.best_epoch == 0) return;
    for (const auto& [name, content] : model_notes()) write_file_atomic(model_dir / name, content);
  };

  FinetuneResult result;
  result.model_dir = model_dir;
  bool early_stop = false;
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
                      std::to_string(l.step) + "); lower --lr");
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
        at::Tensor group_loss;
        for (int64_t b = state.next_batch; b < group_end; ++b) {
          // Weights are those of the last optimizer step: on resume the group starts again.
          job.throw_if_cancelled();
          const BertBatch input = make_bert_batch(train, batches[b], o.max_seq_len, device);
          const at::Tensor logits =
              model->forward(input.input_ids, input.attention_mask, {}).logits;
          const at::Tensor loss = at::cross_entropy_loss(logits, input.labels);
          (loss / group_size).backward();
          const at::Tensor part = loss.detach() / group_size;
          group_loss = group_loss.defined() ? group_loss + part : part;
          window_samples += static_cast<int64_t>(batches[b].size());
        }
        pending.add(state.step + 1, group_loss, group_size);
        // On the CPU a non-finite loss stops the run before it reaches the weights.
        if (!pending.deferring()) settle_losses();
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
        const at::Tensor dev_logits =
            predict_split(model, dev, o.max_seq_len, o.batch_size * 2, device, job, stage + " dev");
        job.throw_if_cancelled();
        const ClassificationMetrics m = classification_metrics(dev.labels, argmax_rows(dev_logits),
                                                               int64_t(data.labels.size()));
        epoch_record["dev"] = m.to_json();
        improved = dev_score(m) > state.best_score;
        if (improved) state.best_score = dev_score(m);
        log::info("epoch {}: dev accuracy {:.4f}, macro-F1 {:.4f}{}", epoch, m.accuracy, m.macro_f1,
                  improved ? " (best so far)" : "");
      } else {
        log::warn("the dev split is empty: the last epoch is kept");
        improved = true;
      }
    } catch (const Cancelled&) {
      settle_losses();  // a step that diverged must not be saved as a checkpoint
      // The state always names the first batch whose update is not in the weights.
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
      save_bert_hf(model, loaded.config, info.vocab_file, model_dir, model_notes());
    } else {
      ++state.stale_epochs;
      early_stop = o.early_stopping_patience > 0 && state.stale_epochs >= o.early_stopping_patience;
      if (early_stop) log::info("early stopping: no dev gain for {} epochs", state.stale_epochs);
      write_model_notes();
    }
    ++result.epochs_run;
    if (state.epoch + 1 < o.epochs && !early_stop) {
      RunState next = state;
      ++next.epoch;
      next.next_batch = 0;
      save_checkpoint(checkpoint_dir, model, optimizer, next, identity);
    }
  }
  // The run is complete: its checkpoint is no longer needed.
  try {
    remove_dir_atomic(checkpoint_dir);  // a kill here must not leave half a checkpoint
  } catch (const Error& e) {
    log::warn("{}", e.what());
  }
  result.best = state.best;
  result.early_stopped = early_stop;
  log::info("best epoch {} saved in {}", state.best_epoch, model_dir.string());
  return result;
}

}  // namespace kdw
