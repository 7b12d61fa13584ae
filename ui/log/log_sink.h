// A kdw::log sink that keeps log lines in a thread-safe buffer; the log panel drains it from the
// UI thread on a timer, so engine threads never touch widgets.
#pragma once

#include <QDateTime>
#include <QString>
#include <QVector>

#include <mutex>

#include "core/log.h"

struct LogLine {
  QDateTime time;
  kdw::log::Level level = kdw::log::Level::info;
  QString text;
};

class LogBufferSink {
 public:
  /// Called by kdw::log on the logging thread: stores the line.
  void append(const kdw::log::Record& record);
  /// Lines logged since the previous call, oldest first (at most `limit` are kept between calls).
  QVector<LogLine> take();

 private:
  std::mutex buffer_mutex_;
  QVector<LogLine> lines_;
  static constexpr int kLimit = 10000;
};
