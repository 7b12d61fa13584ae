#include "core/remove_tree.h"

#include <ftw.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>

namespace kdw {
namespace {

// nftw's callback takes no user pointer; one walk at a time per thread.
thread_local std::uintmax_t removed = 0;
thread_local int failure = 0;

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  if (std::remove(path) != 0) {
    failure = errno;
    return 1;  // stops the walk
  }
  ++removed;
  return 0;
}

}  // namespace

std::uintmax_t remove_tree(const std::filesystem::path& path, std::error_code& ec) {
  ec.clear();
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT && errno != ENOTDIR) ec.assign(errno, std::generic_category());
    return 0;
  }
  removed = 0;
  failure = 0;
  // Depth first (contents before their folder), without following links, within one device.
  if (::nftw(path.c_str(), remove_entry, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    ec.assign(failure ? failure : errno, std::generic_category());
  return removed;
}

}  // namespace kdw
