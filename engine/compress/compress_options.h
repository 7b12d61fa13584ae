// The options of kdw compress and of a GUI cut: one table (core/option_table.h) with every
// option's default, range and help. The option names are compress.py's flags (restore_path,
// show_weight, cut_model) where the original had them.
#pragma once

#include "compress/compress_run.h"
#include "core/option_table.h"
#include "student/distill_options.h"

namespace kdw {

const OptionTable<CompressOptions>& compress_option_table();

}  // namespace kdw
