// Student model files: safetensors with the architecture JSON in __metadata__ (docs/formats.md,
// "Student model files"). Named .pt as in the original project; readable from Python.
#include <ATen/ATen.h>
#include <torch/utils.h>

#include "core/error.h"
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

StudentModel load_student(const fs::path& path, std::optional<StudentType> expected) {
  if (!fs::exists(path)) throw file_error(path, "no such model file");
  const SafetensorsFile file = read_safetensors(path);
  const auto format = file.metadata.find(kFormatKey);
  const auto arch_text = file.metadata.find(kArchKey);
  if (format == file.metadata.end() || format->second != kFormatValue ||
      arch_text == file.metadata.end())
    throw file_error(path, "not a student model file (no kdw student metadata)");
  StudentArch arch;
  try {
    arch = StudentArch::from_json(nlohmann::json::parse(arch_text->second));
  } catch (const nlohmann::json::exception& e) {
    throw file_error(path, std::string("corrupt architecture metadata: ") + e.what());
  } catch (const Error& e) {
    throw file_error(path, e.what());
  }
  if (expected && *expected != arch.type)
    throw file_error(path, "holds a " + student_type_name(arch.type) +
                               " model, --model_type says " + student_type_name(*expected));
  StudentModel model(arch);
  torch::NoGradGuard no_grad;
  auto params = model->named_parameters();
  if (file.tensors.size() != params.size())
    throw file_error(path, "holds " + std::to_string(file.tensors.size()) +
                               " tensors, the architecture needs " + std::to_string(params.size()));
  for (auto& item : params) {
    const at::Tensor t = file.find(item.key());
    if (!t.defined()) throw file_error(path, "missing tensor " + item.key());
    if (t.sizes() != item.value().sizes() || t.scalar_type() != at::kFloat)
      throw file_error(
          path, "tensor " + item.key() + " has the wrong shape or type for the architecture");
    item.value().copy_(t);
  }
  return model;
}

}  // namespace kdw
