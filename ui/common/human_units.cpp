#include "ui/common/human_units.h"

#include <cmath>
#include <cstdio>

namespace {
std::string scaled(double v, const char* const* units, int count, double step) {
  int i = 0;
  while (i + 1 < count && std::abs(v) >= step) {
    v /= step;
    ++i;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f%s" : "%.2f %s", v, units[i]);
  return buf;
}
}  // namespace

std::string humanCount(int64_t n) {
  static const char* const units[] = {"", "k", "M", "G"};
  return scaled(static_cast<double>(n), units, 4, 1000.0);
}

std::string humanBytes(int64_t bytes) {
  static const char* const units[] = {" B", "KB", "MB", "GB"};
  return scaled(static_cast<double>(bytes), units, 4, 1024.0);
}
