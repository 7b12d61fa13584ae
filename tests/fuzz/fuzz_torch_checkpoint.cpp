// PyTorch checkpoints as whole files (formats/torch_pickle.*, zip_reader.*, pickle_reader.*):
// the zip format (central directory, records, deflate) and the legacy format (five pickles and
// raw storages); the whole reader and the names-and-shapes one.
#include "core/error.h"
#include "formats/torch_pickle.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto file = kdw_fuzz::put("pytorch_model.bin", data, size);
  try {
    for (const auto& [name, tensor] : kdw::read_torch_checkpoint(file)) kdw_fuzz::touch(tensor);
  } catch (const kdw::Error&) {
  }
  try {  // the names-and-shapes reader of BERT folder inspection (no storage bytes)
    for (const auto& info : kdw::read_torch_checkpoint_info(file)) (void)info.name.size();
  } catch (const kdw::Error&) {
  }
  return 0;
}
