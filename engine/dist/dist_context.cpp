#include "dist/dist_context.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <ATen/ATen.h>

#include "core/device.h"
#include "core/error.h"
#include "core/log.h"

#if defined(KDW_HAVE_GLOO) || defined(KDW_HAVE_NCCL)
#define KDW_HAVE_C10D
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/version.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/Types.hpp>
// The collectives' common base class (see Collectives below).
#if TORCH_VERSION_MAJOR >= 2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#else
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#endif
// LibTorch 2.4 and later host the TCPStore on libuv unless told otherwise (TCPStoreOptions).
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define KDW_TCPSTORE_LIBUV
#endif
#endif
#ifdef KDW_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef KDW_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace kdw::dist {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Gradients are all-reduced in buckets of about this many bytes, as DDP's default.
constexpr int64_t kBucketBytes = 25 << 20;

std::string seconds_text(milliseconds t) {
  const double s = double(t.count()) / 1000;
  char text[32];
  std::snprintf(text, sizeof text, "%g s", s);
  return text;
}

std::string rank_list(const std::vector<int>& ranks) {
  std::string s;
  for (const int r : ranks) s += (s.empty() ? "" : ", ") + std::to_string(r);
  return (ranks.size() == 1 ? "rank " : "ranks ") + s;
}

// The first line of a c10::Error without its C++ backtrace.
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// c10d logs each failed connection attempt to stderr through glog (several lines, with a
// preamble); the rendezvous reports its own one line instead, so stderr is muted meanwhile.
// Only the CLI's main thread runs at this point.
class MuteStderr {
 public:
  MuteStderr() : saved_(dup(STDERR_FILENO)) {
    const int null = open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && null >= 0) dup2(null, STDERR_FILENO);
    if (null >= 0) close(null);
  }
  ~MuteStderr() {
    if (saved_ < 0) return;
    dup2(saved_, STDERR_FILENO);
    close(saved_);
  }
  MuteStderr(const MuteStderr&) = delete;
  MuteStderr& operator=(const MuteStderr&) = delete;

 private:
  int saved_;
};

}  // namespace

#ifdef KDW_HAVE_C10D
// The collectives' common base: c10d::ProcessGroup in LibTorch 1.x, c10d::Backend in 2.x.
#if TORCH_VERSION_MAJOR >= 2
using Collectives = c10d::Backend;
#else
using Collectives = c10d::ProcessGroup;
#endif

