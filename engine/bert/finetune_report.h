// The notes saved beside the kept fine-tuned model: metrics.jsonl (every record so far) and
// finetune.json (what was trained, how, and the kept epoch).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bert/finetune.h"
#include "bert/finetune_checkpoint.h"

namespace kdw {

/// The fine-tuned teacher's notes file, beside its model (its one spelling).
inline constexpr char kFinetuneNotesFile[] = "finetune.json";

/// {file name, content} of each note, for save_bert_hf's extra files.
std::vector<std::pair<std::string, std::string>> finetune_notes(
    const FinetuneOptions& o, bool from_scratch, const std::vector<std::string>& labels,
    const RunState& state);

}  // namespace kdw
