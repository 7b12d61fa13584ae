#include "ui/common/fit_box.h"

#include <QBoxLayout>

#include <algorithm>

FitBox::FitBox(const QList<QWidget*>& widgets, QWidget* parent)
    : QWidget(parent), widgets_(widgets) {
  box_ = new QBoxLayout(QBoxLayout::TopToBottom, this);
  box_->setContentsMargins(0, 0, 0, 0);
  box_->setSizeConstraint(QLayout::SetNoConstraint);  // the minimum is minimumSizeHint's
  // Side by side, equal shares: a chart with short labels must not leave its neighbour a sliver.
  for (QWidget* w : widgets_) box_->addWidget(w, 1);
}

namespace {
// The least size a layout gives `w`: its minimum size where set, else its minimum size hint.
QSize leastSize(const QWidget* w) {
  return w->minimumSizeHint().expandedTo(w->minimumSize());
}
}  // namespace

QSize FitBox::minimumSizeHint() const {
  const int gap = std::max(box_->spacing(), 0);
  int width = 0, height = 0;
  for (const QWidget* w : widgets_) {
    width += leastSize(w).width() + (width ? gap : 0);
    height = std::max(height, leastSize(w).height());
  }
  return {std::max(width, minimumWidth()), height};
}

void FitBox::resizeEvent(QResizeEvent* e) {
  QWidget::resizeEvent(e);
  const int gap = std::max(box_->spacing(), 0);
  int stacked = 0;
  for (const QWidget* w : widgets_) stacked += leastSize(w).height() + (stacked ? gap : 0);
  box_->setDirection(height() >= stacked ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
}