struct DistContext::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Collectives> pg;
  c10::Device device{c10::kCPU};  // where the collectives' tensors must be
  milliseconds timeout{60000};
  std::string where;  // "ADDR:PORT" for messages
  int64_t agreements = 0;

  int rank = 0;
  int world = 1;

  Group() = default;
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;
  ~Group() {
#if defined(KDW_HAVE_NCCL) && TORCH_VERSION_MAJOR >= 2
    // NCCL's communicators are shut down before the group goes (else a warning at exit).
    try {
      if (auto* nccl = dynamic_cast<c10d::ProcessGroupNCCL*>(pg.get())) nccl->shutdown();
    } catch (...) {
      // Leaving anyway.
    }
#endif
  }

  // Waits until every rank has set `prefix` + rank; throws naming the ranks still missing, or
  // the failure a rank reported meanwhile (abort()).
  void wait_for_ranks(const std::string& prefix, int world, const std::string& what) {
    const auto deadline = Clock::now() + timeout;
    std::vector<int> missing(world);
    for (int r = 0; r < world; ++r) missing[r] = r;
    try {
      while (!missing.empty()) {
        if (store->check({"kdw/abort"})) {
          const auto v = store->get("kdw/abort");
          store->set("kdw/abort_seen/" + std::to_string(rank), std::vector<uint8_t>{1});
          throw Error(std::string(v.begin(), v.end()));
        }
        std::vector<int> still;
        for (const int r : missing)
          if (!store->check({prefix + std::to_string(r)})) still.push_back(r);
        missing.swap(still);
        if (missing.empty()) break;
        if (Clock::now() > deadline)
          throw Error(rank_list(missing) + " did not " + what + " at " + where + " within " +
                      seconds_text(timeout) + " (dist_timeout)");
        std::this_thread::sleep_for(milliseconds(20));
      }
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error("lost the rendezvous at " + where + " (rank 0 ended or is unreachable) while " +
                  rank_list(missing) + " had not " + (what == "join" ? "joined" : "answered") +
                  ": " + first_line(e.what()));
    }
  }

  void run(c10::intrusive_ptr<c10d::Work> work, const char* op) {
    try {
      work->wait();
    } catch (const std::exception& e) {
      throw Error(who_failed() + " (distributed " + op + " failed: " + first_line(e.what()) + ")");
    }
  }

  // After a failed collective: the line a rank that stopped with an error left (abort()), or
  // the ranks that do not answer at the rendezvous within a few seconds. Gloo only says that a
  // connection closed, not whose. Rank 0 hosts the rendezvous: when it is gone, it is named.
  std::string who_failed() {
    try {
      store->set("kdw/alive/" + std::to_string(rank), std::vector<uint8_t>{1});
      const auto deadline = Clock::now() + std::min<milliseconds>(timeout, milliseconds(3000));
      std::vector<int> missing;
      for (;;) {
        if (store->check({"kdw/abort"})) {
          const auto v = store->get("kdw/abort");
          return std::string(v.begin(), v.end());
        }
        missing.clear();
        for (int r = 0; r < world; ++r)
          if (!store->check({"kdw/alive/" + std::to_string(r)})) missing.push_back(r);
        if (missing.empty()) return "a rank lost its connection";
        if (Clock::now() > deadline) break;
        std::this_thread::sleep_for(milliseconds(20));
      }
      return rank_list(missing) + (missing.size() == 1 ? " ended or lost its connection"
                                                       : " ended, lost their connections or hang");
    } catch (const std::exception&) {
      return "rank 0 ended or lost its connection";
    }
  }
  // Runs `op` on tensors moved to the backend's device (NCCL: this rank's GPU) and copies the
  // results back.
  template <class F>
  void on_device(std::vector<at::Tensor>& tensors, F op) {
    std::vector<at::Tensor> moved;
    for (const at::Tensor& t : tensors) moved.push_back(t.device() == device ? t : t.to(device));
    op(moved);
    for (std::size_t i = 0; i < tensors.size(); ++i)
      if (!moved[i].is_same(tensors[i])) tensors[i].copy_(moved[i]);
  }
};
#else
struct DistContext::Group {};
#endif

DistContext::DistContext() = default;
DistContext::~DistContext() = default;

bool backend_built(Backend backend) {
#ifdef KDW_HAVE_GLOO
  if (backend == Backend::kGloo) return true;
#endif
#ifdef KDW_HAVE_NCCL
  if (backend == Backend::kNccl) return true;
#endif
  (void)backend;
  return false;
}

bool available() {
  return backend_built(Backend::kGloo) || backend_built(Backend::kNccl);
}

const char* backend_name(Backend backend) {
  return backend == Backend::kNccl ? "nccl" : "gloo";
}

Backend choose_backend(const std::string& name, const std::string& device) {
  const bool cuda = device == "cuda";
  if (name == "auto")
    return cuda && backend_built(Backend::kNccl) ? Backend::kNccl : Backend::kGloo;
  if (name == "nccl") {
    if (!cuda)
      throw UsageError(
          "dist_backend nccl runs on GPUs only: use device cuda, or dist_backend gloo");
    if (!backend_built(Backend::kNccl))
      throw Error(
          "this kdw was built without LibTorch's NCCL backend (it needs PyTorch's LibTorch with "
          "CUDA and nccl.h): use dist_backend gloo");
    return Backend::kNccl;
  }
  if (name == "gloo") {
    if (!backend_built(Backend::kGloo))
      throw Error(std::string("this kdw was built without LibTorch's Gloo backend (libgloo-dev)") +
                  (backend_built(Backend::kNccl) ? ": use dist_backend nccl on GPUs" : ""));
    return Backend::kGloo;
  }
  throw UsageError("unknown dist_backend '" + name + "' (valid: gloo, nccl, auto)");
}

