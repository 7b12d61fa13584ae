// A tiny built-in 5x7 bitmap font for titles, axis labels and colour-bar ticks in the engine's
// PNG files: digits, A-Z (lower case is drawn as upper case) and . - | _ : = / ( ) [ ] + , % < > ?
// Any other character is drawn as '?'. Each glyph advances 6 columns (one blank) times `scale`.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "compress/png.h"

namespace kdw {

constexpr int kGlyphWidth = 5;
constexpr int kGlyphHeight = 7;
constexpr int kGlyphAdvance = 6;

/// Rows of the glyph, top first; bit 4 is the leftmost column.
std::array<uint8_t, kGlyphHeight> glyph_rows(char c);

/// Width in pixels of `text` drawn at `scale` (no trailing blank column).
int text_width(const std::string& text, int scale = 1);
int text_height(int scale = 1);

/// Draws `text` with its top-left corner at (x, y).
void draw_text(RgbImage& image, int x, int y, const std::string& text, Rgb color, int scale = 1);

}  // namespace kdw
