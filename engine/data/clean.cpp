#include "data/clean.h"

#include <cstdlib>
#include <memory>

#include <utf8proc.h>

#include "data/encoding.h"

namespace kdw {

namespace {

bool is_space(char32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
      cp == 0x85) {
    return true;
  }
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL ||
         category == UTF8PROC_CATEGORY_ZP;
}

bool is_alnum(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z');
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_NO;
}

bool is_digit(char32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_ND;
}

// UTF-8 -> code points; invalid sequences become U+FFFD.
std::u32string decode_utf8(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t pos = 0;
  const auto n = static_cast<utf8proc_ssize_t>(text.size());
  while (pos < n) {
    utf8proc_int32_t cp = 0;
    const utf8proc_ssize_t len = utf8proc_iterate(s + pos, n - pos, &cp);
    if (len <= 0) {
      out += U'\uFFFD';
      ++pos;
    } else {
      out += static_cast<char32_t>(cp);
      pos += len;
    }
  }
  return out;
}

std::u32string nfc(const std::u32string& text) {
  bool ascii = true;
  for (const char32_t cp : text) ascii = ascii && cp < 0x80;
  if (ascii || text.empty()) return text;
  std::string utf8;
  for (const char32_t cp : text) append_utf8(utf8, cp);
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t len =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()),
                   static_cast<utf8proc_ssize_t>(utf8.size()), &mapped,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  if (len < 0) return text;  // cannot happen for valid input; keep the text as it is
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  return decode_utf8(std::string_view(reinterpret_cast<const char*>(mapped), len));
}

bool starts_with_ci(const std::u32string& text, std::size_t i, std::u32string_view prefix) {
  if (i + prefix.size() > text.size()) return false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    char32_t c = text[i + k];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (c != prefix[k]) return false;
  }
  return true;
}

bool is_email_local(char32_t c) {
  return (c < 0x80 && is_alnum(c)) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain_char(char32_t c) {
  return is_alnum(c) || c == '-' || c == '.';
}

// Length of a URL starting at i (0 when none): from http://, https:// or www. to the next space,
// without trailing punctuation that belongs to the sentence.
std::size_t url_length(const std::u32string& text, std::size_t i) {
  if (i > 0 && is_alnum(text[i - 1])) return 0;
  if (!starts_with_ci(text, i, U"http://") && !starts_with_ci(text, i, U"https://") &&
      !starts_with_ci(text, i, U"www.")) {
    return 0;
  }
  std::size_t end = i;
  while (end < text.size() && !is_space(text[end])) ++end;
  while (end > i &&
         std::u32string_view(U".,;:!?)]}\"'»").find(text[end - 1]) != std::u32string_view::npos) {
    --end;
  }
  return end - i;
}

// Length of an e-mail address starting at i (0 when none).
std::size_t email_length(const std::u32string& text, std::size_t i) {
  if (i > 0 && is_email_local(text[i - 1])) return 0;
  std::size_t at = i;
  while (at < text.size() && is_email_local(text[at])) ++at;
  if (at == i || at >= text.size() || text[at] != '@') return 0;
  std::size_t end = at + 1;
  while (end < text.size() && is_domain_char(text[end])) ++end;
  while (end > at + 1 && (text[end - 1] == '.' || text[end - 1] == '-')) --end;
  // The domain needs a dot and a top-level part of two letters or more.
  const std::u32string_view domain(text.data() + at + 1, end - at - 1);
  const std::size_t dot = domain.rfind('.');
  if (dot == std::u32string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) return 0;
  return end - i;
}

// Length of a number starting at i: digits with inner '.' or ',' separators (3.14, 1,000).
std::size_t number_length(const std::u32string& text, std::size_t i) {
  if (!is_digit(text[i]) || (i > 0 && is_digit(text[i - 1]))) return 0;
  std::size_t end = i;
  while (end < text.size()) {
    if (is_digit(text[end])) {
      ++end;
    } else if ((text[end] == '.' || text[end] == ',') && end + 1 < text.size() &&
               is_digit(text[end + 1])) {
      end += 2;
    } else {
      break;
    }
  }
  return end - i;
}

std::u32string mask(const std::u32string& text, const CleaningOptions& options) {
  std::u32string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 0;
    if (options.mask_urls && (len = url_length(text, i)) > 0) {
      out += U"<url>";
    } else if (options.mask_emails && (len = email_length(text, i)) > 0) {
      out += U"<email>";
    } else if (options.mask_numbers && (len = number_length(text, i)) > 0) {
      out += U"<num>";
    } else {
      out += text[i];
      len = 1;
    }
    i += len;
  }
  return out;
}

}  // namespace

std::string clean_text(std::string_view text, const CleaningOptions& options) {
  std::u32string cps = decode_utf8(text);
  if (options.nfc) cps = nfc(cps);

  std::u32string kept;
  kept.reserve(cps.size());
  for (char32_t cp : cps) {
    const bool space = is_space(cp);
    if (options.remove_control && !space) {
      const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
      if (category == UTF8PROC_CATEGORY_CC || category == UTF8PROC_CATEGORY_CF) continue;
    }
    if (options.collapse_whitespace && space) {
      if (!kept.empty() && kept.back() != ' ') kept += ' ';
      continue;
    }
    if (options.lower)
      cp = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(cp)));
    kept += cp;
  }
  if (options.collapse_whitespace && !kept.empty() && kept.back() == ' ') kept.pop_back();
  if (options.mask_urls || options.mask_emails || options.mask_numbers) kept = mask(kept, options);

  std::string out;
  out.reserve(kept.size() * 2);
  for (const char32_t cp : kept) append_utf8(out, cp);
  return out;
}

}  // namespace kdw
