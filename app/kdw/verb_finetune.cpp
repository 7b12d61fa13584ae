// kdw finetune: placeholder until its capability lands; it says so and exits non-zero.
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {

int run_finetune(int, char**) { throw Error("kdw finetune is not available in this build yet"); }

}  // namespace kdw::cli
