#include "tokenize/char_table.h"

#include <utf8proc.h>

namespace kdw::tokenize_detail {

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

bool is_cjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F) ||
         (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}

// Python's str.lower(), then NFD, then drop Mn (BERT's _run_strip_accents), for one character.
void lower_strip(char32_t cp, std::string& out) {
  out.clear();
  // U+0130's full lower-case mapping (Python uses it) is "i" + U+0307; the mark is Mn and goes.
  const utf8proc_int32_t lower =
      cp == 0x0130 ? 'i' : utf8proc_tolower(static_cast<utf8proc_int32_t>(cp));
  utf8proc_int32_t decomposed[32];
  int last_boundclass = 0;
  const utf8proc_ssize_t n =
      utf8proc_decompose_char(lower, decomposed, 32, UTF8PROC_DECOMPOSE, &last_boundclass);
  if (n < 0 || n > 32) {
    append_utf8(out, static_cast<char32_t>(lower));
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) {
    if (utf8proc_category(decomposed[i]) != UTF8PROC_CATEGORY_MN) {
      append_utf8(out, static_cast<char32_t>(decomposed[i]));
    }
  }
}

}  // namespace

uint8_t CharTable::flags_slow(char32_t cp) {
  uint8_t f = 0;
  const auto c = static_cast<utf8proc_int32_t>(cp);
  const utf8proc_property_t* prop = utf8proc_get_property(c);
  const auto cat = static_cast<utf8proc_category_t>(prop->category);
  const bool control_cat = cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CC ||
                           cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_CS ||
                           cat == UTF8PROC_CATEGORY_CO;
  if (cp == '\t' || cp == '\n' || cp == '\r' || cp == ' ' || cat == UTF8PROC_CATEGORY_ZS) {
    f |= kSpace;
  } else if (cp == 0 || cp == 0xFFFD || control_cat) {
    f |= kDrop;
  } else if (prop->bidi_class == UTF8PROC_BIDI_CLASS_WS ||
             prop->bidi_class == UTF8PROC_BIDI_CLASS_B ||
             prop->bidi_class == UTF8PROC_BIDI_CLASS_S) {
    f |= kSpace;  // U+2028/U+2029: BERT keeps them, but Python's str.split() splits there
  }
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) ||
      (cp >= 123 && cp <= 126) || cat == UTF8PROC_CATEGORY_PC || cat == UTF8PROC_CATEGORY_PD ||
      cat == UTF8PROC_CATEGORY_PS || cat == UTF8PROC_CATEGORY_PE || cat == UTF8PROC_CATEGORY_PI ||
      cat == UTF8PROC_CATEGORY_PF || cat == UTF8PROC_CATEGORY_PO) {
    f |= kPunct;
  }
  if (is_cjk(cp)) f |= kCjk;
  std::string lowered;
  lower_strip(cp, lowered);
  std::string same;
  append_utf8(same, cp);
  if (lowered == same) f |= kLowerId;
  return f;
}

CharTable::CharTable() : bmp_(0x10000) {
  std::string scratch;
  for (char32_t cp = 0; cp < 0x10000; ++cp) {
    Entry& e = bmp_[cp];
    e.flags = flags_slow(cp);
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;  // never produced by the decoder
    if (!(e.flags & kLowerId)) {
      lower_strip(cp, scratch);
      e.offset = static_cast<uint32_t>(lowered_bytes_.size());
      e.length = static_cast<uint8_t>(scratch.size());
      lowered_bytes_ += scratch;
    }
  }
}

const CharTable& CharTable::instance() {
  static const CharTable table;
  return table;
}

std::string_view CharTable::lowered(char32_t cp, std::string& scratch) const {
  if (cp < 0x10000)
    return std::string_view(lowered_bytes_).substr(bmp_[cp].offset, bmp_[cp].length);
  lower_strip(cp, scratch);
  return scratch;
}

}  // namespace kdw::tokenize_detail
