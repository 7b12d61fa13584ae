// kdw bert-info: reports what a BERT folder holds; exits 1 when the model could not be loaded
// from it (tensors missing, files disagreeing).
#include <cstdio>
#include <string>

#include "bert/bert_io.h"
#include "cli_args.h"
#include "common_options.h"
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {
namespace {

std::string list_text(const std::vector<std::string>& items, std::size_t limit) {
  if (items.empty()) return "none";
  std::string s;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) s += (i ? ", " : "") + items[i];
  if (items.size() > limit) s += ", ... (" + std::to_string(items.size()) + " in all)";
  return s;
}

}  // namespace

int run_bert_info(int argc, char** argv) {
  std::string bert_path;
  CommonOptions common;
  ArgParser parser(
      "bert-info",
      "Report what a BERT folder holds: layout, sizes, labels, unused and missing tensors.");
  parser.add_path("bert_path", &bert_path, "BERT folder (DeepPavlov or Hugging Face layout)", true);
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);

  const BertFolderInfo info = inspect_bert_folder(bert_path);
  const BertConfig& c = info.config;
  std::printf("folder:       %s\n", bert_path.c_str());
  std::printf("layout:       %s\n", info.layout.c_str());
  std::printf("config:       %s\n", info.config_file.filename().c_str());
  std::printf("weights:      %s\n", info.weights_file.empty()
                                        ? "none (random initialisation)"
                                        : info.weights_file.filename().c_str());
  std::printf(
      "shape:        %lld layers, hidden %lld, %lld heads, intermediate %lld, max positions %lld\n",
      static_cast<long long>(c.num_hidden_layers), static_cast<long long>(c.hidden_size),
      static_cast<long long>(c.num_attention_heads), static_cast<long long>(c.intermediate_size),
      static_cast<long long>(c.max_position_embeddings));
  std::printf("parameters:   %lld\n", static_cast<long long>(info.parameter_count));
  std::printf("vocabulary:   %lld entries (vocab.txt)\n", static_cast<long long>(info.vocab_lines));
  std::printf("classifier:   %s\n",
              info.has_classifier ? "yes" : "no (a new head is made for the data's labels)");
  std::printf("labels:       %s\n", list_text(info.labels, 50).c_str());
  std::printf("unexpected:   %s\n", list_text(info.unexpected, 8).c_str());
  std::printf("missing:      %s\n", list_text(info.missing, 8).c_str());
  if (!info.missing.empty())
    throw file_error(info.weights_file,
                     std::to_string(info.missing.size()) + " tensors of the model are missing");
  return 0;
}

}  // namespace kdw::cli
