// Content hashes used to tie outputs to their inputs (vocabulary of bert_data, inputs of logits).
// FNV-1a 64-bit: for change detection, not for security.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace kdw {

/// 16 hex digits.
std::string content_hash(std::string_view bytes);
/// Hash of a file's bytes; throws kdw::Error naming the file when it cannot be read.
std::string file_hash(const std::filesystem::path& path);

}  // namespace kdw
