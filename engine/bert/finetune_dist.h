// What a data-parallel fine-tuning job (docs/distributed.md) needs beyond the loop's hooks: the
// fingerprint every rank checks at the rendezvous, and the resume point, which rank 0 alone reads
// (only its workspace holds the checkpoint) and hands to the others.
#pragma once

#include <string>

#include "bert/bert_io.h"
#include "bert/finetune.h"
#include "bert/finetune_checkpoint.h"
#include "core/workspace.h"

namespace torch::optim {
class AdamW;
}

namespace kdw {
namespace dist {
class DistContext;
}

/// A hash of the options (the paths aside: they may differ between machines) and of the model
/// and data files the ranks must share.
std::string finetune_fingerprint(const FinetuneOptions& o, const Workspace& ws,
                                 const BertFolderInfo& info);

/// Rank 0's weights, AdamW state and position, on every rank: after rank 0 loaded a checkpoint
/// the others continue from the same step. Every rank calls it; rank 0's `state` keeps its
/// history and best epoch (the others write nothing).
void share_resume_point(dist::DistContext& dist, BertForSequenceClassification& model,
                        torch::optim::AdamW& optimizer, RunState& state);

}  // namespace kdw
