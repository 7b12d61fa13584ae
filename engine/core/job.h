// The one interface between long-running engine work and its callers (CLI, GUI worker threads).
// An engine function that may take long takes a JobContext&: it reports progress and metric
// records through it and calls throw_if_cancelled() at safe points.
#pragma once

#include <any>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace kdw {

/// A cancel of a job that keeps what it finished before it stopped (a distillation's run folder
/// and best epoch so far), as the job's typed result: the GUI's job runner hands typed() to the
/// panel, the CLI reads it with partial<T>(). Callers that only care about the cancel catch it
/// as Cancelled.
class CancelledWithResult : public Cancelled {
 public:
  /// `partial`: a value of the job's result type (e.g. DistillResult).
  template <class T>
  explicit CancelledWithResult(T partial)
      : typed_(std::make_shared<const std::any>(std::move(partial))) {}
  const std::any& typed() const { return *typed_; }
  /// The result as `T`; std::bad_any_cast when the job's result is of another type.
  template <class T>
  const T& partial() const {
    return std::any_cast<const T&>(*typed_);
  }

 private:
  std::shared_ptr<const std::any> typed_;  // shared: an exception is copied as it is thrown
};

struct ProgressEvent {
  std::string stage;    ///< what is being done, e.g. "read", "epoch 2/5"
  int64_t done = 0;     ///< units done in this stage
  int64_t total = 0;    ///< units in this stage, 0 when unknown
  std::string message;  ///< optional detail for a status line

  /// done/total in [0,1], or -1 when the total is unknown.
  double fraction() const { return total > 0 ? double(done) / double(total) : -1.0; }
};

class JobContext {
 public:
  using ProgressSink = std::function<void(const ProgressEvent&)>;
  using MetricSink = std::function<void(const nlohmann::json&)>;

  JobContext() = default;
  JobContext(const JobContext&) = delete;
  JobContext& operator=(const JobContext&) = delete;

  /// Sinks are called on the job's thread; a GUI sink must only queue the event.
  void set_progress_sink(ProgressSink sink);
  void set_metric_sink(MetricSink sink);

  void progress(const std::string& stage, int64_t done, int64_t total,
                const std::string& message = {}) const;
  /// A metric record (one line of metrics.jsonl), e.g. {"step":10,"loss":0.4}; feeds live curves.
  void metric(const nlohmann::json& record) const;

  /// Thread-safe; the job stops at its next throw_if_cancelled().
  void request_cancel() { cancelled_.store(true); }
  bool cancel_requested() const { return cancelled_.load(); }
  /// Throws kdw::Cancelled when a cancel was requested.
  void throw_if_cancelled() const;

 private:
  std::atomic<bool> cancelled_{false};
  mutable std::mutex sink_mutex_;
  ProgressSink progress_sink_;
  MetricSink metric_sink_;
};

}  // namespace kdw