std::unique_ptr<DistContext> DistContext::connect(const DistEnv& env, milliseconds timeout,
                                                  Backend backend) {
  auto ctx = std::make_unique<DistContext>();
  ctx->rank_ = env.rank;
  ctx->world_ = env.world;
  ctx->backend_ = backend;
  if (env.world == 1 && !available()) return ctx;  // a single process, as before c10d
  if (!backend_built(backend))
    throw Error(std::string("this kdw was built without LibTorch's ") +
                (backend == Backend::kNccl ? "NCCL" : "Gloo") +
                " backend, so WORLD_SIZE must be 1");
#ifdef KDW_HAVE_C10D
  auto g = std::make_unique<Group>();
  g->rank = env.rank;
  g->world = env.world;
  g->timeout = timeout;
  g->where = env.master_addr + ":" + std::to_string(env.master_port);
  c10d::TCPStoreOptions so;
  so.port = env.master_port;
  so.isServer = env.rank == 0;
  so.waitWorkers = false;  // the joins are awaited below, to name the ranks that are missing
  so.timeout = timeout;
  try {
    const MuteStderr mute;
    try {
      g->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
    } catch (const c10::Error& e) {
#ifdef KDW_TCPSTORE_LIBUV
      // A LibTorch built without libuv (Debian's 2.x) refuses its default store; the classic
      // socket store speaks the same protocol, so ranks of either kind still meet.
      if (!so.useLibUV || std::string(e.what()).find("libuv") == std::string::npos) throw;
      so.useLibUV = false;
      g->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
#else
      throw;
#endif
    }
  } catch (const std::exception& e) {
    const std::string why = first_line(e.what());
    if (env.rank == 0 && why.find("in use") != std::string::npos)
      throw Error("MASTER_PORT " + std::to_string(env.master_port) +
                  " is already in use on rank 0's machine: choose a free port");
    if (env.rank == 0) throw Error("rank 0 cannot host the rendezvous at " + g->where + ": " + why);
    throw Error("rank " + std::to_string(env.rank) + " cannot reach rank 0's rendezvous at " +
                g->where + " within " + seconds_text(timeout) +
                " (is rank 0 running and MASTER_ADDR its address?): " + why);
  }
  g->store->set("kdw/joined/" + std::to_string(env.rank), std::vector<uint8_t>{1});
  g->wait_for_ranks("kdw/joined/", env.world, "join");
  // The backends' own operations wait up to 30 minutes (PyTorch's default): a rank may be busy
  // alone for a while (rank 0 evaluating and saving); a rank that dies closes its sockets,
  // which ends the others' waits at once.
  const auto op_timeout = std::max<milliseconds>(timeout, std::chrono::minutes(30));
  if (backend == Backend::kNccl) {
    connect_nccl(*g, env, op_timeout);
  } else {
    connect_gloo(*g, env, op_timeout);
  }
  ctx->comm_device_ = g->device;
  ctx->group_ = std::move(g);
  log::debug("rank {} of {} joined the job at {} ({})", env.rank, env.world, ctx->group_->where,
             backend_name(backend));
  return ctx;
#else
  (void)timeout;
  throw Error(
      "this kdw was built without LibTorch's distributed backends, so WORLD_SIZE must be 1");
#endif
}

#ifdef KDW_HAVE_C10D
void DistContext::connect_gloo(Group& g, const DistEnv& env, milliseconds op_timeout) {
#ifdef KDW_HAVE_GLOO
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(op_timeout);
    const bool loopback = env.master_addr == "localhost" || env.master_addr.rfind("127.", 0) == 0;
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (loopback)
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    g.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", g.store), env.rank, env.world, options);
  } catch (const c10::Error& e) {
    throw Error("rank " + std::to_string(env.rank) +
                " could not connect to the other ranks: " + first_line(e.what_without_backtrace()));
  }
