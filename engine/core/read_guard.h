// Inside a file reader, LibTorch's and the standard library's own exceptions (c10::Error from a
// tensor operation, bad_alloc, length_error) can only mean that the file is corrupt or too large
// for this machine: they become one kdw::Error naming the file, never an "internal error".
#pragma once

#include <filesystem>
#include <new>
#include <stdexcept>
#include <string>

#include <c10/util/Exception.h>

#include "core/error.h"
#include "core/printable.h"

namespace kdw {

template <typename Read>
auto guard_file_read(const std::filesystem::path& path, Read&& read) -> decltype(read()) {
  try {
    return read();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw file_error(
        path, "corrupt or unsupported file (" + printable(e.what_without_backtrace(), 120) + ")");
  } catch (const std::bad_alloc&) {
    throw file_error(path, "too large to load (out of memory)");
  } catch (const std::length_error&) {
    throw file_error(path, "corrupt file (impossible size)");
  }
}

}  // namespace kdw
