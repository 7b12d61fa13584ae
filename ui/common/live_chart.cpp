#include "common/live_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
QChartView* makeView(QChart* chart, QWidget* parent) {
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->legend()->setAlignment(Qt::AlignBottom);
  auto* view = new QChartView(chart, parent);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(180);
  auto* layout = new QVBoxLayout(parent);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view);
  return view;
}
}  // namespace

LiveChart::LiveChart(const QString& title, const QString& xTitle, const QString& yTitle,
                     QWidget* parent)
    : QWidget(parent), chart_(new QChart) {
  chart_->setTitle(title);
  x_axis_ = new QValueAxis(chart_);
  x_axis_->setTitleText(xTitle);
  x_axis_->setLabelFormat(QStringLiteral("%g"));
  y_axis_ = new QValueAxis(chart_);
  y_axis_->setTitleText(yTitle);
  y_axis_->setLabelFormat(QStringLiteral("%.3g"));
  chart_->addAxis(x_axis_, Qt::AlignBottom);
  chart_->addAxis(y_axis_, Qt::AlignLeft);
  view_ = makeView(chart_, this);
  timer_ = new QTimer(this);
  timer_->setInterval(250);  // a few redraws per second are enough for the eye
  connect(timer_, &QTimer::timeout, this, &LiveChart::redraw);
  timer_->start();
}

int LiveChart::addSeries(const QString& name) {
  Series s;
  s.line = new QLineSeries(chart_);
  s.line->setName(name);
  s.line->setUseOpenGL(false);
  chart_->addSeries(s.line);
  s.line->attachAxis(x_axis_);
  s.line->attachAxis(y_axis_);
  series_.append(s);
  return series_.size() - 1;
}

void LiveChart::append(int series, double x, double y) {
  if (series < 0 || series >= series_.size() || !std::isfinite(x) || !std::isfinite(y)) return;
  series_[series].points.append(QPointF(x, y));
  dirty_ = true;
}

void LiveChart::clear() {
  for (Series& s : series_) {
    s.points.clear();
    s.line->clear();
  }
  x_axis_->setRange(0, 1);
  y_axis_->setRange(0, 1);
  dirty_ = false;
}

int LiveChart::pointCount(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].points.size() : 0;
}

int LiveChart::drawnCount(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].line->count() : 0;
}

QList<QPointF> LiveChart::drawnPoints(int series) const {
  return series >= 0 && series < series_.size() ? series_[series].line->points() : QList<QPointF>();
}

QVector<QPointF> LiveChart::decimate(const QVector<QPointF>& points) const {
  if (points.size() <= max_drawn_) return points;
  // Keep each bucket's min and max (in x order) so spikes stay visible.
  const int buckets = std::max(1, max_drawn_ / 2);
  const double per = double(points.size()) / buckets;
  QVector<QPointF> out;
  out.reserve(buckets * 2);
  for (int b = 0; b < buckets; ++b) {
    const int begin = int(b * per);
    const int end = std::min<int>(points.size(), int((b + 1) * per));
    if (begin >= end) continue;
    int lo = begin, hi = begin;
    for (int i = begin; i < end; ++i) {
      if (points[i].y() < points[lo].y()) lo = i;
      if (points[i].y() > points[hi].y()) hi = i;
    }
    out.append(points[std::min(lo, hi)]);
    if (lo != hi) out.append(points[std::max(lo, hi)]);
  }
  return out;
}

void LiveChart::redraw() {
  if (!dirty_) return;
  dirty_ = false;
  double x0 = std::numeric_limits<double>::max(), x1 = std::numeric_limits<double>::lowest();
  double y0 = x0, y1 = x1;
  for (Series& s : series_) {
    if (s.points.isEmpty()) continue;
    const QVector<QPointF> drawn = decimate(s.points);
    for (const QPointF& p : drawn) {
      x0 = std::min(x0, p.x());
      x1 = std::max(x1, p.x());
      y0 = std::min(y0, p.y());
      y1 = std::max(y1, p.y());
    }
    s.line->replace(QList<QPointF>(drawn.begin(), drawn.end()));
  }
  if (x0 > x1) return;
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  const double pad = std::max(1e-6, (y1 - y0) * 0.05);
  x_axis_->setRange(x0, x1);
  y_axis_->setRange(y0 - pad, y1 + pad);
}

BarChart::BarChart(const QString& title, QWidget* parent) : QWidget(parent), chart_(new QChart) {
  chart_->setTitle(title);
  chart_->legend()->hide();
  view_ = makeView(chart_, this);
}

void BarChart::clear() {
  chart_->removeAllSeries();
  for (QAbstractAxis* axis : chart_->axes()) {
    chart_->removeAxis(axis);
    delete axis;
  }
  bars_ = 0;
}

void BarChart::setBars(const QStringList& categories, const QVector<double>& values,
                       const QString& seriesName) {
  clear();
  auto* set = new QBarSet(seriesName);
  double top = 0;
  for (double v : values) {
    *set << v;
    top = std::max(top, v);
  }
  auto* series = new QBarSeries;
  series->append(set);
  series->setBarWidth(0.9);
  chart_->addSeries(series);
  auto* x = new QBarCategoryAxis;
  // Many categories (histogram bins): label only every k-th so labels don't overlap.
  const int step = std::max<qsizetype>(1, categories.size() / 12);
  QStringList labels;
  for (int i = 0; i < categories.size(); ++i)
    labels << (i % step == 0 ? categories[i] : QString(i, QChar(0x200B)));
  x->append(labels);
  x->setLabelsAngle(categories.size() > 6 ? -45 : 0);
  auto* y = new QValueAxis;
  y->setRange(0, top > 0 ? top * 1.05 : 1);
  y->setLabelFormat(QStringLiteral("%g"));
  chart_->addAxis(x, Qt::AlignBottom);
  chart_->addAxis(y, Qt::AlignLeft);
  series->attachAxis(x);
  series->attachAxis(y);
  bars_ = values.size();
}
