#include "compress/png.h"

#include <algorithm>

#include <zlib.h>

#include "core/atomic_output.h"
#include "core/error.h"

namespace kdw {
namespace {

constexpr int kMaxSide = 1 << 15;  // far above anything we draw; guards size arithmetic

void put_u32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const size_t type_pos = out.size();
  out.append(type, 4);
  out += data;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + type_pos), 4 + data.size());
  put_u32(out, static_cast<uint32_t>(crc));
}

}  // namespace

RgbImage::RgbImage(int width, int height, Rgb background) : width_(width), height_(height) {
  if (width < 1 || height < 1 || width > kMaxSide || height > kMaxSide)
    throw Error("image size " + std::to_string(width) + "x" + std::to_string(height) +
                " is out of range");
  bytes_.resize(size_t(width) * size_t(height) * 3);
  fill_rect(0, 0, width, height, background);
}

Rgb RgbImage::pixel(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return {};
  const size_t i = (size_t(y) * size_t(width_) + size_t(x)) * 3;
  return {bytes_[i], bytes_[i + 1], bytes_[i + 2]};
}

void RgbImage::set(int x, int y, Rgb color) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) return;
  const size_t i = (size_t(y) * size_t(width_) + size_t(x)) * 3;
  bytes_[i] = color.r;
  bytes_[i + 1] = color.g;
  bytes_[i + 2] = color.b;
}

void RgbImage::fill_rect(int x, int y, int w, int h, Rgb color) {
  for (int yy = std::max(0, y); yy < std::min(height_, y + h); ++yy)
    for (int xx = std::max(0, x); xx < std::min(width_, x + w); ++xx) set(xx, yy, color);
}

std::string encode_png(const RgbImage& image) {
  const size_t row_bytes = size_t(image.width()) * 3;
  // Each row starts with filter type 0 (none): simple, and zlib still compresses flat areas well.
  std::string raw;
  raw.reserve((row_bytes + 1) * size_t(image.height()));
  const auto& px = image.bytes();
  for (int y = 0; y < image.height(); ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(px.data()) + size_t(y) * row_bytes, row_bytes);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                6) != Z_OK)
    throw Error("PNG encoding failed (zlib)");
  packed.resize(packed_size);

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_u32(ihdr, static_cast<uint32_t>(image.width()));
  put_u32(ihdr, static_cast<uint32_t>(image.height()));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, filter 0, no interlace
  put_chunk(out, "IHDR", ihdr);
  put_chunk(out, "IDAT", packed);
  put_chunk(out, "IEND", std::string());
  return out;
}

void write_png(const std::filesystem::path& path, const RgbImage& image) {
  write_file_atomic(path, encode_png(image));
}

}  // namespace kdw
