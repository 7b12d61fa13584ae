// WordPiece throughput on Russian text: MB/s and tokens/s on one thread (prints figures only).
// usage: bench_tokenize [vocab.txt] [text file] [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/atomic_output.h"
#include "core/error.h"
#include "tokenize/wordpiece.h"

#ifndef KDW_SOURCE_DIR
#define KDW_SOURCE_DIR "."
#endif

int main(int argc, char** argv) {
  const std::string root = KDW_SOURCE_DIR;
  const std::string vocab = argc > 1 ? argv[1] : root + "/tests/fixtures/bert/vocab.txt";
  const std::string text_file = argc > 2 ? argv[2] : root + "/resources/demo/fortunes_ru.csv";
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 20;
  try {
    const std::string text = kdw::read_file(text_file);
    // One "document" per line, as the data preparation feeds it.
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
    for (const bool lower : {false, true}) {
      const kdw::WordPieceTokenizer tok(vocab, lower);
      std::vector<int32_t> ids;
      size_t tokens = 0, bytes = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (int r = 0; r < repeats; ++r) {
        for (const auto& line : lines) {
          ids.clear();
          tok.encode_pieces(line, ids);
          tokens += ids.size();
          bytes += line.size();
        }
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf(
          "wordpiece lower_case=%d: %.1f MB in %.2f s: %.1f MB/s, %.0f ktokens/s (1 thread)\n",
          lower, bytes / 1e6, s, bytes / 1e6 / s, tokens / 1e3 / s);
    }
  } catch (const kdw::Error& e) {
    std::fprintf(stderr, "bench_tokenize: %s\n", e.what());
    return 1;
  }
  return 0;
}
