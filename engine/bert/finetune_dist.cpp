#include "bert/finetune_dist.h"

#include <memory>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adamw.h>

#include "bert/teacher_options.h"
#include "core/hash.h"
#include "core/torch_compat.h"
#include "dist/dist_context.h"
#include "formats/ragged.h"

namespace kdw {
namespace fs = std::filesystem;

std::string finetune_fingerprint(const FinetuneOptions& o, const Workspace& ws,
                                 const BertFolderInfo& info) {
  nlohmann::json options = finetune_option_table().to_json(o);
  for (const char* path : {"workspace", "bert_path"}) options.erase(path);
  nlohmann::json files = nlohmann::json::object();
  files["config"] = file_hash(info.config_file);
  files["vocab"] = file_hash(info.vocab_file);
  if (!info.weights_file.empty()) files["weights"] = file_hash(info.weights_file);
  files["labels"] = file_hash(ws.labels_file());
  for (const char* split : kSplitNames)
    for (const char* part : {"ids", "offsets", "labels"}) {
      const std::string name = std::string(split) + "_" + part + ".npy";
      files[name] = file_hash(ws.bert_data_dir() / name);
    }
  return content_hash(nlohmann::json{{"options", options}, {"files", files}}.dump());
}

void share_resume_point(dist::DistContext& dist, BertForSequenceClassification& model,
                        torch::optim::AdamW& optimizer, RunState& state) {
  if (!dist.distributed()) return;
  c10::NoGradGuard no_grad;
  at::Tensor position = at::tensor({int64_t(state.epoch), state.next_batch, state.step,
                                    int64_t(state.best_epoch), int64_t(state.stale_epochs)},
                                   at::kLong);
  dist.broadcast(position);
  const int64_t* p = position.data_ptr<int64_t>();
  state.epoch = int(p[0]);
  state.next_batch = p[1];
  state.step = p[2];
  state.best_epoch = int(p[3]);
  state.stale_epochs = int(p[4]);
  at::Tensor best_score = at::full({1}, state.best_score, at::kDouble);
  dist.broadcast(best_score);
  state.best_score = best_score.item<double>();

  for (const auto& t : model->parameters()) {
    at::Tensor data = t.detach();
    dist.broadcast(data);
  }
  for (const auto& t : model->buffers()) {
    at::Tensor data = t.detach();
    dist.broadcast(data);
  }
  // AdamW's moments and step count of each parameter that has them on rank 0 (all of them after
  // the first step, none before).
  const std::vector<at::Tensor> params = model->parameters();
  at::Tensor steps = at::zeros({int64_t(params.size())}, at::kLong);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto it = optimizer.state().find(compat::optimizer_state_key(params[i]));
    if (it != optimizer.state().end())
      steps[int64_t(i)] = static_cast<const torch::optim::AdamWParamState&>(*it->second).step();
  }
  dist.broadcast(steps);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int64_t step = steps[int64_t(i)].item<int64_t>();
    const auto key = compat::optimizer_state_key(params[i]);
    if (step == 0) {
      optimizer.state().erase(key);
      continue;
    }
    auto& slot = optimizer.state()[key];
    if (!slot) {
      auto fresh = std::make_unique<torch::optim::AdamWParamState>();
      fresh->exp_avg(at::zeros_like(params[i]));
      fresh->exp_avg_sq(at::zeros_like(params[i]));
      slot = std::move(fresh);
    }
    auto& s = static_cast<torch::optim::AdamWParamState&>(*slot);
    s.step(step);
    at::Tensor avg = s.exp_avg(), avg_sq = s.exp_avg_sq();
    dist.broadcast(avg);
    dist.broadcast(avg_sq);
  }
}

}  // namespace kdw
