#include "ui/compress/component_strip.h"

#include <QMouseEvent>
#include <QPaintEvent>
#include <QPainter>
#include <QScrollArea>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ui/compress/unit_selection.h"

namespace {
constexpr int kTop = 18;  // room for the caption
constexpr int kBottom = 4;
constexpr int kMark = 5;  // the picked mark at the left of a row
const QColor kPicked(215, 60, 50);
const QColor kPickedRow(255, 222, 218);
const QColor kHoveredRow(255, 190, 0, 110);  // over the row, whatever it shows
const QColor kHoveredEdge(190, 110, 0);
}  // namespace

ComponentStrip::ComponentStrip(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setMinimumWidth(120);
}

void ComponentStrip::setSelection(UnitSelection* selection, int group) {
  selection_ = selection;
  group_ = group;
  anchor_pos_ = -1;
  hovered_ = -1;
  refresh();
}

void ComponentStrip::setSorted(bool sorted) {
  sorted_ = sorted;
  anchor_pos_ = -1;
  refresh();
}

void ComponentStrip::setMinRowHeight(double pixels) {
  min_row_ = std::clamp(pixels, 1.0, 48.0);
  refresh();
}

void ComponentStrip::setHoveredUnit(int unit) {
  if (unit < 0 || unit >= count()) unit = -1;
  if (unit == hovered_) return;
  hovered_ = unit;
  update();
}

void ComponentStrip::setThreshold(float threshold) {
  threshold_ = threshold;
  update();
}

int ComponentStrip::count() const {
  return selection_ && group_ >= 0 && group_ < selection_->groupCount()
             ? selection_->unitCount(group_)
             : 0;
}

void ComponentStrip::refresh() {
  const int n = count();
  order_.resize(static_cast<size_t>(n));
  std::iota(order_.begin(), order_.end(), 0);
  if (sorted_ && n > 0) {
    const auto& norms = selection_->group(group_).norms;
    std::stable_sort(order_.begin(), order_.end(), [&](int a, int b) {
      return norms[static_cast<size_t>(a)] < norms[static_cast<size_t>(b)];
    });
  }
  position_.assign(static_cast<size_t>(n), 0);
  for (int p = 0; p < n; ++p) position_[static_cast<size_t>(order_[static_cast<size_t>(p)])] = p;
  const int min_h = kTop + kBottom + std::max(40, static_cast<int>(std::ceil(n * min_row_)));
  if (min_h != minimumHeight()) {
    setMinimumHeight(min_h);
    // A scroll area around the strip lays it out again when the strip is resized (a new
    // minimum alone does not reach it); it then fits the strip to its viewport, at least min_h.
    QWidget* viewport = parentWidget();
    if (viewport && qobject_cast<QScrollArea*>(viewport->parentWidget())) resize(width(), min_h);
  }
  update();
}

int ComponentStrip::positionAt(int y) const {
  const int n = count();
  const int h = height() - kTop - kBottom;
  if (n == 0 || h <= 0 || y < kTop || y >= kTop + h) return -1;
  return std::min(n - 1, static_cast<int>(int64_t(y - kTop) * n / h));
}

int ComponentStrip::unitAt(int y) const {
  const int p = positionAt(y);
  return p < 0 ? -1 : order_[static_cast<size_t>(p)];
}

int ComponentStrip::unitY(int unit) const {
  const int n = count();
  if (unit < 0 || unit >= n) return -1;
  const double h = height() - kTop - kBottom;
  const int p = position_[static_cast<size_t>(unit)];
  return kTop + static_cast<int>((p + 0.5) * h / n);
}

void ComponentStrip::paintRange(int from_pos, int to_pos, bool picked) {
  if (from_pos > to_pos) std::swap(from_pos, to_pos);
  for (int p = from_pos; p <= to_pos; ++p)
    selection_->setPicked(group_, order_[static_cast<size_t>(p)], picked);
}

