#include "bert/finetune_checkpoint.h"

#include <map>
#include <memory>

#include <c10/core/GradMode.h>
#include <torch/optim/adamw.h>

#include "core/atomic_output.h"
#include "core/commit.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/printable.h"
#include "core/torch_compat.h"
#include "formats/safetensors.h"

namespace kdw {
namespace fs = std::filesystem;

namespace {

std::vector<std::pair<std::string, at::Tensor>> model_tensors(
    const BertForSequenceClassification& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model->named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
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

// Refuses a tensor file whose bytes are not those the checkpoint was saved with.
void check_hash(const fs::path& file, const nlohmann::json& hashes, const fs::path& state_file) {
  if (!fs::exists(file)) throw file_error(file, "missing from the checkpoint; turn resume off");
  const auto it = hashes.find(file.filename().string());
  if (it == hashes.end() || !it->is_string())
    throw file_error(state_file,
                     "damaged checkpoint state: no hash of " + file.filename().string());
  if (it->get<std::string>() != file_hash(file))
    throw file_error(file,
                     "damaged checkpoint file (its bytes differ from those saved); turn "
                     "resume off to start over");
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
      throw file_error(state_file, "unknown optimizer state format; turn resume off");
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

}  // namespace

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

RunState load_checkpoint(const fs::path& dir, BertForSequenceClassification& model,
                         torch::optim::AdamW& optimizer, const nlohmann::json& identity,
                         const at::Device& device) {
  const fs::path state_file = dir / "state.json";
  if (!fs::exists(state_file))
    throw file_error(dir, "no checkpoint to resume from; turn resume off");
  // Checkpoints of earlier versions kept the optimizer as a TorchScript archive. It is never
  // opened: loading one runs whatever code the file carries.
  if (fs::exists(dir / "optimizer.pt") && !fs::exists(dir / "optimizer.safetensors"))
    throw file_error(dir / "optimizer.pt",
                     "checkpoint of an earlier kdw, not read (a TorchScript archive can run "
                     "code); turn resume off to start over");
  RunState state;
  nlohmann::json optimizer_state, hashes;
  try {
    const auto json = read_json_file(state_file, "damaged checkpoint state");
    if (json.at("identity") != identity)
      throw file_error(state_file,
                       "the checkpoint belongs to a run with other data or settings (model, "
                       "labels, batch_size, grad_accum, seed or max_seq_len); turn resume off");
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

}  // namespace kdw
