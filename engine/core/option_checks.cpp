#include "core/option_checks.h"

#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "core/error.h"

namespace kdw {

Interval Interval::positive() {
  return {0.0, std::numeric_limits<double>::infinity(), true, true};
}

Interval Interval::non_negative() {
  return {0.0, std::numeric_limits<double>::infinity(), false, true};
}

std::string Interval::text() const {
  if (std::isinf(hi)) return (lo_open ? "> " : ">= ") + number_text(lo);
  return std::string("in ") + (lo_open ? "(" : "[") + number_text(lo) + ", " + number_text(hi) +
         (hi_open ? ")" : "]");
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  out.precision(std::numeric_limits<double>::max_digits10);
  out << value;
  // Prefer the short form when it reads back exactly (0.1, not 0.10000000000000001).
  for (int digits = 1; digits < std::numeric_limits<double>::max_digits10; ++digits) {
    std::ostringstream s;
    s.precision(digits);
    s << value;
    if (std::strtod(s.str().c_str(), nullptr) == value) return s.str();
  }
  return out.str();
}

void check_number(const std::string& field, double value, const Interval& range) {
  const bool ok = std::isfinite(value) && (range.lo_open ? value > range.lo : value >= range.lo) &&
                  (range.hi_open ? value < range.hi : value <= range.hi);
  if (!ok)
    throw UsageError(field + " must be a finite number " + range.text() + ": got " +
                     number_text(value));
}

void check_integer(const std::string& field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi)
    throw UsageError(field + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) +
                     ": got " + std::to_string(value));
}

}  // namespace kdw
