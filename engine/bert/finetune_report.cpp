#include "bert/finetune_report.h"

namespace kdw {

namespace {

std::string to_jsonl(const std::vector<nlohmann::json>& records) {
  std::string text;
  for (const auto& r : records) text += r.dump() + "\n";
  return text;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> finetune_notes(
    const FinetuneOptions& o, bool from_scratch, const std::vector<std::string>& labels,
    const RunState& state) {
  nlohmann::json notes = {{"bert_path", o.bert_path.string()},
                          {"from_scratch", from_scratch},
                          {"labels", labels},
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
}

}  // namespace kdw
