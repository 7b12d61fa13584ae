#include "core/error.h"

#include <cstring>

namespace kdw {

Error file_error(const std::filesystem::path& path, const std::string& problem) {
  return Error(path.string() + ": " + problem);
}

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace kdw
