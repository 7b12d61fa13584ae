// Follows pytorch-pretrained-bert 0.6 (tokenization.py) step by step:
// BasicTokenizer: _clean_text -> _tokenize_chinese_chars -> whitespace split -> (lower + strip
// accents, unless the token is one of never_split) -> _run_split_on_punc; then WordpieceTokenizer.
// The steps are fused into one pass over the text without per-character allocations.
#include "tokenize/wordpiece.h"

#include <algorithm>
#include <array>

#include "core/atomic_output.h"
#include "core/error.h"
#include "core/hash.h"
#include "tokenize/char_table.h"
#include "tokenize/piece_map.h"

namespace kdw {

using tokenize_detail::CharTable;
using tokenize_detail::next_code_point;
using tokenize_detail::PieceMap;

namespace {

constexpr size_t kMaxWordChars = 100;  // WordpieceTokenizer.max_input_chars_per_word
// BertTokenizer's never_split: whole whitespace tokens that are neither lower-cased nor split.
constexpr std::array<std::string_view, 5> kNeverSplit = {"[UNK]", "[SEP]", "[PAD]", "[CLS]",
                                                         "[MASK]"};

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

struct WordPieceTokenizer::Impl {
  std::vector<std::string> pieces;  // by id, as read (after Python's line.strip())
  PieceMap initial;                 // pieces without "##"
  PieceMap continuation;            // "##x" stored as "x"
  size_t max_initial_bytes = 0;
  size_t max_continuation_bytes = 0;
  bool lower_case = false;
  std::string hash;
  int32_t unk = -1, cls = -1, sep = -1, pad = 0;
  const CharTable* chars = nullptr;

  // Scratch space reused across calls would not be thread-safe; it lives per call instead.
  struct Scratch {
    std::string word;               // current punctuation-free word
    std::vector<uint32_t> offsets;  // byte offset of each character of `word`, plus the end
    std::string raw;                // the whitespace token as written, while it may be never_split
    bool raw_possible = true;
    std::string lowered;  // non-BMP lower-casing
    std::vector<std::pair<uint32_t, uint32_t>>
        words;                            // (start, end) in `token_words` of the token's words
    std::string token_words;              // the token's words back to back
    std::vector<uint32_t> token_offsets;  // char offsets per word, concatenated
  };

  void wordpiece(std::string_view word, const uint32_t* offsets, size_t nchars,
                 std::vector<int32_t>& out) const {
    if (nchars == 0) return;
    if (nchars > kMaxWordChars) {
      out.push_back(unk);
      return;
    }
    const size_t mark = out.size();
    size_t start = 0;
    while (start < nchars) {
      const auto& map = start == 0 ? initial : continuation;
      const size_t max_bytes = start == 0 ? max_initial_bytes : max_continuation_bytes;
      size_t end = nchars;
      while (end > start && offsets[end] - offsets[start] > max_bytes) --end;
      int32_t found = -1;
      for (; end > start; --end) {
        found = map.find(word.substr(offsets[start], offsets[end] - offsets[start]));
        if (found >= 0) break;
      }
      if (found < 0) {
        out.resize(mark);
        out.push_back(unk);
        return;
      }
      out.push_back(found);
      start = end;
    }
  }

