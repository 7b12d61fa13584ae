// A process's place in a data-parallel job and the collectives the training loops need, over
// LibTorch's c10d: rendezvous through a TCPStore hosted by rank 0, then a Gloo process group
// (CPU tensors, any network). A default DistContext is a single process whose collectives do
// nothing, so the loops call the same hooks either way (docs/distributed.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "dist/dist_env.h"

namespace kdw::dist {

/// This rank's part of one global batch: a contiguous run of its samples. `weight` scales the
/// rank's mean loss so that averaging gradients over ranks gives the gradient of the global
/// batch's mean loss, whatever the shard sizes: n_local * world / n_global. A rank whose shard
/// would be empty (fewer samples than ranks) gets the batch's first sample with weight 0, so it
/// still runs the same forward (and draws the same random numbers) as the others.
struct Shard {
  std::vector<int64_t> index;
  double weight = 1;
  int64_t first_row = 0;  ///< row of index[0] in the global batch
};

class DistContext {
 public:
  /// A single process.
  DistContext();
  ~DistContext();
  DistContext(const DistContext&) = delete;
  DistContext& operator=(const DistContext&) = delete;

  /// Joins the job `env` describes: rank 0 hosts the store at MASTER_ADDR:MASTER_PORT, every
  /// rank announces itself and waits at most `timeout` for the others. Throws kdw::Error with
  /// one line: the port in use, rank 0 unreachable, or the ranks that did not join.
  static std::unique_ptr<DistContext> connect(const DistEnv& env,
                                              std::chrono::milliseconds timeout);

  int rank() const { return rank_; }
  int world() const { return world_; }
  bool distributed() const { return world_ > 1; }
  /// Only rank 0 writes the workspace and logs progress.
  bool is_writer() const { return rank_ == 0; }

  /// Every rank passes a hash of what must be equal across ranks (options, data); a mismatch
  /// throws the same one-line Error on every rank, naming the ranks that differ from rank 0.
  void agree(const std::string& what, const std::string& hash);
  /// Tells the other ranks, where they wait at the rendezvous (join, agree), that this rank
  /// stops with `message`; they stop with it too instead of waiting for their timeout.
  void abort(const std::string& message) noexcept;
  /// Rank 0's `decision`, on every rank (rank 0 decides alone, e.g. from files only it reads).
  bool share_decision(bool decision);
  /// This rank's shard of a global batch of sample indices.
  Shard shard(const std::vector<int64_t>& batch) const;
  /// This rank's contiguous range [begin, end) of n samples (inference).
  std::pair<int64_t, int64_t> range(int64_t n) const;

  /// Averages the gradients of `params` over the ranks in place (flattened into buckets of at
  /// most ~25 MB, one all-reduce each); undefined gradients count as zero. `cancel` is this
  /// rank's cancel request; returns true when any rank asked to cancel, on every rank, so that
  /// all stop at the same step.
  bool average_gradients(const std::vector<at::Tensor>& params, bool cancel = false);
  /// Element-wise mean over the ranks, in place (float tensors of the same shape everywhere).
  void all_reduce_mean(std::vector<at::Tensor>& tensors);
  void broadcast(at::Tensor& tensor, int root = 0);
  void barrier();
  /// Rank 0 gets the rows of every rank's `rows` ([n_r, ...], n_r may differ) concatenated in
  /// rank order; the other ranks get an undefined tensor.
  at::Tensor gather_rows(const at::Tensor& rows);

 private:
  struct Group;
  int rank_ = 0;
  int world_ = 1;
  std::unique_ptr<Group> group_;
};

/// The process's context: a single process unless set_context() installed another (the CLI
/// does when RANK/WORLD_SIZE are set). Engine loops call their hooks on it.
DistContext& context();
void set_context(std::unique_ptr<DistContext> ctx);

/// True when this build can run a job over several processes (LibTorch with Gloo headers).
bool available();

}  // namespace kdw::dist
