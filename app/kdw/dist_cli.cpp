#include "dist_cli.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common_options.h"
#include "core/device.h"
#include "core/error.h"
#include "core/log.h"
#include "dist/dist_context.h"

namespace kdw::cli {
namespace {

// A TCP port that is free on this machine now (the kernel picks it). Another program could
// take it before rank 0 binds it; rank 0 then fails with one line naming the port.
uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error("cannot open a socket to find a free port: " + errno_text(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw Error("cannot find a free TCP port on 127.0.0.1: " + errno_text(errno));
  return ntohs(addr.sin_port);
}

volatile std::sig_atomic_t g_launcher_interrupts = 0;
void on_launcher_signal(int) {
  ++g_launcher_interrupts;
}

std::string exit_text(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + strsignal(WTERMSIG(status));
  return "exited with code " + std::to_string(WEXITSTATUS(status));
}

// Runs `nproc` copies of this command with RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and
// MASTER_PORT set. When one fails the others are stopped (SIGTERM, then SIGKILL after 5 s) and
// the launcher names it; a Ctrl-C is passed on to every worker, which stop at the same step (the
// cancel travels with the gradients), and the launcher waits for them.
int launch(int nproc, int argc, char** argv) {
  const uint16_t port = free_port();
  std::vector<pid_t> pids(nproc, -1);
  std::signal(SIGINT, on_launcher_signal);
  std::signal(SIGTERM, on_launcher_signal);
  for (int r = 0; r < nproc; ++r) {
    const pid_t pid = fork();
    if (pid < 0) throw Error("cannot start worker " + std::to_string(r) + ": " + errno_text(errno));
    if (pid == 0) {
      // Its own process group: a Ctrl-C in the terminal reaches the launcher only, which passes
      // each one on once (a second one aborts the workers, as in a single process).
      setpgid(0, 0);
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      setenv("RANK", std::to_string(r).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(r).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", "127.0.0.1", 1);
      setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
      std::vector<char*> args;
      static char kdw_name[] = "kdw";
      args.push_back(kdw_name);
      for (int i = 0; i < argc; ++i) args.push_back(argv[i]);
      args.push_back(nullptr);
      execv("/proc/self/exe", args.data());
      std::fprintf(stderr, "kdw: cannot start worker %d: %s\n", r, std::strerror(errno));
      _exit(127);
    }
    pids[r] = pid;
  }
  int alive = nproc, code = 0, forwarded = 0, failed_rank = -1;
  std::string failure;
  auto deadline = std::chrono::steady_clock::time_point::max();
  while (alive > 0) {
    if (g_launcher_interrupts > forwarded) {
      forwarded = g_launcher_interrupts;
      for (const pid_t p : pids)
        if (p > 0) kill(p, SIGINT);
      if (code == 0) code = 130;
    }
    int status = 0;
    const pid_t done = waitpid(-1, &status, WNOHANG);
    if (done <= 0) {
      if (std::chrono::steady_clock::now() > deadline)
        for (const pid_t p : pids)
          if (p > 0) kill(p, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int rank = 0;
    while (rank < nproc && pids[rank] != done) ++rank;
    if (rank == nproc) continue;
    pids[rank] = -1;
    --alive;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    const bool cancelled = WIFEXITED(status) && WEXITSTATUS(status) == 130;
    if (ok || (cancelled && code == 130)) continue;
    if (cancelled) {
      code = 130;
      continue;
    }
    if (failure.empty()) {
      failure = "rank " + std::to_string(rank) + " " + exit_text(status);
      failed_rank = rank;
      code = 1;
      for (const pid_t p : pids)
        if (p > 0) kill(p, SIGTERM);
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    }
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (!failure.empty()) {
    failure += "; the other ranks were stopped";
    std::fprintf(stderr, "kdw: %s\n", failure.c_str());
    // After the workers' own error events: a reader prefers the failed rank's own message.
    write_event(error_event(failure, -1, failed_rank));
  }
  return code;
}

}  // namespace

void add_dist_options(ArgParser& parser, DistOptions& options) {
  parser.add_table(dist::dist_option_table(), options);
}

std::optional<int> start_dist(const DistOptions& options, int argc, char** argv,
                              const std::string& device) {
  dist::dist_option_table().check(options);
  auto env = dist::read_dist_env();
  // Checked in every run (a single process too), so that a wrong choice shows at once.
  const dist::Backend backend = dist::choose_backend(options.dist_backend, device);
  if (!env && options.nproc > 1) {
    if (backend == dist::Backend::kNccl && options.nproc > cuda_device_count())
      throw Error("--nproc " + std::to_string(options.nproc) + " with NCCL needs one GPU per " +
                  "worker; this machine has " + std::to_string(cuda_device_count()));
    return launch(options.nproc, argc, argv);
  }
  // RANK and WORLD_SIZE set: a job, even of one rank (it goes through the backend like more).
  if (!env) return std::nullopt;
  const auto timeout =
      std::chrono::milliseconds(static_cast<int64_t>(std::ceil(options.dist_timeout * 1000)));
  dist::set_context(dist::DistContext::connect(*env, timeout, backend));
  // One progress line and one log: the other ranks only warn.
  if (env->rank != 0) log::init_console(log::Level::warn);
  log::info("distributed job: {} ranks over {} (rendezvous at {}:{})", env->world,
            dist::backend_name(backend), env->master_addr, env->master_port);
  return std::nullopt;
}

void finish_dist() {
  dist::DistContext& ctx = dist::context();
  ctx.barrier();
  // Rank 0's time blocked on gradient all-reduces after backward (the part not overlapped),
  // and how many buckets a step started while backward ran (GradReducer's overlap).
  if (const dist::ReduceStats& s = ctx.reduce_stats(); ctx.distributed() && s.steps > 0)
    log::info(
        "gradient all-reduce: {:.3f} ms waited per step ({} steps, {:.2f} s in all; "
        "{:.2f} of {:.2f} buckets a step started during backward), {} bytes a step (the dense "
        "gradient: {} bytes)",
        1000 * s.wait_s / double(s.steps), s.steps, s.wait_s,
        double(s.started_in_backward) / double(s.steps), double(s.buckets) / double(s.steps),
        s.bytes / s.steps, s.dense_bytes / s.steps);
}

}  // namespace kdw::cli
