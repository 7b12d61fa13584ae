// Errors the engine reports to its users. Every message is one line a user can act on;
// errors about a file start with the file's path.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace kdw {

/// Any failure the user can do something about (bad input, missing file, wrong option...).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A problem with a command-line option or its value (the CLI exits with code 2).
class UsageError : public Error {
 public:
  using Error::Error;
};

/// Thrown at a cancellation point after JobContext::request_cancel().
class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

/// Builds an Error whose message reads "<path>: <problem>".
Error file_error(const std::filesystem::path& path, const std::string& problem);

/// Text of errno, for I/O failures ("No space left on device").
std::string errno_text(int err);

}  // namespace kdw
