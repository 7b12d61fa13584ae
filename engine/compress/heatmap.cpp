#include "compress/heatmap.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "compress/bitmap_font.h"
#include "compress/colormap.h"
#include "compress/heatmap_pooling.h"
#include "core/error.h"

namespace kdw {
namespace {

constexpr int kText = 2;  // font scale: 10x14 px glyphs read well next to a 1600 px plot
constexpr Rgb kInk{0, 0, 0};
constexpr Rgb kGrid{90, 90, 90};
constexpr Rgb kLine{200, 0, 0};
constexpr Rgb kKept{33, 102, 172};
constexpr Rgb kRemoved{190, 190, 190};

int clamp_scale(int64_t cells, int target) {
  return static_cast<int>(std::clamp<int64_t>(target / std::max<int64_t>(cells, 1), 1, 16));
}

void hline(RgbImage& img, int x0, int x1, int y, Rgb c) {
  img.fill_rect(x0, y, x1 - x0, 1, c);
}
void vline(RgbImage& img, int x, int y0, int y1, Rgb c) {
  img.fill_rect(x, y0, 1, y1 - y0, c);
}

}  // namespace

std::string format_tick(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", value);
  return buf;
}

RgbImage render_heatmap(const float* data, int64_t rows, int64_t cols, const HeatmapSpec& spec) {
  if (rows < 1 || cols < 1) throw Error(spec.title + ": empty matrix, nothing to draw");
  const PooledMatrix pooled = pool_max_abs(data, rows, cols, spec.max_side, spec.max_side);
  const int sx = clamp_scale(pooled.cols, 800);
  const int sy = clamp_scale(pooled.rows, 800);
  const int plot_w = static_cast<int>(pooled.cols) * sx;
  const int plot_h = static_cast<int>(pooled.rows) * sy;
  const int line = text_height(kText) + 8;
  const int left = 130, top = 3 * line + 6, right = 160, bottom = 2 * line + 10;
  const int bar_h = std::max(plot_h, 160);
  RgbImage img(left + plot_w + right, top + bar_h + bottom);

  draw_text(img, 10, 6, spec.title, kInk, kText);
  std::string info = "ROWS " + std::to_string(rows) + "  COLS " + std::to_string(cols);
  if (pooled.rows != rows || pooled.cols != cols)
    info += "  SHOWN " + std::to_string(pooled.rows) + "X" + std::to_string(pooled.cols) +
            " (MAX-ABS POOLED)";
  info += "  |W| MAX " + format_tick(pooled.max_abs);
  draw_text(img, 10, 6 + line, info, kGrid, kText);
  draw_text(img, 10, 6 + 2 * line, spec.row_label, kInk, kText);

  for (int64_t r = 0; r < pooled.rows; ++r)
    for (int64_t c = 0; c < pooled.cols; ++c)
      img.fill_rect(left + static_cast<int>(c) * sx, top + static_cast<int>(r) * sy, sx, sy,
                    diverging_color(pooled.at(r, c), pooled.max_abs));
  // Frame.
  hline(img, left - 1, left + plot_w + 1, top - 1, kInk);
  hline(img, left - 1, left + plot_w + 1, top + plot_h, kInk);
  vline(img, left - 1, top - 1, top + plot_h + 1, kInk);
  vline(img, left + plot_w, top - 1, top + plot_h + 1, kInk);

  // Row ticks: first row, gate boundaries, row count at the bottom edge.
  auto row_y = [&](int64_t source_row) {
    if (source_row >= rows) return top + plot_h;
    return top + static_cast<int>(pooled.row_of(source_row)) * sy;
  };
  auto row_tick = [&](int64_t source_row) {
    const int y = row_y(source_row);
    hline(img, left - 8, left - 1, y, kInk);
    const std::string t = std::to_string(source_row);
    draw_text(img, left - 10 - text_width(t, kText), std::max(0, y - text_height(kText) / 2), t,
              kInk, kText);
  };
  row_tick(0);
  row_tick(rows);
  if (spec.gate_block > 0 && spec.gate_block * 4 == rows) {
    const char* names[4] = {"I", "F", "G", "O"};
    for (int k = 0; k < 4; ++k) {
      if (k > 0) {
        const int y = row_y(k * spec.gate_block);
        img.fill_rect(left, y - 1, plot_w, 2, kInk);  // 2 px: visible even on a busy plot
        row_tick(k * spec.gate_block);
      }
      const int mid = (row_y(k * spec.gate_block) + row_y((k + 1) * spec.gate_block)) / 2;
      draw_text(img, 8, mid - text_height(3) / 2, names[k], kInk, 3);
    }
  }
  // Column ticks: 0, middle, count.
  for (int64_t c : {int64_t(0), cols / 2, cols}) {
    const int x = c >= cols ? left + plot_w : left + static_cast<int>(pooled.col_of(c)) * sx;
    vline(img, x, top + plot_h, top + plot_h + 8, kInk);
    const std::string t = std::to_string(c);
    draw_text(img, std::max(0, x - text_width(t, kText) / 2), top + plot_h + 12, t, kInk, kText);
  }
  draw_text(img, left, top + plot_h + 12 + line, spec.col_label, kInk, kText);

  // Colour bar with ticks at -max, -max/2, 0, max/2, max.
  const int bx = left + plot_w + 24, bw = 22;
  const double vmax = pooled.max_abs > 0 ? pooled.max_abs : 1.0;
  for (int y = 0; y < bar_h; ++y) {
    const double v = vmax * (1.0 - 2.0 * y / std::max(1, bar_h - 1));
    img.fill_rect(bx, top + y, bw, 1, diverging_color(v, vmax));
  }
  hline(img, bx - 1, bx + bw + 1, top - 1, kInk);
  hline(img, bx - 1, bx + bw + 1, top + bar_h, kInk);
  vline(img, bx - 1, top - 1, top + bar_h + 1, kInk);
  vline(img, bx + bw, top - 1, top + bar_h + 1, kInk);
  for (int k = 0; k <= 4; ++k) {
    const int y = top + (bar_h - 1) * k / 4;
    hline(img, bx + bw, bx + bw + 6, y, kInk);
    draw_text(img, bx + bw + 9, std::max(0, y - text_height(kText) / 2),
              format_tick(vmax * (1.0 - 0.5 * k)), kInk, kText);
  }
  return img;
}

RgbImage render_norm_bars(const std::vector<NormPanel>& panels) {
  if (panels.empty()) throw Error("no component norms to draw");
  const int line = text_height(kText) + 8;
  const int left = 110, right = 30, plot_h = 160, panel_h = plot_h + 3 * line + 16;
  int64_t widest = 1;
  for (const auto& p : panels) widest = std::max<int64_t>(widest, p.norms.size());
  const int64_t max_bars = 1600;
  const int bar_w = clamp_scale(std::min(widest, max_bars), 1200);
  const int plot_w = static_cast<int>(std::min(widest, max_bars)) * bar_w;
  RgbImage img(left + plot_w + right, static_cast<int>(panels.size()) * panel_h + 10);

  for (size_t p = 0; p < panels.size(); ++p) {
    const NormPanel& panel = panels[p];
    const int y0 = static_cast<int>(p) * panel_h + 8;
    std::vector<float> sorted = panel.norms;
    std::sort(sorted.begin(), sorted.end(), std::greater<float>());
    const int64_t n = static_cast<int64_t>(sorted.size());
    std::string title = panel.title + "  H=" + std::to_string(n);
    if (panel.kept >= 0) title += "  KEPT " + std::to_string(panel.kept);
    if (panel.threshold) title += "  THRESHOLD " + format_tick(*panel.threshold);
    draw_text(img, 10, y0, title, kInk, kText);
    const int top = y0 + line + 6;
    double vmax = 0;
    for (float v : sorted)
      if (std::isfinite(v)) vmax = std::max<double>(vmax, v);
    if (panel.threshold) vmax = std::max(vmax, *panel.threshold);
    if (vmax <= 0) vmax = 1;
    // More units than bars: a bar stands for a run of sorted units and shows its largest.
    const int64_t bars = std::min(n, max_bars);
    for (int64_t b = 0; b < bars; ++b) {
      const int64_t first = pool_bin_start(b, n, bars);
      const double v = std::isfinite(sorted[first]) ? sorted[first] : 0.0;
      const int h = static_cast<int>(std::lround(plot_h * std::max(0.0, v) / vmax));
      const bool kept = panel.kept < 0 || first < panel.kept;
      img.fill_rect(left + static_cast<int>(b) * bar_w, top + plot_h - h,
                    std::max(1, bar_w - (bar_w > 2)), h, kept ? kKept : kRemoved);
    }
    hline(img, left - 1, left + plot_w, top + plot_h, kInk);
    vline(img, left - 1, top, top + plot_h + 1, kInk);
    for (double v : {vmax, 0.0}) {
      const int y = top + plot_h - static_cast<int>(std::lround(plot_h * v / vmax));
      hline(img, left - 7, left - 1, y, kInk);
      const std::string t = format_tick(v);
      draw_text(img, left - 10 - text_width(t, kText), std::max(0, y - text_height(kText) / 2), t,
                kInk, kText);
    }
    if (panel.threshold) {
      const int y = top + plot_h - static_cast<int>(std::lround(plot_h * *panel.threshold / vmax));
      img.fill_rect(left, y, plot_w, 2, kLine);
    }
    draw_text(img, left, top + plot_h + 8, "UNITS, LARGEST NORM FIRST", kGrid, kText);
  }
  return img;
}

}  // namespace kdw
