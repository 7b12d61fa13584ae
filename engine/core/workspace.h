// The workspace: a folder laid out as in the original project.
//   <root>/files/data/            input files, labels.json, prepare.json
//   <root>/files/data/tokens/     student word indices       (see docs/formats.md)
//   <root>/files/data/bert_data/  WordPiece ids for the teacher
//   <root>/files/data/logits/     teacher logits
//   <root>/files/bert/<pretrained model folders>, files/bert/rubert_finetune/
//   <root>/YYYY-MM-DD___HH-MM-SS/ one folder per distillation run
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace kdw {

struct Workspace {
  std::filesystem::path root;

  std::filesystem::path data_dir() const { return root / "files" / "data"; }
  std::filesystem::path tokens_dir() const { return data_dir() / "tokens"; }
  std::filesystem::path bert_data_dir() const { return data_dir() / "bert_data"; }
  std::filesystem::path logits_dir() const { return data_dir() / "logits"; }
  std::filesystem::path labels_file() const { return data_dir() / "labels.json"; }
  std::filesystem::path prepare_file() const { return data_dir() / "prepare.json"; }
  std::filesystem::path bert_dir() const { return root / "files" / "bert"; }
  std::filesystem::path finetune_dir() const { return bert_dir() / "rubert_finetune"; }
  std::filesystem::path log_file() const { return root / "kdw.log"; }
};

/// The data folder (the one holding tokens/ and logits/) for a `--data_path` that names a
/// workspace root, its files/data folder, or the original flat ./data/ layout.
/// Throws kdw::Error when none of these holds a tokens/ folder.
std::filesystem::path resolve_data_dir(const std::filesystem::path& data_path);

/// "YYYY-MM-DD___HH-MM-SS" in local time.
std::string run_folder_name(std::chrono::system_clock::time_point when);
/// True for names of that form (optionally followed by "_N", used when two runs share a second).
bool is_run_folder_name(const std::string& name);
/// Creates a fresh run folder named by `when` under `parent`; never reuses an existing one.
std::filesystem::path create_run_folder(const std::filesystem::path& parent,
                                        std::chrono::system_clock::time_point when);
/// Run folders directly under `parent`, oldest first.
std::vector<std::filesystem::path> list_run_folders(const std::filesystem::path& parent);

}  // namespace kdw
