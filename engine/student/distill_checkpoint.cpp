#include "student/distill_checkpoint.h"

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adam.h>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/json_read.h"
#include "core/printable.h"
#include "core/torch_compat.h"
#include "dist/broadcast_state.h"
#include "dist/dist_context.h"
#include "formats/safetensors.h"

namespace kdw {
namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "kdw-distill-checkpoint/1";
constexpr const char* kTensorFiles[] = {"model.safetensors", "optimizer.safetensors",
                                        "rng.safetensors"};

std::vector<std::pair<std::string, at::Tensor>> model_tensors(const StudentModel& model) {
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : model->named_buffers()) out.emplace_back(b.key(), b.value());
  return out;
}

const torch::optim::AdamParamState* adam_state(const torch::optim::Adam& optimizer,
                                               const at::Tensor& param) {
  const auto it = optimizer.state().find(compat::optimizer_state_key(param));
  if (it == optimizer.state().end()) return nullptr;
  return &static_cast<const torch::optim::AdamParamState&>(*it->second);
}

nlohmann::json scores_json(const std::optional<EpochScores>& s) {
  if (!s) return nullptr;
  return {{"accuracy", s->accuracy}, {"macro_f1", s->macro_f1}, {"alive", s->alive}};
}

std::optional<EpochScores> scores_from(const nlohmann::json& j) {
  if (j.is_null()) return std::nullopt;
  return EpochScores{j.at("accuracy").get<double>(), j.at("macro_f1").get<double>(),
                     j.at("alive").get<int64_t>()};
}

}  // namespace

