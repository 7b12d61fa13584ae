// Thin C wrapper over sentencepiece; see kdw_spm_shim.h for why it exists. No exception may
// leave these functions: the caller lives in another link-map namespace.
#include "kdw_spm_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <exception>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

class ArraySentences : public sentencepiece::SentenceIterator {
 public:
  ArraySentences(const char* const* sentences, const size_t* sizes, size_t count)
      : sentences_(sentences), sizes_(sizes), count_(count) {
    load();
  }
  bool done() const override { return index_ >= count_; }
  void Next() override {
    ++index_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return sentencepiece::util::Status(); }

 private:
  void load() {
    if (index_ < count_) value_.assign(sentences_[index_], sizes_[index_]);
  }
  const char* const* sentences_;
  const size_t* sizes_;
  size_t count_;
  size_t index_ = 0;
  std::string value_;
};

void report(kdw_spm_bytes_fn error_out, void* user, const std::string& message) {
  if (error_out) error_out(user, message.data(), message.size());
}

const sentencepiece::SentencePieceProcessor& processor(const void* model) {
  return *static_cast<const sentencepiece::SentencePieceProcessor*>(model);
}

}  // namespace

extern "C" {

int kdw_spm_abi_version(void) {
  return KDW_SPM_ABI_VERSION;
}

int kdw_spm_train(const char* const* options, size_t option_count, const char* const* sentences,
                  const size_t* sentence_sizes, size_t count, kdw_spm_bytes_fn model_out,
                  kdw_spm_bytes_fn error_out, void* user) {
  try {
    std::unordered_map<std::string, std::string> kwargs;
    for (size_t i = 0; i < option_count; ++i) {
      const std::string option = options[i];
      const size_t eq = option.find('=');
      if (eq == std::string::npos) {
        report(error_out, user, "bad trainer option '" + option + "'");
        return -1;
      }
      kwargs[option.substr(0, eq)] = option.substr(eq + 1);
    }
    ArraySentences iterator(sentences, sentence_sizes, count);
    std::string serialized;
    const auto status = sentencepiece::SentencePieceTrainer::Train(kwargs, &iterator, &serialized);
    if (!status.ok()) {
      report(error_out, user, status.ToString());
      return -1;
    }
    model_out(user, serialized.data(), serialized.size());
    return 0;
  } catch (const std::exception& e) {
    report(error_out, user, e.what());
  } catch (...) {
    report(error_out, user, "unknown error in sentencepiece training");
  }
  return -1;
}

void* kdw_spm_load(const char* data, size_t size, kdw_spm_bytes_fn error_out, void* user) {
  try {
    auto model = std::make_unique<sentencepiece::SentencePieceProcessor>();
    const auto status = model->LoadFromSerializedProto(std::string(data, size));
    if (!status.ok()) {
      report(error_out, user, status.ToString());
      return nullptr;
    }
    if (model->GetPieceSize() <= 0) {
      report(error_out, user, "model has no pieces");
      return nullptr;
    }
    return model.release();
  } catch (const std::exception& e) {
    report(error_out, user, e.what());
  } catch (...) {
    report(error_out, user, "unknown error loading a sentencepiece model");
  }
  return nullptr;
}

void kdw_spm_free(void* model) {
  delete static_cast<sentencepiece::SentencePieceProcessor*>(model);
}

int32_t kdw_spm_piece_size(const void* model) {
  return processor(model).GetPieceSize();
}

void kdw_spm_id_to_piece(const void* model, int32_t id, kdw_spm_bytes_fn out, void* user) {
  const std::string& piece = processor(model).IdToPiece(id);
  out(user, piece.data(), piece.size());
}

float kdw_spm_score(const void* model, int32_t id) {
  return processor(model).GetScore(id);
}

int kdw_spm_encode_ids(const void* model, const char* text, size_t size, kdw_spm_ids_fn out,
                       kdw_spm_bytes_fn error_out, void* user) {
  try {
    std::vector<int> ids;
    const auto status = processor(model).Encode(std::string(text, size), &ids);
    if (!status.ok()) {
      report(error_out, user, status.ToString());
      return -1;
    }
    std::vector<int32_t> ids32(ids.begin(), ids.end());
    out(user, ids32.data(), ids32.size());
    return 0;
  } catch (const std::exception& e) {
    report(error_out, user, e.what());
  } catch (...) {
    report(error_out, user, "unknown error in sentencepiece encoding");
  }
  return -1;
}

int kdw_spm_encode_pieces(const void* model, const char* text, size_t size,
                          kdw_spm_bytes_fn piece_out, kdw_spm_bytes_fn error_out, void* user) {
  try {
    std::vector<std::string> pieces;
    const auto status = processor(model).Encode(std::string(text, size), &pieces);
    if (!status.ok()) {
      report(error_out, user, status.ToString());
      return -1;
    }
    for (const auto& p : pieces) piece_out(user, p.data(), p.size());
    return 0;
  } catch (const std::exception& e) {
    report(error_out, user, e.what());
  } catch (...) {
    report(error_out, user, "unknown error in sentencepiece encoding");
  }
  return -1;
}

int kdw_spm_decode(const void* model, const int32_t* ids, size_t count, kdw_spm_bytes_fn text_out,
                   kdw_spm_bytes_fn error_out, void* user) {
  try {
    const std::vector<int> ids_int(ids, ids + count);
    std::string text;
    const auto status = processor(model).Decode(ids_int, &text);
    if (!status.ok()) {
      report(error_out, user, status.ToString());
      return -1;
    }
    text_out(user, text.data(), text.size());
    return 0;
  } catch (const std::exception& e) {
    report(error_out, user, e.what());
  } catch (...) {
    report(error_out, user, "unknown error in sentencepiece decoding");
  }
  return -1;
}

}  // extern "C"
