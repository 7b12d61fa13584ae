// Hugging Face safetensors files: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}, then raw tensor bytes.
// Reading is bounds-checked: a truncated or corrupt file is an error, never a crash.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include "formats/tensor_info.h"

namespace kdw {

struct SafetensorsFile {
  std::vector<std::pair<std::string, at::Tensor>> tensors;  ///< in file order, CPU, contiguous
  std::map<std::string, std::string> metadata;

  /// The tensor called `name`, or an undefined tensor.
  at::Tensor find(const std::string& name) const;
};

/// Supports F32, F16, BF16, F64, I64, I32, I16, I8, U8 and BOOL.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

/// The tensors' names, dtypes and shapes in file order, with the same checks of the header as
/// read_safetensors, reading only the 8-byte length and the JSON header, none of the tensor bytes.
/// With `metadata`, the header's __metadata__ goes there.
std::vector<TensorInfo> read_safetensors_info(
    const std::filesystem::path& path, std::map<std::string, std::string>* metadata = nullptr);

/// Writes atomically; tensors are stored in the given order with their own dtype.
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, at::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace kdw
