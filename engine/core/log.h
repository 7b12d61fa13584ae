// Logging for the engine, the CLI and the GUI: kdw::log::info("{} samples, accuracy {:.4f}", n, a).
// This header is free of spdlog and fmt on purpose: PyTorch's LibTorch 2.x ships its own fmt
// headers, which would shadow (or silently mix with) the fmt that Debian's spdlog is built against
// in any file that sees both. Only log.cpp (target kdw_log, which does not link LibTorch) uses
// spdlog; everything else formats through the small formatter below.
//
// Format strings: "{}" takes the next argument, "{:.Nf}" / "{:.Ne}" / "{:.Ng}" / "{:.N}" give a
// number N digits, "{{" and "}}" are literal braces. Arguments: integers, floating point, bool,
// char, strings (std::string, std::string_view, const char*). An unknown spec prints the value as
// "{}" would; a missing argument leaves its "{}" as is: a log line never throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>

namespace kdw::log {

enum class Level { trace, debug, info, warn, error };

/// "trace", "debug", "info", "warn", "error" (the CLI's --log_level values); unknown: info.
Level parse_level(std::string_view name);
/// One letter: T, D, I, W, E.
const char* short_name(Level level);

namespace detail {

/// One formatting argument, erased to what the formatter needs (it only lives during the call).
class Arg {
 public:
  enum class Kind { none, signed_int, unsigned_int, floating, text, boolean, character };

  Arg() = default;
  Arg(bool v) : kind_(Kind::boolean), i_(v) {}
  Arg(char v) : kind_(Kind::character), i_(v) {}
  Arg(const char* v)
      : kind_(Kind::text), s_(v ? std::string_view(v) : std::string_view("(null)")) {}
  Arg(std::string_view v) : kind_(Kind::text), s_(v) {}
  Arg(const std::string& v) : kind_(Kind::text), s_(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && std::is_signed_v<T> &&
                                          !std::is_same_v<T, char> && !std::is_same_v<T, bool>,
                                      int> = 0>
  Arg(T v) : kind_(Kind::signed_int), i_(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && std::is_unsigned_v<T> &&
                                          !std::is_same_v<T, char> && !std::is_same_v<T, bool>,
                                      int> = 0>
  Arg(T v) : kind_(Kind::unsigned_int), u_(v) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Arg(T v) : kind_(Kind::floating), d_(static_cast<double>(v)) {}

  Kind kind() const { return kind_; }
  long long as_signed() const { return i_; }
  unsigned long long as_unsigned() const { return u_; }
  double as_double() const { return d_; }
  std::string_view as_text() const { return s_; }

 private:
  Kind kind_ = Kind::none;
  long long i_ = 0;
  unsigned long long u_ = 0;
  double d_ = 0;
  std::string_view s_;
};

std::string format(std::string_view format, const Arg* args, std::size_t count);
/// False when no sink takes `level`: the call then skips formatting.
bool enabled(Level level);
void write(Level level, std::string message);

}  // namespace detail

/// The formatted text, as a log call would write it (for messages built elsewhere, and tests).
template <class... Args>
std::string format(std::string_view format, const Args&... args) {
  const detail::Arg list[] = {detail::Arg(args)..., detail::Arg()};
  return detail::format(format, list, sizeof...(Args));
}

template <class... Args>
void write(Level level, std::string_view format, const Args&... args) {
  if (!detail::enabled(level)) return;
  detail::write(level, log::format(format, args...));
}

template <class... Args>
void trace(std::string_view format, const Args&... args) {
  write(Level::trace, format, args...);
}
template <class... Args>
void debug(std::string_view format, const Args&... args) {
  write(Level::debug, format, args...);
}
template <class... Args>
void info(std::string_view format, const Args&... args) {
  write(Level::info, format, args...);
}
template <class... Args>
void warn(std::string_view format, const Args&... args) {
  write(Level::warn, format, args...);
}
template <class... Args>
void error(std::string_view format, const Args&... args) {
  write(Level::error, format, args...);
}

/// A log line as sinks see it; `text` is valid only during the call.
struct Record {
  Level level;
  std::chrono::system_clock::time_point time;
  std::string_view text;
};
/// Called on the thread that logs, one line at a time (calls are serialised). A sink must not log
/// and must not block: the GUI's sink only appends to a buffer.
using Sink = std::function<void(const Record&)>;
using SinkId = int;

/// Console output on stderr from `level` up; replaces any earlier console (the CLI).
void init_console(Level level = Level::info);
/// No console (the GUI adds its own sink).
void init_silent();
/// Adds a sink taking lines from `level` up; remove_sink() with the result.
SinkId add_sink(Sink sink, Level level = Level::trace);
/// After this returns the sink is never called again.
void remove_sink(SinkId id);
/// Appends lines to `file` (e.g. <workspace>/kdw.log) until remove_sink() on the result.
SinkId add_file(const std::filesystem::path& file, Level level = Level::debug);

}  // namespace kdw::log
