// The engine's own pictures: PNG encoding, bitmap font, colour maps, max-|w| pooling, heatmaps.
#include <QtTest>

#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "compress/bitmap_font.h"
#include "compress/colormap.h"
#include "compress/heatmap.h"
#include "compress/heatmap_pooling.h"
#include "compress/png.h"
#include "core/atomic_output.h"
#include "core/error.h"

namespace fs = std::filesystem;

namespace {

uint32_t be32(const std::string& s, size_t at) {
  return (uint32_t(uint8_t(s[at])) << 24) | (uint32_t(uint8_t(s[at + 1])) << 16) |
         (uint32_t(uint8_t(s[at + 2])) << 8) | uint32_t(uint8_t(s[at + 3]));
}

struct Chunk {
  std::string type, data;
};

// A strict reader of the chunks we write; fails the test on a bad CRC.
std::vector<Chunk> read_chunks(const std::string& png, bool* ok) {
  std::vector<Chunk> chunks;
  *ok = png.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) == 0;
  size_t at = 8;
  while (*ok && at + 12 <= png.size()) {
    const uint32_t len = be32(png, at);
    if (at + 12 + len > png.size()) {
      *ok = false;
      break;
    }
    Chunk c{png.substr(at + 4, 4), png.substr(at + 8, len)};
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(png.data() + at + 4), 4 + len);
    if (uint32_t(crc) != be32(png, at + 8 + len)) *ok = false;
    chunks.push_back(c);
    at += 12 + len;
  }
  if (at != png.size()) *ok = false;
  return chunks;
}

// Naive max-|w| of a bin, for checking the pooling against.
float naive_bin(const std::vector<float>& m, int64_t cols, int64_t r0, int64_t r1, int64_t c0,
                int64_t c1) {
  float best = 0, best_abs = -1;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c)
      if (std::fabs(m[r * cols + c]) > best_abs) {
        best_abs = std::fabs(m[r * cols + c]);
        best = m[r * cols + c];
      }
  return best;
}

}  // namespace

class TestCompressRender : public QObject {
  Q_OBJECT

 private:
  fs::path tmp_;

 private Q_SLOTS:
  void init() {
    tmp_ = fs::temp_directory_path() / ("kdw_test_render_" + std::to_string(::getpid()));
    fs::remove_all(tmp_);
    fs::create_directories(tmp_);
  }
  void cleanup() { fs::remove_all(tmp_); }

