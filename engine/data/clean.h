// Text cleaning applied to every sample before splitting and tokenizing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kdw {

struct CleaningOptions {
  /// Unicode NFC normalisation, so that "й" typed as и + combining breve equals the precomposed
  /// one.
  bool nfc = true;
  /// Remove control characters (Cc, except whitespace which becomes a space) and format /
  /// zero-width characters (Cf: U+200B, U+200D, U+FEFF, soft hyphen...): invisible noise.
  bool remove_control = true;
  /// Any run of whitespace (incl. newlines, NBSP) becomes one ASCII space; trimmed at both ends.
  bool collapse_whitespace = true;
  /// Unicode lower case (off: RuBERT is cased and case carries signal).
  bool lower = false;
  /// Replace URLs (http://, https://, www.) by the token "<url>".
  bool mask_urls = false;
  /// Replace e-mail addresses by "<email>".
  bool mask_emails = false;
  /// Replace runs of digits (with inner . , separators) by "<num>".
  bool mask_numbers = false;
  /// Drop samples whose cleaned text is empty.
  bool drop_empty = true;
  /// Drop samples whose cleaned text was already seen (whatever its label): the first occurrence
  /// stays, so one text never lands in two splits.
  bool drop_duplicates = true;
  /// Classes with fewer samples than this are reported (warning and prepare.json) and dropped,
  /// since a stratified split cannot put them in every split. 0 keeps every class.
  int64_t min_class_samples = 3;
};

/// Cleans one UTF-8 text. Invalid UTF-8 sequences are replaced by U+FFFD.
std::string clean_text(std::string_view text, const CleaningOptions& options);

}  // namespace kdw
