// Writing a student for deployment (see docs/export.md): a folder with the .pt as saved by
// kdw, config.json (architecture, labels, tensor names and shapes), model.safetensors (the
// documented parameter names of student/student_model.h) and the vocabulary when found.
#pragma once

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

namespace kdw {

struct ExportOptions {
  std::filesystem::path model_file;
  std::filesystem::path output_dir;
  /// The student vocabulary (tokens/vocab.txt); empty: looked for next to the model (see
  /// find_vocabulary).
  std::filesystem::path vocab_file;
};

/// Where the vocabulary of a model is looked for, in order: <model dir>/vocab.txt,
/// <model dir>/../files/data/tokens/vocab.txt (a workspace run folder),
/// <model dir>/../data/tokens/vocab.txt (the original flat layout). The first that exists.
std::optional<std::filesystem::path> find_vocabulary(const std::filesystem::path& model_file);

/// Writes the folder atomically (replacing an older export only once complete). Writes only into
/// a new folder, an empty one or one an earlier export made (compress/export_folder.h); any other
/// folder is an error and stays untouched. A vocabulary
/// whose line count differs from the model's embedding rows is an error when given explicitly,
/// and skipped with a warning when found. Returns config.json's content plus "vocab_source".
nlohmann::json export_student(const ExportOptions& options);

}  // namespace kdw
