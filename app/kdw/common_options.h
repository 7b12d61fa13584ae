// Options every compute verb shares (--threads, --log_level) and the console side of a job:
// throttled progress lines on stderr and Ctrl-C as a cancel request.
#pragma once

#include <string>

#include "cli_args.h"
#include "core/job.h"
#include "core/job_events.h"

namespace kdw::cli {

struct CommonOptions {
  int threads = 0;  ///< 0: the machine's core count
  std::string log_level = "info";
  std::string progress = "text";  ///< "json": the job's events on stdout (core/job_events.h)
};

void add_common_options(ArgParser& parser, CommonOptions& options);
/// Sets up console logging and LibTorch threads, and warns when BLAS is slow.
void apply_common_options(const CommonOptions& options);

/// --progress json: the job's events (progress, metric records, result, error) go to stdout as
/// JSON lines for a program to read (the GUI's multi-process jobs); the verbs then print their
/// result as a result event instead of text.
bool json_events();
/// Writes one event line to stdout in one write(), so that the lines of several ranks sharing
/// the launcher's stdout never mix. Does nothing without --progress json.
void write_event(const JobEvent& event);
/// An error as kdw reports it: "kdw: <message>" on stderr and, with --progress json, an error
/// event naming this process's rank.
void report_error(const std::string& message);

/// Binds `job` to the console for its lifetime: progress on stderr (at most ~2 lines a second),
/// the first Ctrl-C requests cancellation, a second one exits at once. With --progress json,
/// rank 0's progress and metric records are written as events instead.
class ConsoleJob {
 public:
  ConsoleJob();
  ~ConsoleJob();
  ConsoleJob(const ConsoleJob&) = delete;
  ConsoleJob& operator=(const ConsoleJob&) = delete;
  JobContext& context() { return job_; }

 private:
  JobContext job_;
};

}  // namespace kdw::cli
