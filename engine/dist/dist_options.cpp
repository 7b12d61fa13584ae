#include "dist/dist_options.h"

#include "dist/dist_context.h"

namespace kdw::dist {
namespace {

// The backends this build has, for --help ("gloo", "gloo, nccl", "none").
std::string built_backends() {
  std::string built;
  for (const Backend b : {Backend::kGloo, Backend::kNccl})
    if (backend_built(b)) built += (built.empty() ? "" : ", ") + std::string(backend_name(b));
  return built.empty() ? "none" : built;
}

}  // namespace

const OptionTable<DistOptions>& dist_option_table() {
  using O = DistOptions;
  // nproc is the GUI's Preferences field too: its label, range and help are the spin box's.
  static const OptionTable<O> table =
      OptionTable<O>()
          .integer("nproc", &O::nproc, 1, 1, 1024, "Workers (processes)",
                   "run as this many local worker processes, each a shard of every batch (data "
                   "parallel; 1: one process). Not used where RANK and WORLD_SIZE are set (a job "
                   "started by hand)")
          .number("dist_timeout", &O::dist_timeout, 60, Interval{0, 86400, true, false}, 0,
                  "Join timeout (s)",
                  "seconds every rank of a distributed job waits for the others to join", kOnCli)
          .choice("dist_backend", &O::dist_backend, "auto", {"auto", "gloo", "nccl"}, "Backend",
                  "collectives of a distributed job: gloo (CPU, any network), nccl (CUDA, one "
                  "GPU per rank), auto (nccl when the device is cuda and it is built, else gloo). "
                  "Built "
                  "here: " +
                      built_backends(),
                  kOnCli);
  return table;
}

DistOptions::DistOptions() {
  dist_option_table().set_defaults(*this);
}

}  // namespace kdw::dist
