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

#include "formats/tensor_info.h"

namespace kdw {

/// The state dict's tensors in file order (CPU, contiguous). Nested dicts are flattened with "."
/// Throws kdw::Error "<path>: <problem>" on anything unexpected.
std::vector<std::pair<std::string, at::Tensor>> read_torch_checkpoint(
    const std::filesystem::path& path);

/// The state dict's tensors' names, dtypes and shapes, with the same checks of the pickle and of
/// each storage's size and place in the file as read_torch_checkpoint, without reading the
/// storages' bytes: of a zip checkpoint only its directory, data.pkl and local headers are read;
/// of a legacy one the pickles at its start and each storage's 8-byte element count.
std::vector<TensorInfo> read_torch_checkpoint_info(const std::filesystem::path& path);

}  // namespace kdw