  void run(std::string_view text, std::vector<int32_t>& out) const {
    using namespace tokenize_detail;
    // Buffers keep their capacity between calls: no allocation per line once warm.
    thread_local Scratch s;
    s.words.clear();
    s.token_words.clear();
    s.raw.clear();
    s.raw_possible = true;
    // Words of the current whitespace token are emitted when the token ends, because a token that
    // turns out to be "[CLS]" etc. must not be split.
    s.token_offsets.clear();
    size_t word_start_offset = 0;  // index into token_offsets where the current word starts

    auto end_word = [&]() {
      const uint32_t start = static_cast<uint32_t>(word_start_offset);
      const uint32_t end = static_cast<uint32_t>(s.token_offsets.size());
      if (end > start) {
        s.token_offsets.push_back(static_cast<uint32_t>(s.token_words.size()));  // end sentinel
        s.words.emplace_back(start, end + 1);
      }
      word_start_offset = s.token_offsets.size();
    };
    auto add_char = [&](std::string_view bytes) {
      s.token_offsets.push_back(static_cast<uint32_t>(s.token_words.size()));
      s.token_words.append(bytes);
    };
    auto add_processed = [&](char32_t cp, std::string_view bytes, uint8_t flags) {
      if (flags & kPunct) {
        end_word();
        add_char(bytes);
        end_word();
      } else {
        add_char(bytes);
      }
    };
    auto end_token = [&]() {
      end_word();
      bool special = false;
      if (s.raw_possible && !s.raw.empty()) {
        special = std::find(kNeverSplit.begin(), kNeverSplit.end(), s.raw) != kNeverSplit.end();
      }
      if (special) {
        // Special tokens are ASCII (at most 6 bytes): character offsets = byte offsets.
        static constexpr std::array<uint32_t, 7> kByteOffsets = {0, 1, 2, 3, 4, 5, 6};
        wordpiece(s.raw, kByteOffsets.data(), s.raw.size(), out);
      } else {
        for (const auto& [a, b] : s.words) {
          // offsets a..b-1 are byte offsets into token_words; b-1 is the end sentinel
          const uint32_t base = s.token_offsets[a];
          s.offsets.assign(s.token_offsets.begin() + a, s.token_offsets.begin() + b);
          for (auto& o : s.offsets) o -= base;
          const std::string_view w(s.token_words.data() + base, s.token_offsets[b - 1] - base);
          wordpiece(w, s.offsets.data(), b - a - 1, out);
        }
      }
      s.words.clear();
      s.token_words.clear();
      s.token_offsets.clear();
      word_start_offset = 0;
      s.raw.clear();
      s.raw_possible = true;
    };

    size_t pos = 0;
    const size_t n = text.size();
    while (pos < n) {
      const size_t begin = pos;
      const char32_t cp = next_code_point(text, pos);
      const uint8_t flags = chars->flags(cp);
      if (flags & kDrop) continue;
      if (flags & (kSpace | kCjk)) {
        end_token();
        if (flags & kCjk) {
          add_processed(cp, text.substr(begin, pos - begin), flags);
          end_token();
        }
        continue;
      }
      const std::string_view bytes = text.substr(begin, pos - begin);
      if (s.raw_possible) {
        if (s.raw.size() + bytes.size() <= 6 && (!s.raw.empty() || bytes == "[")) {
          s.raw.append(bytes);
        } else {
          s.raw_possible = false;
        }
      }
      if (!lower_case || (flags & kLowerId)) {
        add_processed(cp, bytes, flags);
        continue;
      }
      const std::string_view lowered = chars->lowered(cp, s.lowered);
      size_t lpos = 0;
      while (lpos < lowered.size()) {
        const size_t lbegin = lpos;
        const char32_t lcp = next_code_point(lowered, lpos);
        add_processed(lcp, lowered.substr(lbegin, lpos - lbegin), chars->flags(lcp));
      }
    }
    end_token();
  }
};

WordPieceTokenizer::WordPieceTokenizer(const std::filesystem::path& vocab_file, bool lower_case)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.lower_case = lower_case;
  m.chars = &CharTable::instance();
  std::string bytes = read_file(vocab_file);
  m.hash = content_hash(bytes);
  std::string_view view(bytes);
  if (view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
  if (view.empty()) throw file_error(vocab_file, "empty vocabulary");
  size_t line_no = 0;
  while (!view.empty()) {
    const size_t nl = view.find('\n');
    std::string_view line = view.substr(0, nl);
    view = nl == std::string_view::npos ? std::string_view() : view.substr(nl + 1);
    ++line_no;
    // Python's line.strip() (ASCII whitespace; the reference vocabularies have no other).
    while (!line.empty() && is_ascii_space(line.front())) line.remove_prefix(1);
    while (!line.empty() && is_ascii_space(line.back())) line.remove_suffix(1);
    size_t pos = 0;
    while (pos < line.size()) {
      const size_t before = pos;
      if (next_code_point(line, pos) == 0xFFFD && line.substr(before, 3) != "\xEF\xBF\xBD") {
        throw file_error(vocab_file, "line " + std::to_string(line_no) + " is not valid UTF-8");
      }
    }
    m.pieces.emplace_back(line);
  }
  if (m.pieces.size() > static_cast<size_t>(INT32_MAX))
    throw file_error(vocab_file, "vocabulary too large");
  for (size_t i = 0; i < m.pieces.size(); ++i) {
    std::string_view p = m.pieces[i];
    const auto id = static_cast<int32_t>(i);
    // A repeated piece maps to its last line, as Python's dict assignment does.
    if (p.size() >= 2 && p.substr(0, 2) == "##") {
      p.remove_prefix(2);
      m.continuation.insert(p, id);
      m.max_continuation_bytes = std::max(m.max_continuation_bytes, p.size());
    }
    // "##x" is also a whole piece an initial match can hit (Python looks up the plain string).
    m.initial.insert(m.pieces[i], id);
    m.max_initial_bytes = std::max(m.max_initial_bytes, m.pieces[i].size());
  }
  auto require = [&](std::string_view name) {
    const int32_t found = m.initial.find(name);
    if (found < 0)
      throw file_error(vocab_file, "vocabulary has no " + std::string(name) + " piece");
    return found;
  };
  m.unk = require("[UNK]");
  m.cls = require("[CLS]");
  m.sep = require("[SEP]");
  m.pad = std::max(0, m.initial.find("[PAD]"));
}

WordPieceTokenizer::~WordPieceTokenizer() = default;
WordPieceTokenizer::WordPieceTokenizer(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer& WordPieceTokenizer::operator=(WordPieceTokenizer&&) noexcept = default;

void WordPieceTokenizer::encode_pieces(std::string_view text, std::vector<int32_t>& out) const {
  impl_->run(text, out);
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
  std::vector<int32_t> ids;
  impl_->run(text, ids);
  std::vector<std::string> result;
  result.reserve(ids.size());
  for (const int32_t i : ids) result.push_back(impl_->pieces[static_cast<size_t>(i)]);
  return result;
}

std::vector<int32_t> WordPieceTokenizer::encode(std::string_view text, int max_seq_len) const {
  if (max_seq_len < 2)
    throw Error("max_seq_len must be at least 2 (room for [CLS] and [SEP]), got " +
                std::to_string(max_seq_len));
  std::vector<int32_t> ids;
  ids.push_back(impl_->cls);
  impl_->run(text, ids);
  if (ids.size() > static_cast<size_t>(max_seq_len) - 1)
    ids.resize(static_cast<size_t>(max_seq_len) - 1);
  ids.push_back(impl_->sep);
  return ids;
}

int32_t WordPieceTokenizer::id(std::string_view piece) const {
  const int32_t found = impl_->initial.find(piece);
  return found < 0 ? impl_->unk : found;
}

const std::string& WordPieceTokenizer::piece(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->pieces.size()) {
    throw Error("token id " + std::to_string(id) + " is outside the vocabulary (size " +
                std::to_string(impl_->pieces.size()) + ")");
  }
  return impl_->pieces[static_cast<size_t>(id)];
}

int64_t WordPieceTokenizer::vocab_size() const {
  return static_cast<int64_t>(impl_->pieces.size());
}
bool WordPieceTokenizer::lower_case() const {
  return impl_->lower_case;
}
const std::string& WordPieceTokenizer::vocab_hash() const {
  return impl_->hash;
}
int32_t WordPieceTokenizer::unk_id() const {
  return impl_->unk;
}
int32_t WordPieceTokenizer::cls_id() const {
  return impl_->cls;
}
int32_t WordPieceTokenizer::sep_id() const {
  return impl_->sep;
}
int32_t WordPieceTokenizer::pad_id() const {
  return impl_->pad;
}

}  // namespace kdw
