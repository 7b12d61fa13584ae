// Copying a BERT folder into a workspace: only the files the loader reads (its config, vocab.txt
// and the weights file it would load), staged next to the target and renamed into place in one
// step, so that a failed or cancelled copy leaves nothing half-written and never replaces a folder.
#pragma once

#include <cstdint>
#include <filesystem>

#include "bert/bert_io.h"

namespace kdw {

class JobContext;

struct BertCopyResult {
  std::filesystem::path folder;  ///< the new folder (the target)
  BertFolderInfo info;           ///< of the copy, as inspect_bert_folder reads it
  int64_t bytes = 0;             ///< bytes copied
};

/// Copies the BERT folder `source` (checked first by inspect_bert_folder, as `kdw bert-info`
/// does) into `target`, which must not exist yet: its config file (config.json or
/// bert_config.json), vocab.txt and the weights file the loader reads (model.safetensors, else
/// pytorch_model.bin; none for a config-only folder), nothing else. The files are written under
/// "<target>.tmp-<pid>" (removed on any failure or cancel; a kill leaves it for recover_commits)
/// and the folder is renamed onto `target` only when complete, refusing to replace one that
/// appeared meanwhile. Reports "copy" progress in bytes; throws kdw::Error naming the file, or
/// kdw::Cancelled.
BertCopyResult copy_bert_folder(const std::filesystem::path& source,
                                const std::filesystem::path& target, JobContext& job);

/// The small BERT the demo trains from scratch: `source` is the resources' config-only folder
/// (<resources>/<DemoRecipe::bert_source>: config.json for 2 layers, hidden 128, and its
/// vocab.txt), copied into `target` by copy_bert_folder. Refuses a source with weights (that
/// is no start from scratch). Used by the demo pipeline and the Teacher panel alike.
BertCopyResult write_small_bert(const std::filesystem::path& source,
                                const std::filesystem::path& target, JobContext& job);

}  // namespace kdw
