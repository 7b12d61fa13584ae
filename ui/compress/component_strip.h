// The hidden units of one (layer, direction) as bars of their ISS group norm, one unit per
// row, in index order or sorted by norm. Click toggles a unit, shift-click sets the range from
// the last clicked unit, dragging paints the clicked unit's new state over the units passed.
// Picked units (to be cut) are red on a tinted row with a red mark; the threshold is a vertical
// line; the unit hovered on the heatmap has an amber row. Each unit gets at least minRowHeight()
// pixels (the strip grows; put it in a scroll area), Ctrl+wheel zooms the rows, and rows tall
// enough carry their unit number.
#pragma once

#include <QWidget>

#include <vector>

class UnitSelection;

class ComponentStrip : public QWidget {
  Q_OBJECT

 public:
  explicit ComponentStrip(QWidget* parent = nullptr);

  /// Shows group `group` of `selection` (not owned; must outlive the strip or be reset).
  void setSelection(UnitSelection* selection, int group);
  int group() const { return group_; }
  void setSorted(bool sorted);
  bool sorted() const { return sorted_; }
  void setThreshold(float threshold);
  /// Marks the row of `unit` (the unit under the cursor on the heatmap); -1: none.
  void setHoveredUnit(int unit);
  int hoveredUnit() const { return hovered_; }
  /// Pixels a unit's row gets at least (the strip's minimum height follows).
  void setMinRowHeight(double pixels);
  double minRowHeight() const { return min_row_; }
  /// Recomputes the order and repaints after the selection changed elsewhere.
  void refresh();

  /// Unit shown at widget y, -1 outside.
  int unitAt(int y) const;
  /// Vertical centre of a unit's row (for tests and tooltips).
  int unitY(int unit) const;
  /// Units in display order.
  const std::vector<int>& order() const { return order_; }

 Q_SIGNALS:
  /// The user changed the selection.
  void selectionEdited();
  /// The mouse button that edited the selection was released (one undo step ends).
  void editFinished();
  void hovered(const QString& text);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;

 private:
  int count() const;
  int positionAt(int y) const;
  void paintRange(int from_pos, int to_pos, bool picked);

  UnitSelection* selection_ = nullptr;
  int group_ = -1;
  bool sorted_ = false;
  float threshold_ = 0.0f;
  std::vector<int> order_;     // display position -> unit
  std::vector<int> position_;  // unit -> display position
  int anchor_pos_ = -1;        // last clicked position (shift-click range start)
  int drag_pos_ = -1;          // last position painted by the current drag
  bool drag_state_ = false;
  bool dragging_ = false;
  bool edited_ = false;  // since the last press
  int hovered_ = -1;     // unit hovered on the heatmap
  double min_row_ = 4.0;
};
