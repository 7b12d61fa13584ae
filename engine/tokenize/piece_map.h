// A read-only string_view -> id hash map (open addressing, word-at-a-time hash): the WordPiece
// inner loop is mostly failed lookups of substrings, where std::unordered_map's chains cost 2x.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace kdw::tokenize_detail {

class PieceMap {
 public:
  /// Keys must outlive the map. A repeated key keeps the last id.
  void insert(std::string_view key, int32_t id) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    place(key, id);
  }

  /// -1 when absent.
  int32_t find(std::string_view key) const {
    if (slots_.empty()) return -1;
    const uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (!s.data) return -1;
      if (s.hash == h && s.size == key.size() && std::memcmp(s.data, key.data(), key.size()) == 0)
        return s.id;
    }
  }

 private:
  struct Slot {
    const char* data = nullptr;
    uint64_t hash = 0;
    uint32_t size = 0;
    int32_t id = -1;
  };

  static uint64_t hash(std::string_view key) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (key.size() * 0xBF58476D1CE4E5B9ull);
    const char* p = key.data();
    size_t n = key.size();
    auto mix = [&h](uint64_t v) {
      h ^= v;
      h *= 0x94D049BB133111EBull;
      h ^= h >> 31;
    };
    for (; n >= 8; n -= 8, p += 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      mix(v);
    }
    if (n > 0) {
      uint64_t v = 0;
      std::memcpy(&v, p, n);
      mix(v);
    }
    return h ^ (h >> 29);
  }

  void place(std::string_view key, int32_t id) {
    const uint64_t h = hash(key);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (!s.data) {
        s = Slot{key.data(), h, static_cast<uint32_t>(key.size()), id};
        ++count_;
        return;
      }
      if (s.hash == h && s.size == key.size() && std::memcmp(s.data, key.data(), key.size()) == 0) {
        s.id = id;
        return;
      }
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    count_ = 0;
    for (const Slot& s : old) {
      if (s.data) place(std::string_view(s.data, s.size), s.id);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

}  // namespace kdw::tokenize_detail
