// A process's place in a data-parallel job and the collectives the training loops need, over
// LibTorch's c10d: rendezvous through a TCPStore hosted by rank 0, then a Gloo process group
// (CPU tensors, any network) or an NCCL one (CUDA tensors, one GPU per rank). A default
// DistContext is a single process whose collectives do nothing, so the loops call the same
// hooks either way (docs/distributed.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

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

enum class Backend { kGloo, kNccl };

/// The backend `name` ("gloo", "nccl" or "auto") means for a job on `device` ("cpu", "cuda"):
/// auto is NCCL on CUDA when this build has it, else Gloo. Throws kdw::Error with one line for a
/// backend this build lacks, and kdw::UsageError for nccl on the CPU.
Backend choose_backend(const std::string& name, const std::string& device);
/// True when this build has the backend (LibTorch's headers for it were found at build time).
bool backend_built(Backend backend);
const char* backend_name(Backend backend);

/// Time rank 0 spent waiting for gradient all-reduces (docs/speed.md), over `steps` steps.
struct ReduceStats {
  int64_t steps = 0;
  double wait_s = 0;
  /// Bytes the steps' gradient all-reduces carried, and what all-reducing every gradient whole
  /// would have carried (they differ where an embedding's rows are sent sparsely).
  int64_t bytes = 0, dense_bytes = 0;
  /// Buckets all-reduced, and those of them started during backward (GradReducer's overlap).
  int64_t buckets = 0, started_in_backward = 0;
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
  /// With NCCL, rank r uses the GPU cuda:LOCAL_RANK (one per rank: NCCL refuses two ranks on one
  /// GPU).
  static std::unique_ptr<DistContext> connect(const DistEnv& env, std::chrono::milliseconds timeout,
                                              Backend backend = Backend::kGloo);

  int rank() const { return rank_; }
  int world() const { return world_; }
  /// In a job: joined a process group, of one rank or more (a job of one, as torchrun starts
  /// with one process, runs the job's code paths: shards, all-reduces, rank 0 writing).
  bool distributed() const { return group_ != nullptr; }
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

  Backend backend() const { return backend_; }
  /// Where the collectives' tensors live: the CPU for Gloo, this rank's GPU for NCCL.
  c10::Device comm_device() const { return comm_device_; }

  /// Averages the gradients of `params` over the ranks in place (flattened into buckets of at
  /// most ~25 MB, one all-reduce each, after the backward pass); undefined gradients count as
  /// zero. `cancel` is this rank's cancel request; returns true when any rank asked to cancel,
  /// on every rank, so that all stop at the same step. A training loop overlaps the all-reduces
  /// with the backward pass instead through dist::GradReducer (grad_reducer.h).
  bool average_gradients(const std::vector<at::Tensor>& params, bool cancel = false);
  /// Starts an in-place sum of `flat` (a tensor on comm_device()) over the ranks and returns
  /// the function that waits for it (a kdw::Error with one line when a rank is gone).
  std::function<void()> start_sum(at::Tensor flat);
  /// The same with the element-wise maximum (a union of masks, any rank's flag).
  std::function<void()> start_max(at::Tensor flat);
  /// Counts the seconds one step waited for its gradient all-reduces, and its buckets: all of
  /// them, and those started during backward.
  void record_reduce_wait(double seconds, int buckets = 0, int started_in_backward = 0);
  /// Counts the bytes one step all-reduced for its gradients, and the dense gradient's bytes.
  void record_reduce_bytes(int64_t sent, int64_t dense);
  const ReduceStats& reduce_stats() const { return stats_; }
  /// Element-wise mean over the ranks, in place (float tensors of the same shape everywhere).
  void all_reduce_mean(std::vector<at::Tensor>& tensors);
  void broadcast(at::Tensor& tensor, int root = 0);
  void barrier();
  /// Rank 0 gets the rows of every rank's `rows` ([n_r, ...], n_r may differ) concatenated in
  /// rank order; the other ranks get an undefined tensor.
  at::Tensor gather_rows(const at::Tensor& rows);

 private:
  struct Group;
  static void connect_gloo(Group& g, const DistEnv& env, std::chrono::milliseconds op_timeout);
  static void connect_nccl(Group& g, const DistEnv& env, std::chrono::milliseconds op_timeout);
  std::function<void()> start_all_reduce(at::Tensor flat, bool max);
  int rank_ = 0;
  int world_ = 1;
  Backend backend_ = Backend::kGloo;
  c10::Device comm_device_{c10::kCPU};
  ReduceStats stats_;
  std::unique_ptr<Group> group_;
};

/// The process's context: a single process unless set_context() installed another (the CLI
/// does when RANK/WORLD_SIZE are set). Engine loops call their hooks on it.
DistContext& context();
void set_context(std::unique_ptr<DistContext> ctx);

/// True when this build can run a job over several processes (LibTorch with Gloo or NCCL).
bool available();

}  // namespace kdw::dist
