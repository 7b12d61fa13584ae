// Student model files (student/student_io.*): safetensors whose metadata holds the architecture
// JSON; loading builds the model and copies the tensors into it, read_student_arch reads the
// header only.
#include "core/error.h"
#include "fuzz_util.h"
#include "student/student_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = kdw_fuzz::put("model_distill_stack_biLSTM.pt", data, size);
  try {
    const kdw::StudentModel model = kdw::load_student(file);
    model->parameter_count();
    model->arch().to_json().dump();
  } catch (const kdw::Error&) {
  }
  try {  // the header alone, as the Runs browser reads a hand-made run's shape
    kdw::read_student_arch(file).shape_text();
  } catch (const kdw::Error&) {
  }
  return 0;
}
