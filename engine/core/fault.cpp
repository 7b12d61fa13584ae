#include "core/fault.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <atomic>

namespace kdw {
namespace {

std::atomic<long> g_points{0};

void report_points() {
  std::fprintf(stderr, "kdw fault points: %ld\n", g_points.load());
}

long env_number(const char* name) {
  const char* text = std::getenv(name);
  return text ? std::strtol(text, nullptr, 10) : 0L;
}

}  // namespace

void fault_point() {
  // Read each time (commit steps are rare): a test sets the variable in a forked child.
  const long kill_at = env_number("KDW_FAULT_KILL_AT");
  const long stop_at = env_number("KDW_FAULT_STOP_AT");
  if (kill_at <= 0 && stop_at <= 0) return;
  const long n = ++g_points;
  if (n == 1) std::atexit(report_points);  // how many points a test has to try
  if (n == kill_at) std::raise(SIGKILL);
  if (n == stop_at) std::raise(SIGSTOP);  // a test holds the process mid-commit, lock held
}

void reset_fault_points() {
  g_points = 0;
}

}  // namespace kdw
