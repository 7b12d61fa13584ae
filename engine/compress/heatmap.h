// Pictures of a student's weights as PNG images, drawn by the engine itself (no Qt):
// a signed heatmap with a colour bar for one matrix, and bar charts of component norms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "compress/png.h"

namespace kdw {

struct HeatmapSpec {
  std::string title;      ///< e.g. "LAYER 0 FWD WEIGHT_IH"
  std::string row_label;  ///< what a row is, e.g. "GATE UNITS"
  std::string col_label;  ///< what a column is, e.g. "INPUTS"
  /// H when rows come in the 4 LSTM gate blocks i, f, g, o of H rows each (marked); 0: none.
  int64_t gate_block = 0;
  int64_t max_side = 1600;  ///< larger matrices are max-|w| pooled down to this many cells
};

/// Renders a row-major rows x cols matrix: blue (negative) - white - red (positive), symmetric
/// scale, colour bar with ticks, gate boundaries and names, row/column ticks.
RgbImage render_heatmap(const float* data, int64_t rows, int64_t cols, const HeatmapSpec& spec);

struct NormPanel {
  std::string title;                ///< e.g. "LAYER 0 FWD"
  std::vector<float> norms;         ///< one per component, any order (drawn sorted, largest first)
  std::optional<double> threshold;  ///< drawn as a red line
  int64_t kept = -1;                ///< components kept (the largest ones); -1: all drawn alike
};

/// One bar chart per panel, stacked vertically.
RgbImage render_norm_bars(const std::vector<NormPanel>& panels);

/// Compact number for labels: 3 significant digits ("0.0123", "-1.5", "2.3E-05").
std::string format_tick(double value);

}  // namespace kdw
