// Training losses read back from the device a window at a time. Reading a value from a GPU waits
// for every kernel queued before it, so a loop that reads each step's loss cannot queue the next
// step while this one runs (it cost a third of a BERT fine-tuning step). The loop adds each
// step's loss as a device scalar and reads them together when it logs; on the CPU, where reading
// costs nothing, it reads every step and so stops before the first non-finite update.
#pragma once

#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace kdw {

class PendingLosses {
 public:
  struct Loss {
    int64_t step;   ///< the training step it belongs to (1-based)
    double weight;  ///< what the caller gave with it (e.g. batches in the step)
    double value;
  };

  /// `defer`: keep values on the device until take() (true on a GPU).
  explicit PendingLosses(bool defer) : defer_(defer) {}

  /// Whether values wait for take(); when false the loop should take() every step.
  bool deferring() const { return defer_; }

  /// Queues one step's loss (a scalar tensor on any device; detached here). Never waits.
  void add(int64_t step, const at::Tensor& loss, double weight = 1);

  /// Every queued loss in order, read in one transfer; the queue is then empty.
  std::vector<Loss> take();

  bool empty() const { return pending_.empty(); }

 private:
  struct Pending {
    int64_t step;
    double weight;
    at::Tensor value;
  };
  bool defer_;
  std::vector<Pending> pending_;
};

}  // namespace kdw
