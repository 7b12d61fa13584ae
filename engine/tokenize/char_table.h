// Per-code-point classes and lower-case mappings that BERT's BasicTokenizer needs, precomputed
// for the BMP (one lookup per character instead of several utf8proc calls).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kdw::tokenize_detail {

enum CharFlag : uint8_t {
  kDrop = 1,      // NUL, U+FFFD, control/format/unassigned (category C*, except \t \n \r)
  kSpace = 2,     // splits words: BERT's whitespace plus what Python's str.split() splits on
  kPunct = 4,     // BERT's _is_punctuation: ASCII symbol ranges or category P*
  kCjk = 8,       // CJK ideograph: a token of its own
  kLowerId = 16,  // lower-casing + NFD + dropping Mn leaves the character unchanged
};

/// Decodes one UTF-8 character at text[pos], advancing pos; invalid bytes give U+FFFD.
inline char32_t next_code_point(std::string_view text, size_t& pos) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  const size_t n = text.size();
  auto cont = [&](size_t i) {
    return i < n && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  auto byte = [&](size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(text[i]) & 0x3F);
  };
  if (b0 >= 0xC2 && b0 < 0xE0 && cont(pos + 1)) {
    const char32_t cp = ((b0 & 0x1F) << 6) | byte(pos + 1);
    pos += 2;
    return cp;
  }
  if (b0 >= 0xE0 && b0 < 0xF0 && cont(pos + 1) && cont(pos + 2)) {
    const char32_t cp = ((b0 & 0x0F) << 12) | (byte(pos + 1) << 6) | byte(pos + 2);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      pos += 3;
      return cp;
    }
  } else if (b0 >= 0xF0 && b0 < 0xF5 && cont(pos + 1) && cont(pos + 2) && cont(pos + 3)) {
    const char32_t cp =
        ((b0 & 0x07) << 18) | (byte(pos + 1) << 12) | (byte(pos + 2) << 6) | byte(pos + 3);
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      pos += 4;
      return cp;
    }
  }
  ++pos;  // one invalid byte at a time, like a lenient decoder
  return 0xFFFD;
}

void append_utf8(std::string& out, char32_t cp);

class CharTable {
 public:
  static const CharTable& instance();
  uint8_t flags(char32_t cp) const { return cp < 0x10000 ? bmp_[cp].flags : flags_slow(cp); }
  /// UTF-8 of lower(cp), NFD, combining marks (Mn) removed; may be empty.
  std::string_view lowered(char32_t cp, std::string& scratch) const;

 private:
  CharTable();
  static uint8_t flags_slow(char32_t cp);
  struct Entry {
    uint32_t offset = 0;
    uint8_t length = 0;
    uint8_t flags = 0;
  };
  std::vector<Entry> bmp_;
  std::string lowered_bytes_;
};

}  // namespace kdw::tokenize_detail
