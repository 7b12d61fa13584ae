#include "bert/finetune_report.h"

#include "bert/teacher_options.h"

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
                          // Every option by name through the table the CLI and the Teacher
                          // panel's form are made from, so that the panel shows them back.
                          {"options", finetune_option_table().to_json(o)}};
  return {{"metrics.jsonl", to_jsonl(state.history)}, {kFinetuneNotesFile, notes.dump(2)}};
}

}  // namespace kdw