  void pngRoundTripsPixels() {
    kdw::RgbImage img(3, 2, {1, 2, 3});
    img.set(0, 0, {255, 0, 0});
    img.set(2, 1, {0, 0, 255});
    img.set(7, 7, {9, 9, 9});  // outside: ignored
    const std::string png = kdw::encode_png(img);
    bool ok = false;
    const auto chunks = read_chunks(png, &ok);
    QVERIFY(ok);
    QCOMPARE(int(chunks.size()), 3);
    QCOMPARE(QString::fromStdString(chunks[0].type), QString("IHDR"));
    QCOMPARE(be32(chunks[0].data, 0), 3u);
    QCOMPARE(be32(chunks[0].data, 4), 2u);
    QCOMPARE(int(uint8_t(chunks[0].data[8])), 8);  // bit depth
    QCOMPARE(int(uint8_t(chunks[0].data[9])), 2);  // RGB
    QCOMPARE(QString::fromStdString(chunks[1].type), QString("IDAT"));
    QCOMPARE(QString::fromStdString(chunks[2].type), QString("IEND"));
    std::vector<uint8_t> raw(2 * (1 + 9));
    uLongf raw_size = raw.size();
    QCOMPARE(
        uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(chunks[1].data.data()),
                   chunks[1].data.size()),
        Z_OK);
    QCOMPARE(int(raw_size), 20);
    const std::vector<uint8_t> expect = {0, 255, 0, 0, 1, 2, 3, 1, 2, 3,
                                         0, 1,   2, 3, 1, 2, 3, 0, 0, 255};
    QVERIFY(raw == expect);
  }

  void pngWriteIsAtomicAndFailsCleanly() {
    kdw::RgbImage img(4, 4);
    const fs::path good = tmp_ / "a.png";
    kdw::write_png(good, img);
    QCOMPARE(kdw::read_file(good), kdw::encode_png(img));
    // A parent that is a file: cannot be written (even as root); one clear error, no leftovers.
    kdw::write_file_atomic(tmp_ / "blocker", "x");
    const fs::path bad = tmp_ / "blocker" / "b.png";
    bool threw = false;
    try {
      kdw::write_png(bad, img);
    } catch (const kdw::Error& e) {
      threw = true;
      QVERIFY(std::string(e.what()).find("blocker") != std::string::npos);
    }
    QVERIFY(threw);
    QCOMPARE(int(std::distance(fs::directory_iterator(tmp_), fs::directory_iterator())), 2);
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::RgbImage(0, 5));
  }

  void fontDrawsGlyphs() {
    const auto zero = kdw::glyph_rows('0');
    QCOMPARE(int(zero[0]), 0x0E);
    QCOMPARE(int(zero[6]), 0x0E);
    QVERIFY(kdw::glyph_rows('g') == kdw::glyph_rows('G'));
    QVERIFY(kdw::glyph_rows('~') == kdw::glyph_rows('?'));
    QVERIFY(kdw::glyph_rows('1') != kdw::glyph_rows('7'));
    for (char c : std::string("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.-|_:=/()[]+,%<>")) {
      if (c != '?') QVERIFY2(kdw::glyph_rows(c) != kdw::glyph_rows('?'), std::string(1, c).c_str());
    }
    QCOMPARE(kdw::text_width("AB", 1), 11);
    QCOMPARE(kdw::text_width("AB", 2), 22);
    QCOMPARE(kdw::text_width("", 2), 0);

    const kdw::Rgb ink{10, 20, 30}, white{255, 255, 255};
    kdw::RgbImage img(20, 10);
    kdw::draw_text(img, 1, 1, "-1", ink, 1);
    // '-' is row 3, all five columns; '1' starts 6 px later: its top row has one pixel at col 2.
    for (int c = 0; c < 5; ++c) QVERIFY(img.pixel(1 + c, 4) == ink);
    QVERIFY(img.pixel(1, 3) == white);
    QVERIFY(img.pixel(7 + 2, 1) == ink);
    QVERIFY(img.pixel(7 + 0, 1) == white);
    int inked = 0;
    for (int y = 0; y < 10; ++y)
      for (int x = 0; x < 20; ++x) inked += img.pixel(x, y) == ink;
    QCOMPARE(inked, 5 + 10);  // '-' has 5 pixels, '1' has 10
  }

  void divergingColorMap() {
    const kdw::Rgb white{255, 255, 255};
    QVERIFY(kdw::diverging_color(0.0, 2.0) == white);
    QVERIFY(kdw::diverging_color(1.0, 0.0) == white);
    const kdw::Rgb red = kdw::diverging_color(2.0, 2.0);
    const kdw::Rgb blue = kdw::diverging_color(-2.0, 2.0);
    QVERIFY(red.r > red.b && red.r > red.g);
    QVERIFY(blue.b > blue.r && blue.b > blue.g);
    QVERIFY(kdw::diverging_color(50.0, 2.0) == red);  // clamped
    QVERIFY(kdw::diverging_color(-50.0, 2.0) == blue);
    // Darker the further from zero, on both sides.
    int prev_pos = 256, prev_neg = 256;
    for (int k = 1; k <= 10; ++k) {
      const kdw::Rgb p = kdw::diverging_color(0.2 * k, 2.0),
                     n = kdw::diverging_color(-0.2 * k, 2.0);
      QVERIFY(p.g <= prev_pos);
      QVERIFY(n.g <= prev_neg);
      prev_pos = p.g;
      prev_neg = n.g;
    }
    QVERIFY(kdw::sequential_color(0.0) == white);
    QVERIFY(kdw::sequential_color(1.0).b > kdw::sequential_color(1.0).r);
  }

  void poolingKeepsLargestMagnitudeWithSign() {
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> small(-0.1f, 0.1f);
    const int64_t rows = 37, cols = 23;
    std::vector<float> m(rows * cols);
    for (auto& v : m) v = small(rng);
    m[5 * cols + 4] = -3.0f;
    const kdw::PooledMatrix p = kdw::pool_max_abs(m.data(), rows, cols, 10, 7);
    QCOMPARE(p.rows, int64_t(10));
    QCOMPARE(p.cols, int64_t(7));
    for (int64_t i = 0; i < p.rows; ++i)
      for (int64_t j = 0; j < p.cols; ++j)
        QCOMPARE(p.at(i, j),
                 naive_bin(m, cols, kdw::pool_bin_start(i, rows, 10),
                           kdw::pool_bin_start(i + 1, rows, 10), kdw::pool_bin_start(j, cols, 7),
                           kdw::pool_bin_start(j + 1, cols, 7)));
    QCOMPARE(p.at(p.row_of(5), p.col_of(4)), -3.0f);
    QCOMPARE(p.max_abs, 3.0f);
    // Within limits: an exact copy.
    const kdw::PooledMatrix same = kdw::pool_max_abs(m.data(), rows, cols, 100, 100);
    QVERIFY(same.values == m);
  }

  void largeMatrixStaysReadable() {
    // 4000 x 1000 like weight_ih of h=1000: every spike survives pooling to <= 1600 px.
    const int64_t rows = 4000, cols = 1000;
    std::vector<float> m(rows * cols, 0.01f);
    const std::vector<std::pair<int64_t, int64_t>> spikes = {
        {0, 0}, {1234, 567}, {3999, 999}, {2001, 3}};
    for (size_t k = 0; k < spikes.size(); ++k)
      m[spikes[k].first * cols + spikes[k].second] = (k % 2 ? -1.0f : 1.0f) * float(k + 2);
    const kdw::PooledMatrix p = kdw::pool_max_abs(m.data(), rows, cols, 1600, 1600);
    QCOMPARE(p.rows, int64_t(1600));
    QCOMPARE(p.cols, int64_t(1000));
    for (size_t k = 0; k < spikes.size(); ++k)
      QCOMPARE(p.at(p.row_of(spikes[k].first), p.col_of(spikes[k].second)),
               (k % 2 ? -1.0f : 1.0f) * float(k + 2));

    kdw::HeatmapSpec spec;
    spec.title = "LAYER 0 FWD WEIGHT_IH";
    spec.row_label = "GATE UNITS";
    spec.col_label = "INPUTS";
    spec.gate_block = 1000;
    const kdw::RgbImage img = kdw::render_heatmap(m.data(), rows, cols, spec);
    QVERIFY(img.width() <= 1600 + 400);
    QVERIFY(img.height() <= 1600 + 400);
    QVERIFY(img.height() >= 1600);
    // Somewhere a strongly red and a strongly blue pixel (the spikes), and black gate lines.
    int red = 0, blue = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) {
        const kdw::Rgb c = img.pixel(x, y);
        red += c.r > 150 && c.g < 60;
        blue += c.b > 150 && c.r < 60;
      }
    QVERIFY(red > 0);
    QVERIFY(blue > 0);
    kdw::write_png(tmp_ / "big.png", img);
    QVERIFY(fs::file_size(tmp_ / "big.png") > 100);
  }

  void normBarsShowThreshold() {
    kdw::NormPanel a{"LAYER 0 FWD", {0.5f, 0.1f, 0.9f, 0.05f}, 0.2, 2};
    kdw::NormPanel b{"LAYER 0 BWD", {1.0f, 2.0f}, std::nullopt, -1};
    const kdw::RgbImage img = kdw::render_norm_bars({a, b});
    int line = 0, grey = 0;
    for (int y = 0; y < img.height(); ++y)
      for (int x = 0; x < img.width(); ++x) {
        const kdw::Rgb c = img.pixel(x, y);
        line += c == kdw::Rgb{200, 0, 0};
        grey += c == kdw::Rgb{190, 190, 190};
      }
    QVERIFY(line > 0);
    QVERIFY(grey > 0);  // the two removed units of panel a
    QVERIFY_THROWS_EXCEPTION(kdw::Error, kdw::render_norm_bars({}));
    QCOMPARE(QString::fromStdString(kdw::format_tick(0.012345)), QString("0.0123"));
  }
};

QTEST_GUILESS_MAIN(TestCompressRender)
#include "test_compress_render.moc"
