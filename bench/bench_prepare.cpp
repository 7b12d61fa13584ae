// run_prepare on N generated short Russian texts (default 1,000,000): wall time, rows/s and peak
// RSS, to show that memory stays proportional to the data.
//   bench_prepare [rows] [--bert]   (--bert also writes bert_data with the demo vocabulary)
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/job.h"
#include "core/remove_tree.h"
#include "data/prepare.h"

namespace fs = std::filesystem;

namespace {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // KiB on Linux
}

const char* const kWords[] = {"кот",   "собака", "дом",    "лес",   "река",   "город", "машина",
                              "книга", "окно",   "солнце", "ветер", "дорога", "поле",  "море",
                              "хлеб",  "вода",   "гора",   "ночь",  "утро",   "друг",  "работа",
                              "время", "жизнь",  "слово",  "рука",  "глаз",   "день",  "год"};
const char* const kLabels[] = {"спорт", "политика", "культура", "наука", "экономика"};

}  // namespace

int main(int argc, char** argv) {
  int64_t rows = 1000000;
  bool bert = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--bert") == 0)
      bert = true;
    else
      rows = std::atoll(argv[i]);
  }
  const fs::path dir =
      fs::temp_directory_path() / ("kdw_bench_prepare_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path input = dir / "data.csv";
  {
    std::ofstream out(input, std::ios::binary);
    out << "text,label\n";
    uint64_t x = 88172645463325252ULL;
    std::string line;
    for (int64_t r = 0; r < rows; ++r) {
      line.clear();
      const int n = 4 + static_cast<int>(r % 13);
      for (int k = 0; k < n; ++k) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift: varied but reproducible texts
        line += kWords[x % 28];
        line += ' ';
      }
      line += std::to_string(r);  // keeps texts distinct
      line += ',';
      line += kLabels[(x >> 20) % 5];
      line += '\n';
      out << line;
    }
  }
  const double input_mb = fs::file_size(input) / 1e6;
  const double rss_before = peak_rss_mb();

  kdw::PrepareOptions o;
  o.input = input;
  o.workspace = dir / "ws";
  if (bert)
    o.bert_vocab = fs::path(__FILE__).parent_path().parent_path() / "resources/demo/bert/vocab.txt";
  kdw::JobContext job;
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = kdw::run_prepare(o, job);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::printf("bench_prepare: %lld rows, input %.1f MB%s\n", static_cast<long long>(rows), input_mb,
              bert ? ", with bert_data" : "");
  std::printf("  wall time        %.2f s\n", seconds);
  std::printf("  rows/s           %.0f\n", rows / seconds);
  std::printf("  MB/s (input)     %.1f\n", input_mb / seconds);
  std::printf("  peak RSS         %.0f MB (%.0f MB before run_prepare)\n", peak_rss_mb(),
              rss_before);
  std::printf("  peak RSS / input %.1f\n", peak_rss_mb() / input_mb);
  std::printf("  samples %lld, vocab %lld\n", result.summary["counts"]["samples"].get<long long>(),
              result.summary["vocab_size"].get<long long>());
  std::error_code ec;
  kdw::remove_tree(dir, ec);
  return 0;
}
