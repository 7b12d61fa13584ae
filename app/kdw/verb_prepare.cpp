// kdw prepare: placeholder until its capability lands; it says so and exits non-zero.
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {

int run_prepare(int, char**) { throw Error("kdw prepare is not available in this build yet"); }

}  // namespace kdw::cli
