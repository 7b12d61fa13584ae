// An spdlog sink that keeps log lines in a thread-safe buffer; the log panel drains it from the
// UI thread on a timer, so engine threads never touch widgets.
#pragma once

#include <QDateTime>
#include <QString>
#include <QVector>

#include <mutex>

#include <spdlog/sinks/base_sink.h>

struct LogLine {
  QDateTime time;
  int level = 0;  ///< spdlog::level::level_enum
  QString text;
};

class LogBufferSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  /// Lines logged since the previous call, oldest first (at most `limit` are kept between calls).
  QVector<LogLine> take();

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::mutex buffer_mutex_;
  QVector<LogLine> lines_;
  static constexpr int kLimit = 10000;
};
