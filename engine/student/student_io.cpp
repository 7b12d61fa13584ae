// Student model files: safetensors with the architecture JSON in __metadata__ (docs/formats.md,
// "Student model files"). Named .pt as in the original project; readable from Python.
#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/error.h"
#include "core/json_read.h"
#include "core/printable.h"
#include "core/read_guard.h"
#include "formats/safetensors.h"
#include "student/student_model.h"

namespace fs = std::filesystem;

namespace kdw {
namespace {
const char* const kFormatKey = "kdw_format";
const char* const kFormatValue = "student/1";
const char* const kArchKey = "arch";
}  // namespace

void save_student(const StudentModel& model, const fs::path& path) {
  std::vector<std::pair<std::string, at::Tensor>> tensors;
  for (const auto& item : model->named_parameters())
    tensors.emplace_back(item.key(), item.value().detach().to(at::kCPU).contiguous());
  write_safetensors(path, tensors,
                    {{kFormatKey, kFormatValue}, {kArchKey, model->arch().to_json().dump()}});
}

namespace {

std::string shape_text(at::IntArrayRef shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The architecture in a model file's metadata; an Error naming the file when it is not there or
// does not read.
StudentArch arch_of(const fs::path& path, const std::map<std::string, std::string>& metadata) {
  const auto format = metadata.find(kFormatKey);
  const auto arch_text = metadata.find(kArchKey);
  if (format == metadata.end() || format->second != kFormatValue || arch_text == metadata.end())
    throw file_error(path, "not a student model file (no kdw student metadata)");
  const nlohmann::json arch_json =
      parse_json(arch_text->second, path, "corrupt architecture metadata");
  try {
    return StudentArch::from_json(arch_json);
  } catch (const Error& e) {
    throw file_error(path, printable(e.what(), 200));
  }
}

StudentModel read_student(const fs::path& path, std::optional<StudentType> expected) {
  const SafetensorsFile file = read_safetensors(path);
  const StudentArch arch = arch_of(path, file.metadata);
  if (expected && *expected != arch.type)
    throw file_error(path, "holds a " + student_type_name(arch.type) + " model, model_type says " +
                               student_type_name(*expected));
  // The metadata's sizes are held against the tensors the file really holds before the model is
  // built: a few-KB file whose metadata claims a huge vocabulary allocates nothing.
  const auto shapes = arch.parameter_shapes();
  if (file.tensors.size() != shapes.size())
    throw file_error(path, "holds " + std::to_string(file.tensors.size()) +
                               " tensors, the architecture needs " + std::to_string(shapes.size()));
  for (const auto& [name, shape] : shapes) {
    const at::Tensor t = file.find(name);
    if (!t.defined()) throw file_error(path, "missing tensor " + name);
    if (t.sizes() != at::IntArrayRef(shape) || t.scalar_type() != at::kFloat)
      throw file_error(path, "tensor " + name + " has shape " + shape_text(t.sizes()) + " (" +
                                 std::string(c10::toString(t.scalar_type())) +
                                 "), the architecture needs " + shape_text(shape) + " (Float)");
  }
  StudentModel model(arch);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) item.value().copy_(file.find(item.key()));
  return model;
}

}  // namespace

StudentArch read_student_arch(const fs::path& path) {
  if (!fs::exists(path)) throw file_error(path, "no such model file");
  std::map<std::string, std::string> metadata;
  read_safetensors_info(path, &metadata);
  return arch_of(path, metadata);
}

StudentModel load_student(const fs::path& path, std::optional<StudentType> expected) {
  if (!fs::exists(path)) throw file_error(path, "no such model file");
  return guard_file_read(path, [&] { return read_student(path, expected); });
}

}  // namespace kdw
