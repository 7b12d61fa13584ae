#include "dist/dist_context.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <ATen/ATen.h>

#include "core/error.h"
#include "core/log.h"

#ifdef KDW_HAVE_GLOO
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
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

#ifdef KDW_HAVE_GLOO
struct DistContext::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  milliseconds timeout{60000};
  std::string where;  // "ADDR:PORT" for messages
  int64_t agreements = 0;

  int rank = 0;
  int world = 1;

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
};
#else
struct DistContext::Group {};
#endif

DistContext::DistContext() = default;
DistContext::~DistContext() = default;

bool available() {
#ifdef KDW_HAVE_GLOO
  return true;
#else
  return false;
#endif
}

std::unique_ptr<DistContext> DistContext::connect(const DistEnv& env, milliseconds timeout) {
  auto ctx = std::make_unique<DistContext>();
  ctx->rank_ = env.rank;
  ctx->world_ = env.world;
  if (env.world == 1) return ctx;
#ifndef KDW_HAVE_GLOO
  (void)timeout;
  throw Error("this kdw was built without LibTorch's Gloo backend, so WORLD_SIZE must be 1");
#else
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
    g->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
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
  try {
    // Gloo's own operations wait up to 30 minutes (PyTorch's default): a rank may be busy
    // alone for a while (rank 0 evaluating and saving); a rank that dies closes its sockets,
    // which ends the others' waits at once.
    auto options = c10d::ProcessGroupGloo::Options::create(
        std::max<milliseconds>(timeout, std::chrono::minutes(30)));
    const bool loopback = env.master_addr == "localhost" || env.master_addr.rfind("127.", 0) == 0;
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    else if (loopback)
      options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    else
      options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(
        c10::make_intrusive<c10d::PrefixStore>("gloo", g->store), env.rank, env.world, options);
  } catch (const c10::Error& e) {
    throw Error("rank " + std::to_string(env.rank) +
                " could not connect to the other ranks: " + first_line(e.what_without_backtrace()));
  }
  ctx->group_ = std::move(g);
  log::debug("rank {} of {} joined the job at {}", env.rank, env.world, ctx->group_->where);
  return ctx;
#endif
}

void DistContext::agree(const std::string& what, const std::string& hash) {
  if (!distributed()) return;
#ifdef KDW_HAVE_GLOO
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
#ifdef KDW_HAVE_GLOO
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
#ifdef KDW_HAVE_GLOO
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
  bool any_cancel = false;
  for (std::size_t k = 0; k < buckets.size(); ++k) {
    std::vector<at::Tensor> flat;
    for (const at::Tensor& g : buckets[k]) flat.push_back(g.reshape({-1}).to(at::kFloat));
    const bool last = k + 1 == buckets.size();
    if (last) flat.push_back(at::full({1}, cancel ? 1.0f : 0.0f, at::kFloat));
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
  return any_cancel;
#else
  (void)params;
  return cancel;
#endif
}

void DistContext::all_reduce_mean(std::vector<at::Tensor>& tensors) {
  if (!distributed()) return;
#ifdef KDW_HAVE_GLOO
  group_->run(group_->pg->allreduce(tensors), "all-reduce");
  for (at::Tensor& t : tensors) t.div_(world_);
#endif
}

void DistContext::broadcast(at::Tensor& tensor, int root) {
  if (!distributed()) return;
#ifdef KDW_HAVE_GLOO
  std::vector<at::Tensor> one{tensor};
  c10d::BroadcastOptions opts;
  opts.rootRank = root;
  group_->run(group_->pg->broadcast(one, opts), "broadcast");
#else
  (void)tensor;
  (void)root;
#endif
}

void DistContext::barrier() {
  if (!distributed()) return;
#ifdef KDW_HAVE_GLOO
  group_->run(group_->pg->barrier(), "barrier");
#endif
}

at::Tensor DistContext::gather_rows(const at::Tensor& rows) {
  if (!distributed()) return rows;
#ifdef KDW_HAVE_GLOO
  // Gloo gathers equal shapes: every rank learns the row counts, pads to the largest, and rank
  // 0 cuts the padding off again.
  at::Tensor counts = at::zeros({world_}, at::kLong);
  counts[rank_] = rows.size(0);
  std::vector<at::Tensor> c{counts};
  group_->run(group_->pg->allreduce(c), "all-reduce");
  const int64_t most = counts.max().item<int64_t>();
  std::vector<int64_t> shape = rows.sizes().vec();
  shape[0] = most;
  at::Tensor padded = at::zeros(shape, rows.options());
  padded.narrow(0, 0, rows.size(0)).copy_(rows);
  std::vector<at::Tensor> in{padded};
  std::vector<std::vector<at::Tensor>> out;
  if (rank_ == 0) {
    out.emplace_back();
    for (int r = 0; r < world_; ++r) out[0].push_back(at::empty(shape, rows.options()));
  }
  c10d::GatherOptions opts;
  opts.rootRank = 0;
  group_->run(group_->pg->gather(out, in, opts), "gather");
  if (rank_ != 0) return at::Tensor();
  std::vector<at::Tensor> parts;
  for (int r = 0; r < world_; ++r)
    parts.push_back(out[0][r].narrow(0, 0, counts[r].item<int64_t>()));
  return at::cat(parts);
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