#else
  (void)g, (void)env, (void)op_timeout;
#endif
}

void DistContext::connect_nccl(Group& g, const DistEnv& env, milliseconds op_timeout) {
#ifdef KDW_HAVE_NCCL
  const int gpus = cuda_available() ? cuda_device_count() : 0;
  if (env.local_rank >= gpus)
    throw Error("rank " + std::to_string(env.rank) + " has LOCAL_RANK " +
                std::to_string(env.local_rank) + " but this machine has " + std::to_string(gpus) +
                " CUDA GPU(s): NCCL needs one GPU per rank on a machine");
  g.device = c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(env.local_rank));
  // NCCL's communicator and the verbs' tensors ("cuda") go to this rank's GPU.
  c10::impl::VirtualGuardImpl(c10::kCUDA).setDevice(g.device);
  set_cuda_device_index(env.local_rank);
  try {
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = op_timeout;
    g.pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(
        c10::make_intrusive<c10d::PrefixStore>("nccl", g.store), env.rank, env.world, options);
  } catch (const c10::Error& e) {
    throw Error(
        "rank " + std::to_string(env.rank) +
        " could not connect to the other ranks (NCCL): " + first_line(e.what_without_backtrace()));
  }
#else
  (void)g, (void)env, (void)op_timeout;
#endif
}
#endif

void DistContext::agree(const std::string& what, const std::string& hash) {
  if (!distributed()) return;
#ifdef KDW_HAVE_C10D
  Group& g = *group_;
  const std::string prefix = "kdw/agree/" + std::to_string(g.agreements++) + "/";
  try {
    g.store->set(prefix + std::to_string(rank_), std::vector<uint8_t>(hash.begin(), hash.end()));
  } catch (const std::exception& e) {
    throw Error("lost the rendezvous at " + g.where + ": " + first_line(e.what()));
  }
  g.wait_for_ranks(prefix, world_, "report their " + what);
  std::vector<std::string> hashes;
  try {
    for (int r = 0; r < world_; ++r) {
      const auto v = g.store->get(prefix + std::to_string(r));
      hashes.emplace_back(v.begin(), v.end());
    }
    // Rank 0 hosts the store: it waits until every rank has read the hashes before it may
    // leave (on a mismatch), so that every rank reports the mismatch, not a lost connection.
    g.store->set(prefix + "read/" + std::to_string(rank_), std::vector<uint8_t>{1});
  } catch (const std::exception& e) {
    throw Error("lost the rendezvous at " + g.where + ": " + first_line(e.what()));
  }
  if (rank_ == 0) g.wait_for_ranks(prefix + "read/", world_, "read the " + what);
  std::vector<int> differ;
  for (int r = 1; r < world_; ++r)
    if (hashes[r] != hashes[0]) differ.push_back(r);
  if (!differ.empty())
    throw Error(rank_list(differ) + " started with other " + what + " than rank 0 (hash " +
                hashes[differ[0]] + " against " + hashes[0] +
                "): start every rank with the same options and data");
#else
  (void)what;
  (void)hash;
#endif
}

void DistContext::abort(const std::string& message) noexcept {
  if (!distributed()) return;
#ifdef KDW_HAVE_C10D
  try {
    const std::string text = "rank " + std::to_string(rank_) + " stopped: " + message;
    group_->store->compareSet("kdw/abort", {}, std::vector<uint8_t>(text.begin(), text.end()));
    if (rank_ != 0) {
      group_->store->set("kdw/abort_seen/" + std::to_string(rank_), std::vector<uint8_t>{1});
      return;
    }
    // Rank 0 hosts the store: it stays (a few seconds at most) until the ranks that joined have
    // read why, or stopped themselves.
    const auto deadline = Clock::now() + std::chrono::seconds(3);
    for (int r = 1; r < world_ && Clock::now() < deadline; ++r) {
      if (!group_->store->check({"kdw/joined/" + std::to_string(r)})) continue;
      while (!group_->store->check({"kdw/abort_seen/" + std::to_string(r)}) &&
             Clock::now() < deadline)
        std::this_thread::sleep_for(milliseconds(20));
    }
  } catch (...) {
    // Best effort: the others also notice that this rank is gone.
  }
#else
  (void)message;
#endif
}

