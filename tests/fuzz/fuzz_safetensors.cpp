// safetensors files (formats/safetensors.*): the whole reader and the header-only one.
#include "formats/safetensors.h"

#include "core/error.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = kdw_fuzz::put("model.safetensors", data, size);
  try {
    const kdw::SafetensorsFile st = kdw::read_safetensors(file);
    for (const auto& [name, tensor] : st.tensors) kdw_fuzz::touch(tensor);
  } catch (const kdw::Error&) {
  }
  try {  // the header-only reader of BERT folder inspection
    for (const auto& info : kdw::read_safetensors_info(file)) (void)info.name.size();
  } catch (const kdw::Error&) {
  }
  return 0;
}
