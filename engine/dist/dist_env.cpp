#include "dist/dist_env.h"

#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace kdw::dist {
namespace {

// A whole number in [lo, hi]; the message names the variable and what it holds.
int64_t whole_number(const char* name, const char* text, int64_t lo, int64_t hi) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno == ERANGE || v < lo || v > hi)
    throw Error(std::string("environment variable ") + name + "='" + text +
                "' is not a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

}  // namespace

std::optional<DistEnv> read_dist_env(const std::function<const char*(const char*)>& get) {
  const char* rank = get("RANK");
  const char* world = get("WORLD_SIZE");
  if (!rank && !world) return std::nullopt;
  if (!rank)
    throw Error(
        "environment variable WORLD_SIZE is set but RANK is not: set both (or neither "
        "for a single process)");
  if (!world)
    throw Error(
        "environment variable RANK is set but WORLD_SIZE is not: set both (or neither "
        "for a single process)");
  DistEnv e;
  e.world = static_cast<int>(whole_number("WORLD_SIZE", world, 1, 1 << 16));
  e.rank = static_cast<int>(whole_number("RANK", rank, 0, 1 << 16));
  if (e.rank >= e.world)
    throw Error("environment variable RANK=" + std::to_string(e.rank) +
                " is out of range for WORLD_SIZE=" + std::to_string(e.world) + " (0 to " +
                std::to_string(e.world - 1) + ")");
  if (const char* local = get("LOCAL_RANK"))
    e.local_rank = static_cast<int>(whole_number("LOCAL_RANK", local, 0, 1 << 16));
  if (const char* addr = get("MASTER_ADDR")) {
    if (*addr == '\0') throw Error("environment variable MASTER_ADDR is empty");
    e.master_addr = addr;
  } else if (e.world > 1) {
    throw Error(
        "environment variable MASTER_ADDR is not set: the host of rank 0 (e.g. "
        "127.0.0.1 on one machine)");
  }
  if (const char* port = get("MASTER_PORT"))
    e.master_port = static_cast<uint16_t>(whole_number("MASTER_PORT", port, 1, 65535));
  else if (e.world > 1)
    throw Error("environment variable MASTER_PORT is not set: a free TCP port on rank 0's host");
  return e;
}

std::optional<DistEnv> read_dist_env() {
  return read_dist_env([](const char* name) { return std::getenv(name); });
}

}  // namespace kdw::dist
