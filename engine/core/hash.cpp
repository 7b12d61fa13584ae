#include "core/hash.h"

#include <cstdint>
#include <cstdio>

#include "core/atomic_output.h"

namespace kdw {

std::string content_hash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string file_hash(const std::filesystem::path& path) { return content_hash(read_file(path)); }

}  // namespace kdw
