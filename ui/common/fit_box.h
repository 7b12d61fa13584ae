// Widgets one above the other where the height allows, else side by side: a panel keeps its
// charts readable in a tall window and still fits a short one (1024x700).
#pragma once

#include <QList>
#include <QWidget>

class QBoxLayout;

class FitBox : public QWidget {
 public:
  FitBox(const QList<QWidget*>& widgets, QWidget* parent);
  /// Side by side: the least height (and the width the widgets need next to each other).
  QSize minimumSizeHint() const override;

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  QList<QWidget*> widgets_;
  QBoxLayout* box_ = nullptr;
};
