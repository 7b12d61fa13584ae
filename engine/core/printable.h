// Text taken from a file (a dtype, a tensor or global name, a JSON parser's excerpt...) made safe
// to quote in a one-line message: a hostile file must not be able to send escape sequences to
// the user's terminal, break the line, or flood it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kdw {

/// `text` with control bytes (C0, DEL, C1), invalid UTF-8 and bidirectional overrides written
/// as \xNN / \u{NNNN} escapes, and cut to about `max_bytes` bytes (then ending in "...").
std::string printable(std::string_view text, std::size_t max_bytes = 80);

}  // namespace kdw
