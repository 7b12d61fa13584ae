// The student's word tokenizer: runs of letters/digits (Unicode-aware, combining marks stay in
// their word) are words; every other visible character is a token of its own; whitespace
// separates. The mask tokens of cleaning (<url>, <email>, <num>) stay whole.
#pragma once

#include <string_view>
#include <vector>

namespace kdw {

/// Appends the tokens of `text` (views into it) to `out`.
void split_words(std::string_view text, std::vector<std::string_view>& out);

}  // namespace kdw
