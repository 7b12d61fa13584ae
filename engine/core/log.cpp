// The only engine file that includes spdlog (target kdw_log, built without LibTorch's include
// folder): spdlog writes the console and log files; our formatter (log.h) builds the text.
#include "core/log.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "core/error.h"

namespace kdw::log {
namespace {

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::trace:
      return spdlog::level::trace;
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warn:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

struct Entry {
  SinkId id;
  Level level;
  Sink sink;
};

// One mutex serialises every line through every sink, so a sink needs no lock of its own and
// remove_sink() can promise that a removed sink is not running.
struct Registry {
  std::mutex mutex;
  std::vector<Entry> sinks;
  SinkId next_id = 1;
  SinkId console = 0;
  // The lowest level any sink takes (an int so that it can be read without the lock).
  std::atomic<int> min_level{static_cast<int>(Level::info)};

  void update_min_level() {
    int lowest = static_cast<int>(Level::error) + 1;
    for (const Entry& e : sinks) lowest = std::min(lowest, static_cast<int>(e.level));
    min_level.store(lowest, std::memory_order_relaxed);
  }
};

SinkId add_locked(Registry& r, Sink sink, Level level) {
  const SinkId id = r.next_id++;
  r.sinks.push_back({id, level, std::move(sink)});
  r.update_min_level();
  return id;
}

// A sink that hands the finished text to an spdlog sink (console, file).
Sink spdlog_sink(std::shared_ptr<spdlog::sinks::sink> target) {
  return [target = std::move(target)](const Record& record) {
    const spdlog::details::log_msg msg(
        record.time, spdlog::source_loc{}, "kdw", to_spdlog(record.level),
        spdlog::string_view_t(record.text.data(), record.text.size()));
    target->log(msg);
    if (record.level >= Level::warn) target->flush();
  };
}

Sink console_sink() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_pattern("%^[%l]%$ %v");
  return spdlog_sink(std::move(sink));
}

// Until init_console() or init_silent(), lines from info up go to stderr (tests, tools).
Registry& registry() {
  static Registry* r = [] {
    auto* fresh = new Registry;  // never destroyed: threads may log during exit
    fresh->console = add_locked(*fresh, console_sink(), Level::info);
    return fresh;
  }();
  return *r;
}

void remove_locked(Registry& r, SinkId id) {
  r.sinks.erase(
      std::remove_if(r.sinks.begin(), r.sinks.end(), [id](const Entry& e) { return e.id == id; }),
      r.sinks.end());
  r.update_min_level();
}

// ---- formatting ----

void append_integer(std::string& out, const detail::Arg& arg) {
  char buf[32];
  const auto r = arg.kind() == detail::Arg::Kind::signed_int
                     ? std::to_chars(buf, buf + sizeof buf, arg.as_signed())
                     : std::to_chars(buf, buf + sizeof buf, arg.as_unsigned());
  out.append(buf, r.ptr);
}

// `spec` is what follows ':' in "{:...}": ".N" with an optional type f, e, g, or empty.
void append_floating(std::string& out, double value, std::string_view spec) {
  char buf[512];
  int precision = -1;
  char type = 0;
  if (spec.size() >= 2 && spec[0] == '.') {
    std::size_t i = 1;
    int digits = 0;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9' && digits < 100)
      digits = digits * 10 + (spec[i++] - '0');
    if (i > 1 && i + 1 >= spec.size()) {
      precision = digits;
      type = i < spec.size() ? spec[i] : 'g';
      if (type != 'f' && type != 'e' && type != 'g') precision = -1;
    }
  }
  if (precision >= 0) {
    const char fmt[] = {'%', '.', '*', type, '\0'};
    const int n = std::snprintf(buf, sizeof buf, fmt, precision, value);
    if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) {
      out.append(buf, static_cast<std::size_t>(n));
      return;
    }
  }
  // "{}": the shortest text that reads back as the same double, as fmt writes it.
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, r.ptr);
}

void append_arg(std::string& out, const detail::Arg& arg, std::string_view spec) {
  using Kind = detail::Arg::Kind;
  switch (arg.kind()) {
    case Kind::signed_int:
    case Kind::unsigned_int:
      if (!spec.empty() && spec.front() == '.') {  // "{:.2f}" of an integer: as a double
        append_floating(
            out,
            arg.kind() == Kind::signed_int ? double(arg.as_signed()) : double(arg.as_unsigned()),
            spec);
      } else {
        append_integer(out, arg);
      }
      return;
    case Kind::floating:
      append_floating(out, arg.as_double(), spec);
      return;
    case Kind::text:
      out += arg.as_text();
      return;
    case Kind::boolean:
      out += arg.as_signed() ? "true" : "false";
      return;
    case Kind::character:
      out += static_cast<char>(arg.as_signed());
      return;
    case Kind::none:
      return;
  }
}

}  // namespace

Level parse_level(std::string_view name) {
  if (name == "trace") return Level::trace;
  if (name == "debug") return Level::debug;
  if (name == "warn" || name == "warning") return Level::warn;
  if (name == "error" || name == "err") return Level::error;
  return Level::info;
}

const char* short_name(Level level) {
  switch (level) {
    case Level::trace:
      return "T";
    case Level::debug:
      return "D";
    case Level::info:
      return "I";
    case Level::warn:
      return "W";
    case Level::error:
      return "E";
  }
  return "?";
}

namespace detail {

std::string format(std::string_view format, const Arg* args, std::size_t count) {
  std::string out;
  out.reserve(format.size() + 16 * count);
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '}' && i + 1 < format.size() && format[i + 1] == '}') {
      out += '}';
      ++i;
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    const std::size_t close = format.find('}', i);
    if (close == std::string_view::npos || next >= count) {  // no argument: keep the text
      out += c;
      continue;
    }
    std::string_view field = format.substr(i + 1, close - i - 1);
    const std::size_t colon = field.find(':');
    const std::string_view spec =
        colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1);
    append_arg(out, args[next++], spec);
    i = close;
  }
  return out;
}

bool enabled(Level level) {
  return static_cast<int>(level) >= registry().min_level.load(std::memory_order_relaxed);
}

void write(Level level, std::string message) {
  const Record record{level, std::chrono::system_clock::now(), message};
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (const Entry& e : r.sinks) {
    if (level < e.level) continue;
    try {
      e.sink(record);
    } catch (...) {
      // A failing sink (e.g. a full disk) must not turn a log line into an engine error.
    }
  }
}

}  // namespace detail

void init_console(Level level) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.console) remove_locked(r, r.console);
  r.console = add_locked(r, console_sink(), level);
}

void init_silent() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (r.console) remove_locked(r, r.console);
  r.console = 0;
}

SinkId add_sink(Sink sink, Level level) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return add_locked(r, std::move(sink), level);
}

void remove_sink(SinkId id) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  if (id == r.console) r.console = 0;
  remove_locked(r, id);
}

SinkId add_file(const std::filesystem::path& file, Level level) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  try {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string());
  } catch (const spdlog::spdlog_ex& e) {
    // kdw_log stands apart from kdw_core: file_error()'s "<path>: <problem>" written out here.
    throw Error(file.string() + ": cannot open log file: " + e.what());
  }
  sink->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
  return add_sink(spdlog_sink(std::move(sink)), level);
}

}  // namespace kdw::log
