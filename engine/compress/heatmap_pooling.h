// Shrinking a large matrix for display without losing what matters: every element falls in
// exactly one output cell (never skipped), and a cell shows the element of largest magnitude,
// sign kept. So a single strong weight in a 4000 x 1000 matrix stays visible.
// Plain C++ (no Qt, no torch): the GUI's renderers reuse it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kdw {

struct PooledMatrix {
  int64_t rows = 0, cols = 0;  ///< pooled size
  int64_t source_rows = 0, source_cols = 0;
  std::vector<float> values;  ///< rows * cols, row-major
  float max_abs = 0.0f;       ///< largest |value| (the colour scale)

  float at(int64_t r, int64_t c) const { return values[static_cast<std::size_t>(r * cols + c)]; }
  /// Output row / column holding source row / column `i`.
  int64_t row_of(int64_t source_row) const { return source_row * rows / source_rows; }
  int64_t col_of(int64_t source_col) const { return source_col * cols / source_cols; }
};

/// First source index of output cell `i` when `source` items go into `out` cells (even split).
inline int64_t pool_bin_start(int64_t i, int64_t source, int64_t out) {
  return i * source / out;
}

/// Max-|w| pooling of a row-major `rows` x `cols` matrix to at most max_rows x max_cols.
/// Sizes already within the limits are copied unchanged. NaN counts as the largest magnitude.
PooledMatrix pool_max_abs(const float* data, int64_t rows, int64_t cols, int64_t max_rows,
                          int64_t max_cols);

}  // namespace kdw
