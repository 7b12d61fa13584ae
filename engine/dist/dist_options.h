// How a job runs as several processes (docs/distributed.md): one table (core/option_table.h)
// whose records are kdw's flags --nproc, --dist_timeout and --dist_backend of finetune, logits
// and distill, and the GUI's Preferences field "Workers (processes)" (nproc: its range, default,
// tooltip and settings key).
#pragma once

#include <string>

#include "core/option_table.h"

namespace kdw::dist {

/// The fields' defaults, ranges and help are in dist_option_table() (dist_options.cpp).
struct DistOptions {
  DistOptions();  ///< every field at its table default

  int nproc;                 ///< > 1: launch that many local workers
  double dist_timeout;       ///< seconds to wait for every rank at the rendezvous
  std::string dist_backend;  ///< gloo, nccl, or auto (NCCL on CUDA when built)
};

const OptionTable<DistOptions>& dist_option_table();

}  // namespace kdw::dist
