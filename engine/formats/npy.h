// NumPy .npy files (format version 1.0, little-endian, C order): the on-disk form of token ids,
// offsets, labels and logits, readable from Python with numpy alone. See docs/formats.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace kdw {

enum class NpyType { kInt32, kInt64, kFloat32 };

struct NpyArray {
  NpyType type = NpyType::kFloat32;
  std::vector<int64_t> shape;
  std::vector<char> bytes;  ///< raw little-endian data, C order

  int64_t numel() const;
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(bytes.data());
  }
  /// Copies the values out as T (the stored type must match T's: int32_t, int64_t or float).
  template <typename T>
  std::vector<T> values() const;
};

/// Writes an array atomically. `shape`'s product must equal the element count.
void write_npy(const std::filesystem::path& path, NpyType type, const std::vector<int64_t>& shape,
               const void* data);
void write_npy(const std::filesystem::path& path, const std::vector<int32_t>& values);
void write_npy(const std::filesystem::path& path, const std::vector<int64_t>& values);
void write_npy(const std::filesystem::path& path, const std::vector<float>& values,
               const std::vector<int64_t>& shape);

/// Reads and validates an .npy file; errors name the file and what is wrong with it.
NpyArray read_npy(const std::filesystem::path& path);
/// Reads with an expected type and rank (-1: any rank); otherwise throws naming the file.
NpyArray read_npy(const std::filesystem::path& path, NpyType expected, int expected_rank);

/// Tensor views: the result owns its data (contiguous CPU tensor of the stored type).
at::Tensor read_npy_tensor(const std::filesystem::path& path);
/// Writes a CPU/GPU tensor of type int32, int64 or float32.
void write_npy_tensor(const std::filesystem::path& path, const at::Tensor& tensor);

const char* npy_type_name(NpyType type);

}  // namespace kdw
