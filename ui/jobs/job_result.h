// What a job hands back to the panel that started it: the engine's typed result (DistillResult,
// CutReport, EvaluateReport, FinetuneResult, ...) as the job returned it, not a JSON text to be
// read back by key. A job's function returns its result type and the runner wraps it; the
// panel asks for the type it expects with get<T>(). A cancelled job hands back what it finished
// the same way (kdw::CancelledWithResult).
#pragma once

#include <QMetaType>

#include <any>
#include <memory>
#include <type_traits>

class JobResult {
 public:
  JobResult() = default;
  /// Implicit, so that a job's function returns its typed result as it is.
  template <class T, class = std::enable_if_t<!std::is_same_v<std::decay_t<T>, JobResult> &&
                                              !std::is_same_v<std::decay_t<T>, std::any>>>
  JobResult(T value)  // NOLINT(google-explicit-constructor)
      : value_(std::make_shared<const std::any>(std::move(value))) {}
  /// Wraps a value already held as std::any (kdw::CancelledWithResult::typed()).
  static JobResult fromAny(std::any value) {
    JobResult r;
    if (value.has_value()) r.value_ = std::make_shared<const std::any>(std::move(value));
    return r;
  }

  /// False for a job that handed nothing back (a cancel before anything was kept).
  bool hasValue() const { return value_ && value_->has_value(); }
  /// The result if it is a `T`, else nullptr.
  template <class T>
  const T* get() const {
    return value_ ? std::any_cast<T>(value_.get()) : nullptr;
  }

 private:
  // Shared and const: signals copy the result to every receiver.
  std::shared_ptr<const std::any> value_;
};

Q_DECLARE_METATYPE(JobResult)
