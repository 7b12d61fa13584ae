// Where a process stands in a distributed job, read from the environment the way torchrun sets
// it: RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and LOCAL_RANK (docs/distributed.md).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace kdw::dist {

struct DistEnv {
  int rank = 0;
  int world = 1;
  int local_rank = 0;
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 29500;
};

/// Reads the variables through `get` (nullptr when unset). Neither RANK nor WORLD_SIZE set gives
/// nullopt: a single process. Throws kdw::Error
/// with one line for WORLD_SIZE without RANK (or the reverse), a rank outside 0..WORLD_SIZE-1,
/// a value that is not a whole number, or a port outside 1..65535.
std::optional<DistEnv> read_dist_env(const std::function<const char*(const char*)>& get);
/// read_dist_env over the process environment.
std::optional<DistEnv> read_dist_env();

}  // namespace kdw::dist
