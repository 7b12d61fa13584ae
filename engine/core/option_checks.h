// Checks of job options shared by every verb and panel, so that the CLI and the GUI refuse the
// same values with the same one-line message naming the option's field (not a CLI flag), e.g.
// "dropout must be a finite number in [0, 1): got nan". NaN compares false with everything,
// so a plain `x < lo || x > hi` test lets it through; these checks test finiteness first.
#pragma once

#include <cstdint>
#include <string>

namespace kdw {

/// A real interval; an infinite end means "no bound on that side" (the value must still be
/// finite).
struct Interval {
  double lo, hi;
  bool lo_open = false, hi_open = false;
  static Interval closed(double lo, double hi) { return {lo, hi, false, false}; }
  /// [lo, hi)
  static Interval right_open(double lo, double hi) { return {lo, hi, false, true}; }
  /// (0, inf)
  static Interval positive();
  /// [0, inf)
  static Interval non_negative();
  std::string text() const;  ///< "in [0, 1)", "> 0", ">= 0"
};

/// Throws kdw::UsageError "<field> must be a finite number <interval>: got <value>" when `value`
/// is NaN, infinite or outside `range`.
void check_number(const std::string& field, double value, const Interval& range);

/// Throws kdw::UsageError "<field> must be in <lo>..<hi>: got <value>".
void check_integer(const std::string& field, int64_t value, int64_t lo, int64_t hi);

/// Shortest text that reads back as `value` ("nan", "inf", "0.1", "1e+300").
std::string number_text(double value);

}  // namespace kdw
