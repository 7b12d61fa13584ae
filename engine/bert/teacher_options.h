// The option tables (core/option_table.h) of the teacher's two stages: kdw finetune and the
// Teacher panel, kdw logits and the Logits panel. Each record holds the option's default,
// range, label and help.
#pragma once

#include "bert/finetune.h"
#include "bert/logits.h"
#include "core/option_table.h"

namespace kdw {

const OptionTable<FinetuneOptions>& finetune_option_table();
const OptionTable<LogitsOptions>& logits_option_table();

}  // namespace kdw
