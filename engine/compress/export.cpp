#include "compress/export.h"

#include <fstream>
#include <map>

#include <ATen/ATen.h>

#include "compress/export_folder.h"
#include "compress/selection.h"
#include "core/atomic_output.h"
#include "core/error.h"
#include "core/log.h"
#include "formats/safetensors.h"
#include "student/student_model.h"

namespace kdw {
namespace fs = std::filesystem;
namespace {

int64_t count_lines(const std::string& text) {
  int64_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

std::vector<std::string> tensor_names(const StudentArch& arch) {
  std::vector<std::string> names = {"embedding.weight"};
  for (size_t l = 0; l < arch.hidden.size(); ++l)
    for (int d = 0; d < arch.num_directions(); ++d)
      for (const char* p : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
        names.push_back("layers." + std::to_string(l) + "." + direction_name(d) + "." + p);
  names.push_back("classifier.weight");
  names.push_back("classifier.bias");
  return names;
}

}  // namespace

std::optional<fs::path> find_vocabulary(const fs::path& model_file) {
  const fs::path dir = model_file.parent_path().empty() ? fs::path(".") : model_file.parent_path();
  for (const fs::path& p :
       {dir / "vocab.txt", dir / ".." / "files" / "data" / "tokens" / "vocab.txt",
        dir / ".." / "data" / "tokens" / "vocab.txt"}) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.lexically_normal();
  }
  return std::nullopt;
}

nlohmann::json export_student(const ExportOptions& options) {
  ExportFolder out(options.output_dir);  // refuses a folder it may not write, before any work
  const StudentModel model = load_student(options.model_file);
  const StudentArch& arch = model->arch();

  std::string vocab_text;
  std::string vocab_source;
  if (!options.vocab_file.empty()) {
    vocab_text = read_file(options.vocab_file);
    const int64_t lines = count_lines(vocab_text);
    if (lines != arch.vocab_size)
      throw file_error(options.vocab_file, std::to_string(lines) + " lines, but the model has " +
                                               std::to_string(arch.vocab_size) +
                                               " embedding rows (one line per row expected)");
    vocab_source = options.vocab_file.string();
  } else if (auto found = find_vocabulary(options.model_file)) {
    std::string text = read_file(*found);
    const int64_t lines = count_lines(text);
    if (lines == arch.vocab_size) {
      vocab_text = std::move(text);
      vocab_source = found->string();
    } else {
      log::warn(
          "{}: {} lines, the model has {} embedding rows: not the model's vocabulary, "
          "not exported (give --vocab)",
          found->string(), lines, arch.vocab_size);
    }
  } else {
    log::warn("no vocabulary found next to {} (give --vocab); exported without vocab.txt",
              options.model_file.string());
  }

  std::vector<std::pair<std::string, at::Tensor>> tensors;
  nlohmann::json described = nlohmann::json::array();
  for (const std::string& name : tensor_names(arch)) {
    at::Tensor t = model->param(name).detach().to(at::kCPU, at::kFloat).contiguous();
    described.push_back({{"name", name}, {"shape", t.sizes().vec()}, {"dtype", "F32"}});
    tensors.emplace_back(name, t);
  }

  nlohmann::json hidden = nlohmann::json::array();
  for (const auto& h : arch.hidden) {
    if (arch.num_directions() == 2)
      hidden.push_back({{"fwd", h[0]}, {"bwd", h[1]}});
    else
      hidden.push_back({{"fwd", h[0]}});
  }
  nlohmann::json config = {
      {"format", "kdw-student-export"},
      {"format_version", 1},
      {"model_type", student_type_name(arch.type)},
      {"num_layers", arch.hidden.size()},
      {"hidden", hidden},
      {"vocab_size", arch.vocab_size},
      {"emb_dim", arch.emb_dim},
      {"num_labels", arch.num_labels()},
      {"labels", arch.labels},
      {"gate_order", {"i", "f", "g", "o"}},
      {"padding_index", 0},
      {"unknown_index", 1},
      {"tensors", described},
      {"weights_file", "model.safetensors"},
      {"model_file", options.model_file.filename().string()},
      {"vocab_file", vocab_text.empty() ? nlohmann::json(nullptr) : nlohmann::json("vocab.txt")},
      {"arch", arch.to_json()}};

  // The .pt is copied byte for byte: it is what kdw itself loads.
  const std::string model_bytes = read_file(options.model_file);
  out.begin();
  write_file_atomic(out.stage(options.model_file.filename().string()), model_bytes);
  write_safetensors(out.stage("model.safetensors"), tensors,
                    {{"format", "pt"}, {"model_type", student_type_name(arch.type)}});
  write_file_atomic(out.stage("config.json"), config.dump(2) + "\n");
  if (!vocab_text.empty()) write_file_atomic(out.stage("vocab.txt"), vocab_text);
  out.commit();

  config["vocab_source"] =
      vocab_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(vocab_source);
  config["output_dir"] = options.output_dir.string();
  return config;
}

}  // namespace kdw
