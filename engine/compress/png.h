// A minimal PNG writer (8-bit RGB, no interlace) on zlib, so the engine draws pictures without Qt.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "compress/colormap.h"

namespace kdw {

class RgbImage {
 public:
  RgbImage(int width, int height, Rgb background = {255, 255, 255});

  int width() const { return width_; }
  int height() const { return height_; }
  Rgb pixel(int x, int y) const;
  /// Out-of-image coordinates are ignored, so drawing code need not clip.
  void set(int x, int y, Rgb color);
  void fill_rect(int x, int y, int w, int h, Rgb color);
  const std::vector<uint8_t>& bytes() const { return bytes_; }  ///< RGB rows, top first

 private:
  int width_, height_;
  std::vector<uint8_t> bytes_;
};

/// The PNG file's bytes.
std::string encode_png(const RgbImage& image);
/// Writes the PNG atomically (temp name + rename); throws kdw::Error naming the file.
void write_png(const std::filesystem::path& path, const RgbImage& image);

}  // namespace kdw
