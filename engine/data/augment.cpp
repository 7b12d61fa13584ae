#include "data/augment.h"

#include <algorithm>
#include <unordered_map>

#include "core/atomic_output.h"
#include "data/vocab.h"

namespace kdw {

namespace {

// splitmix64: a tiny generator whose stream is the same on every platform and library.
struct Rng {
  uint64_t state;
  uint64_t next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  uint64_t below(uint64_t n) { return next() % n; }  // bias negligible for our n
};

// Start points of the UTF-8 code points of `word`.
std::vector<std::size_t> code_point_starts(std::string_view word) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < word.size(); ++i)
    if ((static_cast<unsigned char>(word[i]) & 0xC0) != 0x80) starts.push_back(i);
  return starts;
}

// Words of one ending class with their cumulative train counts, for a draw by frequency.
struct ClassWords {
  std::vector<int32_t> ids;
  std::vector<int64_t> cumulative;
};

}  // namespace

std::vector<std::string> read_vocab_lines(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

std::string ending_class(std::string_view word) {
  for (const char c : word) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z'))) return {};
  }
  const std::vector<std::size_t> starts = code_point_starts(word);
  const std::size_t n = starts.size();
  if (n < 3) return {};
  const std::size_t keep = n >= 5 ? 3 : 2;
  return std::string(word.substr(starts[n - keep]));
}

AugmentedSplit augment_split(const RaggedSplit& train, const std::vector<std::string>& vocab,
                             const AugmentOptions& o) {
  // Frequencies from the train split; classes of the words seen there.
  std::vector<int64_t> counts(vocab.size(), 0);
  for (const int32_t id : train.ids)
    if (id >= 0 && std::size_t(id) < vocab.size()) ++counts[std::size_t(id)];
  std::vector<int32_t> class_of(vocab.size(), -1);
  std::vector<ClassWords> classes;
  std::unordered_map<std::string, int32_t> class_index;
  for (std::size_t id = 2; id < vocab.size(); ++id) {  // 0 <pad>, 1 <unk> are never drawn
    if (counts[id] == 0) continue;
    const std::string cls = ending_class(vocab[id]);
    if (cls.empty()) continue;
    const auto [it, fresh] = class_index.emplace(cls, int32_t(classes.size()));
    if (fresh) classes.emplace_back();
    ClassWords& c = classes[std::size_t(it->second)];
    c.ids.push_back(int32_t(id));
    c.cumulative.push_back((c.cumulative.empty() ? 0 : c.cumulative.back()) + counts[id]);
    class_of[id] = it->second;
  }

  AugmentedSplit out;
  const int64_t n = train.size();
  std::vector<int32_t> words;
  std::vector<uint8_t> masked;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < o.copies; ++k) {
      // Each copy has its own stream, so a copy does not depend on the others or their order.
      Rng rng{o.seed * 0x9E3779B97F4A7C15ull ^ (uint64_t(i) * 0x100000001B3ull + uint64_t(k))};
      rng.next();
      words.clear();
      masked.clear();
      for (int64_t t = train.offsets[std::size_t(i)]; t < train.offsets[std::size_t(i) + 1]; ++t) {
        int32_t id = train.ids[std::size_t(t)];
        uint8_t is_mask = 0;
        const double x = rng.uniform();
        if (x < o.p_mask) {
          id = kUnkId;
          is_mask = 1;
        } else if (x < o.p_mask + o.p_replace && id >= 0 && std::size_t(id) < vocab.size() &&
                   class_of[std::size_t(id)] >= 0) {
          const ClassWords& c = classes[std::size_t(class_of[std::size_t(id)])];
          if (c.ids.size() > 1) {
            // By frequency among the class's other words: draw over the class total minus
            // this word's own count.
            const int64_t own = counts[std::size_t(id)];
            const int64_t total = c.cumulative.back() - own;
            int64_t r = int64_t(rng.below(uint64_t(total)));
            const auto pos = std::find(c.ids.begin(), c.ids.end(), id) - c.ids.begin();
            const int64_t own_start = pos == 0 ? 0 : c.cumulative[std::size_t(pos) - 1];
            if (r >= own_start) r += own;  // skip the word's own span
            const auto hit = std::upper_bound(c.cumulative.begin(), c.cumulative.end(), r);
            id = c.ids[std::size_t(hit - c.cumulative.begin())];
          }
        }
        words.push_back(id);
        masked.push_back(is_mask);
      }
      if (o.p_ngram > 0 && rng.uniform() < o.p_ngram) {
        const auto len = int64_t(words.size());
        const int64_t gram = 1 + int64_t(rng.below(uint64_t(std::max(1, o.max_ngram))));
        if (gram < len) {
          const int64_t start = int64_t(rng.below(uint64_t(len - gram + 1)));
          words.erase(words.begin() + start + gram, words.end());
          words.erase(words.begin(), words.begin() + start);
          masked.erase(masked.begin() + start + gram, masked.end());
          masked.erase(masked.begin(), masked.begin() + start);
        }
      }
      out.words.add(words, train.labels[std::size_t(i)], train.rows[std::size_t(i)]);
      out.masked.insert(out.masked.end(), masked.begin(), masked.end());
      out.source.push_back(i);
    }
  }
  return out;
}

}  // namespace kdw
