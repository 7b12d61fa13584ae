// Shared helpers of the BERT tests: the reference fixture and folder copies to damage.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <ATen/ATen.h>

namespace kdw::test {

std::filesystem::path bert_fixtures();

struct ExpectedOutputs {
  at::Tensor input_ids, attention_mask, token_type_ids;  // [4, 24] int64
  at::Tensor sequence_output, pooled_output, logits;     // float32, reference shapes
  double tolerance = 0;
};
ExpectedOutputs expected_outputs();

/// Copies every file of `from` into `to` (created), writable.
void copy_folder(const std::filesystem::path& from, const std::filesystem::path& to);

std::string read_bytes(const std::filesystem::path& file);
void write_bytes(const std::filesystem::path& file, const std::string& bytes);

/// Max |a - b|, as a double.
double max_abs_diff(const at::Tensor& a, const at::Tensor& b);

}  // namespace kdw::test
