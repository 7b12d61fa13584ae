// kdw tokenize: lines on stdin -> WordPiece tokens (or ids) on stdout, one output line per input
// line.
#include <iostream>
#include <string>

#include "cli_args.h"
#include "common_options.h"
#include "core/error.h"
#include "tokenize/wordpiece.h"
#include "verbs.h"

namespace kdw::cli {

int run_tokenize(int argc, char** argv) {
  std::string vocab;
  bool lower = false;
  bool ids = false;
  int max_seq_len = 0;
  CommonOptions common;  // accepted as by every verb; tokenizing itself runs on one thread
  ArgParser parser(
      "tokenize",
      "Reads lines on stdin and prints, per line, its BERT WordPiece tokens separated by spaces.\n"
      "Without --max_seq_len: the pieces only. With --max_seq_len N: the model input, i.e.\n"
      "[CLS] pieces [SEP], truncated to N in total.");
  parser.add_path("vocab", &vocab, "BERT vocabulary (vocab.txt, one piece per line)", true);
  parser.add_flag("lower", &lower, "lower-case and strip accents first (uncased models)");
  parser.add_flag("ids", &ids, "print vocabulary ids instead of pieces");
  parser.add_int("max_seq_len", &max_seq_len,
                 "add [CLS]/[SEP] and cut to this many tokens (0: off, else >= 2)");
  add_common_options(parser, common);
  if (!parser.parse(argc, argv)) return 0;
  apply_common_options(common);
  if (max_seq_len != 0 && max_seq_len < 2)
    throw UsageError("--max_seq_len must be 0 or at least 2");

  const WordPieceTokenizer tokenizer(vocab, lower);
  std::ios::sync_with_stdio(false);
  std::string line;
  std::string out;
  std::vector<int32_t> tokens;
  while (std::getline(std::cin, line)) {
    tokens.clear();
    if (max_seq_len > 0) {
      tokens = tokenizer.encode(line, max_seq_len);
    } else {
      tokenizer.encode_pieces(line, tokens);
    }
    out.clear();
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0) out += ' ';
      out += ids ? std::to_string(tokens[i]) : tokenizer.piece(tokens[i]);
    }
    out += '\n';
    std::cout << out;
  }
  std::cout.flush();
  if (!std::cout) throw Error("cannot write to standard output");
  return 0;
}

}  // namespace kdw::cli
