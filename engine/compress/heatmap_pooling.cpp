#include "compress/heatmap_pooling.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace kdw {

PooledMatrix pool_max_abs(const float* data, int64_t rows, int64_t cols, int64_t max_rows,
                          int64_t max_cols) {
  if (rows < 0 || cols < 0 || max_rows < 1 || max_cols < 1)
    throw Error("pool_max_abs: bad sizes " + std::to_string(rows) + "x" + std::to_string(cols));
  PooledMatrix out;
  out.source_rows = rows;
  out.source_cols = cols;
  out.rows = std::min(rows, max_rows);
  out.cols = std::min(cols, max_cols);
  out.values.assign(static_cast<size_t>(out.rows * out.cols), 0.0f);
  // Per output column, the source column range (same for every row).
  std::vector<int64_t> col_start(static_cast<size_t>(out.cols + 1));
  for (int64_t j = 0; j <= out.cols; ++j) col_start[j] = pool_bin_start(j, cols, out.cols);
  for (int64_t i = 0; i < out.rows; ++i) {
    const int64_t r0 = pool_bin_start(i, rows, out.rows);
    const int64_t r1 = pool_bin_start(i + 1, rows, out.rows);
    float* dst = out.values.data() + i * out.cols;
    std::vector<float> best_abs(static_cast<size_t>(out.cols), -1.0f);
    for (int64_t r = r0; r < r1; ++r) {
      const float* src = data + r * cols;
      for (int64_t j = 0; j < out.cols; ++j) {
        for (int64_t c = col_start[j]; c < col_start[j + 1]; ++c) {
          const float v = src[c];
          const float a = std::isnan(v) ? INFINITY : std::fabs(v);
          if (a > best_abs[j]) {
            best_abs[j] = a;
            dst[j] = v;
          }
        }
      }
    }
  }
  for (float v : out.values)
    if (std::isfinite(v)) out.max_abs = std::max(out.max_abs, std::fabs(v));
  return out;
}

}  // namespace kdw
