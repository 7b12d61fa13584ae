#include "ui/log/log_sink.h"

#include <chrono>

QVector<LogLine> LogBufferSink::take() {
  std::lock_guard<std::mutex> lock(buffer_mutex_);
  QVector<LogLine> out;
  out.swap(lines_);
  return out;
}

void LogBufferSink::append(const kdw::log::Record& record) {
  LogLine line;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(record.time.time_since_epoch());
  line.time = QDateTime::fromMSecsSinceEpoch(ms.count());
  line.level = record.level;
  line.text = QString::fromUtf8(record.text.data(), static_cast<int>(record.text.size()));
  std::lock_guard<std::mutex> lock(buffer_mutex_);
  if (lines_.size() >= kLimit) lines_.removeFirst();  // a flood: keep the newest
  lines_.append(std::move(line));
}
