// kdw bert-info: placeholder until its capability lands; it says so and exits non-zero.
#include "core/error.h"
#include "verbs.h"

namespace kdw::cli {

int run_bert_info(int, char**) { throw Error("kdw bert-info is not available in this build yet"); }

}  // namespace kdw::cli
