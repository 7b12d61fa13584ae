// Logging through spdlog's default logger: engine code calls spdlog::info(...) etc.
// The CLI adds a console sink, jobs add a file in the workspace, the GUI adds a sink for its
// log panel.
#pragma once

#include <filesystem>
#include <memory>

#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

namespace kdw::log {

/// Replaces the default logger by one named "kdw" writing to stderr at `level`.
void init_console(spdlog::level::level_enum level = spdlog::level::info);
/// Replaces the default logger by one with no sinks (the GUI adds its own).
void init_silent();
/// Adds a sink to the default logger (thread-safe sinks only: *_mt).
void add_sink(const spdlog::sink_ptr& sink);
void remove_sink(const spdlog::sink_ptr& sink);
/// Appends the log to `file` (e.g. <workspace>/kdw.log) until remove_sink() on the result.
spdlog::sink_ptr add_file(const std::filesystem::path& file);

}  // namespace kdw::log
