// Removing a file or folder tree without std::filesystem::remove_all. PyTorch's pip LibTorch
// exports its own copy of remove_all, compiled against a newer libstdc++ than the one it runs
// with: the dynamic linker may hand our calls to that copy, whose call to
// recursive_directory_iterator::__erase then jumps to address 0 (every kdw verb that cleans up
// crashed so under LibTorch 2.11, on the CPU too). POSIX nftw has no such twin.
#pragma once

#include <cstdint>
#include <filesystem>
#include <system_error>

namespace kdw {

/// Removes `path`: a file, a symbolic link (not what it points to) or a folder with everything
/// in it. A missing path removes nothing and is no error. Stops at the first entry it cannot
/// remove and sets `ec`. Returns how many entries it removed.
std::uintmax_t remove_tree(const std::filesystem::path& path, std::error_code& ec);

}  // namespace kdw
