// The restricted unpickler and state-dict rebuilding (formats/pickle_reader.*,
// formats/torch_pickle.*): the input is data.pkl, wrapped in a well-formed zip checkpoint whose
// records data/0 .. data/3 hold 16 floats each, so that mutations reach the pickle instead of
// breaking the zip around it.
#include "core/error.h"
#include "formats/torch_pickle.h"
#include "fuzz_util.h"
#include "torch_files.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string pickle(reinterpret_cast<const char*>(data), size);
  const auto file = kdw_fuzz::put("pytorch_model.bin", kdw_fuzz::zip_checkpoint(pickle, 4, 16));
  try {
    for (const auto& [name, tensor] : kdw::read_torch_checkpoint(file)) kdw_fuzz::touch(tensor);
  } catch (const kdw::Error&) {
  }
  return 0;
}