at::Tensor cpu_rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void set_cpu_rng_state(const at::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

void save_distill_checkpoint(const fs::path& dir, const StudentModel& model,
                             const torch::optim::Adam& optimizer, const DistillResumePoint& p) {
  AtomicDirectory out(dir);
  std::vector<std::pair<std::string, at::Tensor>> weights, moments;
  for (auto& [name, t] : model_tensors(model)) weights.emplace_back(name, t.detach().cpu());
  nlohmann::json steps = nlohmann::json::object();
  for (const auto& param : model->named_parameters()) {
    const torch::optim::AdamParamState* s = adam_state(optimizer, param.value());
    if (!s) continue;  // no step with a gradient yet
    moments.emplace_back(param.key() + ".exp_avg", s->exp_avg().detach().cpu());
    moments.emplace_back(param.key() + ".exp_avg_sq", s->exp_avg_sq().detach().cpu());
    steps[param.key()] = s->step();
  }
  write_safetensors(out.staging() / "model.safetensors", weights);
  write_safetensors(out.staging() / "optimizer.safetensors", moments);
  write_safetensors(out.staging() / "rng.safetensors", {{"cpu", p.rng.contiguous()}});
  nlohmann::json hashes = nlohmann::json::object();
  for (const char* file : kTensorFiles) hashes[file] = file_hash(out.staging() / file);
  const nlohmann::json state = {{"format", kFormat},
                                {"epochs_done", p.epochs_done},
                                {"steps", p.steps},
                                {"best_epoch", p.best_epoch},
                                {"best_dev", p.best_dev ? nlohmann::json(*p.best_dev) : nullptr},
                                {"best", scores_json(p.best)},
                                {"top_accuracy", p.top_accuracy},
                                {"metrics_bytes", p.metrics_bytes},
                                {"adam_steps", steps},
                                {"hashes", hashes}};
  write_file_atomic(out.staging() / "state.json", state.dump(1));
  out.commit();
}

DistillResumePoint load_distill_checkpoint(const fs::path& dir, StudentModel& model,
                                           torch::optim::Adam& optimizer,
                                           const at::Device& device) {
  const fs::path state_file = dir / "state.json";
  if (!fs::exists(state_file))
    throw file_error(dir.parent_path(),
                     "has no checkpoint to resume from (a run that finished, or was stopped in "
                     "its first epoch)");
  DistillResumePoint p;
  std::map<std::string, int64_t> steps;
  nlohmann::json hashes;
  try {
    const auto json = read_json_file(state_file, "damaged checkpoint state");
    if (json.at("format") != kFormat)
      throw file_error(state_file, "checkpoint of another kdw version; start a new run");
    p.epochs_done = json.at("epochs_done").get<int>();
    p.steps = json.at("steps").get<int64_t>();
    p.best_epoch = json.at("best_epoch").get<int>();
    if (!json.at("best_dev").is_null()) p.best_dev = json.at("best_dev").get<SplitScores>();
    p.best = scores_from(json.at("best"));
    p.top_accuracy = json.at("top_accuracy").get<double>();
    p.metrics_bytes = json.at("metrics_bytes").get<int64_t>();
    steps = json.at("adam_steps").get<std::map<std::string, int64_t>>();
    hashes = json.at("hashes");
  } catch (const nlohmann::json::exception& e) {
    throw file_error(state_file, "damaged checkpoint state: " + printable(e.what(), 200));
  }
  if (p.epochs_done < 1 || p.steps < 0 || p.best_epoch < 0 || p.best_epoch > p.epochs_done ||
      p.metrics_bytes < 0)
    throw file_error(state_file, "damaged checkpoint state: position out of range");
  for (const char* file : kTensorFiles) {
    const fs::path path = dir / file;
    if (!fs::exists(path)) throw file_error(path, "missing from the checkpoint");
    const auto it = hashes.find(file);
    if (it == hashes.end() || !it->is_string() || it->get<std::string>() != file_hash(path))
      throw file_error(path, "damaged checkpoint file (its bytes differ from those saved)");
  }
  const SafetensorsFile weights = read_safetensors(dir / "model.safetensors");
  const SafetensorsFile moments = read_safetensors(dir / "optimizer.safetensors");
  p.rng = read_safetensors(dir / "rng.safetensors").find("cpu");
  if (!p.rng.defined() || p.rng.scalar_type() != at::kByte)
    throw file_error(dir / "rng.safetensors", "holds no generator state");
  c10::NoGradGuard no_grad;
  for (auto& [name, t] : model_tensors(model)) {
    const at::Tensor saved = weights.find(name);
    if (!saved.defined() || saved.sizes() != t.sizes())
      throw file_error(dir / "model.safetensors", "tensor " + name + " missing or misshapen");
    t.copy_(saved);
  }
  for (const auto& param : model->named_parameters()) {
    const auto step = steps.find(param.key());
    if (step == steps.end()) continue;
    if (step->second < 1) throw file_error(state_file, "damaged checkpoint state: step count");
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(step->second);
    for (const char* part : {".exp_avg", ".exp_avg_sq"}) {
      const at::Tensor t = moments.find(param.key() + part);
      if (!t.defined() || t.sizes() != param.value().sizes())
        throw file_error(dir / "optimizer.safetensors",
                         "tensor " + printable(param.key() + part) + " missing or misshapen");
      if (std::string(part) == ".exp_avg")
        s->exp_avg(t.to(device));
      else
        s->exp_avg_sq(t.to(device));
    }
    optimizer.state()[compat::optimizer_state_key(param.value())] = std::move(s);
    steps.erase(step);
  }
  if (!steps.empty())
    throw file_error(state_file, "damaged checkpoint state: optimizer state of unknown parameter " +
                                     printable(steps.begin()->first));
  set_cpu_rng_state(p.rng);
  return p;
}

void share_distill_resume_point(dist::DistContext& dist, StudentModel& model,
                                torch::optim::Adam& optimizer, DistillResumePoint& p) {
  if (!dist.distributed()) return;
  dist::NamedTensors tensors = model_tensors(model);
  // Every rank drew the same dropout seeds, so rank 0's generator is every rank's.
  at::Tensor rng = dist.is_writer() ? cpu_rng_state() : at::empty_like(cpu_rng_state());
  tensors.emplace_back("cpu generator state", rng);
  // Only the position matters to the other ranks: they neither evaluate nor keep an epoch.
  std::string position = nlohmann::json{{"epochs_done", p.epochs_done}, {"steps", p.steps}}.dump();
  dist::broadcast_from_rank0(dist, tensors, position);
  const nlohmann::json saved = nlohmann::json::parse(position);
  p.epochs_done = saved.at("epochs_done").get<int>();
  p.steps = saved.at("steps").get<int64_t>();
  set_cpu_rng_state(rng);
  dist::NamedTensors params;
  for (const auto& param : model->named_parameters())
    params.emplace_back(param.key(), param.value());
  dist::broadcast_optimizer_state(dist, optimizer, params);
}

void check_resume_config(const fs::path& config_file, const nlohmann::json& saved,
                         const nlohmann::json& now) {
  // epochs may grow; resume and output_dir say where the run is, not how it trains.
  static const std::set<std::string> kFree = {"epochs", "resume", "output_dir"};
  // A restored model's shape is compared as "arch"; older runs recorded the shape options as
  // given (unused) rather than the model's.
  static const std::set<std::string> kShape = {"hidden_size", "num_layers", "emb_dim", "dropout"};
  const auto restored = now.find("restore_model_path");
  const bool from_model =
      restored != now.end() && restored->is_string() && !restored->get<std::string>().empty();
  std::set<std::string> keys;
  for (const auto& [key, value] : saved.items()) keys.insert(key);
  for (const auto& [key, value] : now.items()) keys.insert(key);
  for (const std::string& key : keys) {
    if (kFree.count(key) || (from_model && kShape.count(key))) continue;
    const nlohmann::json a = saved.contains(key) ? saved.at(key) : nlohmann::json();
    const nlohmann::json b = now.contains(key) ? now.at(key) : nlohmann::json();
    if (a != b)
      throw file_error(config_file, "cannot resume: field " + key + " was " +
                                        printable(a.dump(), 80) + ", now " +
                                        printable(b.dump(), 80) + " (only epochs may change)");
  }
}

}  // namespace kdw
