// safetensors files (formats/safetensors.*).
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
  return 0;
}
