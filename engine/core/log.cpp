#include "core/log.h"

#include <algorithm>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "core/error.h"

namespace kdw::log {

void init_console(spdlog::level::level_enum level) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  sink->set_pattern("%^[%l]%$ %v");
  sink->set_level(level);
  auto logger = std::make_shared<spdlog::logger>("kdw", sink);
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void init_silent() {
  auto logger = std::make_shared<spdlog::logger>("kdw");
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

void add_sink(const spdlog::sink_ptr& sink) { spdlog::default_logger()->sinks().push_back(sink); }

void remove_sink(const spdlog::sink_ptr& sink) {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink), sinks.end());
}

spdlog::sink_ptr add_file(const std::filesystem::path& file) {
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file.string());
    sink->set_pattern("%Y-%m-%d %H:%M:%S.%e [%l] %v");
    add_sink(sink);
    return sink;
  } catch (const spdlog::spdlog_ex& e) {
    throw file_error(file, std::string("cannot open log file: ") + e.what());
  }
}

}  // namespace kdw::log
