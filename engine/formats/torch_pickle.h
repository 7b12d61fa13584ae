// Reader for checkpoints written by Python's torch.save: the zip format (PyTorch >= 1.6) and the
// legacy format (magic/protocol/sys-info pickles, object pickle, raw storages). The archive is
// read by formats/zip_reader.h, the pickles by the restricted unpickler of
// formats/pickle_reader.h (only the opcodes torch.save emits and an allow-list of globals, so a
// checkpoint can never run code). Every read is bounds-checked; bad files throw kdw::Error.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

namespace kdw {

/// The state dict's tensors in file order (CPU, contiguous). Nested dicts are flattened with "."
/// Throws kdw::Error "<path>: <problem>" on anything unexpected.
std::vector<std::pair<std::string, at::Tensor>> read_torch_checkpoint(
    const std::filesystem::path& path);

}  // namespace kdw
