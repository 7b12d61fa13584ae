#include "bert/finetune_dist.h"

#include "bert/teacher_options.h"
#include "core/hash.h"
#include "dist/broadcast_state.h"
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
  dist::NamedTensors params, tensors;
  for (const auto& p : model->named_parameters()) params.emplace_back(p.key(), p.value());
  tensors = params;
  for (const auto& b : model->named_buffers()) tensors.emplace_back(b.key(), b.value());
  std::string position = nlohmann::json{
      {"epoch", state.epoch},
      {"next_batch", state.next_batch},
      {"step", state.step},
      {"best_epoch", state.best_epoch},
      {"best_score", state.best_score},
      {"stale_epochs",
       state.stale_epochs}}.dump();
  dist::broadcast_from_rank0(dist, tensors, position);
  const nlohmann::json p = nlohmann::json::parse(position);
  state.epoch = p.at("epoch").get<int>();
  state.next_batch = p.at("next_batch").get<int64_t>();
  state.step = p.at("step").get<int64_t>();
  state.best_epoch = p.at("best_epoch").get<int>();
  state.best_score = p.at("best_score").get<double>();
  state.stale_epochs = p.at("stale_epochs").get<int>();
  dist::broadcast_optimizer_state(dist, optimizer, params);
}

}  // namespace kdw
