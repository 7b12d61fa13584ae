// The options of the data stage (kdw prepare, the Data panel): one table (core/option_table.h)
// with every option's default, range or choices, label and help. The cleaning options are named
// by their CleaningOptions fields (nfc, lower, drop_duplicates, ...).
#pragma once

#include "core/option_table.h"
#include "data/prepare.h"

namespace kdw {

// Enumerations and the split are option values by their names ("csv", "utf-8", "60:20:20").
OptionValue to_option_value(const TableFormat& format);
void from_option_value(const OptionValue& value, TableFormat& format);
OptionValue to_option_value(const TextEncoding& encoding);
void from_option_value(const OptionValue& value, TextEncoding& encoding);
OptionValue to_option_value(const SplitRatios& split);
void from_option_value(const OptionValue& value, SplitRatios& split);

const OptionTable<PrepareOptions>& prepare_option_table();

}  // namespace kdw
