#include "compress/colormap.h"

#include <algorithm>
#include <cmath>

namespace kdw {
namespace {

constexpr Rgb kWhite{255, 255, 255};
constexpr Rgb kBlue{33, 102, 172};  // ColorBrewer RdBu ends: readable and colour-blind safe
constexpr Rgb kRed{178, 24, 43};
constexpr Rgb kDarkBlue{8, 48, 107};

uint8_t mix(uint8_t a, uint8_t b, double t) {
  return static_cast<uint8_t>(std::lround(a + (double(b) - double(a)) * t));
}

Rgb lerp(const Rgb& a, const Rgb& b, double t) {
  return {mix(a.r, b.r, t), mix(a.g, b.g, t), mix(a.b, b.b, t)};
}

}  // namespace

Rgb diverging_color(double value, double max_abs) {
  if (!(max_abs > 0.0) || !std::isfinite(value)) return kWhite;
  const double t = std::clamp(value / max_abs, -1.0, 1.0);
  return t < 0 ? lerp(kWhite, kBlue, -t) : lerp(kWhite, kRed, t);
}

Rgb sequential_color(double fraction) {
  if (!std::isfinite(fraction)) return kWhite;
  return lerp(kWhite, kDarkBlue, std::clamp(fraction, 0.0, 1.0));
}

}  // namespace kdw
