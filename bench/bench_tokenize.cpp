// WordPiece throughput on Russian text: MB/s and tokens/s on one thread (prints figures only).
// usage: bench_tokenize [vocab.txt] [text file] [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
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
      const std::clock_t c0 = std::clock();
      for (int r = 0; r < repeats; ++r) {
        for (const auto& line : lines) {
          ids.clear();
          tok.encode_pieces(line, ids);
          tokens += ids.size();
          bytes += line.size();
        }
      }
      // CPU time too: on a shared machine wall time also counts other people's work.
      const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::printf(
          "wordpiece lower_case=%d: %.1f MB, %zu tokens; wall %.2f s: %.1f MB/s, %.0f ktokens/s; "
          "cpu %.2f s: %.1f MB/s, %.0f ktokens/s (1 thread)\n",
          lower, bytes / 1e6, tokens, s, bytes / 1e6 / s, tokens / 1e3 / s, cpu, bytes / 1e6 / cpu,
          tokens / 1e3 / cpu);
    }
  } catch (const kdw::Error& e) {
    std::fprintf(stderr, "bench_tokenize: %s\n", e.what());
    return 1;
  }
  return 0;
}
