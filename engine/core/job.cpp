#include "core/job.h"

#include "core/error.h"

namespace kdw {

void JobContext::set_progress_sink(ProgressSink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  progress_sink_ = std::move(sink);
}

void JobContext::set_metric_sink(MetricSink sink) {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  metric_sink_ = std::move(sink);
}

void JobContext::progress(const std::string& stage, int64_t done, int64_t total,
                          const std::string& message) const {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  if (progress_sink_) progress_sink_(ProgressEvent{stage, done, total, message});
}

void JobContext::metric(const nlohmann::json& record) const {
  std::lock_guard<std::mutex> lock(sink_mutex_);
  if (metric_sink_) metric_sink_(record);
}

void JobContext::throw_if_cancelled() const {
  if (cancelled_.load()) throw Cancelled();
}

}  // namespace kdw
