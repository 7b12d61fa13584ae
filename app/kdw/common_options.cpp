#include "common_options.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "core/log.h"
#include "core/printable.h"
#include "core/threads.h"
#include "dist/dist_context.h"

namespace kdw::cli {
namespace {

JobContext* g_active_job = nullptr;
bool g_json_events = false;
volatile std::sig_atomic_t g_interrupts = 0;

void on_interrupt(int) {
  if (++g_interrupts > 1 || !g_active_job) _exit(130);
  g_active_job->request_cancel();  // an atomic store: safe in a signal handler
  const char msg[] = "\nkdw: stopping after the current step (Ctrl-C again to abort)\n";
  (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
}

}  // namespace

void add_common_options(ArgParser& parser, CommonOptions& options) {
  parser.add_int("threads", &options.threads,
                 "CPU threads for LibTorch (0: all cores; at most " +
                     std::to_string(kMaxThreadsPerCore) + " per core, " +
                     std::to_string(max_thread_count()) + " here)");
  parser.add_choice("log_level", &options.log_level, {"trace", "debug", "info", "warn", "error"},
                    "console log level");
  parser.add_choice("progress", &options.progress, {"text", "json"},
                    "progress: text on stderr, or json: one JSON object a line on stdout for "
                    "programs (progress, metric records, errors; distill and finetune also their "
                    "result)");
}

bool json_events() {
  return g_json_events;
}

void write_event(const JobEvent& event) {
  if (!g_json_events) return;
  const std::string line = job_event_line(event) + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the reader is gone: nothing left to tell
    written += std::size_t(n);
  }
}

void report_error(const std::string& message) {
  std::fprintf(stderr, "kdw: %s\n", printable(message, 4096).c_str());
  write_event(error_event(message, dist::context().rank()));
}

void apply_common_options(const CommonOptions& options) {
  check_thread_count(options.threads);
  g_json_events = options.progress == "json";
  log::init_console(log::parse_level(options.log_level));
  const int used = apply_thread_count(options.threads);
  log::debug("LibTorch threads: {}", used);
  warn_if_blas_slow();
}

ConsoleJob::ConsoleJob() {
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  auto last_stage = std::make_shared<std::string>();
  const bool tty = isatty(STDERR_FILENO);
  // In a distributed job rank 0 shows the one progress line (or writes the events).
  if (g_json_events && dist::context().is_writer()) {
    job_.set_progress_sink([](const ProgressEvent& e) { write_event(progress_event(e)); });
    job_.set_metric_sink([](const nlohmann::json& r) { write_event(metric_event(r)); });
  } else if (dist::context().is_writer())
    job_.set_progress_sink([last, last_stage, tty](const ProgressEvent& e) {
      const auto now = std::chrono::steady_clock::now();
      const bool finished = e.total > 0 && e.done >= e.total;
      if (e.stage == *last_stage && !finished && now - *last < std::chrono::milliseconds(500))
        return;
      *last = now;
      *last_stage = e.stage;
      std::string line = e.stage;
      if (e.total > 0)
        line += " " + std::to_string(e.done) + "/" + std::to_string(e.total) + " (" +
                std::to_string(static_cast<int>(100 * e.fraction())) + "%)";
      else if (e.done > 0)
        line += " " + std::to_string(e.done);
      if (!e.message.empty()) line += "  " + e.message;
      std::fprintf(stderr, tty ? "\r\033[K%s%s" : "%s%s", line.c_str(),
                   tty && !finished ? "" : "\n");
      std::fflush(stderr);
    });
  g_interrupts = 0;
  g_active_job = &job_;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

ConsoleJob::~ConsoleJob() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_active_job = nullptr;
}

}  // namespace kdw::cli
