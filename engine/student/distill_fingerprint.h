// What every rank of a distributed distillation must share: its options (paths aside, which may
// differ between machines) and the content of its tokens and teacher logits.
#pragma once

#include <string>

#include "student/distill_data.h"
#include "student/distill_options.h"

namespace kdw {

/// A content hash (16 hex digits) of `o` without its paths, and of `data`'s arrays.
std::string distill_fingerprint(const DistillOptions& o, const DistillData& data);

}  // namespace kdw
