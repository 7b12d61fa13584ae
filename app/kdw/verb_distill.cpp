// kdw distill: placeholder until its capability lands; it says so and exits non-zero.
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {

int run_distill(int, char**) { throw Error("kdw distill is not available in this build yet"); }

}  // namespace kdw::cli
