// Components files (compress/selection.*), checked against a model's architecture: byte 0 picks
// a stack_LSTM or a stack_biLSTM of 2 layers (6 and 4 units), the rest is the file.
#include <array>

#include "compress/selection.h"
#include "core/error.h"
#include "fuzz_util.h"

namespace {
std::array<kdw::StudentArch, 2> make_archs() {
  std::array<kdw::StudentArch, 2> a;
  a[0] = kdw::StudentArch::make(kdw::StudentType::kStackLSTM, 20, 4, 6, 2, {"neg", "pos"}, 0.0);
  a[1] = kdw::StudentArch::make(kdw::StudentType::kStackBiLSTM, 20, 4, 6, 2, {"neg", "pos"}, 0.0);
  a[1].hidden[1] = {4, 4};
  return a;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const std::array<kdw::StudentArch, 2> archs = make_archs();
  const kdw::StudentArch& arch = archs[data[0] % 2];
  const auto file = kdw_fuzz::put("components.json", data + 1, size - 1);
  try {
    const kdw::Selection selection = kdw::read_components_file(file, arch);
    kdw::validate_selection(selection, arch, file.string());
    selection.to_json().dump();
    selection.count();
  } catch (const kdw::Error&) {
  }
  return 0;
}
