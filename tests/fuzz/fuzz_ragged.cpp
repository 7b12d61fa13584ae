// Ragged splits (formats/ragged.*): four .npy files (ids, offsets, labels, rows) cut from the
// input at the separator, then every sample's ids are read through the offsets.
#include "core/error.h"
#include "formats/ragged.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto parts = kdw_fuzz::split(data, size, 4);
  const char* names[] = {"train_ids.npy", "train_offsets.npy", "train_labels.npy",
                         "train_rows.npy"};
  for (int k = 0; k < 4; ++k) kdw_fuzz::put(names[k], parts[k]);
  try {
    const kdw::RaggedSplit split = kdw::read_ragged_split(kdw_fuzz::scratch(), "train");
    int64_t sum = 0;
    for (int64_t i = 0; i < split.size(); ++i)
      for (int64_t k = split.offsets[i]; k < split.offsets[i + 1]; ++k)
        sum += split.ids.at(static_cast<std::size_t>(k));
    if (split.rows.size() != split.labels.size()) __builtin_trap();
    (void)sum;
  } catch (const kdw::Error&) {
  }
  return 0;
}