void ComponentStrip::paintEvent(QPaintEvent* event) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  const int n = count();
  p.setPen(palette().text().color());
  if (n == 0) {
    p.drawText(rect(), Qt::AlignCenter, tr("No units"));
    return;
  }
  const UnitGroup& g = selection_->group(group_);
  p.drawText(QRect(2, 0, width() - 4, kTop), Qt::AlignLeft | Qt::AlignVCenter,
             tr("%1 units, %2 picked%3")
                 .arg(n)
                 .arg(selection_->pickedCount(group_))
                 .arg(sorted_ ? tr(" (sorted)") : QString()));
  const float max_norm = std::max(selection_->maxNorm(), 1e-12f);
  const double h = height() - kTop - kBottom;
  const double row_h = h / n;
  // Rows tall enough for text carry their unit number in a column of their own.
  const QFontMetrics fm = fontMetrics();
  const bool labels = row_h >= fm.height();
  const int label_w = labels ? fm.horizontalAdvance(QString::number(n - 1)) + 6 : 0;
  const int x0 = 2 + kMark + 2 + label_w;
  const int w = std::max(1, width() - x0 - 2);
  const QColor kept(70, 110, 170);
  // Rows thinner than a pixel: draw each pixel row once, as the strongest unit it covers,
  // red if any unit in it is picked (a picked unit must never disappear).
  const int pixel_rows = static_cast<int>(std::ceil(h));
  const bool dense = row_h < 1.0;
  const int items = dense ? pixel_rows : n;
  const QRect dirty = event->rect();
  for (int i = 0; i < items; ++i) {
    const double y0 = dense ? kTop + i : kTop + i * row_h;
    if (y0 > dirty.bottom() + 1 || y0 + std::max(1.0, row_h) < dirty.top()) continue;
    int p0 = i, p1 = i;
    if (dense) {
      p0 = static_cast<int>(int64_t(i) * n / pixel_rows);
      p1 = std::max(p0, static_cast<int>(int64_t(i + 1) * n / pixel_rows) - 1);
    }
    float norm = 0.0f;
    bool any_picked = false;
    for (int q = p0; q <= p1 && q < n; ++q) {
      const int u = order_[static_cast<size_t>(q)];
      norm = std::max(norm, g.norms[static_cast<size_t>(u)]);
      any_picked = any_picked || selection_->isPicked(group_, u);
    }
    const double bh = dense ? 1.0 : std::max(1.0, row_h - (row_h > 3 ? 1.0 : 0.0));
    if (any_picked) {
      p.fillRect(QRectF(2, y0, width() - 4, bh), kPickedRow);
      p.fillRect(QRectF(2, y0, kMark, bh), kPicked);
    }
    if (labels)
      p.drawText(QRectF(2 + kMark + 2, y0, label_w - 4, row_h), Qt::AlignRight | Qt::AlignVCenter,
                 QString::number(order_[static_cast<size_t>(p0)]));
    p.fillRect(QRectF(x0, y0, std::max(1.0, w * double(norm) / max_norm), bh),
               any_picked ? kPicked : kept);
  }
  if (hovered_ >= 0 && hovered_ < n) {
    // At least 3 px tall, so that it shows where rows are thinner than a pixel.
    const double y0 = kTop + position_[static_cast<size_t>(hovered_)] * row_h;
    const double hh = std::max(3.0, row_h);
    const QRectF row(1.5, y0 + (row_h - hh) / 2 + 0.5, width() - 3.0, hh - 1.0);
    p.fillRect(row, kHoveredRow);
    p.setPen(QPen(kHoveredEdge, 1));
    p.drawRect(row);
  }
  if (threshold_ > 0) {
    const double x = x0 + w * double(threshold_) / max_norm;
    p.setPen(QPen(QColor(0, 0, 0), 1, Qt::DashLine));
    p.drawLine(QPointF(x, kTop), QPointF(x, height() - kBottom));
  }
}

void ComponentStrip::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton || !selection_) return;
  const int pos = positionAt(static_cast<int>(event->position().y()));
  if (pos < 0) return;
  const int unit = order_[static_cast<size_t>(pos)];
  if ((event->modifiers() & Qt::ShiftModifier) && anchor_pos_ >= 0) {
    const bool state = selection_->isPicked(group_, order_[static_cast<size_t>(anchor_pos_)]);
    paintRange(anchor_pos_, pos, state);
  } else {
    selection_->toggle(group_, unit);
    anchor_pos_ = pos;
    drag_state_ = selection_->isPicked(group_, unit);
    drag_pos_ = pos;
    dragging_ = true;
  }
  edited_ = true;
  update();
  Q_EMIT selectionEdited();
}

void ComponentStrip::mouseMoveEvent(QMouseEvent* event) {
  const int pos = positionAt(static_cast<int>(event->position().y()));
  if (dragging_ && (event->buttons() & Qt::LeftButton) && pos >= 0 && pos != drag_pos_) {
    paintRange(anchor_pos_, pos, drag_state_);
    drag_pos_ = pos;
    update();
    Q_EMIT selectionEdited();
  }
  if (pos >= 0) {
    const int unit = order_[static_cast<size_t>(pos)];
    const QString text =
        tr("unit %1, norm %2%3")
            .arg(unit)
            .arg(double(selection_->group(group_).norms[static_cast<size_t>(unit)]), 0, 'g', 4)
            .arg(selection_->isPicked(group_, unit) ? tr(", picked") : QString());
    setToolTip(text);
    Q_EMIT hovered(text);
  }
}

void ComponentStrip::mouseReleaseEvent(QMouseEvent*) {
  dragging_ = false;
  if (edited_) {
    edited_ = false;
    Q_EMIT editFinished();
  }
}

void ComponentStrip::wheelEvent(QWheelEvent* event) {
  // Ctrl+wheel zooms the rows; a plain wheel scrolls the scroll area around the strip.
  if (!(event->modifiers() & Qt::ControlModifier)) {
    event->ignore();
    return;
  }
  setMinRowHeight(min_row_ * std::pow(1.25, event->angleDelta().y() / 120.0));
  event->accept();
}
