#include "log/log_sink.h"

#include <chrono>

QVector<LogLine> LogBufferSink::take() {
  std::lock_guard<std::mutex> lock(buffer_mutex_);
  QVector<LogLine> out;
  out.swap(lines_);
  return out;
}

void LogBufferSink::sink_it_(const spdlog::details::log_msg& msg) {
  LogLine line;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch());
  line.time = QDateTime::fromMSecsSinceEpoch(ms.count());
  line.level = static_cast<int>(msg.level);
  line.text = QString::fromUtf8(msg.payload.data(), static_cast<int>(msg.payload.size()));
  std::lock_guard<std::mutex> lock(buffer_mutex_);
  if (lines_.size() >= kLimit) lines_.removeFirst();  // a flood: keep the newest
  lines_.append(std::move(line));
}