bool DistContext::share_decision(bool decision) {
  if (!distributed()) return decision;
  at::Tensor flag = at::full({1}, decision ? 1 : 0, at::kInt);
  broadcast(flag, 0);
  return flag.item<int>() != 0;
}

std::pair<int64_t, int64_t> DistContext::range(int64_t n) const {
  return {n * rank_ / world_, n * (rank_ + 1) / world_};
}

Shard DistContext::shard(const std::vector<int64_t>& batch) const {
  Shard s;
  const auto n = static_cast<int64_t>(batch.size());
  const auto [begin, end] = range(n);
  if (begin == end && n > 0) {
    s.index = {batch[0]};
    s.weight = 0;
    return s;
  }
  s.index.assign(batch.begin() + begin, batch.begin() + end);
  s.first_row = begin;
  s.weight = n > 0 ? double(end - begin) * world_ / double(n) : 0;
  return s;
}

bool DistContext::average_gradients(const std::vector<at::Tensor>& params, bool cancel) {
  if (!distributed()) return cancel;
#ifdef KDW_HAVE_C10D
  // Buckets of flattened gradients; the last one carries the cancel flags as one more element.
  std::vector<std::vector<at::Tensor>> buckets(1);
  int64_t bytes = 0;
  for (const at::Tensor& p : params) {
    at::Tensor& grad = const_cast<at::Tensor&>(p).mutable_grad();
    if (!grad.defined()) grad = at::zeros_like(p);
    const int64_t b = grad.numel() * int64_t(grad.element_size());
    if (bytes > 0 && bytes + b > kBucketBytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(grad);
    bytes += b;
  }
  const auto start = Clock::now();
  bool any_cancel = false;
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    std::vector<at::Tensor> flat;
    for (const at::Tensor& g : buckets[k])
      flat.push_back(g.reshape({-1}).to(comm_device_, at::kFloat));
    const bool last = k + 1 == buckets.size();
    if (last) flat.push_back(at::full({1}, cancel ? 1.0f : 0.0f, at::TensorOptions(comm_device_)));
    std::vector<at::Tensor> one{at::cat(flat)};
    group_->run(group_->pg->allreduce(one), "gradient all-reduce");
    at::Tensor sum = one[0];
    int64_t at = 0;
    for (const at::Tensor& g : buckets[k]) {
      const int64_t n = g.numel();
      g.copy_(sum.narrow(0, at, n).view(g.sizes()).div_(world_));
      at += n;
    }
    if (last) any_cancel = sum[at].item<float>() > 0;
  }
  record_reduce_wait(std::chrono::duration<double>(Clock::now() - start).count(),
                     static_cast<int>(buckets.size()));
  int64_t sent = 0;
  for (const auto& bucket : buckets)
    for (const at::Tensor& g : bucket) sent += g.numel() * 4;  // sent as float32
  record_reduce_bytes(sent + 4, sent + 4);                     // and the cancel flag
  return any_cancel;
#else
  (void)params;
  return cancel;
#endif
}

std::function<void()> DistContext::start_sum(at::Tensor flat) {
  return start_all_reduce(std::move(flat), /*max=*/false);
}

std::function<void()> DistContext::start_max(at::Tensor flat) {
  return start_all_reduce(std::move(flat), /*max=*/true);
}

std::function<void()> DistContext::start_all_reduce(at::Tensor flat, bool max) {
  if (!distributed()) return [] {};
#ifdef KDW_HAVE_C10D
  std::vector<at::Tensor> one{std::move(flat)};
  c10d::AllreduceOptions opts;
  if (max) opts.reduceOp = c10d::ReduceOp::MAX;
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group_->pg->allreduce(one, opts);
  } catch (const std::exception& e) {
    throw Error(std::string("distributed gradient all-reduce failed (a rank ended or lost its "
                            "connection): ") +
                first_line(e.what()));
  }
  Group* g = group_.get();
  return [g, work] { g->run(work, "gradient all-reduce"); };
