// kdw prepare: a labelled table -> files/data/{tokens,bert_data}, labels.json, prepare.json.
#include <iostream>
#include <string>

#include "cli_args.h"
#include "common_options.h"
#include "core/error.h"
#include "core/workspace.h"
#include "data/prepare.h"
#include "data/prepare_options.h"
#include "formats/ragged.h"
#include "verbs.h"

namespace kdw::cli {

namespace {

void print_summary(const nlohmann::json& s, const Workspace& ws) {
  const auto& c = s["counts"];
  std::cout << "rows read " << c["rows_read"] << ", skipped " << c["rows_skipped"]
            << ", dropped: empty " << c["dropped_empty"] << ", duplicate " << c["dropped_duplicate"]
            << ", no label " << c["dropped_no_label"] << ", rare class " << c["dropped_rare_class"]
            << "\n";
  std::cout << "samples " << c["samples"] << " in " << s["labels"].size() << " classes\n";
  for (const char* split : kSplitNames) {
    const auto& info = s["splits"][split];
    std::cout << "  " << split << ": " << info["samples"] << " (";
    bool first = true;
    for (const auto& [label, n] : info["per_class"].items()) {
      std::cout << (first ? "" : ", ") << label << " " << n;
      first = false;
    }
    std::cout << ")\n";
  }
  std::cout << "student vocabulary (" << s["student"]["tokenizer"].get<std::string>()
            << "): " << s["vocab_size"] << " entries incl. <pad> and <unk>\n";
  std::cout << "tokens:      " << ws.tokens_dir().string() << "\n";
  if (!s["bert"].is_null()) {
    std::cout << "bert_data:   " << ws.bert_data_dir().string() << " (max_seq_len "
              << s["bert"]["max_seq_len"] << ", " << s["bert"]["truncated_samples"]
              << " samples truncated)\n";
  }
  std::cout << "summary:     " << ws.prepare_file().string() << "\n";
}

}  // namespace

int run_prepare(int argc, char** argv) {
  PrepareOptions o;
  CommonOptions common;
  bool keep_duplicates = false, keep_empty = false;
  ArgParser parser(
      "prepare",
      "Reads a labelled table, cleans the texts, splits them (stratified by label) and\n"
      "writes the student's token files and, with --bert_vocab, the teacher's WordPiece\n"
      "ids into <workspace>/files/data (see docs/formats.md).");
  // The options come from the engine's table (data/prepare_options.cpp); the two --keep_
  // switches are the CLI's spelling of drop_duplicates / drop_empty turned off.
  parser.add_table(prepare_option_table(), o);
  parser.add_flag("keep_duplicates", &keep_duplicates, "keep repeated texts (default: first only)");
  parser.add_flag("keep_empty", &keep_empty, "keep texts that are empty after cleaning");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  if (keep_duplicates) o.cleaning.drop_duplicates = false;
  if (keep_empty) o.cleaning.drop_empty = false;

  ConsoleJob console;
  const PrepareResult result = kdw::run_prepare(o, console.context());
  print_summary(result.summary, Workspace{o.workspace});
  return 0;
}

}  // namespace kdw::cli
