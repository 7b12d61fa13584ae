#include "ui/common/live_chart.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHorizontalBarSeries>
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
  view->setMinimumHeight(140);  // room for the other rows at 1024x700
  auto* layout = new QVBoxLayout(parent);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view);
  return view;
}
// A count axis from 0 with round tick values (0, 250, 500, ... rather than 0, 376.95, ...).
QValueAxis* countAxis(QChart* chart, double top, Qt::Alignment side = Qt::AlignLeft) {
  auto* y = new QValueAxis;
  y->setRange(0, top > 0 ? top * 1.05 : 1);
  y->applyNiceNumbers();
  y->setLabelFormat(QStringLiteral("%g"));
  chart->addAxis(y, side);
  return y;
}

// 1, 2, 2.5 or 5 times a power of ten, at least `raw`: a tick interval with round labels.
double niceStep(double raw) {
  if (!(raw > 0) || !std::isfinite(raw)) return 1.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0})
    if (raw <= m * magnitude * (1 + 1e-9)) return m * magnitude;
  return 10.0 * magnitude;
}

// Ticks at multiples of a round interval over the axis' exact range (at least `minStep`).
void roundTicks(QValueAxis* axis, double span, double minStep = 0) {
  axis->setTickType(QValueAxis::TicksDynamic);
  axis->setTickAnchor(0.0);
  axis->setTickInterval(std::max(minStep, niceStep(span / 5.0)));
}

// As many decimals as multiples of `interval` need: 2.5 -> "%.1f", 0.25 -> "%.2f", 20 -> "%.0f".
QString decimalsFormat(double interval) {
  for (int d = 0; d < 6; ++d) {
    const double scaled = interval * std::pow(10.0, d);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled))
      return QStringLiteral("%.%1f").arg(d);
  }
  return QStringLiteral("%g");
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
  // A flat curve (e.g. alive units that stay put) gets a visible range, not 128 five times.
  const double pad = y1 > y0 ? (y1 - y0) * 0.05 : std::max(1.0, std::abs(y0) * 0.05);
  x_axis_->setRange(x0, x1);
  // Steps, epochs: round values over the exact data range.
  roundTicks(x_axis_, x1 - x0, integer_x_ ? 1.0 : 0.0);
  x_axis_->setLabelFormat(integer_x_ ? QStringLiteral("%.0f") : QStringLiteral("%g"));
  // Round tick values (0.2, 0.4 ... rather than 0.0872, 0.406 ...); data that is never negative
  // (losses, scores, counts) keeps an axis that starts at 0 or above.
  y_axis_->setRange(y0 >= 0 ? std::max(0.0, y0 - pad) : y0 - pad, y1 + pad);
  y_axis_->applyNiceNumbers();
  if (y0 >= 0 && y_axis_->min() < 0) y_axis_->setMin(0);
  roundTicks(y_axis_, y_axis_->max() - y_axis_->min());
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
  for (auto v = values.crbegin(); v != values.crend(); ++v) {  // first category on top
    *set << *v;
    top = std::max(top, *v);
  }
  // Horizontal bars: the category names (class labels) get the whole width of the axis instead of
  // one bar's width, where QtCharts would elide them to "com...".
  auto* series = new QHorizontalBarSeries;
  series->append(set);
  series->setBarWidth(0.8);
  chart_->addSeries(series);
  auto* names = new QBarCategoryAxis;
  // Many categories: label only every k-th so labels don't overlap.
  const int step = std::max<qsizetype>(1, categories.size() / 16);
  QStringList labels;
  for (int i = 0; i < categories.size(); ++i)
    labels.prepend(i % step == 0 ? categories[i] : QString(i, QChar(0x200B)));
  names->append(labels);
  chart_->addAxis(names, Qt::AlignLeft);
  series->attachAxis(names);
  series->attachAxis(countAxis(chart_, top, Qt::AlignBottom));
  bars_ = values.size();
}

void BarChart::setHistogram(double lo, double hi, const QVector<double>& counts,
                            const QString& xTitle) {
  clear();
  auto* set = new QBarSet(QString());
  double top = 0;
  for (double v : counts) {
    *set << v;
    top = std::max(top, v);
  }
  auto* series = new QBarSeries;
  series->append(set);
  series->setBarWidth(1.0);
  chart_->addSeries(series);
  // The bars sit on a hidden category axis (bin i spans [i - 0.5, i + 0.5]), whose full range
  // coincides with [lo, hi] on a visible value axis that no series uses.
  auto* bins = new QBarCategoryAxis;
  QStringList names;
  for (int i = 0; i < counts.size(); ++i) names << QString::number(i);
  bins->append(names);
  bins->setVisible(false);
  chart_->addAxis(bins, Qt::AlignBottom);
  series->attachAxis(bins);
  auto* x = new QValueAxis;
  if (!(hi > lo)) hi = lo + 1;
  x->setRange(lo, hi);
  roundTicks(x, hi - lo);
  x->setLabelFormat(decimalsFormat(x->tickInterval()));
  x->setTitleText(xTitle);
  x->setGridLineVisible(false);
  chart_->addAxis(x, Qt::AlignBottom);
  series->attachAxis(countAxis(chart_, top));
  bars_ = counts.size();
}

QStringList BarChart::axisLabels() const {
  for (QAbstractAxis* axis : chart_->axes(Qt::Horizontal)) {
    if (!axis->isVisible()) continue;
    if (auto* cats = qobject_cast<QBarCategoryAxis*>(axis)) return cats->categories();
    if (auto* values = qobject_cast<QValueAxis*>(axis)) {
      QStringList labels;
      const QByteArray format = values->labelFormat().toLatin1();
      if (values->tickType() == QValueAxis::TicksDynamic && values->tickInterval() > 0) {
        const double step = values->tickInterval(), anchor = values->tickAnchor();
        for (double v = anchor + std::ceil((values->min() - anchor) / step - 1e-9) * step;
             v <= values->max() + step * 1e-9; v += step)
          labels << QString::asprintf(format.constData(), std::abs(v) < step * 1e-9 ? 0.0 : v);
      } else {
        const int n = values->tickCount();
        for (int i = 0; i < n; ++i)
          labels << QString::asprintf(
              format.constData(),
              values->min() + (values->max() - values->min()) * i / std::max(1, n - 1));
      }
      return labels;
    }
  }
  return {};
}
