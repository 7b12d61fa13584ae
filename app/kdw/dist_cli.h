// The CLI side of a distributed job (docs/distributed.md): --nproc launches and supervises N local
// workers of this kdw; a worker (RANK/WORLD_SIZE set, by --nproc or by hand as on several
// machines) joins the job and installs it as the engine's dist::context().
#pragma once

#include <optional>
#include <string>

#include "cli_args.h"
#include "dist/dist_options.h"

namespace kdw::cli {

using dist::DistOptions;

/// --nproc, --dist_timeout and --dist_backend: the records of dist::dist_option_table().
void add_dist_options(ArgParser& parser, DistOptions& options);

/// Call after parse() and apply_common_options(). With --nproc N > 1 (and no RANK in the
/// environment) runs N workers of this command and returns the job's exit code; otherwise joins
/// the job the environment describes, if any, and returns nullopt (the verb then runs).
/// `device` is the verb's device ("cpu", "cuda"): it decides --dist_backend auto.
std::optional<int> start_dist(const DistOptions& options, int argc, char** argv,
                              const std::string& device = "cpu");

/// Waits for every rank before the process exits: rank 0 hosts the rendezvous and must outlive
/// the others' last use of it.
void finish_dist();

}  // namespace kdw::cli
