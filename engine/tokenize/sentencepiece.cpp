// The isolation lives here: libkdw_spm_shim.so (which links libsentencepiece and its private
// protobuf) is opened with dlmopen(LM_ID_NEWLM) so its symbols never meet LibTorch's protobuf.
#include "tokenize/sentencepiece.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <sstream>

#include "core/atomic_output.h"
#include "core/error.h"
#include "tokenize/spm_shim/kdw_spm_shim.h"

namespace kdw {
namespace {

namespace fs = std::filesystem;

struct Shim {
  decltype(&kdw_spm_abi_version) abi_version = nullptr;
  decltype(&kdw_spm_train) train = nullptr;
  decltype(&kdw_spm_load) load = nullptr;
  decltype(&kdw_spm_free) free = nullptr;
  decltype(&kdw_spm_piece_size) piece_size = nullptr;
  decltype(&kdw_spm_id_to_piece) id_to_piece = nullptr;
  decltype(&kdw_spm_score) score = nullptr;
  decltype(&kdw_spm_encode_ids) encode_ids = nullptr;
  decltype(&kdw_spm_encode_pieces) encode_pieces = nullptr;
  decltype(&kdw_spm_decode) decode = nullptr;
};

fs::path shim_path() {
  if (const char* env = std::getenv("KDW_SPM_SHIM"); env && *env) return env;
#ifdef KDW_SPM_SHIM_BUILD_PATH
  if (std::error_code ec; fs::exists(KDW_SPM_SHIM_BUILD_PATH, ec)) return KDW_SPM_SHIM_BUILD_PATH;
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return exe.parent_path() / ".." / "lib" / "kdw" / "libkdw_spm_shim.so";
}

template <typename F>
void bind(void* handle, const fs::path& path, const char* name, F& target) {
  void* symbol = dlsym(handle, name);
  if (!symbol) throw file_error(path, std::string("missing symbol ") + name);
  target = reinterpret_cast<F>(symbol);
}

Shim open_shim() {
  const fs::path path = shim_path();
  // A namespace of its own: the shim's libsentencepiece, protobuf and libstdc++ stay invisible
  // here.
  void* handle = dlmopen(LM_ID_NEWLM, path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    throw file_error(path,
                     std::string("cannot load the sentencepiece library (set KDW_SPM_SHIM): ") +
                         (why ? why : "unknown error"));
  }
  // Never dlclose: models may outlive any owner, and unloading a namespace buys nothing.
  Shim s;
  bind(handle, path, "kdw_spm_abi_version", s.abi_version);
  bind(handle, path, "kdw_spm_train", s.train);
  bind(handle, path, "kdw_spm_load", s.load);
  bind(handle, path, "kdw_spm_free", s.free);
  bind(handle, path, "kdw_spm_piece_size", s.piece_size);
  bind(handle, path, "kdw_spm_id_to_piece", s.id_to_piece);
  bind(handle, path, "kdw_spm_score", s.score);
  bind(handle, path, "kdw_spm_encode_ids", s.encode_ids);
  bind(handle, path, "kdw_spm_encode_pieces", s.encode_pieces);
  bind(handle, path, "kdw_spm_decode", s.decode);
  if (s.abi_version() != KDW_SPM_ABI_VERSION)
    throw file_error(path, "wrong version of the shim library");
  return s;
}

const Shim& shim() {
  static const Shim s = open_shim();  // thread-safe; a failure is retried on the next call
  return s;
}

// Callback sinks: the shim calls back into this namespace, so our own allocator does the work.
void append_bytes(void* user, const char* data, size_t size) {
  static_cast<std::string*>(user)->append(data, size);
}
void push_piece(void* user, const char* data, size_t size) {
  static_cast<std::vector<std::string>*>(user)->emplace_back(data, size);
}
void append_ids(void* user, const int32_t* ids, size_t count) {
  auto* out = static_cast<std::vector<int32_t>*>(user);
  out->insert(out->end(), ids, ids + count);
}

struct Sinks {
  std::string bytes;
  std::string error;
  std::vector<int32_t> ids;
  std::vector<std::string> pieces;
};
void sink_bytes(void* user, const char* d, size_t n) {
  append_bytes(&static_cast<Sinks*>(user)->bytes, d, n);
}
void sink_error(void* user, const char* d, size_t n) {
  append_bytes(&static_cast<Sinks*>(user)->error, d, n);
}
void sink_ids(void* user, const int32_t* ids, size_t n) {
  append_ids(&static_cast<Sinks*>(user)->ids, ids, n);
}
void sink_piece(void* user, const char* d, size_t n) {
  push_piece(&static_cast<Sinks*>(user)->pieces, d, n);
}

}  // namespace

void SentencePieceModel::train(const std::vector<std::string>& sentences,
                               const fs::path& model_prefix,
                               const SentencePieceTrainOptions& options) {
  if (options.model_type != "unigram" && options.model_type != "bpe") {
    throw Error("sentencepiece model type must be 'unigram' or 'bpe', got '" + options.model_type +
                "'");
  }
  if (options.vocab_size < 3) throw Error("sentencepiece vocab_size must be at least 3");
  if (sentences.empty()) throw Error("no sentences to train sentencepiece on");
  const fs::path model_file = fs::path(model_prefix.string() + ".model");
  const fs::path vocab_file = fs::path(model_prefix.string() + ".vocab");
  const std::vector<std::string> flags = {
      "model_type=" + options.model_type, "vocab_size=" + std::to_string(options.vocab_size),
      "pad_id=0", "unk_id=1", "bos_id=-1", "eos_id=-1",
      // One thread and no sampling: the same sentences give the same model.
      "num_threads=1", "input_sentence_size=0", "shuffle_input_sentence=false",
      // Small data sets: a vocab_size that cannot be reached is an upper bound, not an error.
      "hard_vocab_limit=false", "minloglevel=2"};
  std::vector<const char*> flag_ptrs;
  for (const auto& f : flags) flag_ptrs.push_back(f.c_str());
  std::vector<const char*> texts;
  std::vector<size_t> sizes;
  texts.reserve(sentences.size());
  sizes.reserve(sentences.size());
  for (const auto& s : sentences) {
    texts.push_back(s.data());
    sizes.push_back(s.size());
  }
  const Shim& sp = shim();
  Sinks sinks;
  if (sp.train(flag_ptrs.data(), flag_ptrs.size(), texts.data(), sizes.data(), texts.size(),
               sink_bytes, sink_error, &sinks) != 0) {
    throw file_error(model_file, "sentencepiece training failed: " + sinks.error);
  }
  // The .vocab listing comes from the trained model itself ("piece<TAB>score" per id, as
  // spm_train).
  Sinks load_sinks;
  const std::unique_ptr<void, decltype(sp.free)> model(
      sp.load(sinks.bytes.data(), sinks.bytes.size(), sink_error, &load_sinks), sp.free);
  if (!model)
    throw file_error(model_file, "sentencepiece produced an unreadable model: " + load_sinks.error);
  std::ostringstream vocab;
  const int32_t size = sp.piece_size(model.get());
  for (int32_t i = 0; i < size; ++i) {
    std::string piece;
    sp.id_to_piece(model.get(), i, append_bytes, &piece);
    vocab << piece << '\t' << sp.score(model.get(), i) << '\n';
  }
  // Both files are complete under temporary names before either is renamed into place.
  AtomicFile model_out(model_file);
  model_out.write(sinks.bytes);
  AtomicFile vocab_out(vocab_file);
  vocab_out.write(vocab.str());
  model_out.commit();
  vocab_out.commit();
}

SentencePieceModel::SentencePieceModel(const fs::path& model_file) {
  const std::string bytes = read_file(model_file);
  const Shim& sp = shim();
  Sinks sinks;
  handle_ = sp.load(bytes.data(), bytes.size(), sink_error, &sinks);
  if (!handle_) throw file_error(model_file, "not a sentencepiece model: " + sinks.error);
}

SentencePieceModel::~SentencePieceModel() {
  if (handle_) shim().free(handle_);
}

std::vector<int32_t> SentencePieceModel::encode(std::string_view text) const {
  Sinks sinks;
  if (shim().encode_ids(handle_, text.data(), text.size(), sink_ids, sink_error, &sinks) != 0) {
    throw Error("sentencepiece encoding failed: " + sinks.error);
  }
  return std::move(sinks.ids);
}

std::vector<std::string> SentencePieceModel::pieces(std::string_view text) const {
  Sinks sinks;
  if (shim().encode_pieces(handle_, text.data(), text.size(), sink_piece, sink_error, &sinks) !=
      0) {
    throw Error("sentencepiece encoding failed: " + sinks.error);
  }
  return std::move(sinks.pieces);
}

int32_t SentencePieceModel::vocab_size() const {
  return shim().piece_size(handle_);
}

std::string SentencePieceModel::id_to_piece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) {
    throw Error("sentencepiece id " + std::to_string(id) + " is outside the vocabulary (size " +
                std::to_string(vocab_size()) + ")");
  }
  Sinks sinks;
  shim().id_to_piece(handle_, id, sink_bytes, &sinks);
  return std::move(sinks.bytes);
}

std::string SentencePieceModel::decode(const std::vector<int32_t>& ids) const {
  const int32_t size = vocab_size();
  for (const int32_t id : ids) {
    if (id < 0 || id >= size) {
      throw Error("sentencepiece id " + std::to_string(id) + " is outside the vocabulary (size " +
                  std::to_string(size) + ")");
    }
  }
  Sinks sinks;
  if (shim().decode(handle_, ids.data(), ids.size(), sink_bytes, sink_error, &sinks) != 0) {
    throw Error("sentencepiece decoding failed: " + sinks.error);
  }
  return std::move(sinks.bytes);
}

}  // namespace kdw
