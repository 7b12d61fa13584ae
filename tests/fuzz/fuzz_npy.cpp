// NumPy .npy files (formats/npy.*), read as any array, as a tensor and with expected types.
#include "core/error.h"
#include "formats/npy.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = kdw_fuzz::put("array.npy", data, size);
  try {
    const kdw::NpyArray a = kdw::read_npy(file);
    switch (a.type) {
      case kdw::NpyType::kInt32:
        a.values<int32_t>();
        break;
      case kdw::NpyType::kInt64:
        a.values<int64_t>();
        break;
      case kdw::NpyType::kFloat32:
        a.values<float>();
        break;
    }
  } catch (const kdw::Error&) {
  }
  try {
    kdw_fuzz::touch(kdw::read_npy_tensor(file));
  } catch (const kdw::Error&) {
  }
  try {
    kdw::read_npy(file, kdw::NpyType::kInt64, 1).values<int64_t>();
  } catch (const kdw::Error&) {
  }
  return 0;
}
