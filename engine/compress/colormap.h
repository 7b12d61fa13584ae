// Colour maps for weight pictures. Plain C++ (no Qt, no torch) so that the GUI's own
// renderers use the very same colours as the engine's PNG files.
#pragma once

#include <cstdint>

namespace kdw {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
  bool operator!=(const Rgb& o) const { return !(*this == o); }
};

/// Signed values: -max_abs -> blue, 0 -> white, +max_abs -> red (clamped outside).
/// max_abs <= 0 maps everything to white.
Rgb diverging_color(double value, double max_abs);

/// Unsigned values in [0, 1]: white -> dark blue (clamped), for norms and counts.
Rgb sequential_color(double fraction);

}  // namespace kdw
