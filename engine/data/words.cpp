#include "data/words.h"

#include <utf8proc.h>

namespace kdw {

namespace {

enum class Kind { kSpace, kWord, kOther };

Kind kind_of(utf8proc_int32_t cp) {
  if (cp < 0x80) {
    if (cp == ' ' || (cp >= '\t' && cp <= '\r')) return Kind::kSpace;
    if ((cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) return Kind::kWord;
    return Kind::kOther;
  }
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return Kind::kWord;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
      return Kind::kSpace;  // invisible: separates, never a token
    default:
      return Kind::kOther;
  }
}

constexpr std::string_view kMaskTokens[] = {"<url>", "<email>", "<num>"};

}  // namespace

void split_words(std::string_view text, std::vector<std::string_view>& out) {
  const auto* s = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  const auto n = static_cast<utf8proc_ssize_t>(text.size());
  utf8proc_ssize_t pos = 0;
  utf8proc_ssize_t word_start = -1;
  while (pos < n) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t len = utf8proc_iterate(s + pos, n - pos, &cp);
    if (len <= 0) {  // invalid byte: a token of its own (cleaned text never has one)
      len = 1;
      cp = -1;
    }
    const Kind kind = cp < 0 ? Kind::kOther : kind_of(cp);
    if (kind == Kind::kWord) {
      if (word_start < 0) word_start = pos;
      pos += len;
      continue;
    }
    if (word_start >= 0) {
      out.push_back(text.substr(word_start, pos - word_start));
      word_start = -1;
    }
    if (kind == Kind::kOther) {
      std::size_t take = static_cast<std::size_t>(len);
      if (cp == '<') {
        for (const auto token : kMaskTokens) {
          if (text.compare(pos, token.size(), token) == 0) take = token.size();
        }
      }
      out.push_back(text.substr(pos, take));
      pos += static_cast<utf8proc_ssize_t>(take);
      continue;
    }
    pos += len;
  }
  if (word_start >= 0) out.push_back(text.substr(word_start));
}

}  // namespace kdw
