// Horizontal bars for counts per category (class balance), painted: each name beside its bar and
// its count at the bar's end. QtCharts gave the names' axis a few pixels at 1024x700 and drew
// the names and the count ticks as "..."; here a name gets up to about 60 % of the width, a longer
// one is shortened ("Компьютеры и…") and the tooltip over its row names it in full with its
// count. Rows too low for the font get a smaller one (down to 7 pt), then every k-th name.
#pragma once

#include <QFont>
#include <QStringList>
#include <QVector>
#include <QWidget>

class CountBars : public QWidget {
 public:
  explicit CountBars(const QString& title, QWidget* parent = nullptr);
  void setBars(const QStringList& names, const QVector<double>& values);
  void clear() { setBars({}, {}); }

  /// The names as drawn at the current size, first category first ("" where thinned out).
  QStringList drawnLabels() const;
  /// "name: count" over a category's row (name or bar), else empty.
  QString toolTipAt(const QPoint& pos) const;
  /// The middle of category `index`'s bar.
  QPoint barCenter(int index) const;

  QSize minimumSizeHint() const override { return {160, 140}; }
  QSize sizeHint() const override { return {240, 200}; }

 protected:
  bool event(QEvent* e) override;
  void paintEvent(QPaintEvent* e) override;

 private:
  struct Geometry {
    QFont font;
    QRectF rows;         ///< where the rows go
    double row = 0;      ///< one row's height
    int name_width = 0;  ///< the names' column
    int count_width = 0;
    int step = 1;  ///< every step-th name drawn
  };
  Geometry geometry() const;
  QRectF barRect(const Geometry& g, int index) const;
  QString drawnName(const Geometry& g, int index) const;

  QString title_;
  QStringList names_;
  QVector<double> values_;
};
