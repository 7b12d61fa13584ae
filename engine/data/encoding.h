// Byte-level text encodings of input tables: UTF-8 validation and Windows-1251 -> UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace kdw {

/// Offset of the first byte that is not part of a valid UTF-8 sequence, or npos when all valid.
std::size_t utf8_invalid_offset(std::string_view bytes);

/// True when `bytes` reads as Windows-1251 text: no undefined byte (0x98), no control bytes
/// other than tab/CR/LF, and most non-ASCII bytes are Cyrillic letters (0xC0-0xFF, Ё/ё).
/// On false, `bad_offset` gets the first byte that speaks against it.
bool looks_like_cp1251(std::string_view bytes, std::size_t& bad_offset);

/// Windows-1251 -> UTF-8 (0x98, undefined, becomes U+FFFD).
std::string cp1251_to_utf8(std::string_view bytes);

/// Appends code point `cp` as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace kdw
