// Options every compute verb shares (--threads, --log_level) and the console side of a job:
// throttled progress lines on stderr and Ctrl-C as a cancel request.
#pragma once

#include <string>

#include "cli_args.h"
#include "core/job.h"

namespace kdw::cli {

struct CommonOptions {
  int threads = 0;  ///< 0: the machine's core count
  std::string log_level = "info";
};

void add_common_options(ArgParser& parser, CommonOptions& options);
/// Sets up console logging and LibTorch threads, and warns when BLAS is slow.
void apply_common_options(const CommonOptions& options);

/// Binds `job` to the console for its lifetime: progress on stderr (at most ~2 lines a second),
/// the first Ctrl-C requests cancellation, a second one exits at once.
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
