#include "core/printable.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace kdw {
namespace {

// Length of the valid UTF-8 sequence at `p` (1..4) and its code point, or 0 when invalid.
std::size_t utf8_sequence(std::string_view s, std::size_t p, uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[p + k]); };
  const unsigned char b0 = byte(0);
  std::size_t n = 0;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    cp = b0 & 0x0f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (p + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(k) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
      (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

bool unsafe_code_point(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||  // C0, DEL, C1 (0x9b is a CSI)
         (cp >= 0x202a && cp <= 0x202e) ||           // bidi embeddings and overrides
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + 8);
  std::size_t p = 0;
  while (p < text.size()) {
    if (out.size() >= max_bytes) {
      out += "...";
      break;
    }
    uint32_t cp = 0;
    const std::size_t n = utf8_sequence(text, p, cp);
    char buf[16];
    if (n == 0) {
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(text[p]));
      out += buf;
      ++p;
      continue;
    }
    if (unsafe_code_point(cp)) {
      if (cp < 0x100)
        std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(cp));
      else
        std::snprintf(buf, sizeof buf, "\\u{%04X}", static_cast<unsigned>(cp));
      out += buf;
    } else {
      out.append(text.data() + p, n);
    }
    p += n;
  }
  return out;
}

}  // namespace kdw
