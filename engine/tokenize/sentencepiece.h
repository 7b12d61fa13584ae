// sentencepiece (train / encode), isolated from LibTorch: Debian's libsentencepiece carries its own
// protobuf, which crashes a process that also loads LibTorch's. The library is reached only through
// libkdw_spm_shim.so (plain C ABI) loaded with dlmopen into its own link-map namespace.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kdw {

struct SentencePieceTrainOptions {
  std::string model_type = "unigram";  // or "bpe"
  int vocab_size = 8000;
};

class SentencePieceModel {
 public:
  /// Trains on `sentences` and writes <model_prefix>.model and .vocab; ids: 0=<pad>, 1=<unk>, no
  /// bos/eos (so they match the student vocabulary convention: index 0 = padding, 1 = OOV).
  static void train(const std::vector<std::string>& sentences,
                    const std::filesystem::path& model_prefix,
                    const SentencePieceTrainOptions& options);
  explicit SentencePieceModel(
      const std::filesystem::path& model_file);  // kdw::Error naming the file
  ~SentencePieceModel();
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  std::vector<int32_t> encode(std::string_view text) const;
  std::vector<std::string> pieces(std::string_view text) const;
  int32_t vocab_size() const;
  std::string id_to_piece(int32_t id) const;
  /// Ids back to text.
  std::string decode(const std::vector<int32_t>& ids) const;

 private:
  void* handle_ = nullptr;  // the shim's model object
};

}  // namespace kdw
