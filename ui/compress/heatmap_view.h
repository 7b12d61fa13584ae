// Interactive weight heatmap: wheel zooms around the cursor, dragging pans, hovering reports
// row, column, gate and value. Each (pyramid level, colour mode) is rendered once into a cached
// QImage from a max-|w| pyramid (kdw::pool_max_abs), so a repaint is one scaled drawImage and
// stays fast for a 4000 x 1000 matrix.
#pragma once

#include <QImage>
#include <QPointF>
#include <QString>
#include <QWidget>

#include <map>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

#include "compress/heatmap_pooling.h"

/// A matrix to show: row-major float values. gate_rows > 0 marks LSTM gate blocks i, f, g, o of
/// that many rows each.
struct HeatmapMatrix {
  QString name;
  int64_t rows = 0, cols = 0;
  std::vector<float> values;
  int64_t gate_rows = 0;
  float at(int64_t r, int64_t c) const { return values[static_cast<size_t>(r * cols + c)]; }
};

class HeatmapView : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { Signed, Abs, LogAbs };

  struct Hover {
    bool valid = false;
    int64_t row = 0, col = 0;
    QChar gate;  ///< 'i', 'f', 'g', 'o', or null without gates
    float value = 0.0f;
  };

  explicit HeatmapView(QWidget* parent = nullptr);

  void setMatrix(std::shared_ptr<const HeatmapMatrix> matrix);
  const HeatmapMatrix* matrix() const { return matrix_.get(); }
  void setMode(Mode mode);
  Mode mode() const { return mode_; }
  /// Rows / columns drawn as "to be cut" (one flag per row / column; empty = none).
  void setHighlight(std::vector<char> rows, std::vector<char> cols);

  /// Fits the whole matrix into the view.
  void resetView();
  /// Zooms by `factor` keeping the matrix point under `pos` (widget coordinates) in place.
  void zoomAt(QPointF pos, double factor);
  void panBy(QPointF pixels);
  /// Matrix cell under a widget position.
  Hover hoverAt(QPointF pos) const;
  /// Widget position of the centre of cell (row, col).
  QPointF cellCenter(int64_t row, int64_t col) const;
  /// The pyramid level (rows, columns) the current zoom draws from: each axis is pooled by
  /// 2^level, (0, 0) = full resolution.
  std::pair<int, int> currentLevel() const;
  /// Pooled levels built so far (each is built on first use).
  int cachedLevelCount() const { return static_cast<int>(levels_.size()); }
  /// Duration of the last paintEvent in milliseconds (for benchmarks).
  double lastPaintMs() const { return last_paint_ms_; }
  QRect plotRect() const;

  static QString hoverText(const Hover& h);

 Q_SIGNALS:
  void hovered(const QString& text);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;

 private:
  const kdw::PooledMatrix& level(std::pair<int, int> level);
  const QImage& levelImage(std::pair<int, int> level);
  void clampView();
  void drawLegend(class QPainter& p);

  std::shared_ptr<const HeatmapMatrix> matrix_;
  std::map<std::pair<int, int>, kdw::PooledMatrix> levels_;
  std::map<std::tuple<int, int, int>, QImage> images_;  // (row level, col level, mode)
  float max_abs_ = 0.0f;
  Mode mode_ = Mode::Signed;
  std::vector<char> hl_rows_, hl_cols_;
  double sx_ = 1.0, sy_ = 1.0;  // pixels per element
  double ox_ = 0.0, oy_ = 0.0;  // matrix coordinate at the plot's top-left
  bool fitted_ = false;
  bool at_fit_ = true;
  bool dragging_ = false;
  QPointF drag_last_;
  double last_paint_ms_ = 0.0;
};