#else
  (void)max;
  return [] {};
#endif
}

void DistContext::record_reduce_wait(double seconds, int buckets, int started_in_backward) {
  ++stats_.steps;
  stats_.wait_s += seconds;
  stats_.buckets += buckets;
  stats_.started_in_backward += started_in_backward;
}

void DistContext::record_reduce_bytes(int64_t sent, int64_t dense) {
  stats_.bytes += sent;
  stats_.dense_bytes += dense;
}

void DistContext::all_reduce_mean(std::vector<at::Tensor>& tensors) {
  if (!distributed()) return;
#ifdef KDW_HAVE_C10D
  group_->on_device(tensors, [&](std::vector<at::Tensor>& t) {
    group_->run(group_->pg->allreduce(t), "all-reduce");
  });
  for (at::Tensor& t : tensors) t.div_(world_);
#endif
}

void DistContext::broadcast(at::Tensor& tensor, int root) {
  if (!distributed()) return;
#ifdef KDW_HAVE_C10D
  std::vector<at::Tensor> one{tensor};
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  group_->on_device(one, [&](std::vector<at::Tensor>& t) {
    group_->run(group_->pg->broadcast(t, opts), "broadcast");
  });
#else
  (void)tensor;
  (void)root;
#endif
}

void DistContext::barrier() {
  if (!distributed()) return;
#ifdef KDW_HAVE_C10D
  if (backend_ == Backend::kNccl) {
    // NCCL's barrier guesses a GPU per rank; an all-reduce on this rank's GPU is the same wait.
    std::vector<at::Tensor> one{at::zeros({1}, at::TensorOptions(comm_device_))};
    group_->run(group_->pg->allreduce(one), "barrier");
    one[0].item<float>();
    return;
  }
  group_->run(group_->pg->barrier(), "barrier");
#endif
}

at::Tensor DistContext::gather_rows(const at::Tensor& rows) {
  if (!distributed()) return rows;
#ifdef KDW_HAVE_C10D
  // Gloo and NCCL gather equal shapes: every rank learns the row counts, pads to the largest,
  // and rank 0 cuts the padding off again.
  at::Tensor counts = at::zeros({world_}, at::kLong);
  counts[rank_] = rows.size(0);
  std::vector<at::Tensor> c{counts};
  group_->on_device(
      c, [&](std::vector<at::Tensor>& t) { group_->run(group_->pg->allreduce(t), "all-reduce"); });
  const int64_t most = counts.max().item<int64_t>();
  std::vector<int64_t> shape = rows.sizes().vec();
  shape[0] = most;
  const auto on = rows.options().device(comm_device_);
  at::Tensor padded = at::zeros(shape, on);
  padded.narrow(0, 0, rows.size(0)).copy_(rows);
  std::vector<at::Tensor> in{padded};
  std::vector<std::vector<at::Tensor>> out;
  if (rank_ == 0) {
    out.emplace_back();
    for (int r = 0; r < world_; ++r) out[0].push_back(at::empty(shape, on));
  }
  c10d::GatherOptions opts;
  opts.rootRank = 0;
  group_->run(group_->pg->gather(out, in, opts), "gather");
  if (rank_ != 0) return at::Tensor();
  std::vector<at::Tensor> parts;
  for (int r = 0; r < world_; ++r)
    parts.push_back(out[0][r].narrow(0, 0, counts[r].item<int64_t>()));
  return at::cat(parts).to(rows.device());
#else
  return rows;
#endif
}

namespace {
std::unique_ptr<DistContext>& current() {
  static std::unique_ptr<DistContext> ctx = std::make_unique<DistContext>();
  return ctx;
}
}  // namespace

DistContext& context() {
  return *current();
}

void set_context(std::unique_ptr<DistContext> ctx) {
  current() = ctx ? std::move(ctx) : std::make_unique<DistContext>();
}

}  // namespace kdw::dist
