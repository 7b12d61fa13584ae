// Interactive weight heatmap: wheel zooms around the cursor, right- or middle-dragging pans,
// hovering reports row, column, gate, value and the hidden units of the row and column with
// their group norms. With units attached (setUnits), a left click toggles the unit of the
// row under the cursor (Ctrl: of the column), a left drag sets a range of units, and picked
// units are hatched and outlined. Each (pyramid level, colour mode) is rendered once into a cached
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

class UnitSelection;

/// Which hidden unit each row (or column) of a matrix stands for: index i, taken modulo
/// `period` when period > 0 (LSTM gate blocks), falls in one segment [begin, begin + count)
/// and is unit i - begin of group `group`.
struct UnitAxis {
  struct Segment {
    int64_t begin = 0, count = 0;
    int group = -1;
  };
  int64_t period = 0;
  std::vector<Segment> segments;
  /// (group, unit) of index i; group -1 when the index stands for no unit.
  std::pair<int, int> unitOf(int64_t i) const;
  /// Index range [first, last] of unit `unit` of `group` within period block `block`
  /// (a gate block for rows), {-1, -1} when absent.
  std::pair<int64_t, int64_t> indexOf(int group, int unit, int64_t block = 0) const;
  bool empty() const { return segments.empty(); }
};

class HeatmapView : public QWidget {
  Q_OBJECT

 public:
  enum class Mode { Signed, Abs, LogAbs };

  /// A hidden unit a row or column stands for.
  struct UnitRef {
    int group = -1, unit = -1;  ///< group -1: none
    int layer = 0, direction = 0;
    float norm = 0.0f;
    bool picked = false;
  };
  struct Hover {
    bool valid = false;
    int64_t row = 0, col = 0;
    QChar gate;  ///< 'i', 'f', 'g', 'o', or null without gates
    float value = 0.0f;
    UnitRef row_unit, col_unit;
  };

  explicit HeatmapView(QWidget* parent = nullptr);

  void setMatrix(std::shared_ptr<const HeatmapMatrix> matrix);
  const HeatmapMatrix* matrix() const { return matrix_.get(); }
  void setMode(Mode mode);
  Mode mode() const { return mode_; }
  /// Rows / columns drawn as "to be cut" (one flag per row / column; empty = none).
  void setHighlight(std::vector<char> rows, std::vector<char> cols);
  /// Lets clicks pick units of `selection` (not owned; null = no picking) through the unit
  /// maps of the rows and columns. Call after setMatrix (which drops them).
  void setUnits(UnitSelection* selection, UnitAxis rows, UnitAxis cols);
  const UnitAxis& rowUnits() const { return row_units_; }
  const UnitAxis& colUnits() const { return col_units_; }

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
  /// The legend's read-out right of the colour bar ("value   512 x 128   pooled 1/1 x 1/1") and
  /// the room it is drawn in (the bar gives up width so that it fits).
  QString legendInfo() const;
  QRect legendInfoRect() const;
  QRect plotRect() const;

  static QString hoverText(const Hover& h);

 Q_SIGNALS:
  void hovered(const QString& text);
  /// The cell under the cursor and its units (invalid when the cursor left the matrix).
  void hoverMoved(const HeatmapView::Hover& hover);
  /// A click or drag changed the picks (emitted on every step of a drag).
  void selectionEdited();
  /// The mouse button that edited the picks was released: one undo step ends here.
  void editFinished();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  const kdw::PooledMatrix& level(std::pair<int, int> level);
  const QImage& levelImage(std::pair<int, int> level);
  void clampView();
  void drawLegend(class QPainter& p);
  UnitRef unitRef(const UnitAxis& axis, int64_t index) const;
  /// The unit a left press at `pos` acts on: the row's, or the column's with Ctrl or when the
  /// rows stand for no unit. `on_cols` tells which axis it came from.
  UnitRef pickTarget(QPointF pos, Qt::KeyboardModifiers mods, bool& on_cols) const;

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
  bool dragging_ = false;  // panning
  QPointF drag_last_;
  UnitSelection* selection_ = nullptr;
  UnitAxis row_units_, col_units_;
  // The current pick gesture: the unit pressed, the state it sets, the picks before it.
  bool picking_ = false;
  bool pick_on_cols_ = false;
  bool pick_state_ = false;
  int pick_group_ = -1, pick_anchor_ = -1, pick_last_ = -1;
  std::vector<char> pick_before_;
  // Last clicked unit, for shift-click ranges.
  int anchor_group_ = -1, anchor_unit_ = -1;
  double last_paint_ms_ = 0.0;
};
